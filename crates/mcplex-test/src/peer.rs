//! A JSON-RPC test client that works message by message, and raw connections for input that is
//! not a message.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use mcplex_protocol::{Message, ProtocolVersion, Request};
use mcplex_transport::ndjson::NdjsonReader;
use mcplex_transport::{NdjsonCodec, Transport};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// How long a test waits for one message before it fails.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(10);

/// Writes payloads that need not be messages: broken JSON, oversized lines, anything.
///
/// Byte-stream transports frame each payload as they would a message (stdio adds the line
/// terminator); message transports send it as one message (a WebSocket text frame).
pub trait RawWrite: Send {
    /// Sends one payload.
    fn write_raw<'a>(&'a mut self, payload: &'a [u8]) -> BoxFuture<'a, io::Result<()>>;

    /// Closes the writing side; the server should see a clean close.
    fn close(&mut self) -> BoxFuture<'_, io::Result<()>>;
}

/// A connection whose writer sends raw payloads ([`RawWrite`]) and whose reader decodes
/// messages: what the malformed-input checks of the suite need.
pub struct RawConnection {
    reader: BoxStream<'static, Result<Message, mcplex_transport::Error>>,
    writer: Box<dyn RawWrite>,
}

impl RawConnection {
    /// A raw connection from a message reader and a raw writer.
    pub fn new(
        reader: impl Stream<Item = Result<Message, mcplex_transport::Error>> + Send + 'static,
        writer: impl RawWrite + 'static,
    ) -> Self {
        Self {
            reader: reader.boxed(),
            writer: Box::new(writer),
        }
    }

    /// A raw connection over newline-delimited JSON: each payload is written followed by
    /// `\n`; replies are read as lines.
    pub fn ndjson<R, W>(reader: R, writer: W) -> Self
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        Self::new(
            NdjsonReader::new(reader, NdjsonCodec::new()),
            NdjsonLines(Some(writer)),
        )
    }
}

impl fmt::Debug for RawConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawConnection").finish_non_exhaustive()
    }
}

/// [`RawWrite`] for a byte writer carrying newline-delimited JSON; closing it drops the
/// writer, which closes a pipe (shutting a pipe down only flushes it).
struct NdjsonLines<W>(Option<W>);

impl<W: AsyncWrite + Send + Unpin> RawWrite for NdjsonLines<W> {
    fn write_raw<'a>(&'a mut self, payload: &'a [u8]) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(async move {
            let writer = self.0.as_mut().ok_or(io::ErrorKind::BrokenPipe)?;
            writer.write_all(payload).await?;
            writer.write_all(b"\n").await?;
            writer.flush().await
        })
    }

    fn close(&mut self) -> BoxFuture<'_, io::Result<()>> {
        Box::pin(async move {
            match self.0.take() {
                Some(mut writer) => writer.shutdown().await,
                None => Ok(()),
            }
        })
    }
}

/// A client-side connection plus a future that completes when the server has stopped
/// serving it: what each check of the transport suite is given.
///
/// `served` is how the suite sees the server side: for an in-process server it is the task
/// running [`Server::serve_connection`](mcplex_core::Server::serve_connection); for a child
/// process it is the process's exit. It should fail (panic) if serving ended with an error.
pub struct Connected<C> {
    /// The client end.
    pub connection: C,
    /// Completes when the server has stopped serving this connection.
    pub served: BoxFuture<'static, ()>,
}

impl<C> Connected<C> {
    /// Pairs a client end with the future that completes when serving it ends.
    pub fn new(connection: C, served: impl Future<Output = ()> + Send + 'static) -> Self {
        Self {
            connection,
            served: Box::pin(served),
        }
    }
}

impl<C: fmt::Debug> fmt::Debug for Connected<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connected")
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

enum Writer {
    Sink(Pin<Box<dyn Sink<Message, Error = mcplex_transport::Error> + Send>>),
    Raw(Box<dyn RawWrite>),
}

/// A test client that sends and receives single JSON-RPC messages, with a timeout on every
/// wait, and panics with a clear message when the server misbehaves.
///
/// Messages that arrive while [`request`](Peer::request) waits for a response are kept, in
/// order, for [`recv`](Peer::recv).
pub struct Peer {
    reader: BoxStream<'static, Result<Message, mcplex_transport::Error>>,
    writer: Writer,
    queued: VecDeque<Message>,
    next_id: i64,
}

impl fmt::Debug for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peer")
            .field("queued", &self.queued.len())
            .field("next_id", &self.next_id)
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// A peer over a message transport.
    pub fn new<T: Transport>(transport: T) -> Self {
        let (reader, writer, _) = transport.split();
        Self {
            reader: reader.boxed(),
            writer: Writer::Sink(Box::pin(writer)),
            queued: VecDeque::new(),
            next_id: 1,
        }
    }

    /// A peer over a raw connection, which can also [`send_raw`](Peer::send_raw).
    pub fn raw(connection: RawConnection) -> Self {
        Self {
            reader: connection.reader,
            writer: Writer::Raw(connection.writer),
            queued: VecDeque::new(),
            next_id: 1,
        }
    }

    /// A fresh request id (1, 2, 3, ...).
    pub fn next_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Sends one message and flushes.
    ///
    /// # Panics
    ///
    /// Panics if the transport fails.
    pub async fn send(&mut self, message: Message) {
        self.feed(message).await;
        self.flush().await;
    }

    /// Queues one message without flushing (raw connections write it at once).
    ///
    /// # Panics
    ///
    /// Panics if the transport fails.
    pub async fn feed(&mut self, message: Message) {
        match &mut self.writer {
            Writer::Sink(sink) => sink.feed(message).await.expect("sending a message failed"),
            Writer::Raw(raw) => raw
                .write_raw(&message.to_vec())
                .await
                .expect("writing a message failed"),
        }
    }

    /// Flushes queued messages.
    ///
    /// # Panics
    ///
    /// Panics if the transport fails.
    pub async fn flush(&mut self) {
        if let Writer::Sink(sink) = &mut self.writer {
            sink.flush().await.expect("flushing messages failed");
        }
    }

    /// Sends a payload that need not be a message.
    ///
    /// # Panics
    ///
    /// Panics on a peer made with [`Peer::new`] (message transports cannot carry raw bytes),
    /// or if the write fails.
    pub async fn send_raw(&mut self, payload: &[u8]) {
        match &mut self.writer {
            Writer::Raw(raw) => raw
                .write_raw(payload)
                .await
                .expect("writing raw bytes failed"),
            Writer::Sink(_) => panic!("this peer carries messages only; make it with Peer::raw"),
        }
    }

    /// Closes the writing side: the server sees a clean close.
    pub async fn close(&mut self) {
        let _ = match &mut self.writer {
            Writer::Sink(sink) => sink.close().await.map_err(io::Error::other),
            Writer::Raw(raw) => raw.close().await,
        };
    }

    /// The next message: one kept by [`request`](Peer::request), or the next one read.
    /// `None` when the server closed the connection.
    ///
    /// # Panics
    ///
    /// Panics after [`RECV_TIMEOUT`] without a message, or when the server sends something
    /// that is not a message.
    pub async fn recv(&mut self) -> Option<Message> {
        if let Some(message) = self.queued.pop_front() {
            return Some(message);
        }
        self.read(RECV_TIMEOUT)
            .await
            .unwrap_or_else(|| panic!("no message from the server within {RECV_TIMEOUT:?}"))
    }

    /// The next message kept by [`request`](Peer::request), without reading.
    pub fn take_kept(&mut self) -> Option<Message> {
        self.queued.pop_front()
    }

    /// The next message read within `timeout`: `None` on timeout, `Some(None)` when the
    /// server closed the connection. Kept messages are not looked at.
    ///
    /// # Panics
    ///
    /// Panics when the server sends something that is not a message.
    pub async fn read(&mut self, timeout: Duration) -> Option<Option<Message>> {
        let item = tokio::time::timeout(timeout, self.reader.next())
            .await
            .ok()?;
        Some(item.map(|r| r.unwrap_or_else(|e| panic!("the server sent a bad message: {e:?}"))))
    }

    /// Sends a request and waits for its response (a result or an error); other messages
    /// that arrive meanwhile are kept for [`recv`](Peer::recv).
    ///
    /// # Panics
    ///
    /// As [`recv`](Peer::recv), and when the connection closes first.
    pub async fn request(&mut self, method: &str, params: Value) -> Message {
        let id = self.next_id();
        self.send(request(id, method, params)).await;
        self.response(id).await
    }

    /// Waits for the response to request `id`, keeping other messages.
    ///
    /// # Panics
    ///
    /// As [`request`](Peer::request).
    pub async fn response(&mut self, id: i64) -> Message {
        let want = mcplex_protocol::RequestId::Number(id);
        if let Some(pos) = self
            .queued
            .iter()
            .position(|m| m.is_response() && m.id() == Some(&want))
        {
            return self.queued.remove(pos).expect("position is in range");
        }
        loop {
            let message = self
                .read(RECV_TIMEOUT)
                .await
                .unwrap_or_else(|| panic!("no response to request {id} within {RECV_TIMEOUT:?}"))
                .unwrap_or_else(|| {
                    panic!("the connection closed before request {id} was answered")
                });
            if message.is_response() && message.id() == Some(&want) {
                return message;
            }
            self.queued.push_back(message);
        }
    }

    /// Sends a request and returns its result.
    ///
    /// # Panics
    ///
    /// As [`request`](Peer::request), and when the server answers with an error.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        result(self.request(method, params).await)
    }

    /// Runs the `initialize` handshake of a stateful revision (and sends
    /// `notifications/initialized`); returns the initialize result.
    ///
    /// # Panics
    ///
    /// As [`call`](Peer::call), and when the server answers with another revision.
    pub async fn initialize(&mut self, version: ProtocolVersion) -> Value {
        let result = self
            .call(
                "initialize",
                json!({
                    "protocolVersion": version.as_str(),
                    "capabilities": {},
                    "clientInfo": { "name": "mcplex-test", "version": env!("CARGO_PKG_VERSION") },
                }),
            )
            .await;
        assert_eq!(
            result["protocolVersion"],
            version.as_str(),
            "the server answered initialize with another revision: {result}"
        );
        self.send(notification("notifications/initialized", json!({})))
            .await;
        result
    }
}

/// The `_meta` a 2026-07-28 request carries: protocol version, client capabilities and
/// client info.
pub fn stateless_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": ProtocolVersion::V2026_07_28.as_str(),
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": { "name": "mcplex-test", "version": env!("CARGO_PKG_VERSION") },
    })
}

/// A request message.
///
/// # Panics
///
/// Panics if `params` is not an object.
pub fn request(id: i64, method: &str, params: Value) -> Message {
    assert!(params.is_object(), "request params must be an object");
    Message::Request(Request::new(id, method, &params).expect("a JSON value serializes"))
}

/// A notification message.
///
/// # Panics
///
/// Panics if `params` is not an object.
pub fn notification(method: &str, params: Value) -> Message {
    assert!(params.is_object(), "notification params must be an object");
    Message::Notification(
        mcplex_protocol::Notification::new(method, &params).expect("a JSON value serializes"),
    )
}

/// The result of a response, as JSON.
///
/// # Panics
///
/// Panics if `message` is not a successful response.
pub fn result(message: Message) -> Value {
    match message {
        Message::Response(r) => r.result_as().expect("a result is JSON"),
        other => panic!("expected a successful response, got {other:?}"),
    }
}

/// The error object of an error response, as JSON (`code`, `message`, `data`).
///
/// # Panics
///
/// Panics if `message` is not an error response.
pub fn error(message: &Message) -> Value {
    match message {
        Message::Error(e) => serde_json::to_value(&e.error).expect("an error object is JSON"),
        other => panic!("expected an error response, got {other:?}"),
    }
}

/// The text of the first content block of a `tools/call` result.
///
/// # Panics
///
/// Panics if the result has no text block first.
pub fn first_text(result: &Value) -> &str {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("expected a text content block first: {result}"))
}
