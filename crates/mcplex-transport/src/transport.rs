//! The connection-oriented contract: a message stream and a message sink.

use futures_core::Stream;
use futures_sink::Sink;
use mcplex_protocol::Message;

use crate::{Error, Extensions};

/// A connection that carries JSON-RPC messages both ways: stdio, a WebSocket, a legacy SSE
/// session, an in-memory pair.
///
/// A transport is [`split`](Transport::split) into a reader and a writer that run
/// independently, without a lock between them: one task reads incoming messages while another
/// writes outgoing ones.
///
/// # The reader
///
/// [`Reader`](Transport::Reader) is a [`Stream`] of `Result<Message, Error>`:
///
/// - `Some(Ok(message))` for each message, in the order the peer sent them.
/// - `Some(Err(error))` on a fault or on input that is not a message. Errors that are not
///   [fatal](Error::is_fatal) — undecodable input ([`Error::is_decode`]) and messages over the
///   size limit ([`Error::is_too_large`]) — are followed by more items: the transport skips the
///   bad message and keeps reading, and the caller should answer the peer with a JSON-RPC
///   error (see [`Error::decode_error`]), never drop the input silently. After a fatal error
///   the stream ends (`None`).
/// - `None` when the connection is over: on a clean close (end of input, the peer closed the
///   connection), and after a fatal error. A transport yields `None` without an error only on
///   a clean close.
///
/// The reader must be **cancel-safe**: dropping a pending `next()` future (for example the
/// losing branch of a `select!`) loses no message and no part of one; the next poll goes on
/// where the last one stopped.
///
/// # The writer
///
/// [`Writer`](Transport::Writer) is a [`Sink`] of messages:
///
/// - `poll_ready` + `start_send` queue a message. Implementations may buffer instead of
///   writing at once; a message is only guaranteed to be on its way after `poll_flush`.
/// - The caller flushes when its outbound queue is empty, not after every message, so that a
///   burst of messages leaves in one write. `poll_ready` may flush on its own when the buffer
///   is full, which is the backpressure: a slow peer makes `poll_ready` pending.
/// - `poll_close` flushes and closes the writing side cleanly (the peer's reader sees a clean
///   close); the reader may go on until the peer closes its side.
/// - Errors are fatal for the writer; when the peer went away, [`Error::is_closed`] is `true`.
///
/// # Connection data
///
/// [`info`](Transport::info) describes the connection (transport name, peer address) and
/// holds [`Extensions`] that outer layers fill, for example with the authenticated principal;
/// [`split`](Transport::split) hands it over with the two halves.
///
/// # Example
///
/// Code that serves a connection is generic over the transport. This one echoes every
/// message back and answers undecodable input with the JSON-RPC error the contract asks for:
///
/// ```
/// use futures_util::{SinkExt, StreamExt};
/// use mcplex_protocol::{Message, Notification};
/// use mcplex_transport::{memory, Error, Transport};
///
/// async fn echo(transport: impl Transport) -> Result<(), Error> {
///     let (mut reader, mut writer, _info) = transport.split();
///     while let Some(item) = reader.next().await {
///         let reply = match item {
///             Ok(message) => message,
///             Err(e) => match e.decode_error() {
///                 Some(decode) => Message::Error(decode.to_response()),
///                 None if e.is_fatal() => return Err(e),
///                 None => continue,
///             },
///         };
///         writer.send(reply).await?; // `send` flushes; a busy server would `feed` instead
///     }
///     writer.close().await
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (client, server) = memory::pair(16);
/// tokio::spawn(echo(server));
///
/// let (mut reader, mut writer, _) = client.split();
/// let ping = Message::Notification(Notification::new("ping", &serde_json::json!({})).unwrap());
/// writer.send(ping.clone()).await.unwrap();
/// assert_eq!(reader.next().await.unwrap().unwrap(), ping);
/// # }
/// ```
pub trait Transport: Send + 'static {
    /// The incoming half: a cancel-safe stream of messages (see the trait docs).
    type Reader: Stream<Item = Result<Message, Error>> + Send + Unpin + 'static;

    /// The outgoing half: a buffered sink of messages (see the trait docs).
    type Writer: Sink<Message, Error = Error> + Send + Unpin + 'static;

    /// What is known about the connection.
    fn info(&self) -> &ConnectionInfo;

    /// What is known about the connection, for outer layers to add [`Extensions`] to.
    fn info_mut(&mut self) -> &mut ConnectionInfo;

    /// Splits the connection into its two halves and its [`ConnectionInfo`].
    fn split(self) -> (Self::Reader, Self::Writer, ConnectionInfo);
}

/// What is known about a connection: the transport, the peer and data from outer layers.
///
/// ```
/// use mcplex_transport::ConnectionInfo;
///
/// let info = ConnectionInfo::new("ws").with_peer_addr("127.0.0.1:50312");
/// assert_eq!(info.transport(), "ws");
/// assert_eq!(info.peer_addr(), Some("127.0.0.1:50312"));
/// assert!(info.extensions().is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct ConnectionInfo {
    transport: &'static str,
    peer_addr: Option<String>,
    extensions: Extensions,
}

impl ConnectionInfo {
    /// Data for a connection of the named transport (`"stdio"`, `"ws"`, `"sse"`, `"memory"`),
    /// with no peer address and no extensions.
    pub fn new(transport: &'static str) -> Self {
        Self {
            transport,
            peer_addr: None,
            extensions: Extensions::new(),
        }
    }

    /// Sets the peer address, in whatever form the transport knows it (`"host:port"`, a
    /// process id, a socket path).
    pub fn with_peer_addr(mut self, addr: impl Into<String>) -> Self {
        self.peer_addr = Some(addr.into());
        self
    }

    /// Sets the transport name.
    pub fn set_transport(&mut self, transport: &'static str) {
        self.transport = transport;
    }

    /// Sets or clears the peer address.
    pub fn set_peer_addr(&mut self, addr: Option<String>) {
        self.peer_addr = addr;
    }

    /// The transport name, for logs and metrics labels.
    pub fn transport(&self) -> &'static str {
        self.transport
    }

    /// The peer address, when the transport knows one.
    pub fn peer_addr(&self) -> Option<&str> {
        self.peer_addr.as_deref()
    }

    /// Data attached by outer layers.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Data attached by outer layers, mutably.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }
}
