//! The transport error type.

use std::error::Error as StdError;
use std::fmt;
use std::io;

use mcplex_protocol::DecodeError;

type BoxError = Box<dyn StdError + Send + Sync>;

/// A `Result` whose error defaults to the transport [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from a transport: a closed peer, an I/O fault, undecodable or oversized input,
/// a timeout, or a transport-specific fault.
///
/// The error is opaque; ask what happened with the `is_*` queries and follow
/// [`source()`](StdError::source) for the cause. Whether the connection can go on is
/// [`is_fatal()`](Error::is_fatal): after undecodable ([`is_decode()`](Error::is_decode)) or
/// oversized ([`is_too_large()`](Error::is_too_large)) input the transport keeps reading, and
/// the peer should get a JSON-RPC error for the bad message; every other error ends the
/// connection.
///
/// Transport crates build errors with the constructors ([`Error::closed`], [`Error::io`],
/// [`Error::decode`], [`Error::too_large`], [`Error::timeout`], [`Error::other`]).
///
/// ```
/// use mcplex_transport::Error;
///
/// let err = Error::too_large(1024);
/// assert!(err.is_too_large());
/// assert!(!err.is_fatal());
/// assert_eq!(err.to_string(), "message too large (limit is 1024 bytes)");
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: Kind,
    source: Option<BoxError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Closed,
    Io,
    Decode,
    TooLarge { limit: usize },
    Timeout,
    Other,
}

impl Error {
    fn new(kind: Kind, source: Option<BoxError>) -> Self {
        Self {
            inner: Box::new(Inner { kind, source }),
        }
    }

    /// The peer went away or the channel to it is closed.
    pub fn closed() -> Self {
        Self::new(Kind::Closed, None)
    }

    /// An I/O error from the underlying connection.
    ///
    /// Errors that mean the peer went away (broken pipe, connection reset or aborted) also
    /// answer `true` to [`is_closed()`](Error::is_closed).
    pub fn io(error: io::Error) -> Self {
        Self::new(Kind::Io, Some(Box::new(error)))
    }

    /// A message that could not be decoded; the connection goes on.
    pub fn decode(error: DecodeError) -> Self {
        Self::new(Kind::Decode, Some(Box::new(error)))
    }

    /// A message larger than `limit` bytes; the connection goes on.
    pub fn too_large(limit: usize) -> Self {
        Self::new(Kind::TooLarge { limit }, None)
    }

    /// An operation on the connection timed out, for example a keep-alive that got no answer.
    pub fn timeout() -> Self {
        Self::new(Kind::Timeout, None)
    }

    /// A fault specific to one transport, such as a protocol violation by the peer.
    pub fn other(error: impl StdError + Send + Sync + 'static) -> Self {
        Self::new(Kind::Other, Some(Box::new(error)))
    }

    /// Whether the peer went away: the channel is closed, or an I/O error means the same.
    pub fn is_closed(&self) -> bool {
        match self.inner.kind {
            Kind::Closed => true,
            Kind::Io => self.io_error().is_some_and(|e| {
                matches!(
                    e.kind(),
                    io::ErrorKind::BrokenPipe
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::UnexpectedEof
                )
            }),
            _ => false,
        }
    }

    /// Whether this is an I/O error from the underlying connection.
    pub fn is_io(&self) -> bool {
        self.inner.kind == Kind::Io
    }

    /// Whether a message could not be decoded; see [`decode_error()`](Error::decode_error).
    pub fn is_decode(&self) -> bool {
        self.inner.kind == Kind::Decode
    }

    /// The decode error, which carries the JSON-RPC error code and the request id when one
    /// could be read (answer the peer with [`DecodeError::to_response`]).
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match self.inner.kind {
            Kind::Decode => self.inner.source.as_ref()?.downcast_ref(),
            _ => None,
        }
    }

    /// Whether a message was larger than the size limit.
    pub fn is_too_large(&self) -> bool {
        matches!(self.inner.kind, Kind::TooLarge { .. })
    }

    /// Whether an operation timed out.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == Kind::Timeout
    }

    /// Whether the connection is over. Decode and size errors are not fatal: the transport
    /// skips the bad message and keeps reading. Every other error is.
    pub fn is_fatal(&self) -> bool {
        !matches!(self.inner.kind, Kind::Decode | Kind::TooLarge { .. })
    }

    fn io_error(&self) -> Option<&io::Error> {
        self.inner.source.as_ref()?.downcast_ref()
    }

    fn description(&self) -> &'static str {
        match self.inner.kind {
            Kind::Closed => "connection closed",
            Kind::Io => "connection error",
            Kind::Decode => "invalid message",
            Kind::TooLarge { .. } => "message too large",
            Kind::Timeout => "operation timed out",
            Kind::Other => "transport error",
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = f.debug_tuple("mcplex_transport::Error");
        t.field(&self.inner.kind);
        if let Some(source) = &self.inner.source {
            t.field(source);
        }
        t.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())?;
        if let Kind::TooLarge { limit } = self.inner.kind {
            write!(f, " (limit is {limit} bytes)")?;
        }
        Ok(())
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| &**e as &(dyn StdError + 'static))
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Self {
        Self::io(error)
    }
}

impl From<DecodeError> for Error {
    fn from(error: DecodeError) -> Self {
        Self::decode(error)
    }
}
