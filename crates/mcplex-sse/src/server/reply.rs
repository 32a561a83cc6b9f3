//! Building HTTP responses: JSON bodies, JSON-RPC errors, 202.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use mcplex_core::SessionError;
use mcplex_protocol::{ErrorCode, ErrorObject, ErrorResponse, Message, RequestId};

/// `-32001`: the session is unknown or ended (the code other SDKs use for a 404 on a session).
pub(crate) const SESSION_NOT_FOUND: ErrorCode = ErrorCode(-32001);

/// A JSON body with `status`.
pub(crate) fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// One JSON-RPC message as a JSON body.
pub(crate) fn message(status: StatusCode, message: &Message) -> Response {
    json(status, message.to_vec())
}

/// A JSON-RPC error response as a JSON body.
pub(crate) fn rpc_error(status: StatusCode, id: Option<RequestId>, error: ErrorObject) -> Response {
    message(status, &Message::Error(ErrorResponse::new(id, error)))
}

/// A JSON-RPC error that also closes the connection (the body was not read to its end).
pub(crate) fn rpc_error_closing(status: StatusCode, error: ErrorObject) -> Response {
    let mut response = rpc_error(status, None, error);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// `202 Accepted` with no body.
pub(crate) fn accepted() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::ACCEPTED;
    response
}

/// A plain-text response.
pub(crate) fn text(status: StatusCode, text: &'static str) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The status and JSON-RPC error (`id: null`) for a session that cannot be used.
pub(crate) fn session_error(error: SessionError) -> Response {
    let (status, code) = match error {
        SessionError::Required => (StatusCode::BAD_REQUEST, ErrorCode::INVALID_REQUEST),
        SessionError::NotFound => (StatusCode::NOT_FOUND, SESSION_NOT_FOUND),
        SessionError::TooMany => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::SERVER_ERROR),
        SessionError::StreamConflict => (StatusCode::CONFLICT, ErrorCode::SERVER_ERROR),
        // A kind added later: refuse the request without guessing its meaning.
        _ => (StatusCode::BAD_REQUEST, ErrorCode::INVALID_REQUEST),
    };
    rpc_error(status, None, ErrorObject::new(code, error.to_string()))
}
