//! One WebSocket, shared by the reader and the writer of a [`WsTransport`](crate::WsTransport),
//! and the closing handshake.
//!
//! The socket sits behind a mutex that is only held for the length of one poll, never across
//! an await, so the reader and the writer run in different tasks without a lock between them in
//! practice. Both can write (the reader sends pings and protocol-error closes), so every write
//! registers its task in a two-slot waker ([`WriteWake`]) and polls with a waker that wakes
//! both slots: neither side can lose the other's wake-up.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use futures_core::Stream;
use futures_sink::Sink;
use futures_util::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame as WsCloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_util::sync::CancellationToken;

use crate::metrics::{Ending, Initiator, Metrics};
use crate::{CloseCode, CloseFrame};

/// The byte stream under a WebSocket: a TCP stream, an upgraded HTTP connection, anything.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// A WebSocket over any byte stream.
pub(crate) type Socket = WebSocketStream<Box<dyn Io>>;

/// How much is read from the socket at once. The WebSocket library allocates this much for every
/// connection up front and zero-fills it on each read, so it is the largest part of what an idle
/// connection costs; 4 KiB holds a typical JSON-RPC request (or several) in one read, and a bigger
/// message grows the buffer to its size and is read in 4 KiB steps.
const READ_BUFFER: usize = 4 * 1024;

/// How much outgoing data is buffered before a write is forced.
const WRITE_BUFFER: usize = 64 * 1024;

/// The WebSocket settings for a connection whose messages may be up to `max` bytes.
pub(crate) fn config(max: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(Some(max))
        .max_frame_size(Some(max))
}

/// Which side of the connection is writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Reader,
    Writer,
}

/// Who decides the close code when the writer closes.
#[derive(Debug)]
pub(crate) enum Policy {
    /// A connection driven by its user: closing it says 1000.
    Plain,
    /// A connection served by `Server::serve_connection_until`: 1001 when the server shut
    /// down; an overflowed outbound queue is recorded as a fault (1013) by the server side.
    Served { shutdown: CancellationToken },
}

/// Wakes the reader's and the writer's task when the socket can be written again.
#[derive(Debug, Default)]
struct WriteWake {
    reader: AtomicWaker,
    writer: AtomicWaker,
}

impl Wake for WriteWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.reader.wake();
        self.writer.wake();
    }
}

/// The socket and what is known about its closing.
pub(crate) struct Inner {
    /// `None` once the connection is over and the socket dropped.
    pub(crate) socket: Option<Socket>,
    /// The close code this side sent first.
    pub(crate) close_sent: Option<CloseCode>,
    /// The close code the reader chose after a protocol fault.
    pub(crate) fault: Option<CloseCode>,
    /// The peer's close frame.
    pub(crate) peer_close: Option<CloseFrame>,
    /// The reader saw the peer end the connection (a close frame, the end of the stream).
    pub(crate) reader_ended: bool,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("open", &self.socket.is_some())
            .field("close_sent", &self.close_sent)
            .field("fault", &self.fault)
            .field("peer_close", &self.peer_close)
            .field("reader_ended", &self.reader_ended)
            .finish()
    }
}

/// One WebSocket connection, shared by its reader and writer.
#[derive(Debug)]
pub(crate) struct Conn {
    inner: Mutex<Inner>,
    wake: Arc<WriteWake>,
    policy: Policy,
    metrics: Option<Arc<Metrics>>,
}

impl Conn {
    pub(crate) fn new(socket: Socket, policy: Policy, metrics: Option<Arc<Metrics>>) -> Self {
        Self {
            inner: Mutex::new(Inner {
                socket: Some(socket),
                close_sent: None,
                fault: None,
                peer_close: None,
                reader_ended: false,
            }),
            wake: Arc::default(),
            policy,
            metrics,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn metrics(&self) -> Option<&Metrics> {
        self.metrics.as_deref()
    }

    /// The waker to write with: registers `cx` in `side`'s slot and wakes both slots.
    pub(crate) fn write_waker(&self, side: Side, cx: &Context<'_>) -> Waker {
        match side {
            Side::Reader => self.wake.reader.register(cx.waker()),
            Side::Writer => self.wake.writer.register(cx.waker()),
        }
        Waker::from(self.wake.clone())
    }

    /// The close code to send when the connection ends without a fault of the peer's.
    pub(crate) fn final_code(&self, inner: &Inner) -> CloseCode {
        if let Some(code) = inner.fault {
            return code;
        }
        match &self.policy {
            Policy::Plain => CloseCode::NORMAL,
            Policy::Served { shutdown } if shutdown.is_cancelled() => CloseCode::GOING_AWAY,
            Policy::Served { .. } => CloseCode::NORMAL,
        }
    }

    /// Queues a close frame with `code` unless one was sent or the peer closed first, and
    /// tries to flush it. The frame goes after whatever is already queued.
    pub(crate) fn send_close(&self, inner: &mut Inner, waker: &Waker, code: CloseCode, why: &str) {
        if inner.close_sent.is_some() || inner.peer_close.is_some() || inner.reader_ended {
            return;
        }
        let Some(socket) = inner.socket.as_mut() else {
            return;
        };
        inner.close_sent = Some(code);
        if let Some(metrics) = &self.metrics {
            metrics.closed(Ending::Close(code, Initiator::Server));
        }
        let frame = WsCloseFrame {
            code: code.as_u16().into(),
            reason: why.into(),
        };
        let mut cx = Context::from_waker(waker);
        // The close frame is small and the write buffer is not capped: queue it even when the
        // socket is backed up, then flush as far as the peer lets us.
        if Pin::new(&mut *socket)
            .start_send(WsMessage::Close(Some(frame)))
            .is_ok()
        {
            let _ = Pin::new(socket).poll_flush(&mut cx);
        }
    }

    /// Ends the connection: sends the close frame if none was exchanged yet (with
    /// [`final_code`](Conn::final_code)), flushes, waits for the peer's close frame and drops
    /// the socket, all within `timeout`. Wakes a writer still waiting on the socket.
    pub(crate) async fn finish(&self, timeout: Duration) {
        let done = tokio::time::timeout(timeout, poll_fn(|cx| self.poll_finish(cx))).await;
        let mut inner = self.lock();
        let socket = inner.socket.take();
        let dropped = inner.close_sent.is_none() && inner.peer_close.is_none();
        drop(inner);
        drop(socket);
        self.wake.wake_by_ref();
        if done.is_err() {
            tracing::debug!("the peer did not finish the closing handshake in time");
        }
        if let (true, Some(metrics)) = (dropped, &self.metrics) {
            metrics.closed(Ending::Dropped);
        }
    }

    /// Records the peer's close frame (counted when the peer closed first).
    pub(crate) fn peer_closed(
        &self,
        peer_close: &mut Option<CloseFrame>,
        close_sent: Option<CloseCode>,
        frame: Option<WsCloseFrame>,
    ) {
        if peer_close.is_some() {
            return;
        }
        let frame = close_frame(frame);
        if let (None, Some(metrics)) = (close_sent, &self.metrics) {
            metrics.closed(Ending::Close(frame.code(), Initiator::Peer));
        }
        *peer_close = Some(frame);
    }

    fn poll_finish(&self, cx: &mut Context<'_>) -> Poll<()> {
        let waker = self.write_waker(Side::Reader, cx);
        let mut guard = self.lock();
        let inner = &mut *guard;
        let code = self.final_code(inner);
        let why = match code {
            CloseCode::GOING_AWAY => "server shutting down",
            CloseCode::TRY_AGAIN_LATER => "outbound queue overflowed: the client reads too slowly",
            _ => "",
        };
        self.send_close(inner, &waker, code, why);
        let Some(socket) = inner.socket.as_mut() else {
            return Poll::Ready(());
        };
        match Pin::new(&mut *socket).poll_flush(&mut Context::from_waker(&waker)) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(_)) => return Poll::Ready(()),
            Poll::Pending => return Poll::Pending,
        }
        // Read until the peer's close frame ends the stream; data that still arrives is dropped.
        loop {
            match Pin::new(&mut *socket).poll_next(cx) {
                Poll::Ready(Some(Ok(WsMessage::Close(frame)))) => {
                    self.peer_closed(&mut inner.peer_close, inner.close_sent, frame);
                }
                Poll::Ready(Some(Ok(_))) => {}
                Poll::Ready(None | Some(Err(_))) => return Poll::Ready(()),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// A received close frame; no frame at all counts as 1005 ("no status received").
pub(crate) fn close_frame(frame: Option<WsCloseFrame>) -> CloseFrame {
    match frame {
        Some(frame) => CloseFrame::new(CloseCode::new(frame.code.into()), frame.reason.as_str()),
        None => CloseFrame::new(CloseCode::new(1005), ""),
    }
}

/// A transport error for a failed write; the peer going away reads as closed.
pub(crate) fn write_error(error: tungstenite::Error) -> mcplex_transport::Error {
    use tungstenite::Error as E;
    match error {
        E::ConnectionClosed | E::AlreadyClosed => mcplex_transport::Error::closed(),
        E::Protocol(tungstenite::error::ProtocolError::SendAfterClosing) => {
            mcplex_transport::Error::closed()
        }
        E::Io(e) => mcplex_transport::Error::io(e),
        other => mcplex_transport::Error::other(other),
    }
}
