//! Request-oriented serving for Streamable HTTP: sessions, per-request reply streams, the
//! standalone stream, and session deletion and reaping.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

use futures_core::Stream;
use mcplex_protocol::model::{CancelledParams, InitializeParams, InitializeResult};
use mcplex_protocol::{
    ErrorCode, ErrorObject, ErrorResponse, Message, Notification, ProtocolVersion, Request,
    Response, method,
};
use mcplex_transport::{Dispatch, Extensions, Reply, ReplyStream, RequestContext};
use tokio::time::Instant;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::connection::InFlight;
use crate::outbound::{self, Outbound};
use crate::router::Peer;
use crate::session::{Session, lock};
use crate::state::{SessionId, SessionRecord};
use crate::{Principal, Server};

/// Why a message could not be matched to a session (the HTTP status each maps to is noted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The request needs a session and carries no session id (400).
    #[error("a session id is required")]
    Required,
    /// The session id is unknown, ended, expired, or belongs to another principal (404).
    #[error("unknown or ended session")]
    NotFound,
    /// The instance holds as many sessions as it may (503).
    #[error("too many sessions")]
    TooMany,
    /// The session already has a standalone stream open (409).
    #[error("the session already has a stream open")]
    StreamConflict,
}

/// How sessions are used for the stateful revisions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SessionMode {
    /// `initialize` mints a session id; later requests must carry it (the default).
    #[default]
    Stateful,
    /// No session ids: every pre-2026 request is served on its own, as by a freshly
    /// initialized session at the newest stateful revision (server-to-client requests and the
    /// standalone stream are unavailable).
    Stateless,
}

struct HttpSession {
    session: Arc<Session>,
    in_flight: InFlight,
    standalone: Mutex<Option<CancellationToken>>,
    last_seen: Mutex<Instant>,
    closed: CancellationToken,
}

/// A server's Streamable HTTP front: resolves sessions and turns each incoming message into a
/// [`Reply`]. Transport crates call [`StreamableHttp::handle`] (or use it as a [`Dispatch`]).
///
/// Cheap to clone; clones share the sessions.
#[derive(Clone)]
pub struct StreamableHttp {
    inner: Arc<Inner>,
}

struct Inner {
    server: Server,
    mode: SessionMode,
    sessions: Mutex<HashMap<SessionId, Arc<HttpSession>>>,
}

impl StreamableHttp {
    /// Serves `server` over Streamable HTTP with the given session mode.
    pub fn new(server: Server, mode: SessionMode) -> Self {
        Self {
            inner: Arc::new(Inner {
                server,
                mode,
                sessions: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The server.
    pub fn server(&self) -> &Server {
        &self.inner.server
    }

    /// Sessions held by this instance.
    pub fn session_count(&self) -> usize {
        lock(&self.inner.sessions).len()
    }

    /// The ids of the sessions held by this instance.
    pub fn session_ids(&self) -> Vec<String> {
        lock(&self.inner.sessions)
            .keys()
            .map(ToString::to_string)
            .collect()
    }

    /// Handles one POSTed message.
    ///
    /// # Errors
    ///
    /// A [`SessionError`] when the message cannot be matched to a session.
    pub async fn handle(
        &self,
        message: Message,
        cx: RequestContext,
    ) -> Result<Reply, SessionError> {
        let principal = cx.extensions().get::<Principal>().cloned();
        if let Message::Request(req) = &message
            && req.method == method::INITIALIZE
        {
            if cx.protocol_version().is_some_and(|v| v.is_stateless()) {
                let error = ErrorObject::method_not_found(&req.method);
                let response = ErrorResponse::new(Some(req.id.clone()), error);
                return Ok(Reply::Response(Message::Error(response)));
            }
            return self.initialize(req, principal, cx.extensions()).await;
        }
        let session = match cx.session_id() {
            Some(id) => Some(self.find(id, principal.as_ref()).await?),
            None => None,
        };
        match message {
            Message::Request(req) => {
                let stateless_request = cx.protocol_version().is_some_and(|v| v.is_stateless());
                if session.is_none()
                    && !stateless_request
                    && self.inner.mode == SessionMode::Stateful
                    && req.method != method::PING
                {
                    return Err(SessionError::Required);
                }
                let ephemeral = (session.is_none()
                    && !stateless_request
                    && self.inner.mode == SessionMode::Stateless)
                    .then(|| self.ephemeral_session(principal.as_ref()));
                Ok(self
                    .request(req, session, ephemeral, principal, cx.extensions().clone())
                    .await)
            }
            Message::Notification(n) => {
                if let Some(session) = session {
                    on_notification(&session, &n, &self.inner.server).await;
                }
                Ok(Reply::Accepted)
            }
            Message::Response(r) => {
                if let Some(session) = session {
                    session.session.resolve(&r.id, Ok(r.result));
                }
                Ok(Reply::Accepted)
            }
            Message::Error(e) => {
                if let (Some(session), Some(id)) = (session, e.id.as_ref()) {
                    session.session.resolve(id, Err(e.error));
                }
                Ok(Reply::Accepted)
            }
        }
    }

    /// Opens the standalone stream of a session (HTTP GET): list changes and updates of
    /// subscribed resources. One per session.
    ///
    /// # Errors
    ///
    /// [`SessionError::Required`] without a session id, [`SessionError::NotFound`] for an
    /// unknown one, [`SessionError::StreamConflict`] when one is already open.
    pub async fn open_stream(&self, cx: &RequestContext) -> Result<ReplyStream, SessionError> {
        let principal = cx.extensions().get::<Principal>().cloned();
        let id = cx.session_id().ok_or(SessionError::Required)?;
        let session = self.find(id, principal.as_ref()).await?;
        let token = session.closed.child_token();
        {
            let mut slot = lock(&session.standalone);
            if slot.as_ref().is_some_and(|t| !t.is_cancelled()) {
                return Err(SessionError::StreamConflict);
            }
            *slot = Some(token.clone());
        }
        let server = self.inner.server.clone();
        let (outbound, rx) = Outbound::channel(server.inner.limits.outbound_queue);
        let pump_token = token.clone();
        let live = session.session.clone();
        if let Some(events) = server.subscribe_events().await {
            tokio::spawn(async move {
                server
                    .pump_session_events(events, &live, &outbound, &pump_token)
                    .await;
            });
        }
        Ok(ReplyStream::new(ChannelStream {
            rx,
            _guard: token.drop_guard(),
        }))
    }

    /// Ends a session (HTTP DELETE) everywhere.
    ///
    /// # Errors
    ///
    /// [`SessionError::Required`] / [`SessionError::NotFound`].
    pub async fn delete(&self, cx: &RequestContext) -> Result<(), SessionError> {
        let principal = cx.extensions().get::<Principal>().cloned();
        let id = cx.session_id().ok_or(SessionError::Required)?;
        let session = self.find(id, principal.as_ref()).await?;
        self.remove(&session.session.id).await;
        Ok(())
    }

    /// Removes sessions idle longer than the configured TTL (a session with an open standalone
    /// stream is not idle); returns how many.
    pub async fn sweep(&self) -> usize {
        let ttl = self.inner.server.inner.limits.session_idle_ttl;
        let idle: Vec<SessionId> = lock(&self.inner.sessions)
            .iter()
            // A session whose client listens on its standalone stream is in use.
            .filter(|(_, s)| {
                let listening = lock(&s.standalone)
                    .as_ref()
                    .is_some_and(|t| !t.is_cancelled());
                !listening && lock(&s.last_seen).elapsed() >= ttl
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &idle {
            self.remove(id).await;
        }
        idle.len()
    }

    async fn remove(&self, id: &SessionId) {
        let removed = lock(&self.inner.sessions).remove(id);
        if let Some(session) = removed {
            session.closed.cancel();
            session.in_flight.cancel_all();
        }
        if let Err(e) = self.inner.server.session_store().remove(id).await {
            tracing::warn!(session = %id, error = %e, "removing the session from the store failed");
        }
    }

    async fn find(
        &self,
        id: &str,
        principal: Option<&Principal>,
    ) -> Result<Arc<HttpSession>, SessionError> {
        let id = SessionId::parse(id).ok_or(SessionError::NotFound)?;
        let subject = principal.map(Principal::subject);
        let local = lock(&self.inner.sessions).get(&id).cloned();
        let session = match local {
            Some(session) => session,
            None => {
                // Another instance may have created it: adopt it from the store.
                let record = self
                    .inner
                    .server
                    .session_store()
                    .load(&id)
                    .await
                    .ok()
                    .flatten()
                    .ok_or(SessionError::NotFound)?;
                let session = Arc::new(live(Session::from_record(record)));
                lock(&self.inner.sessions)
                    .entry(id)
                    .or_insert(session)
                    .clone()
            }
        };
        if session.session.principal.as_deref() != subject {
            return Err(SessionError::NotFound);
        }
        *lock(&session.last_seen) = Instant::now();
        Ok(session)
    }

    async fn initialize(
        &self,
        req: &Request,
        principal: Option<Principal>,
        extensions: &Extensions,
    ) -> Result<Reply, SessionError> {
        let server = &self.inner.server;
        let params: InitializeParams = match req.params_as() {
            Ok(p) => p,
            Err(e) => {
                let error = ErrorResponse::new(Some(req.id.clone()), e);
                return Ok(Reply::Response(Message::Error(error)));
            }
        };
        let version = ProtocolVersion::from_str_opt(&params.protocol_version)
            .filter(|v| v.has_initialize())
            .unwrap_or(ProtocolVersion::LATEST_STATEFUL);
        let result = InitializeResult {
            protocol_version: version.as_str().to_owned(),
            capabilities: server.inner.capabilities.clone(),
            server_info: server.inner.info.clone(),
            instructions: server.inner.instructions.clone(),
            ..InitializeResult::default()
        };
        let response = match server.finish(result, version) {
            Ok(result) => Message::Response(Response {
                id: req.id.clone(),
                result,
            }),
            Err(e) => Message::Error(ErrorResponse::new(Some(req.id.clone()), e)),
        };
        if self.inner.mode == SessionMode::Stateless {
            return Ok(Reply::Response(response));
        }
        if self.session_count() >= server.inner.limits.max_sessions {
            return Err(SessionError::TooMany);
        }
        let _ = extensions;
        let session = Session::new(
            version,
            Some(params.client_info),
            params.capabilities,
            principal.as_ref().map(|p| p.subject().to_owned()),
            true,
        );
        if let Err(e) = server.session_store().create(session.to_record()).await {
            tracing::warn!(error = %e, "storing a new session failed");
            return Err(SessionError::TooMany);
        }
        let id = session.id.clone();
        lock(&self.inner.sessions).insert(id.clone(), Arc::new(live(session)));
        Ok(Reply::SessionCreated {
            session_id: id.to_string(),
            response,
        })
    }

    fn ephemeral_session(&self, principal: Option<&Principal>) -> Arc<HttpSession> {
        let session = Session::new(
            ProtocolVersion::LATEST_STATEFUL,
            None,
            Default::default(),
            principal.map(|p| p.subject().to_owned()),
            false,
        );
        session.initialized.store(true, Ordering::Release);
        Arc::new(live(session))
    }

    async fn request(
        &self,
        req: Request,
        session: Option<Arc<HttpSession>>,
        ephemeral: Option<Arc<HttpSession>>,
        principal: Option<Principal>,
        extensions: Extensions,
    ) -> Reply {
        let server = self.inner.server.clone();
        let limits = &server.inner.limits;
        let session = session.or(ephemeral);
        let cancel = match &session {
            Some(s) => match s
                .in_flight
                .register(&req.id, limits.max_in_flight, &s.closed)
            {
                Ok(token) => token,
                Err(e) => {
                    return Reply::Response(Message::Error(ErrorResponse::new(Some(req.id), e)));
                }
            },
            None => CancellationToken::new(),
        };
        let (outbound, mut rx) = Outbound::channel(limits.outbound_queue);
        let peer = Arc::new(Peer {
            session: session.as_ref().map(|s| s.session.clone()),
            principal,
            outbound,
            extensions,
        });
        let guard = cancel.clone().drop_guard();
        let detach = cancel.clone();
        let work: Pin<Box<dyn Future<Output = Option<Message>> + Send>> = Box::pin(async move {
            let id = req.id.clone();
            let message = if req.method == method::SUBSCRIPTIONS_LISTEN {
                server.listen(req, &peer, cancel.clone()).await
            } else {
                server.handle_request(&req, &peer, cancel.clone()).await
            };
            drop(peer);
            // A request the client cancelled gets no response.
            match &session {
                Some(s) => s.in_flight.finish(&id).then_some(message),
                None => Some(message),
            }
        });
        let mut work = Work {
            fut: Some(work),
            cancel: detach,
        };
        tokio::select! {
            biased;
            message = &mut work => match rx.try_recv() {
                Err(_) => {
                    guard.disarm();
                    match message {
                        Some(message) => Reply::Response(message),
                        None => Reply::Accepted,
                    }
                }
                Ok(first) => Reply::Stream(ReplyStream::new(RequestStream {
                    first: Some(first),
                    rx,
                    work: None,
                    last: message,
                    _guard: guard,
                })),
            },
            Some(first) = rx.recv() => Reply::Stream(ReplyStream::new(RequestStream {
                first: Some(first),
                rx,
                work: Some(work),
                last: None,
                _guard: guard,
            })),
        }
    }
}

fn live(session: Session) -> HttpSession {
    HttpSession {
        session: Arc::new(session),
        in_flight: InFlight::default(),
        standalone: Mutex::new(None),
        last_seen: Mutex::new(Instant::now()),
        closed: CancellationToken::new(),
    }
}

async fn on_notification(session: &HttpSession, n: &Notification, server: &Server) {
    match n.method.as_str() {
        method::INITIALIZED => {
            session.session.initialized.store(true, Ordering::Release);
            session.session.save(server).await;
        }
        method::CANCELLED => {
            if let Ok(CancelledParams {
                request_id: Some(id),
                ..
            }) = n.params_as::<CancelledParams>()
            {
                session.in_flight.cancel(&id);
            }
        }
        other => tracing::trace!(method = other, "notification ignored"),
    }
}

impl Session {
    /// A live session rebuilt from its stored record (another instance created it).
    pub(crate) fn from_record(record: SessionRecord) -> Self {
        let mut session = Session::new(
            record.protocol_version,
            record.client_info,
            record.client_capabilities,
            record.principal,
            true,
        );
        session.id = record.id;
        session
            .initialized
            .store(record.initialized, Ordering::Release);
        if let Some(level) = record.log_level {
            session.set_log_level(level);
        }
        for uri in record.subscriptions {
            session.subscribe(uri);
        }
        session
    }
}

/// The messages of one request: everything queued before the response, then the response.
struct RequestStream {
    first: Option<Message>,
    rx: outbound::Receiver,
    work: Option<Work>,
    last: Option<Message>,
    _guard: DropGuard,
}

impl Stream for RequestStream {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Message>> {
        let this = &mut *self;
        if let Some(first) = this.first.take() {
            return Poll::Ready(Some(first));
        }
        if let Some(work) = &mut this.work
            && let Poll::Ready(last) = Pin::new(work).poll(cx)
        {
            this.work = None;
            this.last = last;
        }
        if this.work.is_some() {
            return match this.rx.poll_recv(cx) {
                Poll::Ready(Some(message)) => Poll::Ready(Some(message)),
                Poll::Ready(None) | Poll::Pending => Poll::Pending,
            };
        }
        // The request is done: what it queued, then its response.
        if let Ok(message) = this.rx.try_recv() {
            return Poll::Ready(Some(message));
        }
        Poll::Ready(this.last.take())
    }
}

/// A request's work. Dropped before it finished (the client went away), it cancels the
/// request and finishes in the background, so the handler sees the cancellation (within
/// `Limits::cancel_grace`) instead of being dropped mid-step, and the session's in-flight
/// slot is released.
struct Work {
    fut: Option<Pin<Box<dyn Future<Output = Option<Message>> + Send>>>,
    cancel: CancellationToken,
}

impl Future for Work {
    type Output = Option<Message>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Message>> {
        let Some(fut) = &mut self.fut else {
            return Poll::Ready(None);
        };
        let out = fut.as_mut().poll(cx);
        if out.is_ready() {
            self.fut = None;
        }
        out
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        if let Some(fut) = self.fut.take() {
            self.cancel.cancel();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(fut);
            }
        }
    }
}

/// A standalone stream's messages; dropping it stops the event pump.
struct ChannelStream {
    rx: outbound::Receiver,
    _guard: DropGuard,
}

impl Stream for ChannelStream {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Message>> {
        self.rx.poll_recv(cx)
    }
}

impl Dispatch for StreamableHttp {
    async fn dispatch(&self, message: Message, cx: RequestContext) -> Reply {
        let id = message.id().cloned();
        match self.handle(message, cx).await {
            Ok(reply) => reply,
            Err(e) => {
                let error = ErrorObject::new(ErrorCode::INVALID_REQUEST, e.to_string());
                Reply::Response(Message::Error(ErrorResponse::new(id, error)))
            }
        }
    }
}

impl fmt::Debug for StreamableHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamableHttp")
            .field("mode", &self.inner.mode)
            .field("sessions", &self.session_count())
            .finish_non_exhaustive()
    }
}
