//! The reading half both client transports share: every response and event stream feeds one
//! channel, read by [`Reader`].

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use mcplex_protocol::Message;
use mcplex_transport::Error;
use tokio::sync::mpsc;

/// Messages (or errors) queued toward the reader; a full queue holds up the responses being
/// read, which is the backpressure on the server.
const QUEUE: usize = 256;

/// One item for the reader.
type Item = Result<Message, Error>;

/// A sender toward the reader. The reader ends once every `Feed` is gone.
#[derive(Clone, Debug)]
pub(crate) struct Feed {
    tx: mpsc::Sender<Item>,
}

impl Feed {
    /// Queues an item; `false` when the reader is gone.
    pub(crate) async fn push(&self, item: Item) -> bool {
        self.tx.send(item).await.is_ok()
    }

    /// Resolves when the reader is dropped.
    pub(crate) async fn closed(&self) {
        self.tx.closed().await;
    }

    /// Whether the reader is dropped.
    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// A handle that does not keep the reader going.
    pub(crate) fn downgrade(&self) -> WeakFeed {
        WeakFeed {
            tx: self.tx.downgrade(),
        }
    }
}

/// A [`Feed`] that does not keep the reader going: the reader ends when only these are left.
#[derive(Clone, Debug)]
pub(crate) struct WeakFeed {
    tx: mpsc::WeakSender<Item>,
}

impl WeakFeed {
    /// The feed, while the reader still runs.
    pub(crate) fn upgrade(&self) -> Option<Feed> {
        self.tx.upgrade().map(|tx| Feed { tx })
    }
}

/// A new feed and the reader it feeds.
pub(crate) fn channel() -> (Feed, Reader) {
    let (tx, rx) = mpsc::channel(QUEUE);
    (Feed { tx }, Reader { rx, done: false })
}

/// The incoming half of an HTTP client transport: the messages of every response and event
/// stream, each response's in the order the server sent them.
///
/// Yields `Err` for a message over the size limit or one that does not decode (both
/// non-fatal: reading goes on), and a fatal error when the server ended the session. Ends
/// (`None`) on Streamable HTTP once the writer is closed and no response is left in flight;
/// on the legacy transport when the event stream ends (closing the writer ends it). Dropping
/// it drops every response still being read, which cancels their requests on the server.
/// Cancel-safe.
#[derive(Debug)]
pub struct Reader {
    rx: mpsc::Receiver<Item>,
    done: bool,
}

impl Stream for Reader {
    type Item = Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(Err(e))) if e.is_fatal() => {
                // Nothing follows a fatal error.
                self.done = true;
                self.rx.close();
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(None)
            }
            other => other,
        }
    }
}
