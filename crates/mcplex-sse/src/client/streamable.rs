//! The Streamable HTTP client transport, for the stateless 2026-07-28 wire and the stateful
//! 2025-03-26 to 2025-11-25 wires: [`StreamableHttpClient`], [`StreamableHttpTransport`] and
//! its writer. Every message written is POSTed on its own (see [`super::session`]); each
//! response (a JSON body or an event stream) feeds the reader.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_sink::Sink;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use mcplex_protocol::model::CancelledParams;
use mcplex_protocol::{Message, method};
use mcplex_transport::{ConnectionInfo, Error, Result, Transport};
use tokio::sync::oneshot;

use super::feed::{self, Feed, Reader};
use super::options::Base;
use super::session::{Barrier, Conn};
use super::{ClientError, ClientOptions, parse_url};

/// Opens [`StreamableHttpTransport`]s to Streamable HTTP endpoints; the transports of one
/// client share its pool of keep-alive connections. Cheap to clone.
///
/// ```rust,no_run
/// use mcplex_core::client::{Client, ClientOptions as McpOptions};
/// use mcplex_protocol::ProtocolVersion;
/// use mcplex_sse::{ClientOptions, StreamableHttpClient};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let transport =
///     StreamableHttpClient::connect("http://127.0.0.1:8080/mcp", ClientOptions::default()).await?;
/// let options = McpOptions::default().with_protocol_version(ProtocolVersion::V2025_11_25);
/// let client = Client::connect(transport, options).await?;
/// let result = client.call_tool("echo", serde_json::json!({ "text": "hi" })).await?;
/// println!("{:?}", result.content);
/// client.close().await?; // ends the session (DELETE)
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct StreamableHttpClient {
    base: Arc<Base>,
}

impl StreamableHttpClient {
    /// A client with its own connection pool.
    pub fn new(options: ClientOptions) -> Self {
        Self {
            base: Base::new(options),
        }
    }

    /// A transport to the endpoint at `url` (`http://host[:port]/path`), on a client of its
    /// own. No request is made until the first message is written.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open).
    pub async fn connect(url: &str, options: ClientOptions) -> Result<StreamableHttpTransport> {
        Self::new(options).open(url)
    }

    /// A transport to the endpoint at `url` (`http://host[:port]/path`) on this client's
    /// connection pool. No request is made until the first message is written.
    ///
    /// # Errors
    ///
    /// A transport error whose source is [`ClientError::InvalidUrl`] for a URL that is not
    /// an absolute `http://` URL, or [`ClientError::InvalidHeader`] for an extra header that
    /// is not a valid HTTP header.
    pub fn open(&self, url: &str) -> Result<StreamableHttpTransport> {
        let url = parse_url(url)?;
        self.base.headers().map_err(ClientError::into_transport)?;
        let mut info = ConnectionInfo::new("streamable-http");
        if let Some(authority) = url.authority() {
            info.set_peer_addr(Some(authority.to_string()));
        }
        let conn = Arc::new(Conn::new(self.base.clone(), url));
        let (feed, reader) = feed::channel();
        Ok(StreamableHttpTransport {
            reader,
            writer: StreamableHttpWriter {
                conn,
                feed: Some(feed),
                barrier: None,
                closing: None,
                closed: false,
            },
            info,
        })
    }
}

/// A connection to a Streamable HTTP endpoint, as a [`Transport`]: messages written are
/// POSTed, and the messages of every response (and of the session's standalone GET stream)
/// are read from its [`Reader`].
///
/// - **Headers**: `Content-Type: application/json`, `Accept: application/json,
///   text/event-stream`, the extra headers of [`ClientOptions::headers`], and:
///   - stateful revisions: `Mcp-Session-Id` once the `initialize` response assigned one, and
///     `MCP-Protocol-Version` (from 2025-06-18) with the version that response named;
///   - 2026-07-28: for each request, `MCP-Protocol-Version` from its `_meta`, `Mcp-Method`,
///     `Mcp-Name` (tool or prompt name, resource URI, task id) and the `Mcp-Param-*` headers
///     of parameters marked `x-mcp-header` in the input schema of the tool, as the
///     `tools/list` results read through this transport described it.
/// - **Responses**: `202` carries nothing; a JSON body carries one message (or a
///   2025-03-26 batch); an event stream carries `message` events, each one message. A
///   response with an error status and a JSON-RPC error body passes the error on (with the
///   request's id when the server could not name it). A request whose POST ends without its
///   response — an error status without a JSON-RPC body, an unreachable server, a stream that
///   ends early — gets a `-32603` error response from the transport, so it fails at once
///   instead of waiting for its timeout. A `404` to a request carrying the session id means
///   the session is over: the reader then ends with [`ClientError::SessionEnded`].
/// - **Standalone stream**: once `notifications/initialized` is written on a session, a GET
///   stream is opened in the background for what the server sends outside of requests
///   (`resources/updated`, list changes, server requests); it is reopened with
///   `Last-Event-ID` when it drops, and not opened at all when the server answers `405`.
/// - **Cancellation**: `notifications/cancelled` for a request in flight drops its response,
///   which cancels it on the server; on the stateful wire the notification is POSTed as
///   well, on 2026-07-28 it is not sent (the server has no use for it).
/// - **Closing**: closing the writer ends the standalone stream and ends a stateful session
///   with `DELETE` (best effort); the reader ends once the responses in flight are done.
///   Dropping the reader drops every response in flight.
///
/// Must be used inside a Tokio runtime: each message is sent by a task of its own.
#[derive(Debug)]
pub struct StreamableHttpTransport {
    reader: Reader,
    writer: StreamableHttpWriter,
    info: ConnectionInfo,
}

impl StreamableHttpTransport {
    /// The session id the server assigned, once it did.
    pub fn session_id(&self) -> Option<String> {
        self.writer.session_id()
    }
}

impl Transport for StreamableHttpTransport {
    type Reader = Reader;
    type Writer = StreamableHttpWriter;

    fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    fn info_mut(&mut self) -> &mut ConnectionInfo {
        &mut self.info
    }

    fn split(self) -> (Reader, StreamableHttpWriter, ConnectionInfo) {
        (self.reader, self.writer, self.info)
    }
}

/// The outgoing half of a [`StreamableHttpTransport`].
///
/// Each message is sent as soon as it is written (`start_send`); flushing has nothing left to
/// do. Closing ends the standalone stream and, on a stateful session, sends `DELETE` (waiting
/// for it at most the connect timeout); dropping the writer unclosed does the same in the
/// background.
pub struct StreamableHttpWriter {
    conn: Arc<Conn>,
    feed: Option<Feed>,
    /// Released when the last notification or response written was taken by the server.
    barrier: Option<Barrier>,
    closing: Option<BoxFuture<'static, ()>>,
    closed: bool,
}

impl fmt::Debug for StreamableHttpWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamableHttpWriter")
            .field("conn", &self.conn)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl StreamableHttpWriter {
    /// The session id the server assigned, once it did.
    pub fn session_id(&self) -> Option<String> {
        self.conn.session_id()
    }

    /// Handles `notifications/cancelled`; `true` when it is not to be posted.
    fn cancels_only(&self, message: &Message) -> bool {
        let Message::Notification(n) = message else {
            return false;
        };
        if n.method != method::CANCELLED {
            return false;
        }
        let Ok(CancelledParams {
            request_id: Some(id),
            ..
        }) = n.params_as::<CancelledParams>()
        else {
            return false;
        };
        match self.conn.cancel_in_flight(&id) {
            Some(stateless) => stateless,
            None => !self.conn.is_stateful(),
        }
    }
}

impl Sink<Message> for StreamableHttpWriter {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        match &self.feed {
            Some(feed) if !feed.is_closed() => Poll::Ready(Ok(())),
            _ => Poll::Ready(Err(Error::closed())),
        }
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<()> {
        let this = &mut *self;
        let Some(feed) = this.feed.clone().filter(|f| !f.is_closed()) else {
            return Err(Error::closed());
        };
        if this.cancels_only(&message) {
            return Ok(());
        }
        let (request, job) = this.conn.prepare(&message);
        let after = this.barrier.clone();
        let holds = matches!(
            message,
            Message::Notification(_) | Message::Response(_) | Message::Error(_)
        );
        let ack = holds.then(|| {
            let (tx, rx) = oneshot::channel::<()>();
            this.barrier = Some(rx.map(|_| ()).boxed().shared());
            tx
        });
        tokio::spawn(
            this.conn
                .clone()
                .run(request, job, feed.clone(), after, ack),
        );
        if let Message::Notification(n) = &message
            && n.method == method::INITIALIZED
        {
            let start = this.conn.claim_standalone();
            if start {
                let after = this.barrier.clone();
                tokio::spawn(this.conn.clone().standalone(feed, after));
            }
        }
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        if self.closed || self.feed.is_some() {
            Poll::Ready(Ok(()))
        } else {
            Poll::Ready(Err(Error::closed()))
        }
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = &mut *self;
        if this.closed {
            return Poll::Ready(Ok(()));
        }
        if this.closing.is_none() {
            // The reader ends once the responses in flight are done.
            this.feed = None;
            this.conn.standalone.cancel();
            let after = this.barrier.take();
            let conn = this.conn.clone();
            this.closing = Some(Box::pin(async move {
                if let Some(after) = after {
                    after.await;
                }
                conn.delete().await;
            }));
        }
        if let Some(closing) = &mut this.closing {
            ready!(closing.as_mut().poll(cx));
        }
        this.closing = None;
        this.closed = true;
        Poll::Ready(Ok(()))
    }
}

impl Drop for StreamableHttpWriter {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        self.conn.standalone.cancel();
        if self.closing.is_some() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let conn = self.conn.clone();
            let after = self.barrier.take();
            runtime.spawn(async move {
                if let Some(after) = after {
                    after.await;
                }
                conn.delete().await;
            });
        }
    }
}
