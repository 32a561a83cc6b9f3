//! [`WsTransport`]: one WebSocket connection as a [`Transport`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures_core::Stream;
use futures_sink::Sink;
use mcplex_protocol::{DecodeLimits, Message};
use mcplex_transport::{ConnectionInfo, Transport};
use tokio::time::{Instant, Sleep};
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};

use crate::conn::{Conn, Side, write_error};
use crate::{CloseCode, CloseFrame, Error};

/// What a reader needs besides the socket.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) decode: DecodeLimits,
    pub(crate) ping_interval: Option<Duration>,
    pub(crate) pong_timeout: Duration,
}

/// A WebSocket connection carrying one JSON-RPC message per text frame, as a [`Transport`].
///
/// [`connect`](crate::connect) makes the client side; the server side is made and served by
/// [`Endpoint`](crate::Endpoint). Its [`ConnectionInfo`] is named `"ws"` and holds the
/// [`Negotiated`](crate::Negotiated) subprotocol in its extensions.
///
/// - **Reading**: each text frame is decoded as one message; text that is not a JSON-RPC
///   message yields a non-fatal decode error (answer it with `-32700` / `-32600`; the server
///   does). A binary frame, invalid UTF-8 and a message over the size limit make the reader
///   send a close frame (1003, 1007, 1009) and end with a fatal error whose source is an
///   [`Error`] with that [`close_code`](Error::close_code). A close frame from the peer is a
///   clean end (`None`); [`WsReader::close_frame`] tells its code.
/// - **Keep-alive**: the reader sends a ping after the ping interval without any frame from the
///   peer, and ends with a fatal [timeout](mcplex_transport::Error::is_timeout) when nothing
///   arrives within the pong timeout after it.
/// - **Writing**: each message is one text frame; frames are buffered until a flush.
///   Closing the writer sends a close frame (1000 on a client connection).
#[derive(Debug)]
pub struct WsTransport {
    reader: WsReader,
    writer: WsWriter,
    info: ConnectionInfo,
}

impl WsTransport {
    pub(crate) fn new(conn: Arc<Conn>, settings: Settings, info: ConnectionInfo) -> Self {
        Self {
            reader: WsReader {
                conn: conn.clone(),
                keep_alive: settings
                    .ping_interval
                    .map(|interval| KeepAlive::new(interval, settings.pong_timeout)),
                decode: settings.decode,
                done: false,
                flush_pending: false,
            },
            writer: WsWriter { conn },
            info,
        }
    }
}

impl Transport for WsTransport {
    type Reader = WsReader;
    type Writer = WsWriter;

    fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    fn info_mut(&mut self) -> &mut ConnectionInfo {
        &mut self.info
    }

    fn split(self) -> (WsReader, WsWriter, ConnectionInfo) {
        (self.reader, self.writer, self.info)
    }
}

/// The reading half of a [`WsTransport`]: a cancel-safe stream of messages, one per text frame.
#[derive(Debug)]
pub struct WsReader {
    conn: Arc<Conn>,
    keep_alive: Option<KeepAlive>,
    decode: DecodeLimits,
    done: bool,
    /// A ping is queued but not yet flushed.
    flush_pending: bool,
}

impl WsReader {
    /// The peer's close frame, once the peer closed the connection (1005 when its close frame
    /// had no code).
    pub fn close_frame(&self) -> Option<CloseFrame> {
        self.conn.lock().peer_close.clone()
    }

    /// Closes the connection with `code` because of what the peer sent, and returns the error
    /// that ends the stream.
    fn fault(
        &mut self,
        cx: &Context<'_>,
        code: CloseCode,
        why: &'static str,
    ) -> mcplex_transport::Error {
        self.done = true;
        let waker = self.conn.write_waker(Side::Reader, cx);
        let mut inner = self.conn.lock();
        inner.fault = Some(code);
        self.conn.send_close(&mut inner, &waker, code, why);
        tracing::debug!(%code, why, "closing a websocket");
        mcplex_transport::Error::other(Error::closed(code, why, None))
    }

    /// Queues a ping and tries to flush it.
    fn ping(&mut self, cx: &Context<'_>) {
        let waker = self.conn.write_waker(Side::Reader, cx);
        let mut inner = self.conn.lock();
        if inner.close_sent.is_some() {
            return;
        }
        let Some(socket) = inner.socket.as_mut() else {
            return;
        };
        if Pin::new(&mut *socket)
            .start_send(WsMessage::Ping(Default::default()))
            .is_ok()
        {
            self.flush_pending = true;
        }
        if Pin::new(socket)
            .poll_flush(&mut Context::from_waker(&waker))
            .is_ready()
        {
            self.flush_pending = false;
        }
    }

    fn decode(&self, text: &[u8]) -> Result<Message, mcplex_transport::Error> {
        if let Some(metrics) = self.conn.metrics() {
            metrics.received();
        }
        mcplex_protocol::decode_with(text, &self.decode).map_err(mcplex_transport::Error::decode)
    }

    /// What a read error means for the connection.
    fn read_error(
        &mut self,
        cx: &Context<'_>,
        error: tungstenite::Error,
    ) -> mcplex_transport::Error {
        use tungstenite::Error as E;
        match error {
            E::Capacity(_) => self.fault(cx, CloseCode::MESSAGE_TOO_BIG, "message too large"),
            E::Utf8(_) => self.fault(
                cx,
                CloseCode::INVALID_PAYLOAD,
                "text frame is not valid UTF-8",
            ),
            E::Io(e) => {
                self.done = true;
                self.conn.lock().reader_ended = true;
                mcplex_transport::Error::io(e)
            }
            E::ConnectionClosed
            | E::AlreadyClosed
            | E::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake) => {
                self.done = true;
                self.conn.lock().reader_ended = true;
                mcplex_transport::Error::closed()
            }
            _ => self.fault(
                cx,
                CloseCode::PROTOCOL_ERROR,
                "websocket protocol violation",
            ),
        }
    }
}

impl Stream for WsReader {
    type Item = Result<Message, mcplex_transport::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(keep_alive) = &mut this.keep_alive {
            match keep_alive.poll(cx) {
                Poll::Ready(Beat::Ping) => this.ping(cx),
                Poll::Ready(Beat::Dead) => {
                    let _ = this.fault(cx, CloseCode::GOING_AWAY, "no answer to ping");
                    return Poll::Ready(Some(Err(mcplex_transport::Error::timeout())));
                }
                Poll::Pending => {}
            }
        }
        let conn = this.conn.clone();
        let mut inner = conn.lock();
        if this.flush_pending {
            let waker = conn.write_waker(Side::Reader, cx);
            if let Some(socket) = inner.socket.as_mut()
                && Pin::new(socket)
                    .poll_flush(&mut Context::from_waker(&waker))
                    .is_ready()
            {
                this.flush_pending = false;
            }
        }
        loop {
            let Some(socket) = inner.socket.as_mut() else {
                this.done = true;
                return Poll::Ready(None);
            };
            let frame = match ready!(Pin::new(socket).poll_next(cx)) {
                None => {
                    inner.reader_ended = true;
                    this.done = true;
                    return Poll::Ready(None);
                }
                Some(Ok(frame)) => frame,
                Some(Err(e)) => {
                    drop(inner);
                    return Poll::Ready(Some(Err(this.read_error(cx, e))));
                }
            };
            if let Some(keep_alive) = &mut this.keep_alive {
                keep_alive.seen();
            }
            match frame {
                WsMessage::Text(text) => {
                    drop(inner);
                    return Poll::Ready(Some(this.decode(text.as_bytes())));
                }
                WsMessage::Binary(_) => {
                    drop(inner);
                    let why = "binary frames are not accepted: send JSON-RPC in text frames";
                    return Poll::Ready(Some(Err(this.fault(
                        cx,
                        CloseCode::UNSUPPORTED_DATA,
                        why,
                    ))));
                }
                WsMessage::Close(frame) => {
                    let inner = &mut *inner;
                    conn.peer_closed(&mut inner.peer_close, inner.close_sent, frame);
                    inner.reader_ended = true;
                    this.done = true;
                    // The reply to the close frame is queued; flush it now.
                    let waker = conn.write_waker(Side::Reader, cx);
                    if let Some(socket) = inner.socket.as_mut() {
                        let _ = Pin::new(socket).poll_flush(&mut Context::from_waker(&waker));
                    }
                    return Poll::Ready(None);
                }
                WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_) => {}
            }
        }
    }
}

/// The writing half of a [`WsTransport`]: a sink of messages, one text frame each, buffered
/// until a flush.
#[derive(Debug)]
pub struct WsWriter {
    conn: Arc<Conn>,
}

impl Sink<Message> for WsWriter {
    type Error = mcplex_transport::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let waker = self.conn.write_waker(Side::Writer, cx);
        let mut inner = self.conn.lock();
        if inner.close_sent.is_some() || inner.peer_close.is_some() {
            return Poll::Ready(Err(mcplex_transport::Error::closed()));
        }
        let Some(socket) = inner.socket.as_mut() else {
            return Poll::Ready(Err(mcplex_transport::Error::closed()));
        };
        Pin::new(socket)
            .poll_ready(&mut Context::from_waker(&waker))
            .map_err(write_error)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Self::Error> {
        let text = serde_json::to_string(&message).map_err(mcplex_transport::Error::other)?;
        let mut inner = self.conn.lock();
        let Some(socket) = inner.socket.as_mut() else {
            return Err(mcplex_transport::Error::closed());
        };
        Pin::new(socket)
            .start_send(WsMessage::text(text))
            .map_err(write_error)?;
        if let Some(metrics) = self.conn.metrics() {
            metrics.sent();
        }
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let waker = self.conn.write_waker(Side::Writer, cx);
        let mut inner = self.conn.lock();
        let Some(socket) = inner.socket.as_mut() else {
            return Poll::Ready(Err(mcplex_transport::Error::closed()));
        };
        Pin::new(socket)
            .poll_flush(&mut Context::from_waker(&waker))
            .map_err(write_error)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let waker = self.conn.write_waker(Side::Writer, cx);
        let mut inner = self.conn.lock();
        let code = self.conn.final_code(&inner);
        self.conn.send_close(&mut inner, &waker, code, "");
        let Some(socket) = inner.socket.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        match ready!(Pin::new(socket).poll_flush(&mut Context::from_waker(&waker))) {
            Ok(()) => Poll::Ready(Ok(())),
            Err(e) => match write_error(e) {
                e if e.is_closed() => Poll::Ready(Ok(())),
                e => Poll::Ready(Err(e)),
            },
        }
    }
}

/// What the keep-alive timer asks for.
#[derive(Debug, PartialEq, Eq)]
enum Beat {
    Ping,
    Dead,
}

/// Pings a quiet peer and notices a dead one. Any frame from the peer counts as a sign of life.
#[derive(Debug)]
struct KeepAlive {
    interval: Duration,
    timeout: Duration,
    sleep: Pin<Box<Sleep>>,
    last_seen: Instant,
    /// When the unanswered ping was sent.
    pinged: Option<Instant>,
}

impl KeepAlive {
    fn new(interval: Duration, timeout: Duration) -> Self {
        let now = Instant::now();
        Self {
            interval,
            timeout,
            sleep: Box::pin(tokio::time::sleep_until(now + interval)),
            last_seen: now,
            pinged: None,
        }
    }

    fn seen(&mut self) {
        self.last_seen = Instant::now();
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Beat> {
        loop {
            ready!(self.sleep.as_mut().poll(cx));
            let now = Instant::now();
            let next = match self.pinged {
                Some(at) if self.last_seen >= at => {
                    self.pinged = None;
                    self.last_seen + self.interval
                }
                Some(at) if now >= at + self.timeout => return Poll::Ready(Beat::Dead),
                Some(at) => at + self.timeout,
                None if now >= self.last_seen + self.interval => {
                    self.pinged = Some(now);
                    self.sleep.as_mut().reset(now + self.timeout);
                    return Poll::Ready(Beat::Ping);
                }
                None => self.last_seen + self.interval,
            };
            self.sleep.as_mut().reset(next);
        }
    }
}
