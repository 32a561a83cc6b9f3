//! The outbound queue of one connection or response stream.

use mcplex_protocol::Message;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Sends messages to one peer through a bounded queue.
///
/// Responses wait for room (backpressure, bounded by the in-flight limit); notifications never
/// wait: a peer so far behind that its queue is full is disconnected ([`Outbound::overflowed`]),
/// which keeps one slow reader from slowing anyone else or growing memory.
#[derive(Clone, Debug)]
pub(crate) struct Outbound {
    tx: mpsc::Sender<Message>,
    overflow: CancellationToken,
}

impl Outbound {
    pub(crate) fn channel(capacity: usize) -> (Self, mpsc::Receiver<Message>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (
            Self {
                tx,
                overflow: CancellationToken::new(),
            },
            rx,
        )
    }

    /// Queues a notification without waiting; `false` if it was not queued.
    pub(crate) fn notify(&self, message: Message) -> bool {
        match self.tx.try_send(message) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.overflow.cancel();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Queues a response, waiting for room; `false` if the peer is gone.
    pub(crate) async fn send(&self, message: Message) -> bool {
        self.tx.send(message).await.is_ok()
    }

    /// Fires when a notification found the queue full.
    pub(crate) fn overflowed(&self) -> &CancellationToken {
        &self.overflow
    }
}
