//! GET and DELETE on the MCP endpoint: the standalone stream and the end of a stateful
//! session. Clients that speak only 2026-07-28 get 405.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use mcplex_core::state::{EventId, SessionId};
use mcplex_core::{Principal, SessionError, SessionMode};
use mcplex_protocol::{ErrorCode, ErrorObject};
use mcplex_transport::RequestContext;
use tracing::{Instrument as _, Span};

use super::headers::{self, Accept, LAST_EVENT_ID, VersionHeader};
use super::sse::SseBody;
use super::streamable::{not_acceptable, request_span, short};
use super::{Shared, reply, standalone};

/// Whether the request is for a client that speaks only 2026-07-28 (no GET, no DELETE).
fn stateless_only(shared: &Shared, parts: &Parts) -> Option<Response> {
    let modern = matches!(
        headers::version_header(&parts.headers),
        VersionHeader::Known(v) if v.is_stateless()
    );
    if modern || shared.options.session_mode == SessionMode::Stateless {
        let mut response = reply::rpc_error(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            ErrorObject::invalid_request("this endpoint takes POST only for this client"),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return Some(response);
    }
    if let VersionHeader::Unknown(raw) = headers::version_header(&parts.headers) {
        return Some(reply::rpc_error(
            StatusCode::BAD_REQUEST,
            None,
            ErrorObject::unsupported_protocol_version(&raw),
        ));
    }
    None
}

/// The context of a GET or DELETE: session, version, principal.
fn session_context(parts: &Parts) -> Result<RequestContext, SessionError> {
    let mut cx = RequestContext::new();
    match headers::session_id(&parts.headers) {
        None => return Err(SessionError::Required),
        Some(id) => cx = cx.with_session_id(id.unwrap_or("-")),
    }
    if let VersionHeader::Known(version) = headers::version_header(&parts.headers) {
        cx = cx.with_protocol_version(version);
    }
    if let Some(principal) = parts.extensions.get::<Principal>() {
        cx = cx.with_extension(principal.clone());
    }
    Ok(cx)
}

/// GET: the standalone stream of a stateful session, resumable with `Last-Event-ID`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    shared.start_background();
    let span = request_span("GET");
    get_inner(shared, request).instrument(span).await
}

async fn get_inner(shared: Arc<Shared>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    if let Some(response) = stateless_only(&shared, &parts) {
        return response;
    }
    if !Accept::parse(&parts.headers).sse {
        return not_acceptable("Accept must allow text/event-stream");
    }
    let cx = match session_context(&parts) {
        Ok(cx) => cx,
        Err(e) => return reply::session_error(e),
    };
    if let Some(id) = cx.session_id() {
        Span::current().record("session", short(id));
    }
    if shared.closing.is_cancelled() {
        return reply::rpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            ErrorObject::new(ErrorCode::SERVER_ERROR, "the server is shutting down"),
        );
    }
    let Some(session) = cx.session_id().and_then(SessionId::parse) else {
        return reply::session_error(SessionError::NotFound);
    };
    let last = headers::trimmed(&parts.headers, LAST_EVENT_ID)
        .and_then(Result::ok)
        .and_then(EventId::parse);
    let owner = parts
        .extensions
        .get::<Principal>()
        .map(|p| p.subject().to_owned());
    match standalone::open(&shared, &cx, session, last, owner).await {
        Ok(events) => SseBody::new(
            events,
            shared.options.keep_alive,
            Some(shared.closing.clone()),
            shared.metrics.stream_opened(),
        )
        .into_response(),
        Err(e) => reply::session_error(e),
    }
}

/// DELETE: ends a stateful session.
pub(super) async fn delete(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let span = request_span("DELETE");
    async move {
        let (parts, _body) = request.into_parts();
        if let Some(response) = stateless_only(&shared, &parts) {
            return response;
        }
        let cx = match session_context(&parts) {
            Ok(cx) => cx,
            Err(e) => return reply::session_error(e),
        };
        match shared.http.delete(&cx).await {
            Ok(()) => reply::text(StatusCode::OK, ""),
            Err(e) => reply::session_error(e),
        }
    }
    .instrument(span)
    .await
}
