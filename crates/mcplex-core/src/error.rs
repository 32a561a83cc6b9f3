//! Handler errors and the core crate's error.

use std::borrow::Cow;
use std::fmt;

use mcplex_protocol::{ErrorCode, ErrorObject};

/// Why a handler failed.
///
/// For tools, an ordinary failure becomes a tool result with `isError: true` (so the model can
/// see and correct it); [`HandlerError::protocol`] and [`HandlerError::invalid_params`] become
/// JSON-RPC error responses instead. For resources, prompts and completions every error is a
/// JSON-RPC error response.
///
/// Any `std::error::Error` converts into a `HandlerError`, so handlers can use `?`.
pub struct HandlerError {
    repr: Repr,
}

enum Repr {
    Failed(Cow<'static, str>),
    Protocol(ErrorObject),
}

impl HandlerError {
    /// A failure described by `message` (a tool error result, or `-32603` elsewhere).
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            repr: Repr::Failed(message.into()),
        }
    }

    /// A JSON-RPC error response with this error object.
    pub fn protocol(error: ErrorObject) -> Self {
        Self {
            repr: Repr::Protocol(error),
        }
    }

    /// A `-32602` invalid params error response.
    pub fn invalid_params(message: impl Into<Cow<'static, str>>) -> Self {
        Self::protocol(ErrorObject::invalid_params(message))
    }

    /// The message.
    pub fn message(&self) -> &str {
        match &self.repr {
            Repr::Failed(m) => m,
            Repr::Protocol(e) => &e.message,
        }
    }

    /// The JSON-RPC error object, when this error is answered as one.
    pub fn as_protocol(&self) -> Option<&ErrorObject> {
        match &self.repr {
            Repr::Protocol(e) => Some(e),
            Repr::Failed(_) => None,
        }
    }

    /// The error as a JSON-RPC error object (`-32603` for plain failures).
    pub fn into_error_object(self) -> ErrorObject {
        match self.repr {
            Repr::Protocol(e) => e,
            Repr::Failed(m) => ErrorObject::new(ErrorCode::INTERNAL_ERROR, m),
        }
    }

    pub(crate) fn into_repr(self) -> Result<Cow<'static, str>, ErrorObject> {
        match self.repr {
            Repr::Failed(m) => Ok(m),
            Repr::Protocol(e) => Err(e),
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        Self::new(error.to_string())
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Failed(m) => f.debug_tuple("HandlerError").field(m).finish(),
            Repr::Protocol(e) => f.debug_tuple("HandlerError").field(e).finish(),
        }
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// An error serving a connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed.
    #[error("transport failed")]
    Transport(#[from] mcplex_transport::Error),
    /// A state backend (fanout, session store) failed.
    #[error("state backend failed")]
    State(#[from] crate::state::Error),
}
