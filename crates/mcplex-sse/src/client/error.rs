//! What the client transports report: [`ClientError`] as the source of transport errors, and
//! the JSON-RPC errors that stand in for answers a request will never get.

use std::error::Error as StdError;
use std::io;

use hyper::StatusCode;
use mcplex_protocol::{ErrorCode, ErrorObject, ErrorResponse, Message, RequestId};
use mcplex_transport::Error;
use serde_json::json;

/// Why a client transport could not be opened or went on no further; the
/// [`source`](std::error::Error::source) of the [`mcplex_transport::Error`] the client returns
/// (`Error::other`), found with `downcast_ref::<ClientError>()`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use mcplex_sse::{ClientError, ClientOptions, StreamableHttpClient};
///
/// let err = StreamableHttpClient::connect("ftp://example.com/mcp", ClientOptions::default())
///     .await
///     .unwrap_err();
/// let cause = std::error::Error::source(&err).and_then(|e| e.downcast_ref::<ClientError>());
/// assert!(matches!(cause, Some(ClientError::InvalidUrl)));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The URL is not an absolute `http://` URL (TLS is not built in: terminate it in front of
    /// the server, or use a proxy).
    #[error("invalid url (an absolute http:// url is required)")]
    InvalidUrl,
    /// A header of [`ClientOptions::headers`](crate::ClientOptions::headers) is not a valid
    /// HTTP header.
    #[error("invalid request header")]
    InvalidHeader,
    /// The server refused to open the event stream.
    #[error("the server answered with status {status}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The JSON-RPC error of the response body, if it had one.
        error: Option<ErrorObject>,
    },
    /// The response is not an event stream (`text/event-stream`).
    #[error("the server did not answer with an event stream")]
    NotEventStream,
    /// The legacy event stream ended, or sent something else first, before its `endpoint` event.
    #[error("the event stream ended before announcing the endpoint")]
    NoEndpoint,
    /// The legacy `endpoint` event names a URL that is invalid or on another origin.
    #[error("the endpoint event names an invalid url or another origin")]
    BadEndpoint,
    /// The server ended the session (`404` on a request carrying the session id): open a new
    /// transport to go on.
    #[error("the server ended the session")]
    SessionEnded,
}

impl ClientError {
    /// This error as a transport error.
    pub(crate) fn into_transport(self) -> Error {
        Error::other(self)
    }
}

/// A request failure from the HTTP client, as a transport error: an I/O error when one caused
/// it (connection refused, reset), else a transport error with the cause as its source.
pub(crate) fn http_error(error: hyper_util::client::legacy::Error) -> Error {
    let kind = io_kind(&error);
    match kind {
        Some(kind) => Error::io(io::Error::new(kind, error)),
        None => Error::other(error),
    }
}

/// A failure while reading a response body, as a transport error.
pub(crate) fn body_error(error: hyper::Error) -> Error {
    match io_kind(&error) {
        Some(kind) => Error::io(io::Error::new(kind, error)),
        None if error.is_incomplete_message() => {
            Error::io(io::Error::new(io::ErrorKind::UnexpectedEof, error))
        }
        None => Error::other(error),
    }
}

fn io_kind(error: &(dyn StdError + 'static)) -> Option<io::ErrorKind> {
    let mut source = error.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        source = e.source();
    }
    None
}

/// The error a request gets when its POST ended without its response: the server's
/// refusal had no JSON-RPC body, the server could not be reached, or the response ended
/// early. Code `-32603` (internal error); `data.status` holds the HTTP status when there was one.
pub(crate) fn unanswered(id: RequestId, reason: &str, status: Option<StatusCode>) -> Message {
    let mut error = ErrorObject::new(ErrorCode::INTERNAL_ERROR, reason.to_owned());
    if let Some(status) = status {
        error = error.with_data(json!({ "status": status.as_u16() }));
    }
    Message::Error(ErrorResponse::new(Some(id), error))
}

/// The message for an HTTP status without a JSON-RPC body.
pub(crate) fn status_reason(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

/// The JSON-RPC error in an error response body, with the request's id filled in when the
/// server could not name it (`id: null`), so that the waiting request fails with it.
pub(crate) fn refusal(body: &[u8], request: Option<&RequestId>) -> Option<Message> {
    match mcplex_protocol::decode(body).ok()? {
        Message::Error(mut e) => {
            if e.id.is_none() {
                e.id = request.cloned();
            }
            Some(Message::Error(e))
        }
        _ => None,
    }
}

/// The JSON-RPC error object of an error response body, if it has one.
pub(crate) fn body_error_object(body: &[u8]) -> Option<ErrorObject> {
    match mcplex_protocol::decode(body).ok()? {
        Message::Error(e) => Some(e.error),
        _ => None,
    }
}
