//! Client configuration: [`ClientOptions`], per-call [`CallOptions`] and the [`InputHandler`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use mcplex_protocol::ErrorObject;
use mcplex_protocol::ProtocolVersion;
use mcplex_protocol::model::{
    ClientCapabilities, Implementation, InputRequest, InputResponse, ProgressParams,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::BoxFuture;

/// Answers what a server asks of the client: elicitation, sampling and roots.
///
/// The same handler serves both wires: on stateful revisions the server sends these as
/// requests on the connection (`elicitation/create`, `sampling/createMessage`, `roots/list`);
/// on 2026-07-28 they arrive as the `inputRequests` of an `input_required` result, and the
/// client retries the original request with the answers.
///
/// Declare the matching [`ClientCapabilities`] in [`ClientOptions::capabilities`]: a server
/// only asks for what the client declared.
///
/// Closures become handlers with [`input_handler_fn`].
pub trait InputHandler: Send + Sync + fmt::Debug + 'static {
    /// Answers one input request; an error is sent to the server as a JSON-RPC error
    /// (stateful) or fails the call ([`Error::Input`](super::Error::Input), 2026-07-28).
    fn handle(
        &self,
        request: InputRequest,
    ) -> BoxFuture<'static, Result<InputResponse, ErrorObject>>;
}

/// An [`InputHandler`] that calls a closure; made by [`input_handler_fn`].
#[derive(Clone)]
pub struct FnInputHandler<F> {
    f: F,
}

impl<F> fmt::Debug for FnInputHandler<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnInputHandler").finish_non_exhaustive()
    }
}

/// Makes an [`InputHandler`] from a closure returning a future.
///
/// ```
/// use mcplex_core::client::{input_handler_fn, ClientOptions};
/// use mcplex_protocol::model::{ElicitAction, ElicitResult, InputRequest, InputResponse};
/// use mcplex_protocol::ErrorObject;
///
/// let options = ClientOptions::default().with_input_handler(input_handler_fn(|request| async move {
///     match request {
///         InputRequest::Elicit(_) => Ok(InputResponse::Elicit(ElicitResult::new(ElicitAction::Decline))),
///         other => Err(ErrorObject::method_not_found(other.method())),
///     }
/// }));
/// assert!(options.input_handler.is_some());
/// ```
pub fn input_handler_fn<F, Fut>(f: F) -> FnInputHandler<F>
where
    F: Fn(InputRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<InputResponse, ErrorObject>> + Send + 'static,
{
    FnInputHandler { f }
}

impl<F, Fut> InputHandler for FnInputHandler<F>
where
    F: Fn(InputRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<InputResponse, ErrorObject>> + Send + 'static,
{
    fn handle(
        &self,
        request: InputRequest,
    ) -> BoxFuture<'static, Result<InputResponse, ErrorObject>> {
        Box::pin((self.f)(request))
    }
}

/// How a [`Client`](super::Client) connects and behaves.
///
/// ```
/// use std::time::Duration;
/// use mcplex_core::client::ClientOptions;
/// use mcplex_protocol::ProtocolVersion;
///
/// let options = ClientOptions {
///     protocol_version: ProtocolVersion::V2025_11_25,
///     request_timeout: Duration::from_secs(5),
///     ..ClientOptions::default()
/// };
/// assert_eq!(options.queue_capacity, 1024);
/// ```
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The protocol version to speak. Stateful versions (through 2025-11-25) start with
    /// `initialize` and accept any stateful version the server answers with; 2026-07-28
    /// starts with `server/discover` and requires the server to list it. Default:
    /// [`ProtocolVersion::LATEST`].
    pub protocol_version: ProtocolVersion,
    /// Who the client is. Default: `mcplex` and this crate's version.
    pub client_info: Implementation,
    /// What the client supports; declare `elicitation`, `sampling` or `roots` when an
    /// [`input_handler`](Self::input_handler) answers them. Default: nothing.
    pub capabilities: ClientCapabilities,
    /// How long a request may wait for its response before it is cancelled and fails with
    /// [`Error::Timeout`](super::Error::Timeout). Default: 60 s.
    pub request_timeout: Duration,
    /// Answers elicitation, sampling and roots requests. Default: none (such requests are
    /// refused).
    pub input_handler: Option<Arc<dyn InputHandler>>,
    /// The outbound message queue, and the buffer of
    /// [`notifications`](super::Client::notifications) a slow receiver may lag behind.
    /// Default: 1024.
    pub queue_capacity: usize,
}

impl ClientOptions {
    /// Sets the protocol version.
    pub fn with_protocol_version(mut self, version: ProtocolVersion) -> Self {
        self.protocol_version = version;
        self
    }

    /// Sets the input handler.
    pub fn with_input_handler(mut self, handler: impl InputHandler) -> Self {
        self.input_handler = Some(Arc::new(handler));
        self
    }

    /// Sets the capabilities.
    pub fn with_capabilities(mut self, capabilities: ClientCapabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Sets the request timeout.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            protocol_version: ProtocolVersion::LATEST,
            client_info: Implementation::new("mcplex", env!("CARGO_PKG_VERSION")),
            capabilities: ClientCapabilities::default(),
            request_timeout: Duration::from_secs(60),
            input_handler: None,
            queue_capacity: 1024,
        }
    }
}

/// Per-call options: progress, cancellation and a timeout of its own.
///
/// ```
/// use mcplex_core::client::CallOptions;
/// use tokio_util::sync::CancellationToken;
///
/// let cancel = CancellationToken::new();
/// let options = CallOptions::default().with_cancel(cancel.clone());
/// assert!(options.progress.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Receives the call's `notifications/progress`: the client puts a fresh `progressToken`
    /// in the request's `_meta` and routes progress with that token here. A notification is
    /// dropped when the channel is full, so that a slow receiver never stalls the connection.
    pub progress: Option<mpsc::Sender<ProgressParams>>,
    /// Cancels the call: the client sends `notifications/cancelled` and the call fails at
    /// once with [`Error::Cancelled`](super::Error::Cancelled).
    pub cancel: Option<CancellationToken>,
    /// Overrides [`ClientOptions::request_timeout`] for this call.
    pub timeout: Option<Duration>,
}

impl CallOptions {
    /// Routes the call's progress notifications to `progress`.
    pub fn with_progress(mut self, progress: mpsc::Sender<ProgressParams>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Cancels the call when `cancel` is cancelled.
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// Sets the timeout of this call.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}
