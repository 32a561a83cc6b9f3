//! What a handler knows about the request it serves.

use std::fmt;
use std::sync::Arc;

use mcplex_protocol::model::{
    ClientCapabilities, LoggingLevel, LoggingMessageParams, NotificationMeta, ProgressParams,
};
use mcplex_protocol::{Message, Notification, ProgressToken, ProtocolVersion, RequestId, Shape};
use mcplex_transport::Extensions;
use serde::Serialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::input::Input;
use crate::router::Peer;
use crate::session::Session;
use crate::state::KvStore;
use crate::{Principal, Server};

/// Per-request data shared by every round of one request.
pub(crate) struct CallShared {
    pub(crate) server: Server,
    pub(crate) request_id: RequestId,
    pub(crate) version: ProtocolVersion,
    /// The caller's principal, outbound queue and extensions (shared, not copied per request).
    pub(crate) peer: Arc<Peer>,
    pub(crate) session: Option<Arc<Session>>,
    pub(crate) client_capabilities: Arc<ClientCapabilities>,
    pub(crate) cancel: CancellationToken,
    pub(crate) progress_token: Option<ProgressToken>,
    /// The threshold for log notifications on the stateless wire (`None`: send none).
    pub(crate) log_level: Option<LoggingLevel>,
}

/// The handler's view of a request: cancellation, progress, logging, the caller, the client's
/// answers to input requests, and the server's shared state.
///
/// Cheap to clone; clones refer to the same request.
#[derive(Clone)]
pub struct Context {
    shared: Arc<CallShared>,
    input: Arc<Input>,
    state: Option<Arc<Value>>,
}

impl Context {
    pub(crate) fn new(shared: Arc<CallShared>, input: Input, state: Option<Value>) -> Self {
        Self {
            shared,
            input: Arc::new(input),
            state: state.map(Arc::new),
        }
    }

    /// The id of the request being served.
    pub fn request_id(&self) -> &RequestId {
        &self.shared.request_id
    }

    /// The protocol revision of the request.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.shared.version
    }

    /// Fires when the client cancels the request, disconnects, or the call times out.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.shared.cancel
    }

    /// Whether the request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.shared.cancel.is_cancelled()
    }

    /// Reports progress; sent only when the client asked for progress on this request.
    pub fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let Some(token) = &self.shared.progress_token else {
            return;
        };
        let mut params = ProgressParams::new(token.clone(), progress);
        params.total = total;
        params.message = message.map(str::to_owned);
        params.shape(self.shared.version);
        self.send_notification(mcplex_protocol::method::PROGRESS, &params);
    }

    /// Whether a log message at `level` would be sent to the client.
    pub fn log_enabled(&self, level: LoggingLevel) -> bool {
        match &self.shared.session {
            Some(session) => level >= session.log_level(),
            None => self.shared.log_level.is_some_and(|min| level >= min),
        }
    }

    /// Sends a log message to the client (`notifications/message`) if its level is enabled:
    /// at or above the session's level (`logging/setLevel`) on stateful wires, at or above the
    /// request's `io.modelcontextprotocol/logLevel` on 2026-07-28 (none without it).
    pub fn log(&self, level: LoggingLevel, logger: Option<&str>, data: impl Serialize) {
        if !self.log_enabled(level) {
            return;
        }
        let Ok(data) = serde_json::to_value(data) else {
            return;
        };
        let mut params = LoggingMessageParams {
            level,
            logger: logger.map(str::to_owned),
            data,
            meta: None::<NotificationMeta>,
        };
        params.shape(self.shared.version);
        self.send_notification(mcplex_protocol::method::MESSAGE, &params);
    }

    fn send_notification(&self, method: &'static str, params: &impl Serialize) {
        if let Ok(n) = Notification::new(method, params) {
            self.shared.peer.outbound.notify(Message::Notification(n));
        }
    }

    /// The authenticated caller, if authentication is configured.
    pub fn principal(&self) -> Option<&Principal> {
        self.shared.peer.principal.as_ref()
    }

    /// The session id on stateful wires.
    pub fn session_id(&self) -> Option<String> {
        self.shared.session.as_ref().map(|s| s.id.to_string())
    }

    /// What the client declared it supports.
    pub fn client_capabilities(&self) -> &ClientCapabilities {
        &self.shared.client_capabilities
    }

    /// The client's answers to this handler's earlier [`InputRequired`](crate::InputRequired)
    /// (empty on the first call).
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// The state this handler returned with its [`InputRequired`](crate::InputRequired)
    /// (verified: unaltered, same caller, same request, not expired).
    pub fn state(&self) -> Option<&Value> {
        self.state.as_deref()
    }

    /// The server's shared key-value store (in memory, or Redis when scaled out).
    pub fn kv(&self) -> &Arc<dyn KvStore> {
        self.shared.server.kv()
    }

    /// The server, to publish notifications (resource updates, list changes).
    pub fn server(&self) -> &Server {
        &self.shared.server
    }

    /// Data attached to the connection or request by outer layers (for example HTTP headers).
    pub fn extensions(&self) -> &Extensions {
        &self.shared.peer.extensions
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("request_id", &self.shared.request_id)
            .field("version", &self.shared.version)
            .finish_non_exhaustive()
    }
}
