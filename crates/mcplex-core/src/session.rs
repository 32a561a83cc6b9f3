//! Live state of a stateful session (2025-11-25 and earlier).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcplex_protocol::model::{CancelledParams, ClientCapabilities, Implementation, LoggingLevel};
use mcplex_protocol::{
    ErrorObject, Message, Method, Notification, Payload, ProtocolVersion, Request, RequestId,
};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::Server;
use crate::outbound::Outbound;
use crate::state::{SessionId, SessionRecord};

type Pending = HashMap<RequestId, oneshot::Sender<Result<Payload, ErrorObject>>>;

/// A stateful session: negotiated revision, client identity and capabilities, log level,
/// resource subscriptions, and the server-to-client requests waiting for answers.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: SessionId,
    pub(crate) version: ProtocolVersion,
    pub(crate) client_info: Option<Implementation>,
    pub(crate) client_capabilities: Arc<ClientCapabilities>,
    pub(crate) principal: Option<String>,
    pub(crate) initialized: AtomicBool,
    /// Whether the session lives in the [`SessionStore`](crate::state::SessionStore) (HTTP)
    /// rather than only on its connection.
    pub(crate) stored: bool,
    log_level: Mutex<LoggingLevel>,
    subscriptions: Mutex<BTreeSet<String>>,
    pending: Mutex<Pending>,
    next_request: AtomicU64,
}

impl Session {
    pub(crate) fn new(
        version: ProtocolVersion,
        client_info: Option<Implementation>,
        client_capabilities: ClientCapabilities,
        principal: Option<String>,
        stored: bool,
    ) -> Self {
        // Keep only what the negotiated revision defines (no elicitation before 2025-06-18).
        let mut client_capabilities = client_capabilities;
        mcplex_protocol::Shape::shape(&mut client_capabilities, version);
        Self {
            id: SessionId::mint(),
            version,
            client_info,
            client_capabilities: Arc::new(client_capabilities),
            principal,
            initialized: AtomicBool::new(false),
            stored,
            log_level: Mutex::new(LoggingLevel::Info),
            subscriptions: Mutex::new(BTreeSet::new()),
            pending: Mutex::new(HashMap::new()),
            next_request: AtomicU64::new(1),
        }
    }

    pub(crate) fn log_level(&self) -> LoggingLevel {
        *lock(&self.log_level)
    }

    pub(crate) fn set_log_level(&self, level: LoggingLevel) {
        *lock(&self.log_level) = level;
    }

    pub(crate) fn subscribe(&self, uri: String) {
        lock(&self.subscriptions).insert(uri);
    }

    pub(crate) fn unsubscribe(&self, uri: &str) {
        lock(&self.subscriptions).remove(uri);
    }

    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        lock(&self.subscriptions).contains(uri)
    }

    /// The record kept in the session store.
    pub(crate) fn to_record(&self) -> SessionRecord {
        let mut record = SessionRecord::new(self.id.clone(), self.version);
        record.client_info.clone_from(&self.client_info);
        record.client_capabilities = (*self.client_capabilities).clone();
        record.log_level = Some(self.log_level());
        record.subscriptions = lock(&self.subscriptions).clone();
        record.principal.clone_from(&self.principal);
        record.initialized = self.initialized.load(std::sync::atomic::Ordering::Acquire);
        record
    }

    /// Persists the session if it lives in the store; failures are logged (the live session
    /// keeps working on this instance).
    pub(crate) async fn save(&self, server: &Server) {
        if !self.stored {
            return;
        }
        if let Err(e) = server.session_store().save(&self.to_record()).await {
            tracing::warn!(session = %self.id, error = %e, "saving the session failed");
        }
    }

    pub(crate) async fn set_level_and_save(&self, server: &Server, level: LoggingLevel) {
        self.set_log_level(level);
        self.save(server).await;
    }

    /// Sends a server-to-client request through `outbound` and waits for the answer.
    pub(crate) async fn request(
        &self,
        outbound: &Outbound,
        method: &'static str,
        params: Option<Payload>,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<Payload, ErrorObject> {
        let n = self.next_request.fetch_add(1, Ordering::Relaxed);
        let id = RequestId::String(format!("mcplex-{n}").into());
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id.clone(), tx);
        let request = Request {
            id: id.clone(),
            method: Method::from_static(method),
            params,
        };
        if !outbound.send(Message::Request(request)).await {
            lock(&self.pending).remove(&id);
            return Err(ErrorObject::internal("the client disconnected"));
        }
        let outcome = tokio::select! {
            answer = rx => answer.unwrap_or_else(|_| Err(ErrorObject::internal("the client disconnected"))),
            () = tokio::time::sleep(timeout) => Err(ErrorObject::internal(format!("the client did not answer {method} in time"))),
            () = cancel.cancelled() => Err(ErrorObject::internal("request cancelled")),
        };
        if lock(&self.pending).remove(&id).is_some() {
            // Still pending: tell the client we stopped waiting.
            let params = CancelledParams::new(id, Some("no longer needed".into()));
            if let Ok(n) = Notification::new(mcplex_protocol::method::CANCELLED, &params) {
                outbound.notify(Message::Notification(n));
            }
        }
        outcome
    }

    /// Delivers the client's answer to a server-to-client request; `false` if none waits.
    pub(crate) fn resolve(&self, id: &RequestId, answer: Result<Payload, ErrorObject>) -> bool {
        match lock(&self.pending).remove(id) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the data here stays
/// consistent under every operation, so poisoning carries no meaning).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Read-locks an `RwLock`, recovering from poisoning like [`lock`].
pub(crate) fn lock_read<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
