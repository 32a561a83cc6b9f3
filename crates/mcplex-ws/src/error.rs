//! The WebSocket error type.

use std::error::Error as StdError;
use std::fmt;
use std::io;

use crate::CloseCode;

type BoxError = Box<dyn StdError + Send + Sync>;

/// A `Result` whose error defaults to the WebSocket [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from the WebSocket transport: a URL it cannot connect to, a failed connection or
/// handshake, a refused upgrade, or a connection this side closed because the peer broke the
/// rules.
///
/// The error is opaque; ask what happened with the `is_*` queries and follow
/// [`source()`](StdError::source) for the cause.
///
/// When the reader of a connection closes it because of what the peer sent (a binary frame,
/// invalid UTF-8, an oversized message), it yields a fatal
/// [`mcplex_transport::Error`] whose source is one of these, with the
/// [`close_code`](Error::close_code) it sent.
///
/// ```
/// use mcplex_ws::{ClientOptions, connect};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let err = connect("http://localhost/ws", &ClientOptions::default()).await.unwrap_err();
/// assert!(err.is_url());
/// assert_eq!(err.to_string(), "not a ws:// URL");
/// # }
/// ```
pub struct Error {
    kind: Kind,
    source: Option<BoxError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Url,
    Connect,
    Timeout,
    Refused { status: u16 },
    Handshake(&'static str),
    Closed { code: CloseCode, why: &'static str },
    Io,
}

impl Error {
    fn new(kind: Kind, source: Option<BoxError>) -> Self {
        Self { kind, source }
    }

    pub(crate) fn url(source: Option<BoxError>) -> Self {
        Self::new(Kind::Url, source)
    }

    pub(crate) fn connect(error: io::Error) -> Self {
        Self::new(Kind::Connect, Some(Box::new(error)))
    }

    pub(crate) fn timeout() -> Self {
        Self::new(Kind::Timeout, None)
    }

    pub(crate) fn refused(status: u16) -> Self {
        Self::new(Kind::Refused { status }, None)
    }

    pub(crate) fn handshake(why: &'static str, source: Option<BoxError>) -> Self {
        Self::new(Kind::Handshake(why), source)
    }

    pub(crate) fn closed(code: CloseCode, why: &'static str, source: Option<BoxError>) -> Self {
        Self::new(Kind::Closed { code, why }, source)
    }

    pub(crate) fn io(error: io::Error) -> Self {
        Self::new(Kind::Io, Some(Box::new(error)))
    }

    /// Whether the URL is not one this crate connects to (only `ws://` URLs are).
    pub fn is_url(&self) -> bool {
        self.kind == Kind::Url
    }

    /// Whether the TCP connection could not be made.
    pub fn is_connect(&self) -> bool {
        self.kind == Kind::Connect
    }

    /// Whether connecting or the opening handshake took too long.
    pub fn is_timeout(&self) -> bool {
        self.kind == Kind::Timeout
    }

    /// Whether the server answered the upgrade request with an HTTP error; see
    /// [`status`](Error::status).
    pub fn is_refused(&self) -> bool {
        matches!(self.kind, Kind::Refused { .. })
    }

    /// The HTTP status of a refused upgrade (403 for a bad `Origin` or `Host`, 400 without the
    /// `mcp` subprotocol).
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            Kind::Refused { status } => Some(status),
            _ => None,
        }
    }

    /// Whether the opening handshake failed for another reason (a malformed answer, a server
    /// that did not select the `mcp` subprotocol).
    pub fn is_handshake(&self) -> bool {
        matches!(self.kind, Kind::Handshake(_))
    }

    /// Whether this side closed the connection because of what the peer sent; see
    /// [`close_code`](Error::close_code).
    pub fn is_closed(&self) -> bool {
        matches!(self.kind, Kind::Closed { .. })
    }

    /// The close code this side sent when it closed the connection.
    pub fn close_code(&self) -> Option<CloseCode> {
        match self.kind {
            Kind::Closed { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether an I/O operation on a listener or socket failed.
    pub fn is_io(&self) -> bool {
        self.kind == Kind::Io
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = f.debug_tuple("mcplex_ws::Error");
        t.field(&self.kind);
        if let Some(source) = &self.source {
            t.field(source);
        }
        t.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Url => f.write_str("not a ws:// URL"),
            Kind::Connect => f.write_str("cannot connect to the server"),
            Kind::Timeout => f.write_str("the websocket handshake timed out"),
            Kind::Refused { status } => write!(f, "the server refused the upgrade with {status}"),
            Kind::Handshake(why) => write!(f, "websocket handshake failed: {why}"),
            Kind::Closed { code, why } => write!(f, "{why} (closed with {code})"),
            Kind::Io => f.write_str("websocket i/o failed"),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|e| &**e as &(dyn StdError + 'static))
    }
}
