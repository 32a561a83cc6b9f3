//! The stdio error type.

use std::error::Error as StdError;
use std::fmt;
use std::io;

/// A `Result` whose error defaults to the stdio [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from the stdio transport: a child process that could not be started or waited
/// for, or a server connection that failed.
///
/// The error is opaque; ask what happened with the `is_*` queries and follow
/// [`source()`](StdError::source) for the cause.
///
/// ```
/// use mcplex_stdio::{spawn, Error};
/// use tokio::process::Command;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let err: Error = spawn(Command::new("/nonexistent/mcp-server")).unwrap_err();
/// assert!(err.is_spawn());
/// assert_eq!(err.to_string(), "failed to start the child process");
/// # }
/// ```
pub struct Error {
    kind: Kind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Spawn,
    Process,
    Serve,
}

impl Error {
    pub(crate) fn spawn(error: io::Error) -> Self {
        Self {
            kind: Kind::Spawn,
            source: Some(Box::new(error)),
        }
    }

    pub(crate) fn process(error: io::Error) -> Self {
        Self {
            kind: Kind::Process,
            source: Some(Box::new(error)),
        }
    }

    pub(crate) fn serve(error: mcplex_core::Error) -> Self {
        Self {
            kind: Kind::Serve,
            source: Some(Box::new(error)),
        }
    }

    /// Whether the child process could not be started (no such program, no permission, no
    /// tokio runtime to register it with).
    pub fn is_spawn(&self) -> bool {
        self.kind == Kind::Spawn
    }

    /// Whether waiting for or stopping the child process failed.
    pub fn is_process(&self) -> bool {
        self.kind == Kind::Process
    }

    /// Whether serving stdin/stdout failed (the transport or a state backend failed; a
    /// clean end of input is not an error).
    pub fn is_serve(&self) -> bool {
        self.kind == Kind::Serve
    }

    fn description(&self) -> &'static str {
        match self.kind {
            Kind::Spawn => "failed to start the child process",
            Kind::Process => "failed to wait for the child process",
            Kind::Serve => "serving stdio failed",
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = f.debug_tuple("mcplex_stdio::Error");
        t.field(&self.kind);
        if let Some(source) = &self.source {
            t.field(source);
        }
        t.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|e| &**e as &(dyn StdError + 'static))
    }
}
