//! The legacy HTTP+SSE transport (2024-11-05): `GET /sse` opens a connection whose server
//! messages arrive as `message` events, after an `endpoint` event that names where to POST
//! the client's messages.
//!
//! Each event stream is one connection-oriented [`Transport`] served by
//! [`Server::serve_connection`](mcplex_core::Server::serve_connection): POSTed messages feed
//! its reader through a channel, and its writer feeds the event stream.

use std::collections::{HashMap, HashSet};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use futures_core::Stream;
use futures_sink::Sink;
use mcplex_core::Principal;
use mcplex_core::state::SessionId;
use mcplex_protocol::model::CancelledParams;
use mcplex_protocol::{ErrorCode, ErrorObject, Message, RequestId, decode_with, method};
use mcplex_transport::{ConnectionInfo, Error, Transport};
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::PollSender;
use tracing::Instrument as _;

use super::headers::{self, Accept};
use super::metrics::Outcome;
use super::reply::{self, SESSION_NOT_FOUND};
use super::sse::{self, SseBody};
use super::{PeerAddr, Shared, body};

/// Messages queued toward one connection's reader (POSTs wait while it is full).
const INBOUND_QUEUE: usize = 64;
/// Messages queued from one connection's writer toward its event stream.
const OUTBOUND_QUEUE: usize = 64;

/// The open legacy connections.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<SessionId, Entry>>,
}

#[derive(Clone, Debug)]
struct Entry {
    inbound: mpsc::Sender<Message>,
    /// The subject of the principal that opened the stream; POSTs must come from it.
    owner: Option<String>,
    pending: Arc<Pending>,
}

impl Sessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<SessionId, Entry>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

/// Requests of one connection still waiting for their response, so that shutdown can let
/// them finish before it ends the stream.
#[derive(Debug, Default)]
struct Pending {
    ids: Mutex<HashSet<RequestId>>,
    changed: Notify,
}

impl Pending {
    fn ids(&self) -> MutexGuard<'_, HashSet<RequestId>> {
        self.ids.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert(&self, id: RequestId) {
        self.ids().insert(id);
    }

    fn remove(&self, id: &RequestId) {
        if self.ids().remove(id) {
            self.changed.notify_waiters();
        }
    }

    /// Resolves once no request is pending.
    async fn drained(&self) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.ids().is_empty() {
                return;
            }
            notified.await;
        }
    }
}

/// GET: opens a connection and its event stream.
pub(super) async fn get(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    shared.start_background();
    let span = tracing::debug_span!(
        "mcp_legacy",
        http.method = "GET",
        session = tracing::field::Empty
    );
    let (parts, _body) = request.into_parts();
    let _entered = span.enter();
    if !Accept::parse(&parts.headers).sse {
        return reply::rpc_error(
            StatusCode::NOT_ACCEPTABLE,
            None,
            ErrorObject::invalid_request("Accept must allow text/event-stream"),
        );
    }
    if shared.closing.is_cancelled() {
        return reply::rpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            ErrorObject::new(ErrorCode::SERVER_ERROR, "the server is shutting down"),
        );
    }
    let id = SessionId::mint();
    span.record("session", id.as_str().get(..8).unwrap_or_default());
    let (inbound, reader) = mpsc::channel(INBOUND_QUEUE);
    let (writer, outbound) = mpsc::channel(OUTBOUND_QUEUE);
    let pending = Arc::new(Pending::default());
    let principal = parts.extensions.get::<Principal>().cloned();
    shared.legacy.lock().insert(
        id.clone(),
        Entry {
            inbound,
            owner: principal.as_ref().map(|p| p.subject().to_owned()),
            pending: pending.clone(),
        },
    );
    let mut info = ConnectionInfo::new("sse");
    if let Some(PeerAddr(addr)) = parts.extensions.get::<PeerAddr>() {
        info.set_peer_addr(Some(addr.to_string()));
    }
    if let Some(principal) = principal {
        info.extensions_mut().insert(principal);
    }
    let transport = LegacyTransport {
        reader: Reader(reader),
        writer: Writer {
            inner: PollSender::new(writer),
            pending: pending.clone(),
        },
        info,
    };
    let server = shared.server.clone();
    tokio::spawn(
        async move {
            if let Err(e) = server.serve_connection(transport).await {
                tracing::debug!(error = %e, "legacy connection ended with an error");
            }
        }
        .instrument(span.clone()),
    );

    let endpoint = sse::endpoint_event(&format!(
        "{}?sessionId={id}",
        shared.options.legacy_messages_path
    ));
    let closing = shared.closing.clone();
    let remove = Remove {
        shared: Arc::downgrade(&shared),
        id,
    };
    // After the endpoint event: the connection's messages until it ends, or, once shutdown
    // began, until no request is pending.
    let messages = futures_util::stream::unfold(
        (outbound, pending, closing, remove),
        |(mut outbound, pending, closing, remove)| async move {
            let drained = async {
                closing.cancelled().await;
                pending.drained().await;
            };
            tokio::select! {
                biased;
                message = outbound.recv() => message.map(|m| {
                    (sse::message_event(&m, None), (outbound, pending, closing, remove))
                }),
                () = drained => None,
            }
        },
    );
    let events = futures_util::StreamExt::chain(futures_util::stream::iter([endpoint]), messages);
    SseBody::new(
        Box::pin(events),
        shared.options.keep_alive,
        Some(shared.force.clone()),
        shared.metrics.stream_opened(),
    )
    .into_response()
}

/// Forgets a connection when its event stream goes away, which ends the connection.
struct Remove {
    shared: Weak<Shared>,
    id: SessionId,
}

impl Drop for Remove {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.upgrade() {
            shared.legacy.lock().remove(&self.id);
        }
    }
}

/// POST: one message for a connection, answered with 202 and delivered on its stream.
pub(super) async fn post(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let span = tracing::debug_span!(
        "mcp_legacy",
        http.method = "POST",
        method = tracing::field::Empty
    );
    post_inner(shared, request).instrument(span).await
}

async fn post_inner(shared: Arc<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let metrics = &shared.metrics;
    let session = parts.uri.query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("sessionId="))
    });
    let Some(session) = session else {
        metrics.count("", Outcome::Rejected);
        return reply::rpc_error(
            StatusCode::BAD_REQUEST,
            None,
            ErrorObject::invalid_request("the sessionId query parameter is required"),
        );
    };
    let entry = SessionId::parse(session).and_then(|id| shared.legacy.lock().get(&id).cloned());
    let subject = parts.extensions.get::<Principal>().map(Principal::subject);
    let Some(entry) = entry.filter(|e| e.owner.as_deref() == subject) else {
        metrics.count("", Outcome::Rejected);
        return not_found();
    };
    if !headers::is_json_content(&parts.headers) {
        metrics.count("", Outcome::Rejected);
        return reply::rpc_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            ErrorObject::invalid_request("Content-Type must be application/json"),
        );
    }
    let limits = shared.server.limits();
    let timeout = shared.options.body_read_timeout;
    let bytes = match body::read(body, &parts.headers, limits.max_message_bytes, timeout).await {
        Ok(bytes) => bytes,
        Err(e) => {
            metrics.count("", Outcome::Rejected);
            return e.into_response();
        }
    };
    let message = match decode_with(&bytes, &limits.decode) {
        Ok(message) => message,
        Err(e) => {
            metrics.count("", Outcome::Rejected);
            return reply::message(StatusCode::BAD_REQUEST, &Message::Error(e.to_response()));
        }
    };
    let method_name = message.method().map_or("", |m| m.as_str()).to_owned();
    tracing::Span::current().record("method", super::metrics::method_label(&method_name));
    match &message {
        Message::Request(req) => entry.pending.insert(req.id.clone()),
        Message::Notification(n) if n.method == method::CANCELLED => {
            if let Ok(CancelledParams {
                request_id: Some(id),
                ..
            }) = n.params_as::<CancelledParams>()
            {
                entry.pending.remove(&id);
            }
        }
        _ => {}
    }
    let request_id = message.id().cloned();
    match tokio::time::timeout(timeout, entry.inbound.send(message)).await {
        Ok(Ok(())) => {
            metrics.count(&method_name, Outcome::Accepted);
            reply::accepted()
        }
        Ok(Err(_)) => {
            metrics.count(&method_name, Outcome::Rejected);
            not_found()
        }
        Err(_) => {
            if let Some(id) = &request_id {
                entry.pending.remove(id);
            }
            metrics.count(&method_name, Outcome::Rejected);
            reply::rpc_error(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                ErrorObject::new(ErrorCode::SERVER_ERROR, "the connection does not keep up"),
            )
        }
    }
}

fn not_found() -> Response {
    reply::rpc_error(
        StatusCode::NOT_FOUND,
        None,
        ErrorObject::new(SESSION_NOT_FOUND, "unknown or ended session"),
    )
}

/// One legacy connection, as core serves it.
struct LegacyTransport {
    reader: Reader,
    writer: Writer,
    info: ConnectionInfo,
}

impl Transport for LegacyTransport {
    type Reader = Reader;
    type Writer = Writer;

    fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    fn info_mut(&mut self) -> &mut ConnectionInfo {
        &mut self.info
    }

    fn split(self) -> (Reader, Writer, ConnectionInfo) {
        (self.reader, self.writer, self.info)
    }
}

/// The POSTed messages, in order; ends when the event stream goes away.
struct Reader(mpsc::Receiver<Message>);

impl Stream for Reader {
    type Item = Result<Message, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|m| m.map(Ok))
    }
}

/// Feeds the event stream; notes responses so that pending requests are known.
struct Writer {
    inner: PollSender<Message>,
    pending: Arc<Pending>,
}

impl Sink<Message> for Writer {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_reserve(cx).map_err(|_| Error::closed())
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        let answered = match &message {
            Message::Response(r) => Some(r.id.clone()),
            Message::Error(e) => e.id.clone(),
            _ => None,
        };
        self.inner.send_item(message).map_err(|_| Error::closed())?;
        if let Some(id) = answered {
            self.pending.remove(&id);
        }
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.close();
        Poll::Ready(Ok(()))
    }
}
