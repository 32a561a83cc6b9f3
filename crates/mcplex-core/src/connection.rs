//! Serving a connection-oriented transport (stdio, WebSocket, a legacy SSE session).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mcplex_protocol::model::{CancelledParams, InitializeParams, InitializeResult};
use mcplex_protocol::{
    ErrorCode, ErrorObject, ErrorResponse, Message, Notification, ProtocolVersion, Request,
    RequestId, Response, method,
};
use mcplex_transport::Transport;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::outbound::{self, Outbound};
use crate::router::Peer;
use crate::session::{Session, lock};
use crate::{Principal, Server};

/// How long a closing connection waits for queued messages to be written.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// Requests in flight on one connection, with their cancellation tokens.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    map: Mutex<HashMap<RequestId, CancellationToken, BuildHasherDefault<IdHasher>>>,
}

/// A fast hash for request ids (FxHash's mixing step). The ids are the client's, but the map
/// holds at most `max_in_flight` of them, so ids made to collide cost their sender a few
/// comparisons per request and nothing more; the standard SipHash would cost every request.
#[derive(Debug, Default)]
pub(crate) struct IdHasher(u64);

impl IdHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_i64(&mut self, n: i64) {
        self.mix(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl InFlight {
    /// Registers a request; an error when the limit is reached or the id is already in use.
    ///
    /// The token is not a child of `closed` (a child token costs a lock on the parent at
    /// creation and again at drop, on every request): it starts cancelled when `closed` already
    /// is, and [`InFlight::cancel_all`] cancels every registered one when the owner closes.
    pub(crate) fn register(
        &self,
        id: &RequestId,
        limit: usize,
        closed: &CancellationToken,
    ) -> Result<CancellationToken, ErrorObject> {
        let mut map = lock(&self.map);
        if map.len() >= limit {
            return Err(ErrorObject::new(
                ErrorCode::SERVER_ERROR,
                "too many concurrent requests",
            ));
        }
        if map.contains_key(id) {
            return Err(ErrorObject::invalid_request(
                "a request with this id is already in flight",
            ));
        }
        let token = CancellationToken::new();
        // Checked under the map's lock: `cancel_all` runs after `closed` is cancelled and takes
        // the same lock, so a request either sees `closed` cancelled or is cancelled by it.
        if closed.is_cancelled() {
            token.cancel();
        }
        map.insert(id.clone(), token.clone());
        Ok(token)
    }

    /// Removes a finished request; `false` if the client had cancelled it.
    pub(crate) fn finish(&self, id: &RequestId) -> bool {
        lock(&self.map).remove(id).is_some()
    }

    /// Cancels a request at the client's request; `true` if it was in flight.
    pub(crate) fn cancel(&self, id: &RequestId) -> bool {
        match lock(&self.map).remove(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancels every request in flight (the connection or session closed); call it after
    /// cancelling the `closed` token given to [`InFlight::register`].
    pub(crate) fn cancel_all(&self) {
        for token in lock(&self.map).values() {
            token.cancel();
        }
    }
}

/// One served connection.
struct Connection {
    server: Server,
    /// Replaced (not mutated) when `initialize` creates the session, so a request takes a
    /// cheap `Arc` clone.
    peer: Mutex<Arc<Peer>>,
    in_flight: InFlight,
    /// Cancelled when the connection ends, together with every request in `in_flight`.
    closed: CancellationToken,
    /// Stops the session's event pump (a child of `closed`; also cancelled at shutdown, so the
    /// grace period only waits for requests).
    events_stop: CancellationToken,
    tasks: TaskTracker,
}

impl Connection {
    fn peer(&self) -> Arc<Peer> {
        lock(&self.peer).clone()
    }

    fn session(&self) -> Option<Arc<Session>> {
        lock(&self.peer).session.clone()
    }

    fn set_session(&self, session: Arc<Session>) {
        let mut slot = lock(&self.peer);
        let mut peer = Peer::clone(&slot);
        peer.session = Some(session);
        *slot = Arc::new(peer);
    }
}

impl Server {
    /// Serves one connection until the peer closes it, the transport fails, or the server
    /// shuts down.
    ///
    /// Every revision is served: an `initialize` request makes the connection a stateful
    /// session; requests whose `_meta` names 2026-07-28 are served statelessly. Requests run
    /// concurrently (up to [`Limits::max_in_flight`](crate::Limits::max_in_flight)); when the
    /// connection ends, every request still running is cancelled.
    ///
    /// # Errors
    ///
    /// Returns an error when the transport fails (not when the peer closes it cleanly).
    pub async fn serve_connection<T: Transport>(&self, transport: T) -> Result<(), crate::Error> {
        self.serve_connection_until(transport).await.map(|_| ())
    }

    /// Like [`Server::serve_connection`], and tells why serving ended, so a transport can
    /// close the connection with a fitting code (WebSocket: 1000, 1013, 1001).
    ///
    /// # Errors
    ///
    /// Returns an error when the transport fails (not when the peer closes it cleanly).
    pub async fn serve_connection_until<T: Transport>(
        &self,
        transport: T,
    ) -> Result<Ended, crate::Error> {
        let (mut reader, writer, info) = transport.split();
        let limits = &self.inner.limits;
        let (outbound, rx) = Outbound::channel(limits.outbound_queue);
        let writer_task = tokio::spawn(write_loop(writer, rx));
        let extensions = info.extensions().clone();
        let closed = CancellationToken::new();
        let conn = Arc::new(Connection {
            server: self.clone(),
            peer: Mutex::new(Arc::new(Peer {
                session: None,
                principal: extensions.get::<Principal>().cloned(),
                outbound: outbound.clone(),
                extensions,
            })),
            in_flight: InFlight::default(),
            closed: closed.clone(),
            events_stop: closed.child_token(),
            tasks: TaskTracker::new(),
        });
        // Made once, not per message: a fresh cancellation future registers with (and on drop
        // leaves) its token's waiter list, under a lock, every time it is polled anew.
        let overflow = outbound.overflowed().clone().cancelled_owned();
        let shutdown = self.inner.shutdown.clone().cancelled_owned();
        tokio::pin!(overflow, shutdown);
        let result = loop {
            tokio::select! {
                item = reader.next() => match item {
                    None => break Ok(Ended::PeerClosed),
                    Some(Ok(message)) => conn.on_message(message).await,
                    Some(Err(e)) if e.is_fatal() => {
                        break if e.is_closed() {
                            Ok(Ended::PeerClosed)
                        } else {
                            Err(crate::Error::Transport(e))
                        };
                    }
                    Some(Err(e)) => {
                        let response = match e.decode_error() {
                            Some(decode) => decode.to_response(),
                            None => ErrorResponse::new(None, ErrorObject::invalid_request(e.to_string())),
                        };
                        outbound.send(Message::Error(response)).await;
                    }
                },
                () = &mut overflow => {
                    tracing::warn!("closing a connection whose peer does not keep up");
                    break Ok(Ended::Overflow);
                }
                () = &mut shutdown => {
                    // Stop reading; let requests in flight finish until the grace deadline.
                    conn.events_stop.cancel();
                    conn.tasks.close();
                    let grace = self.inner.limits.shutdown_grace;
                    let _ = tokio::time::timeout(grace, conn.tasks.wait()).await;
                    break Ok(Ended::Shutdown);
                }
            }
        };
        // Stop everything still running for this connection, then flush what is queued.
        conn.closed.cancel();
        conn.in_flight.cancel_all();
        conn.tasks.close();
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, conn.tasks.wait()).await;
        drop(outbound);
        *lock(&conn.peer) = Arc::new(Peer {
            session: None,
            principal: None,
            outbound: Outbound::channel(1).0,
            extensions: Default::default(),
        });
        if matches!(result, Ok(Ended::Overflow)) {
            // The peer does not read: waiting for the writer would only wait for it.
            writer_task.abort();
        } else {
            let mut writer_task = writer_task;
            if tokio::time::timeout(DRAIN_TIMEOUT, &mut writer_task)
                .await
                .is_err()
            {
                writer_task.abort();
            }
        }
        result
    }
}

/// Why [`Server::serve_connection_until`] stopped serving a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ended {
    /// The peer closed the connection.
    PeerClosed,
    /// The peer did not keep up with its outbound queue and was disconnected.
    Overflow,
    /// The server shut down.
    Shutdown,
}

impl Connection {
    async fn on_message(self: &Arc<Self>, message: Message) {
        match message {
            Message::Request(req) => self.on_request(req).await,
            Message::Notification(n) => self.on_notification(&n),
            Message::Response(r) => {
                if let Some(session) = self.session() {
                    session.resolve(&r.id, Ok(r.result));
                }
            }
            Message::Error(e) => {
                if let (Some(session), Some(id)) = (self.session(), e.id.as_ref()) {
                    session.resolve(id, Err(e.error));
                }
            }
        }
    }

    async fn on_request(self: &Arc<Self>, req: Request) {
        let peer = self.peer();
        if req.method == method::INITIALIZE {
            // Boxed: the connection's future would otherwise keep room for this once-only,
            // kilobyte-sized state for as long as the connection stays open.
            let response = Box::pin(self.initialize(&req)).await;
            peer.outbound.send(response).await;
            return;
        }
        let limits = &self.server.inner.limits;
        let cancel = match self
            .in_flight
            .register(&req.id, limits.max_in_flight, &self.closed)
        {
            Ok(token) => token,
            Err(error) => {
                peer.outbound
                    .send(Message::Error(ErrorResponse::new(Some(req.id), error)))
                    .await;
                return;
            }
        };
        let conn = self.clone();
        let mut work = Box::pin(async move {
            let response = if req.method == method::SUBSCRIPTIONS_LISTEN {
                // Rare and long-lived: boxed, so that every other request's future stays small.
                let id = req.id.clone();
                (id, Box::pin(conn.server.listen(req, &peer, cancel)).await)
            } else {
                let response = conn.server.handle_request(&req, &peer, cancel).await;
                (req.id, response)
            };
            // A request the client cancelled gets no response.
            if conn.in_flight.finish(&response.0) {
                peer.outbound.send(response.1).await;
            }
        });
        // Most requests complete without waiting (a list, a quick tool): run them here, and
        // spawn a task only for work that has to wait. The future is boxed first so that it can
        // move into the task after this poll.
        let done = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx).is_ready())).await;
        if !done {
            self.tasks.spawn(work);
        }
    }

    async fn initialize(self: &Arc<Self>, req: &Request) -> Message {
        let id = req.id.clone();
        let params: InitializeParams = match req.params_as() {
            Ok(p) => p,
            Err(e) => return Message::Error(ErrorResponse::new(Some(id), e)),
        };
        if self.session().is_some() {
            let error = ErrorObject::invalid_request("the session is already initialized");
            return Message::Error(ErrorResponse::new(Some(id), error));
        }
        // Answer with the requested revision when supported, else the newest stateful one.
        let version = ProtocolVersion::from_str_opt(&params.protocol_version)
            .filter(|v| v.has_initialize())
            .unwrap_or(ProtocolVersion::LATEST_STATEFUL);
        let peer = self.peer();
        let session = Arc::new(Session::new(
            version,
            Some(params.client_info),
            params.capabilities,
            peer.principal.as_ref().map(|p| p.subject().to_owned()),
            false,
        ));
        let server = &self.server;
        let result = InitializeResult {
            protocol_version: version.as_str().to_owned(),
            capabilities: server.inner.capabilities.clone(),
            server_info: server.inner.info.clone(),
            instructions: server.inner.instructions.clone(),
            ..InitializeResult::default()
        };
        let events = server.subscribe_events().await;
        self.set_session(session.clone());
        if let Some(events) = events {
            self.start_event_pump(events, session);
        }
        match server.finish(result, version) {
            Ok(result) => Message::Response(Response { id, result }),
            Err(e) => Message::Error(ErrorResponse::new(Some(id), e)),
        }
    }

    fn on_notification(&self, n: &Notification) {
        match n.method.as_str() {
            method::INITIALIZED => {
                if let Some(session) = self.session() {
                    session.initialized.store(true, Ordering::Release);
                }
            }
            method::CANCELLED => {
                if let Ok(CancelledParams {
                    request_id: Some(id),
                    ..
                }) = n.params_as::<CancelledParams>()
                {
                    self.in_flight.cancel(&id);
                }
            }
            other => tracing::trace!(method = other, "notification ignored"),
        }
    }

    /// Forwards list changes and updates of subscribed resources to a stateful session.
    fn start_event_pump(
        self: &Arc<Self>,
        events: crate::state::Subscription,
        session: Arc<Session>,
    ) {
        let conn = self.clone();
        self.tasks.spawn(async move {
            let server = conn.server.clone();
            let outbound = conn.peer().outbound.clone();
            let closed = conn.events_stop.clone();
            drop(conn);
            server
                .pump_session_events(events, &session, &outbound, &closed)
                .await;
        });
    }
}

/// Writes queued messages; bursts are written together and flushed once the queue drains.
async fn write_loop<W>(mut writer: W, mut rx: outbound::Receiver)
where
    W: futures_util::Sink<Message, Error = mcplex_transport::Error> + Unpin,
{
    'outer: while let Some(message) = rx.recv().await {
        if writer.feed(message).await.is_err() {
            break;
        }
        while let Ok(message) = rx.try_recv() {
            if writer.feed(message).await.is_err() {
                break 'outer;
            }
        }
        if writer.flush().await.is_err() {
            break;
        }
    }
    let _ = writer.close().await;
}
