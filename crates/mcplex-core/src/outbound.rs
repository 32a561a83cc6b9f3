//! The outbound queue of one connection or response stream.

use std::task::{Context, Poll};

use mcplex_protocol::Message;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Sends messages to one peer through a bounded queue.
///
/// Responses wait for room (backpressure, bounded by the in-flight limit); notifications never
/// wait: a peer so far behind that its queue is full is disconnected ([`Outbound::overflowed`]),
/// which keeps one slow reader from slowing anyone else or growing memory.
///
/// The queue holds boxed messages. The channel allocates its first block of 32 slots when it
/// is created, for every connection and stream, idle or not: a slot the size of a pointer keeps
/// that block at 256 bytes instead of 32 messages' worth (2.8 KiB).
#[derive(Clone, Debug)]
pub(crate) struct Outbound {
    tx: mpsc::Sender<Box<Message>>,
    overflow: CancellationToken,
}

impl Outbound {
    pub(crate) fn channel(capacity: usize) -> (Self, Receiver) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (
            Self {
                tx,
                overflow: CancellationToken::new(),
            },
            Receiver(rx),
        )
    }

    /// Queues a notification without waiting; `false` if it was not queued.
    pub(crate) fn notify(&self, message: Message) -> bool {
        match self.tx.try_send(Box::new(message)) {
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
        self.tx.send(Box::new(message)).await.is_ok()
    }

    /// Fires when a notification found the queue full.
    pub(crate) fn overflowed(&self) -> &CancellationToken {
        &self.overflow
    }
}

/// The receiving end of an [`Outbound`] queue; the same calls as a `tokio::sync::mpsc`
/// receiver.
#[derive(Debug)]
pub(crate) struct Receiver(mpsc::Receiver<Box<Message>>);

impl Receiver {
    /// The next message; `None` once every [`Outbound`] is gone and the queue is empty.
    pub(crate) async fn recv(&mut self) -> Option<Message> {
        self.0.recv().await.map(|message| *message)
    }

    /// The next message if one is queued.
    pub(crate) fn try_recv(&mut self) -> Result<Message, mpsc::error::TryRecvError> {
        self.0.try_recv().map(|message| *message)
    }

    /// Polls for the next message, like [`recv`](Receiver::recv).
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        self.0
            .poll_recv(cx)
            .map(|message| message.map(|message| *message))
    }
}
