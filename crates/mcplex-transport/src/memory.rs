//! An in-memory connection: two [`Transport`]s joined by bounded channels, for tests.
//!
//! Messages pass as values, without encoding. Dropping one end (both its halves) ends the
//! other end's reader with `None`, and makes its writer fail with [`Error::is_closed`].
//!
//! ```
//! use futures_util::{SinkExt, StreamExt};
//! use mcplex_protocol::{decode, Message};
//! use mcplex_transport::{memory, Transport};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let (a, b) = memory::pair(8);
//! let (_, mut a_out, _) = a.split();
//! let (mut b_in, _, info) = b.split();
//! assert_eq!(info.transport(), "memory");
//!
//! let ping = decode(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap();
//! a_out.send(ping.clone()).await.unwrap();
//! assert_eq!(b_in.next().await.unwrap().unwrap(), ping);
//!
//! drop(a_out);
//! assert!(b_in.next().await.is_none());
//! # }
//! ```

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_sink::Sink;
use mcplex_protocol::Message;
use tokio::sync::mpsc;
use tokio_util::sync::PollSender;

use crate::{ConnectionInfo, Error, Transport};

/// Two connected in-memory transports; what one writes, the other reads.
///
/// Each direction is a channel of `capacity` messages: when it is full, the writer's
/// `poll_ready` is pending until the reader takes a message.
///
/// # Panics
///
/// Panics if `capacity` is 0.
pub fn pair(capacity: usize) -> (MemoryTransport, MemoryTransport) {
    let (a_tx, b_rx) = mpsc::channel(capacity);
    let (b_tx, a_rx) = mpsc::channel(capacity);
    (
        MemoryTransport::new(a_rx, a_tx),
        MemoryTransport::new(b_rx, b_tx),
    )
}

/// One end of an in-memory connection made by [`pair`]. Its transport name is `"memory"`.
#[derive(Debug)]
pub struct MemoryTransport {
    reader: MemoryReader,
    writer: MemoryWriter,
    info: ConnectionInfo,
}

impl MemoryTransport {
    fn new(rx: mpsc::Receiver<Message>, tx: mpsc::Sender<Message>) -> Self {
        Self {
            reader: MemoryReader { rx },
            writer: MemoryWriter {
                tx: PollSender::new(tx),
            },
            info: ConnectionInfo::new("memory"),
        }
    }
}

impl Transport for MemoryTransport {
    type Reader = MemoryReader;
    type Writer = MemoryWriter;

    fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    fn info_mut(&mut self) -> &mut ConnectionInfo {
        &mut self.info
    }

    fn split(self) -> (MemoryReader, MemoryWriter, ConnectionInfo) {
        (self.reader, self.writer, self.info)
    }
}

/// The reading half of a [`MemoryTransport`]; ends when the other end's writer is closed or
/// dropped.
#[derive(Debug)]
pub struct MemoryReader {
    rx: mpsc::Receiver<Message>,
}

impl Stream for MemoryReader {
    type Item = Result<Message, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|message| message.map(Ok))
    }
}

/// The writing half of a [`MemoryTransport`]; fails with [`Error::is_closed`] once the other
/// end's reader is dropped.
///
/// Messages go straight into the channel, so `poll_flush` has nothing to do; `poll_close`
/// closes this direction, and the other end's reader ends after the messages already sent.
#[derive(Debug)]
pub struct MemoryWriter {
    tx: PollSender<Message>,
}

impl Sink<Message> for MemoryWriter {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.tx.poll_reserve(cx).map_err(|_| Error::closed())
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        self.tx.send_item(message).map_err(|_| Error::closed())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.tx.is_closed() {
            return Poll::Ready(Err(Error::closed()));
        }
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.tx.close();
        Poll::Ready(Ok(()))
    }
}
