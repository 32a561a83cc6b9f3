//! The client error type.

use mcplex_protocol::{ErrorObject, ProtocolVersion};

/// What can go wrong on a [`Client`](super::Client) call.
///
/// Callers branch on it: a JSON-RPC error from the server is [`Error::Rpc`], a lost connection
/// is [`Error::Closed`], and so on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a JSON-RPC error.
    #[error("server returned an error: {0}")]
    Rpc(ErrorObject),
    /// The connection is closed: by [`Client::close`](super::Client::close), by the peer, or
    /// after a transport fault. Every pending request fails with this error.
    #[error("connection closed")]
    Closed,
    /// No response arrived within the request timeout; the request was cancelled.
    #[error("request timed out")]
    Timeout,
    /// The request was cancelled by the caller.
    #[error("request cancelled")]
    Cancelled,
    /// The transport failed, for example while closing the connection.
    #[error("transport error")]
    Transport(#[source] mcplex_transport::Error),
    /// The result does not have the shape of the type it was decoded into.
    #[error("unexpected result")]
    Decode(#[source] serde_json::Error),
    /// The request parameters could not be serialized as JSON.
    #[error("request parameters could not be serialized")]
    Params(#[source] serde_json::Error),
    /// The server does not support the requested protocol version, and answered with one the
    /// client cannot use (`initialize`), or did not list it (`server/discover`).
    #[error("server does not support protocol version {requested} (it offers {})", offered_list(.offered))]
    UnsupportedVersion {
        /// The version the client asked for.
        requested: ProtocolVersion,
        /// The versions the server named.
        offered: Vec<String>,
    },
    /// The method does not exist on the protocol version in use (for example `ping` on
    /// 2026-07-28, or `subscriptions/listen` before it).
    #[error("{method} is not available on protocol version {version}")]
    Unavailable {
        /// The method.
        method: &'static str,
        /// The protocol version of the connection.
        version: ProtocolVersion,
    },
    /// The server kept asking for input past the round limit of a multi round-trip request.
    #[error("server still asked for input after {rounds} rounds")]
    InputRequiredLoop {
        /// How many rounds the client answered.
        rounds: usize,
    },
    /// The server asked for input, and the client has no input handler.
    #[error("server asked for input, but the client has no input handler")]
    NoInputHandler,
    /// The input handler refused or failed to answer an input request.
    #[error("input handler failed: {0}")]
    Input(ErrorObject),
    /// A paginated list returned the same cursor twice in a row.
    #[error("server repeated a pagination cursor")]
    RepeatedCursor,
}

fn offered_list(offered: &[String]) -> String {
    if offered.is_empty() {
        "none".to_owned()
    } else {
        offered.join(", ")
    }
}
