//! The session behind a [`StreamableHttpTransport`](super::StreamableHttpTransport): what
//! the server said (session id, protocol version), the requests in flight, and the HTTP
//! exchanges — one task per POST, the standalone GET stream, and the closing DELETE.
//!
//! Requests go out at once and run concurrently over the pooled keep-alive connections; a
//! notification or a response holds back what is written after it until the server has taken
//! it (a [`Barrier`]), so that (for example) `notifications/initialized` arrives before the
//! requests that follow it.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::{BoxFuture, Shared};
use http_body_util::{BodyExt as _, Full};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use mcplex_protocol::{Message, ProtocolVersion, RequestId, method};
use mcplex_transport::{Error, Result};
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::ClientError;
use super::error::{http_error, refusal, status_reason, unanswered};
use super::feed::Feed;
use super::options::Base;
use super::response::{BodyKind, Events, decode_items, event_items, read_limited};
use super::wire::{ParamTable, Probe, method_headers};

/// `Mcp-Session-Id`.
const SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
/// `MCP-Protocol-Version`.
const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Last-Event-ID`.
const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");
/// What a POST accepts.
const ACCEPT_BOTH: HeaderValue = HeaderValue::from_static("application/json, text/event-stream");
/// How many times in a row the standalone stream may fail to open before the client gives it up.
const STANDALONE_ATTEMPTS: u32 = 6;
/// The first reconnection delay of the standalone stream, doubled after each failure.
const STANDALONE_BACKOFF: Duration = Duration::from_millis(250);

/// What the server said about the session.
#[derive(Debug, Default)]
struct State {
    session: Option<HeaderValue>,
    /// The negotiated stateful version, or the 2026-07-28 version requests named.
    version: Option<ProtocolVersion>,
    standalone_started: bool,
    ended: bool,
}

/// A request in flight, to cancel by id.
#[derive(Debug)]
struct InFlight {
    serial: u64,
    cancel: CancellationToken,
    stateless: bool,
}

/// What the writer, the POST tasks and the standalone stream share.
pub(crate) struct Conn {
    base: Arc<Base>,
    url: Uri,
    state: Mutex<State>,
    in_flight: Mutex<HashMap<RequestId, InFlight>>,
    params: ParamTable,
    /// Ends the standalone stream.
    pub(crate) standalone: CancellationToken,
    serial: AtomicU64,
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conn")
            .field("url", &self.url)
            .field("state", &*self.state())
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Resolves once the message written before is taken by the server.
pub(crate) type Barrier = Shared<BoxFuture<'static, ()>>;

/// What a POST is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Initialize,
    ToolsList,
    Other,
}

/// One POST: its request and what is needed to read its answer.
#[derive(Debug)]
pub(crate) struct Job {
    /// The id of the request posted, if it is one.
    id: Option<RequestId>,
    kind: Kind,
    serial: u64,
    cancel: CancellationToken,
    /// The request carried the session id, on a stateful wire.
    session_bound: bool,
}

/// Why a POST ended without its response.
#[derive(Debug)]
enum Failure {
    Status(StatusCode),
    Http(Error),
    Broken(Error),
    TooLarge,
    Accepted,
}

impl Conn {
    /// A session with the endpoint at `url`, not started yet.
    pub(crate) fn new(base: Arc<Base>, url: Uri) -> Self {
        Self {
            base,
            url,
            state: Mutex::default(),
            in_flight: Mutex::default(),
            params: ParamTable::default(),
            standalone: CancellationToken::new(),
            serial: AtomicU64::new(0),
        }
    }

    /// Whether to start the standalone stream now: once, when the server assigned a session.
    pub(crate) fn claim_standalone(&self) -> bool {
        let mut state = self.state();
        let start = state.session.is_some() && !state.standalone_started;
        state.standalone_started |= start;
        start
    }

    /// The session id the server assigned, once it did.
    pub(crate) fn session_id(&self) -> Option<String> {
        let state = self.state();
        let id = state.session.as_ref()?.to_str().ok()?;
        Some(id.to_owned())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Whether a stateful version was negotiated or a session assigned.
    pub(crate) fn is_stateful(&self) -> bool {
        let state = self.state();
        state.session.is_some() || state.version.is_some_and(|v| !v.is_stateless())
    }

    fn next_serial(&self) -> u64 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }

    /// The HTTP request and the job for one message.
    pub(crate) fn prepare(&self, message: &Message) -> (Request<Full<Bytes>>, Job) {
        let (probe, id, kind) = match message {
            Message::Request(req) => {
                let kind = match req.method.as_str() {
                    method::INITIALIZE => Kind::Initialize,
                    method::TOOLS_LIST => Kind::ToolsList,
                    _ => Kind::Other,
                };
                (Probe::of(req.params.as_ref()), Some(req.id.clone()), kind)
            }
            _ => (Probe::default(), None, Kind::Other),
        };
        let named = probe.version();
        let mut headers = HeaderMap::with_capacity(8);
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::ACCEPT, ACCEPT_BOTH);
        self.base.add_headers(&mut headers);
        let (session, version) = {
            let mut state = self.state();
            if let Some(v) = named.filter(|v| v.is_stateless())
                && state.version.is_none()
            {
                state.version = Some(v);
            }
            (state.session.clone(), named.or(state.version))
        };
        let stateless = version.is_some_and(ProtocolVersion::is_stateless);
        let session_bound = session.is_some() && !stateless;
        if let Some(session) = session {
            headers.insert(SESSION_ID, session);
        }
        if kind != Kind::Initialize
            && let Some(version) = version.filter(|v| v.has_version_header())
        {
            headers.insert(PROTOCOL_VERSION, HeaderValue::from_static(version.as_str()));
        }
        if version.is_some_and(ProtocolVersion::has_method_headers) {
            for (name, value) in method_headers(message, &probe, &self.params) {
                headers.append(name, value);
            }
        }
        let mut request = Request::new(Full::new(Bytes::from(message.to_vec())));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.url.clone();
        *request.headers_mut() = headers;
        let job = Job {
            id,
            kind,
            serial: self.next_serial(),
            cancel: CancellationToken::new(),
            session_bound,
        };
        if let Some(id) = &job.id {
            lock(&self.in_flight).insert(
                id.clone(),
                InFlight {
                    serial: job.serial,
                    cancel: job.cancel.clone(),
                    stateless,
                },
            );
        }
        (request, job)
    }

    /// Cancels the request `id` if it is in flight; `Some(stateless)` when it was.
    pub(crate) fn cancel_in_flight(&self, id: &RequestId) -> Option<bool> {
        let entry = lock(&self.in_flight).remove(id)?;
        entry.cancel.cancel();
        Some(entry.stateless)
    }

    /// Sends one POST and feeds its answer to the reader.
    pub(crate) async fn run(
        self: Arc<Self>,
        request: Request<Full<Bytes>>,
        job: Job,
        feed: Feed,
        after: Option<Barrier>,
        ack: Option<oneshot::Sender<()>>,
    ) {
        let cancel = job.cancel.clone();
        tokio::select! {
            biased;
            () = cancel.cancelled() => {}
            () = feed.closed() => {}
            () = self.exchange(request, &job, &feed, after) => {}
        }
        // The next message may go now.
        drop(ack);
        if let Some(id) = &job.id {
            let mut in_flight = lock(&self.in_flight);
            if in_flight.get(id).is_some_and(|e| e.serial == job.serial) {
                in_flight.remove(id);
            }
        }
    }

    async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
        job: &Job,
        feed: &Feed,
        after: Option<Barrier>,
    ) {
        if let Some(after) = after {
            after.await;
        }
        let mut answered = false;
        let outcome = self.post(request, job, feed, &mut answered).await;
        let Some(id) = job.id.clone().filter(|_| !answered) else {
            if let (None, Err(failure)) = (&job.id, &outcome)
                && !matches!(failure, Failure::Accepted)
            {
                tracing::debug!(?failure, "a message was not delivered");
            }
            return;
        };
        let message = match outcome {
            Ok(()) => unanswered(id, "the response ended without answering the request", None),
            Err(Failure::Accepted) => unanswered(
                id,
                "the server accepted the request without answering it",
                Some(StatusCode::ACCEPTED),
            ),
            Err(Failure::Status(status)) => unanswered(id, &status_reason(status), Some(status)),
            Err(Failure::Http(e)) => {
                tracing::debug!(error = %e, "posting a request failed");
                unanswered(id, "the server could not be reached", None)
            }
            Err(Failure::Broken(e)) => {
                tracing::debug!(error = %e, "reading a response failed");
                unanswered(id, "the response broke off before the answer", None)
            }
            Err(Failure::TooLarge) => unanswered(id, "the answer was over the size limit", None),
        };
        feed.push(Ok(message)).await;
    }

    async fn post(
        &self,
        request: Request<Full<Bytes>>,
        job: &Job,
        feed: &Feed,
        answered: &mut bool,
    ) -> std::result::Result<(), Failure> {
        let response = self
            .base
            .http
            .request(request)
            .await
            .map_err(|e| Failure::Http(http_error(e)))?;
        let (parts, body) = response.into_parts();
        if job.kind == Kind::Initialize
            && let Some(session) = parts.headers.get(SESSION_ID)
        {
            self.state().session = Some(session.clone());
        }
        let limit = self.base.options.max_message_bytes;
        if parts.status == StatusCode::ACCEPTED {
            return Err(Failure::Accepted);
        }
        if !parts.status.is_success() {
            let body = read_limited(body, &parts.headers, limit)
                .await
                .ok()
                .flatten();
            if let Some(message) = body.and_then(|b| refusal(&b, job.id.as_ref())) {
                self.deliver(job, feed, Ok(message), answered).await;
            }
            if parts.status == StatusCode::NOT_FOUND && job.session_bound {
                self.end_session(feed).await;
            }
            return Err(Failure::Status(parts.status));
        }
        if BodyKind::of(&parts.headers) == BodyKind::EventStream {
            let mut events = Events::new(body, limit);
            let mut skipped = false;
            while let Some(event) = events.next().await {
                let event = event.map_err(Failure::Broken)?;
                for item in event_items(&event, limit) {
                    skipped |= item.as_ref().is_err_and(Error::is_too_large);
                    self.deliver(job, feed, item, answered).await;
                }
            }
            return if skipped {
                Err(Failure::TooLarge)
            } else {
                Ok(())
            };
        }
        match read_limited(body, &parts.headers, limit)
            .await
            .map_err(Failure::Broken)?
        {
            None => {
                feed.push(Err(Error::too_large(limit))).await;
                Err(Failure::TooLarge)
            }
            Some(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Ok(()),
            Some(bytes) => {
                for item in decode_items(&bytes) {
                    self.deliver(job, feed, item, answered).await;
                }
                Ok(())
            }
        }
    }

    /// Passes one item to the reader, noting what the answer to the job teaches.
    async fn deliver(&self, job: &Job, feed: &Feed, item: Result<Message>, answered: &mut bool) {
        if let Ok(message) = &item {
            let answer_to = match message {
                Message::Response(r) => Some(&r.id),
                Message::Error(e) => e.id.as_ref(),
                _ => None,
            };
            if answer_to.is_some() && answer_to == job.id.as_ref() {
                *answered = true;
                if let Message::Response(r) = message {
                    match job.kind {
                        Kind::Initialize => self.learn_version(&r.result),
                        Kind::ToolsList => self.params.learn(&r.result),
                        Kind::Other => {}
                    }
                }
            }
        }
        feed.push(item).await;
    }

    fn learn_version(&self, result: &mcplex_protocol::Payload) {
        #[derive(Deserialize)]
        struct Initialized {
            #[serde(rename = "protocolVersion")]
            protocol_version: String,
        }
        if let Ok(init) = result.parse::<Initialized>()
            && let Some(version) = ProtocolVersion::from_str_opt(&init.protocol_version)
        {
            self.state().version = Some(version);
        }
    }

    /// The server forgot the session: the reader ends with an error.
    async fn end_session(&self, feed: &Feed) {
        let first = !std::mem::replace(&mut self.state().ended, true);
        if first {
            self.standalone.cancel();
            feed.push(Err(ClientError::SessionEnded.into_transport()))
                .await;
        }
    }

    /// A GET or DELETE on the endpoint for the session; `None` without a session.
    fn session_request(&self, method: Method) -> Option<Request<Full<Bytes>>> {
        let (session, version) = {
            let state = self.state();
            if state.ended {
                return None;
            }
            (state.session.clone()?, state.version)
        };
        let mut request = Request::new(Full::new(Bytes::new()));
        *request.method_mut() = method;
        *request.uri_mut() = self.url.clone();
        let headers = request.headers_mut();
        self.base.add_headers(headers);
        headers.insert(SESSION_ID, session);
        if let Some(version) = version.filter(|v| v.has_version_header()) {
            headers.insert(PROTOCOL_VERSION, HeaderValue::from_static(version.as_str()));
        }
        Some(request)
    }

    /// Ends the session on the server (best effort).
    pub(crate) async fn delete(&self) {
        let Some(request) = self.session_request(Method::DELETE) else {
            return;
        };
        let timeout = self.base.options.connect_timeout;
        let deleted = tokio::time::timeout(timeout, async {
            let response = self.base.http.request(request).await?;
            let status = response.status();
            // Read the (short) body so that the connection goes back to the pool.
            let _ = response.into_body().collect().await;
            Ok::<_, hyper_util::client::legacy::Error>(status)
        })
        .await;
        match deleted {
            Ok(Ok(status)) => tracing::debug!(%status, "ended the session"),
            Ok(Err(e)) => tracing::debug!(error = %e, "ending the session failed"),
            Err(_) => tracing::debug!("ending the session timed out"),
        }
    }

    /// Runs the standalone stream until it is stopped, the reader is gone, or the server
    /// does not offer one.
    pub(crate) async fn standalone(self: Arc<Self>, feed: Feed, after: Option<Barrier>) {
        let stop = self.standalone.clone();
        tokio::select! {
            biased;
            () = stop.cancelled() => {}
            () = feed.closed() => {}
            () = self.standalone_loop(&feed, after) => {}
        }
    }

    async fn standalone_loop(&self, feed: &Feed, after: Option<Barrier>) {
        if let Some(after) = after {
            after.await;
        }
        let limit = self.base.options.max_message_bytes;
        let mut last_id: Option<String> = None;
        let mut retry: Option<Duration> = None;
        let mut failures = 0;
        loop {
            let Some(mut request) = self.session_request(Method::GET) else {
                return;
            };
            let headers = request.headers_mut();
            headers.insert(
                header::ACCEPT,
                HeaderValue::from_static("text/event-stream"),
            );
            if let Some(value) = last_id
                .as_deref()
                .and_then(|id| HeaderValue::from_str(id).ok())
            {
                headers.insert(LAST_EVENT_ID, value);
            }
            let mut delivered = false;
            match self.base.http.request(request).await {
                Ok(response) => {
                    let status = response.status();
                    if matches!(
                        status,
                        StatusCode::METHOD_NOT_ALLOWED
                            | StatusCode::NOT_FOUND
                            | StatusCode::BAD_REQUEST
                    ) {
                        tracing::debug!(%status, "the server offers no standalone stream");
                        return;
                    }
                    if status.is_success()
                        && BodyKind::of(response.headers()) == BodyKind::EventStream
                    {
                        let mut events = Events::new(response.into_body(), limit);
                        while let Some(Ok(event)) = events.next().await {
                            delivered = true;
                            for item in event_items(&event, limit) {
                                feed.push(item).await;
                            }
                            last_id = events.last_id().map(str::to_owned);
                        }
                        retry = events.retry().or(retry);
                    } else {
                        tracing::debug!(%status, "the standalone stream was refused");
                    }
                }
                Err(e) => tracing::debug!(error = %e, "opening the standalone stream failed"),
            }
            if delivered {
                failures = 0;
            } else {
                failures += 1;
                if failures >= STANDALONE_ATTEMPTS {
                    tracing::debug!("gave up the standalone stream");
                    return;
                }
            }
            let backoff = STANDALONE_BACKOFF * 2_u32.pow(failures);
            tokio::time::sleep(retry.unwrap_or_default().max(backoff)).await;
        }
    }
}
