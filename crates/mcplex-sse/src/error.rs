//! The HTTP transport's error type.

use std::error::Error as StdError;
use std::fmt;
use std::io;

/// A `Result` whose error defaults to this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from the HTTP transport: a listener that could not be bound or read.
///
/// The error is opaque; ask what happened with the `is_*` queries and follow
/// [`source()`](StdError::source) for the cause.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let addr = taken.local_addr().unwrap();
/// let err = mcplex_sse::bind(addr).await.unwrap_err();
/// assert!(err.is_io());
/// assert_eq!(err.to_string(), "socket error");
/// # }
/// ```
pub struct Error {
    kind: Kind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Io,
}

impl Error {
    pub(crate) fn io(error: io::Error) -> Self {
        Self {
            kind: Kind::Io,
            source: Some(Box::new(error)),
        }
    }

    /// Whether a socket operation failed (binding, reading the local address).
    pub fn is_io(&self) -> bool {
        self.kind == Kind::Io
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Io => f.write_str("socket error"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("mcplex_sse::Error");
        d.field("kind", &self.kind);
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
