//! The state behind a client: the pending-request table, the outbound queue, and the
//! routes that take notifications to progress receivers and subscriptions.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use mcplex_protocol::model::{CancelledParams, ProgressParams};
use mcplex_protocol::{
    Message, Method, Notification, Payload, ProgressToken, ProtocolVersion, Request, RequestId,
    method,
};
use serde::Deserialize;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::meta::MetaStamp;
use super::{ClientOptions, Error, InputHandler, incoming};

/// What the reader hands to a waiting request: the result, or why there is none.
type Reply = Result<Payload, Error>;

/// A message for the writer task.
#[derive(Debug)]
pub(super) enum Outbound {
    /// A message to send.
    Message(Message),
    /// Flush, close the writer and report how that went.
    Close(oneshot::Sender<Result<(), mcplex_transport::Error>>),
}

#[derive(Debug)]
struct PendingEntry {
    tx: oneshot::Sender<Reply>,
    /// A `subscriptions/listen` request, which has a notification route under its id.
    listen: bool,
}

#[derive(Debug, Default)]
struct PendingMap {
    closed: bool,
    map: HashMap<i64, PendingEntry>,
}

/// The state the client handles and the two tasks share.
pub(super) struct Shared {
    next_id: AtomicI64,
    pending: Mutex<PendingMap>,
    outbound: mpsc::Sender<Outbound>,
    notifications: broadcast::Sender<Notification>,
    progress: Mutex<HashMap<ProgressToken, mpsc::Sender<ProgressParams>>>,
    listens: Mutex<HashMap<RequestId, mpsc::Sender<Notification>>>,
    incoming: Mutex<HashMap<RequestId, AbortHandle>>,
    /// Cancelled when the connection is over; stops both tasks.
    pub(super) shutdown: CancellationToken,
    requested: ProtocolVersion,
    negotiated: OnceLock<ProtocolVersion>,
    pub(super) input_handler: Option<Arc<dyn InputHandler>>,
    pub(super) stamp: MetaStamp,
    pub(super) request_timeout: Duration,
    pub(super) queue_capacity: usize,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("version", &self.version())
            .field("closed", &self.shutdown.is_cancelled())
            .finish_non_exhaustive()
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// The shared state and the receiving end of the outbound queue.
    pub(super) fn new(
        options: &ClientOptions,
        stamp: MetaStamp,
    ) -> (Arc<Self>, mpsc::Receiver<Outbound>) {
        let capacity = options.queue_capacity.max(1);
        let (outbound, rx) = mpsc::channel(capacity);
        let shared = Self {
            next_id: AtomicI64::new(1),
            pending: Mutex::default(),
            outbound,
            notifications: broadcast::channel(capacity).0,
            progress: Mutex::default(),
            listens: Mutex::default(),
            incoming: Mutex::default(),
            shutdown: CancellationToken::new(),
            requested: options.protocol_version,
            negotiated: OnceLock::new(),
            input_handler: options.input_handler.clone(),
            stamp,
            request_timeout: options.request_timeout,
            queue_capacity: capacity,
        };
        (Arc::new(shared), rx)
    }

    /// The negotiated version, or the requested one while the handshake runs.
    pub(super) fn version(&self) -> ProtocolVersion {
        self.negotiated.get().copied().unwrap_or(self.requested)
    }

    pub(super) fn set_version(&self, version: ProtocolVersion) {
        let _ = self.negotiated.set(version);
    }

    pub(super) fn next_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(super) fn subscribe_notifications(&self) -> broadcast::Receiver<Notification> {
        self.notifications.subscribe()
    }

    /// Queues a message for the writer.
    pub(super) async fn enqueue(&self, message: Message) -> Result<(), Error> {
        self.outbound
            .send(Outbound::Message(message))
            .await
            .map_err(|_| Error::Closed)
    }

    /// Queues a message without waiting: when the queue is full, a task sends it later.
    pub(super) fn enqueue_nowait(&self, message: Message) {
        match self.outbound.try_send(Outbound::Message(message)) {
            Ok(()) | Err(TrySendError::Closed(_)) => {}
            Err(TrySendError::Full(item)) => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    let outbound = self.outbound.clone();
                    runtime.spawn(async move {
                        let _ = outbound.send(item).await;
                    });
                }
            }
        }
    }

    /// Asks the writer to flush and close; `None` when it has already stopped.
    pub(super) async fn close_writer(&self) -> Option<Result<(), mcplex_transport::Error>> {
        let (tx, rx) = oneshot::channel();
        self.outbound.send(Outbound::Close(tx)).await.ok()?;
        rx.await.ok()
    }

    /// Registers a request under a fresh id; fails when the connection is closed.
    ///
    /// A `subscriptions/listen` request passes the route for the notifications tagged with
    /// its id.
    pub(super) fn register(
        self: &Arc<Self>,
        route: Option<mpsc::Sender<Notification>>,
    ) -> Result<PendingCall, Error> {
        let id = self.next_id();
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = lock(&self.pending);
            if pending.closed {
                return Err(Error::Closed);
            }
            let listen = route.is_some();
            if let Some(route) = route {
                lock(&self.listens).insert(RequestId::Number(id), route);
            }
            pending.map.insert(id, PendingEntry { tx, listen });
        }
        Ok(PendingCall {
            shared: Arc::clone(self),
            id,
            rx,
            sent: false,
            done: false,
            reason: "request cancelled",
        })
    }

    /// Sends a request and waits for its result.
    pub(super) async fn call(
        self: &Arc<Self>,
        method: Method,
        params: Option<Payload>,
        cancel: Option<&CancellationToken>,
        timeout: Duration,
    ) -> Result<Payload, Error> {
        let deadline = Some(Instant::now() + timeout);
        let mut call = self.register(None)?;
        call.send(method, params, cancel, deadline).await?;
        call.wait(cancel, deadline).await
    }

    /// Removes a pending request (and its subscription route); `None` if it was not pending.
    fn forget(&self, id: i64) -> Option<PendingEntry> {
        let entry = lock(&self.pending).map.remove(&id)?;
        if entry.listen {
            lock(&self.listens).remove(&RequestId::Number(id));
        }
        Some(entry)
    }

    /// Cancels a pending request: fails it with [`Error::Cancelled`] and tells the server.
    /// Returns whether the request was pending.
    pub(super) fn cancel(&self, id: &RequestId, reason: Option<String>) -> bool {
        let RequestId::Number(n) = id else {
            return false;
        };
        let Some(entry) = self.forget(*n) else {
            return false;
        };
        let _ = entry.tx.send(Err(Error::Cancelled));
        self.send_cancelled(id.clone(), reason);
        true
    }

    fn send_cancelled(&self, id: RequestId, reason: Option<String>) {
        match Notification::new(method::CANCELLED, &CancelledParams::new(id, reason)) {
            Ok(note) => self.enqueue_nowait(Message::Notification(note)),
            Err(e) => tracing::warn!(error = %e, "could not encode a cancellation"),
        }
    }

    /// Hands a response to its waiting request.
    fn resolve(&self, id: &RequestId, reply: Reply) {
        let RequestId::Number(n) = id else {
            tracing::debug!(%id, "response to an unknown request id");
            return;
        };
        match self.forget(*n) {
            Some(entry) => {
                let _ = entry.tx.send(reply);
            }
            None => tracing::debug!(%id, "response to a request no longer pending"),
        }
    }

    /// A route for the progress notifications of one call, under a fresh token.
    pub(super) fn route_progress(
        self: &Arc<Self>,
        tx: mpsc::Sender<ProgressParams>,
    ) -> ProgressRoute {
        let token = ProgressToken::Number(self.next_id());
        lock(&self.progress).insert(token.clone(), tx);
        ProgressRoute {
            shared: Arc::clone(self),
            token,
        }
    }

    /// Ends the connection: fails every pending request with [`Error::Closed`], ends every
    /// route and stops both tasks.
    pub(super) fn close_all(&self) {
        let pending = {
            let mut pending = lock(&self.pending);
            pending.closed = true;
            std::mem::take(&mut pending.map)
        };
        drop(pending);
        lock(&self.progress).clear();
        lock(&self.listens).clear();
        for (_, task) in lock(&self.incoming).drain() {
            task.abort();
        }
        self.shutdown.cancel();
    }

    pub(super) fn incoming(&self) -> MutexGuard<'_, HashMap<RequestId, AbortHandle>> {
        lock(&self.incoming)
    }

    /// Takes one message from the server where it belongs.
    pub(super) fn dispatch(self: &Arc<Self>, message: Message) {
        match message {
            Message::Response(response) => self.resolve(&response.id, Ok(response.result)),
            Message::Error(error) => match error.id {
                Some(id) => self.resolve(&id, Err(Error::Rpc(error.error))),
                None => tracing::warn!(error = %error.error, "server sent an error without an id"),
            },
            Message::Notification(note) => self.on_notification(note),
            Message::Request(request) => incoming::spawn(self, request),
        }
    }

    fn on_notification(&self, note: Notification) {
        match note.method.as_str() {
            method::PROGRESS => self.route_progress_note(&note),
            method::CANCELLED => self.on_cancelled(&note),
            _ => {}
        }
        self.route_tagged(&note);
        let _ = self.notifications.send(note);
    }

    fn route_progress_note(&self, note: &Notification) {
        let Ok(progress) = note.params_as::<ProgressParams>() else {
            tracing::debug!("malformed progress notification");
            return;
        };
        let progress_routes = lock(&self.progress);
        if let Some(tx) = progress_routes.get(&progress.progress_token)
            && let Err(TrySendError::Full(_)) = tx.try_send(progress)
        {
            tracing::debug!("progress receiver is full; notification dropped");
        }
    }

    /// The server cancelled one of its requests (stateful) or ended a subscription
    /// (2026-07-28).
    fn on_cancelled(&self, note: &Notification) {
        let Ok(CancelledParams {
            request_id: Some(id),
            ..
        }) = note.params_as::<CancelledParams>()
        else {
            return;
        };
        if self.version().is_stateless() {
            self.resolve(&id, Err(Error::Cancelled));
        } else if let Some(task) = lock(&self.incoming).remove(&id) {
            task.abort();
        }
    }

    /// Routes a notification tagged with a subscription id to its subscription.
    fn route_tagged(&self, note: &Notification) {
        #[derive(Deserialize)]
        struct Tagged {
            #[serde(rename = "_meta")]
            meta: Option<TagMeta>,
        }
        #[derive(Deserialize)]
        struct TagMeta {
            #[serde(rename = "io.modelcontextprotocol/subscriptionId")]
            subscription_id: Option<RequestId>,
        }

        let listens = lock(&self.listens);
        if listens.is_empty() {
            return;
        }
        let Some(params) = &note.params else { return };
        let Ok(Tagged {
            meta: Some(TagMeta {
                subscription_id: Some(id),
            }),
        }) = params.parse::<Tagged>()
        else {
            return;
        };
        if let Some(tx) = listens.get(&id)
            && let Err(TrySendError::Full(_)) = tx.try_send(note.clone())
        {
            tracing::warn!(%id, "subscription receiver is full; notification dropped");
        }
    }
}

/// A request in flight. Dropping it before its response arrives forgets the request and,
/// once it was sent, tells the server with `notifications/cancelled`.
#[derive(Debug)]
pub(super) struct PendingCall {
    shared: Arc<Shared>,
    id: i64,
    rx: oneshot::Receiver<Reply>,
    sent: bool,
    done: bool,
    reason: &'static str,
}

impl PendingCall {
    pub(super) fn id(&self) -> RequestId {
        RequestId::Number(self.id)
    }

    /// Sets the reason sent with the cancellation when the call is dropped unanswered.
    pub(super) fn set_cancel_reason(&mut self, reason: &'static str) {
        self.reason = reason;
    }

    /// Queues the request.
    pub(super) async fn send(
        &mut self,
        method: Method,
        params: Option<Payload>,
        cancel: Option<&CancellationToken>,
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        let request = Message::Request(Request {
            id: self.id(),
            method,
            params,
        });
        tokio::select! {
            biased;
            queued = self.shared.enqueue(request) => {
                queued?;
                self.sent = true;
                Ok(())
            }
            () = cancelled(cancel) => Err(Error::Cancelled),
            () = expired(deadline) => Err(Error::Timeout),
        }
    }

    /// Waits for the response.
    pub(super) async fn wait(
        &mut self,
        cancel: Option<&CancellationToken>,
        deadline: Option<Instant>,
    ) -> Result<Payload, Error> {
        tokio::select! {
            biased;
            reply = &mut self.rx => {
                self.done = true;
                reply.unwrap_or(Err(Error::Closed))
            }
            () = cancelled(cancel) => Err(Error::Cancelled),
            () = expired(deadline) => {
                self.reason = "request timed out";
                Err(Error::Timeout)
            }
        }
    }
}

impl Drop for PendingCall {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let was_pending = self.shared.forget(self.id).is_some();
        if was_pending && self.sent && !self.shared.shutdown.is_cancelled() {
            self.shared
                .send_cancelled(self.id(), Some(self.reason.to_owned()));
        }
    }
}

async fn cancelled(token: Option<&CancellationToken>) {
    match token {
        Some(token) => token.cancelled().await,
        None => std::future::pending().await,
    }
}

async fn expired(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// The progress route of one call; removed on drop.
#[derive(Debug)]
pub(super) struct ProgressRoute {
    shared: Arc<Shared>,
    token: ProgressToken,
}

impl ProgressRoute {
    pub(super) fn token(&self) -> &ProgressToken {
        &self.token
    }
}

impl Drop for ProgressRoute {
    fn drop(&mut self) {
        lock(&self.shared.progress).remove(&self.token);
    }
}
