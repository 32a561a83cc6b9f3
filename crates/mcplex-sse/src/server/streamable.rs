//! POST on the MCP endpoint: one JSON-RPC message (or a 2025-03-26 batch) in, `202`, a JSON
//! body or an SSE stream out, for every revision.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use futures_util::StreamExt as _;
use mcplex_core::Principal;
use mcplex_protocol::{ErrorObject, Incoming, Message, ProtocolVersion, decode_incoming, method};
use mcplex_transport::{Reply, RequestContext};
use serde_json::value::RawValue;
use tokio::time::Instant;
use tracing::field::Empty;
use tracing::{Instrument as _, Span};

use super::headers::{self, Accept, VersionHeader};
use super::metrics::{Outcome, method_label};
use super::observe::{Observed, Waiting, is_final};
use super::sse::{self, SseBody};
use super::stateless::{self, Probe};
use super::{Shared, body, reply};

/// The span every MCP request runs in: at `debug` level (as `tower-http` makes its request
/// spans), because an enabled span costs an allocation and a formatted copy of each recorded
/// field on every request.
pub(super) fn request_span(http_method: &'static str) -> Span {
    tracing::debug_span!(
        "mcp",
        http.method = http_method,
        method = Empty,
        name = Empty,
        session = Empty,
        revision = Empty,
    )
}

/// Enough of a session id to tell sessions apart in logs without revealing it.
pub(super) fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// POST: one JSON-RPC message (or a 2025-03-26 batch) in, a response out.
pub(super) async fn post(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    shared.start_background();
    let span = request_span("POST");
    post_inner(shared, request, span.clone())
        .instrument(span)
        .await
}

async fn post_inner(shared: Arc<Shared>, request: Request, span: Span) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let metrics = &shared.metrics;
    if !headers::is_json_content(&parts.headers) {
        metrics.count("", Outcome::Rejected);
        return reply::rpc_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            ErrorObject::invalid_request("Content-Type must be application/json"),
        );
    }
    let accept = Accept::parse(&parts.headers);
    if !accept.any() {
        metrics.count("", Outcome::Rejected);
        return not_acceptable("Accept must allow application/json or text/event-stream");
    }
    let limits = shared.server.limits();
    let bytes = match body::read(
        body,
        &parts.headers,
        limits.max_message_bytes,
        shared.options.body_read_timeout,
    )
    .await
    {
        Ok(bytes) => bytes,
        Err(e) => {
            metrics.count("", Outcome::Rejected);
            return e.into_response();
        }
    };
    let incoming = match decode_incoming(&bytes, &limits.decode) {
        Ok(incoming) => incoming,
        Err(e) => {
            metrics.count("", Outcome::Rejected);
            return reply::message(StatusCode::BAD_REQUEST, &Message::Error(e.to_response()));
        }
    };
    let header_version = match headers::version_header(&parts.headers) {
        VersionHeader::Absent => None,
        VersionHeader::Known(version) => Some(version),
        VersionHeader::Unknown(raw) => {
            let id = match &incoming {
                Incoming::Single(Message::Request(req)) => Some(req.id.clone()),
                _ => None,
            };
            metrics.count("", Outcome::Rejected);
            return reply::rpc_error(
                StatusCode::BAD_REQUEST,
                id,
                ErrorObject::unsupported_protocol_version(&raw),
            );
        }
    };
    if let Some(version) = header_version {
        span.record("revision", version.as_str());
    }
    let call = Call {
        shared: &shared,
        parts: &parts,
        accept,
        header_version,
        started,
        span,
    };
    match incoming {
        Incoming::Single(message) => call.single(message).await,
        Incoming::Batch(items) => call.batch(items).await,
    }
}

/// One POST being answered.
struct Call<'a> {
    shared: &'a Arc<Shared>,
    parts: &'a Parts,
    accept: Accept,
    header_version: Option<ProtocolVersion>,
    started: Instant,
    span: Span,
}

impl Call<'_> {
    /// The context core needs: session (not on the stateless wire), version, principal.
    fn context(&self, stateless: bool) -> RequestContext {
        let mut cx = RequestContext::new();
        if !stateless && let Some(id) = headers::session_id(&self.parts.headers) {
            // An id that is not visible ASCII names no session: core answers 404.
            cx = cx.with_session_id(id.unwrap_or("-"));
        }
        if let Some(version) = self.header_version {
            cx = cx.with_protocol_version(version);
        }
        if let Some(principal) = self.parts.extensions.get::<Principal>() {
            cx = cx.with_extension(principal.clone());
        }
        cx
    }

    async fn single(&self, message: Message) -> Response {
        let metrics = &self.shared.metrics;
        let probe = match &message {
            Message::Request(req) => Probe::of(req),
            _ => Probe::default(),
        };
        let stateless = self
            .header_version
            .is_some_and(ProtocolVersion::is_stateless)
            || probe.names_stateless();
        let method_name = message.method().map_or("", |m| m.as_str()).to_owned();
        let span = &self.span;
        span.record("method", method_label(&method_name));
        if let Some(target) = probe.target() {
            span.record("name", target);
        }
        if self.header_version.is_none()
            && let Some(version) = probe.meta_version()
        {
            span.record("revision", version);
        }
        if !stateless && let Some(Some(id)) = headers::session_id(&self.parts.headers) {
            span.record("session", short(id));
        }
        let id = match &message {
            Message::Request(req) => Some(req.id.clone()),
            _ => None,
        };
        if let (Message::Request(req), true) = (&message, stateless) {
            if let Err((status, error)) =
                stateless::validate(&self.parts.headers, self.header_version, req, &probe)
            {
                metrics.count(&method_name, Outcome::Rejected);
                return reply::rpc_error(status, id, error);
            }
            if req.method == method::TOOLS_CALL
                && let Some(tool) = probe.target()
            {
                let arguments = probe.arguments.map(RawValue::get);
                let checked = self
                    .shared
                    .params
                    .check(
                        &self.shared.http,
                        &self.shared.life,
                        &self.parts.headers,
                        tool,
                        arguments,
                    )
                    .await;
                if let Err(error) = checked {
                    metrics.count(&method_name, Outcome::Rejected);
                    return reply::rpc_error(StatusCode::BAD_REQUEST, id, error);
                }
            }
        }
        let listen = method_name == method::SUBSCRIPTIONS_LISTEN;
        if listen && !self.accept.sse {
            metrics.count(&method_name, Outcome::Rejected);
            return not_acceptable("subscriptions/listen answers with text/event-stream");
        }
        let is_request = id.is_some();
        // Counts the request as cancelled if the client goes away before it is answered.
        // Dropping the request (the client went away) cancels it in core, which also frees its
        // in-flight slot; here it only counts.
        let cx = self.context(stateless);
        let mut waiting = Waiting {
            metrics: is_request.then(|| self.shared.metrics.clone()),
            method: method_label(&method_name),
        };
        let handled = self.shared.http.handle(message, cx).await;
        waiting.metrics = None;
        let reply = match handled {
            Ok(reply) => reply,
            Err(e) => {
                metrics.count(&method_name, Outcome::Rejected);
                return reply::session_error(e);
            }
        };
        match reply {
            Reply::Accepted => {
                let outcome = if is_request {
                    Outcome::Cancelled
                } else {
                    Outcome::Accepted
                };
                metrics.count(&method_name, outcome);
                reply::accepted()
            }
            Reply::Response(response) => {
                self.observe(&method_name, &response);
                self.respond(&response, stateless)
            }
            Reply::SessionCreated {
                session_id,
                response,
            } => {
                self.observe(&method_name, &response);
                span.record("session", short(&session_id));
                let mut answer = self.respond(&response, stateless);
                if let Ok(value) = HeaderValue::from_str(&session_id) {
                    answer.headers_mut().insert(headers::SESSION_ID, value);
                }
                answer
            }
            Reply::Stream(stream) => {
                let observed = Observed {
                    inner: stream,
                    id,
                    method: method_label(&method_name),
                    started: self.started,
                    metrics: self.shared.metrics.clone(),
                    span: self.span.clone(),
                    done: false,
                };
                if self.accept.sse {
                    // A listen stream is long-lived: it ends when shutdown begins. A request's
                    // stream may run until the grace period is over.
                    let stop = if listen {
                        self.shared.closing.clone()
                    } else {
                        self.shared.force.clone()
                    };
                    let events = observed.map(|m| sse::message_event(&m, None));
                    SseBody::new(
                        Box::pin(events),
                        self.shared.options.keep_alive,
                        Some(stop),
                        self.shared.metrics.stream_opened(),
                    )
                    .into_response()
                } else {
                    // JSON only: wait for the final response, dropping what comes before it.
                    let mut observed = observed;
                    let mut last = None;
                    while let Some(message) = observed.next().await {
                        if observed.done {
                            last = Some(message);
                            break;
                        }
                    }
                    match last {
                        Some(message) => self.respond(&message, stateless),
                        None => reply::accepted(),
                    }
                }
            }
        }
    }

    fn observe(&self, method_name: &str, response: &Message) {
        let outcome = match response {
            Message::Error(_) => Outcome::Error,
            _ => Outcome::Ok,
        };
        self.shared
            .metrics
            .observe(method_name, outcome, self.started.elapsed());
    }

    /// One message as JSON, or as a one-event stream for a client that takes only SSE.
    fn respond(&self, message: &Message, stateless: bool) -> Response {
        let status = match message {
            Message::Error(e) if stateless => stateless::error_status(e.error.code),
            _ => StatusCode::OK,
        };
        if self.accept.json || status != StatusCode::OK {
            return reply::message(status, message);
        }
        let event = sse::message_event(message, None);
        SseBody::new(
            Box::pin(futures_util::stream::iter([event])),
            self.shared.options.keep_alive,
            None,
            self.shared.metrics.stream_opened(),
        )
        .into_response()
    }

    /// A 2025-03-26 batch: every element handled, the responses answered as one JSON array.
    async fn batch(&self, items: Vec<Result<Message, mcplex_protocol::DecodeError>>) -> Response {
        let metrics = &self.shared.metrics;
        let allowed = self
            .header_version
            .is_none_or(ProtocolVersion::allows_batching);
        if !allowed {
            metrics.count("", Outcome::Rejected);
            let version = self.header_version.map_or("", ProtocolVersion::as_str);
            return reply::rpc_error(
                StatusCode::BAD_REQUEST,
                None,
                ErrorObject::invalid_request(format!(
                    "batches are not allowed on protocol version {version}"
                )),
            );
        }
        let answers = items.into_iter().map(|item| async move {
            let message = match item {
                Err(e) => return Ok(Some(Message::Error(e.to_response()))),
                Ok(message) => message,
            };
            let method_name = message.method().map_or("", |m| m.as_str()).to_owned();
            if let Message::Request(req) = &message
                && req.method == method::INITIALIZE
            {
                metrics.count(&method_name, Outcome::Rejected);
                let error = ErrorObject::invalid_request("initialize must not be part of a batch");
                let response = mcplex_protocol::ErrorResponse::new(Some(req.id.clone()), error);
                return Ok(Some(Message::Error(response)));
            }
            let id = message.id().cloned();
            let started = Instant::now();
            let reply = self
                .shared
                .http
                .handle(message, self.context(false))
                .await?;
            let answer = match reply {
                Reply::Accepted => None,
                Reply::Response(m) | Reply::SessionCreated { response: m, .. } => Some(m),
                Reply::Stream(stream) => {
                    let mut stream = stream;
                    let mut last = None;
                    while let Some(m) = stream.next().await {
                        if is_final(&m, id.as_ref()) {
                            last = Some(m);
                            break;
                        }
                    }
                    last
                }
            };
            match &answer {
                Some(Message::Error(_)) => {
                    metrics.observe(&method_name, Outcome::Error, started.elapsed());
                }
                Some(_) => metrics.observe(&method_name, Outcome::Ok, started.elapsed()),
                None => metrics.count(&method_name, Outcome::Accepted),
            }
            Ok(answer)
        });
        let mut responses = Vec::new();
        for answer in futures_util::future::join_all(answers).await {
            match answer {
                Ok(Some(message)) => responses.push(message),
                Ok(None) => {}
                Err(e) => return reply::session_error(e),
            }
        }
        if responses.is_empty() {
            return reply::accepted();
        }
        let mut json = vec![b'['];
        for (i, message) in responses.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            message.encode_into(&mut json);
        }
        json.push(b']');
        if self.accept.json {
            return reply::json(StatusCode::OK, json);
        }
        SseBody::new(
            Box::pin(futures_util::stream::iter([sse::raw_event(&json, None)])),
            self.shared.options.keep_alive,
            None,
            self.shared.metrics.stream_opened(),
        )
        .into_response()
    }
}

pub(super) fn not_acceptable(message: &'static str) -> Response {
    reply::rpc_error(
        StatusCode::NOT_ACCEPTABLE,
        None,
        ErrorObject::invalid_request(message),
    )
}
