//! The error type of the state traits.

use std::error::Error as StdError;
use std::fmt;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// A failed state operation.
///
/// The error is opaque: ask it what happened with [`is_unavailable`](Error::is_unavailable)
/// and [`is_not_found`](Error::is_not_found), and follow [`source`](StdError::source) for the
/// cause reported by the backend.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: Kind,
    source: Option<BoxError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Unavailable,
    NotFound,
    Other,
}

/// The result of a state operation.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    fn new(kind: Kind, source: Option<BoxError>) -> Self {
        Self {
            inner: Box::new(Inner { kind, source }),
        }
    }

    /// The backend could not be reached or did not answer in time (a connection failure, a
    /// timeout, or a store that has shut down). Retrying later may succeed.
    pub fn unavailable(source: impl StdError + Send + Sync + 'static) -> Self {
        Self::new(Kind::Unavailable, Some(Box::new(source)))
    }

    /// The record the operation needs does not exist (or has expired).
    pub fn not_found() -> Self {
        Self::new(Kind::NotFound, None)
    }

    /// Any other failure: a backend error, a value of the wrong type, an undecodable record.
    pub fn other(source: impl StdError + Send + Sync + 'static) -> Self {
        Self::new(Kind::Other, Some(Box::new(source)))
    }

    /// An `other` error with a fixed message, for failures without an underlying cause.
    pub(crate) fn msg(message: &'static str) -> Self {
        Self::other(Message(message))
    }

    /// The backend is down, unreachable or timed out.
    pub fn is_unavailable(&self) -> bool {
        self.inner.kind == Kind::Unavailable
    }

    /// The record does not exist or has expired.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == Kind::NotFound
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_tuple("state::Error");
        d.field(&self.inner.kind);
        if let Some(source) = &self.inner.source {
            d.field(source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.inner.kind {
            Kind::Unavailable => "state backend unavailable",
            Kind::NotFound => "state record not found",
            Kind::Other => "state backend error",
        })
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// A fixed message used as the source of errors that have no other cause.
#[derive(Debug)]
struct Message(&'static str);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for Message {}
