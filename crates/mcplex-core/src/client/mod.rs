//! An MCP client that speaks both wires over any connection-oriented
//! [`Transport`].
//!
//! [`Client::connect`] runs the handshake of the requested [`ProtocolVersion`]:
//!
//! - **stateful** revisions (through 2025-11-25): `initialize` with the requested version,
//!   a check that the server's answer is a stateful version the client knows, then
//!   `notifications/initialized`. The server may send requests to the client on the
//!   connection (elicitation, sampling, roots, ping); they are answered concurrently, through
//!   the [`InputHandler`].
//! - **2026-07-28** (stateless): `server/discover`, which must list 2026-07-28. Every later
//!   request carries the protocol version, client capabilities and client info in `_meta`,
//!   merged into any `_meta` the caller passed. `tools/call`, `prompts/get` and
//!   `resources/read` answer `input_required` results through the [`InputHandler`] and retry
//!   with the answers, up to 8 rounds.
//!
//! A client is a cheap handle (`Clone`) onto one connection with a reader task and a writer
//! task. Requests are pipelined: any number may be in flight at once, and the writer sends
//! what has queued up in one write. A request that outlives its timeout is cancelled with
//! `notifications/cancelled` and fails with [`Error::Timeout`]; when the connection closes,
//! every pending request fails with [`Error::Closed`] at once.
//!
//! # Example
//!
//! ```no_run
//! use mcplex_core::client::{Client, ClientOptions};
//! use mcplex_protocol::ProtocolVersion;
//!
//! # async fn run(transport: impl mcplex_transport::Transport) -> Result<(), mcplex_core::client::Error> {
//! let options = ClientOptions::default().with_protocol_version(ProtocolVersion::V2025_11_25);
//! let client = Client::connect(transport, options).await?;
//! for tool in client.list_tools().await? {
//!     println!("{}", tool.name);
//! }
//! let result = client.call_tool("echo", serde_json::json!({ "text": "hi" })).await?;
//! assert_eq!(result.is_error, None);
//! client.close().await?;
//! # Ok(())
//! # }
//! ```

mod calls;
mod connection;
mod error;
mod handshake;
mod incoming;
mod listen;
mod meta;
mod mrtr;
mod options;
mod tasks;

use std::fmt;
use std::sync::{Arc, Mutex};

use mcplex_protocol::model::{Implementation, ServerCapabilities};
use mcplex_protocol::{Message, Method, Notification, Payload, ProtocolVersion, RequestId};
use mcplex_transport::{ConnectionInfo, Transport};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::DropGuard;

use connection::{Shared, lock};
use handshake::ServerDescription;

pub use error::Error;
pub use listen::Subscription;
pub use options::{CallOptions, ClientOptions, FnInputHandler, InputHandler, input_handler_fn};

/// A connection to an MCP server; clones share the connection.
///
/// The connection stays open while any clone (or a [`Subscription`]) is alive, or until
/// [`close`](Client::close).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    server: ServerDescription,
    info: ConnectionInfo,
    reader: Mutex<Option<JoinHandle<()>>>,
    /// Stops both tasks when the last handle is dropped.
    _shutdown: DropGuard,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.inner.info.transport())
            .field("protocol_version", &self.inner.server.version)
            .field("server_info", &self.inner.server.info)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects over `transport` and runs the handshake of
    /// [`options.protocol_version`](ClientOptions::protocol_version).
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedVersion`] when the server cannot speak the requested version (or,
    /// on stateful revisions, answers with one the client does not know);
    /// [`Error::Rpc`], [`Error::Closed`], [`Error::Timeout`] or [`Error::Decode`] when the
    /// handshake itself fails.
    pub async fn connect<T: Transport>(
        transport: T,
        options: ClientOptions,
    ) -> Result<Client, Error> {
        let stamp = meta::MetaStamp::new(
            options.protocol_version,
            &options.capabilities,
            &options.client_info,
        )
        .map_err(Error::Params)?;
        let (reader, writer, info) = transport.split();
        let (shared, rx) = Shared::new(&options, stamp);
        let shutdown = shared.shutdown.clone().drop_guard();
        let reader = tasks::spawn(&shared, reader, writer, rx);
        let server = handshake::handshake(&shared, &options).await?;
        shared.set_version(server.version);
        Ok(Client {
            inner: Arc::new(Inner {
                shared,
                server,
                info,
                reader: Mutex::new(Some(reader)),
                _shutdown: shutdown,
            }),
        })
    }

    fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    /// The negotiated protocol version.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.inner.server.version
    }

    fn is_stateless(&self) -> bool {
        self.protocol_version().is_stateless()
    }

    /// Who the server is: from `initialize`, or from the `serverInfo` of `server/discover`
    /// (which a server may leave out).
    pub fn server_info(&self) -> Option<&Implementation> {
        self.inner.server.info.as_ref()
    }

    /// What the server supports.
    pub fn server_capabilities(&self) -> &ServerCapabilities {
        &self.inner.server.capabilities
    }

    /// The server's instructions for the model, if it gave any.
    pub fn instructions(&self) -> Option<&str> {
        self.inner.server.instructions.as_deref()
    }

    /// What the transport knows about the connection.
    pub fn connection_info(&self) -> &ConnectionInfo {
        &self.inner.info
    }

    /// Sends a request with typed parameters and decodes its result.
    ///
    /// On 2026-07-28 the request's `_meta` gets the per-request protocol fields. An
    /// `input_required` result is not answered here (see [`call_tool`](Self::call_tool)):
    /// it decodes into `R` or fails with [`Error::Decode`].
    ///
    /// # Errors
    ///
    /// [`Error::Rpc`] for a JSON-RPC error response, [`Error::Decode`] when the result is not
    /// an `R`, [`Error::Params`] when `params` cannot be serialized, and
    /// [`Error::Closed`] / [`Error::Timeout`].
    pub async fn request<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<R, Error> {
        let params = Payload::from_serialize(params).map_err(Error::Params)?;
        self.request_raw(method, Some(params))
            .await?
            .parse()
            .map_err(Error::Decode)
    }

    /// Sends a request with raw parameters and returns the raw result: the lowest level,
    /// for proxies and load generators.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request), without [`Error::Decode`].
    pub async fn request_raw(
        &self,
        method: &str,
        params: Option<Payload>,
    ) -> Result<Payload, Error> {
        self.request_raw_with(method, params, CallOptions::default())
            .await
    }

    /// [`request_raw`](Self::request_raw) with progress, cancellation and a timeout of its
    /// own.
    ///
    /// # Errors
    ///
    /// As [`request_raw`](Self::request_raw), and [`Error::Cancelled`].
    pub async fn request_raw_with(
        &self,
        method: &str,
        params: Option<Payload>,
        mut options: CallOptions,
    ) -> Result<Payload, Error> {
        let route = options
            .progress
            .take()
            .map(|tx| self.shared().route_progress(tx));
        let token = route.as_ref().map(|r| r.token());
        self.send_request(method, params, &options, token).await
    }

    /// Stamps `_meta` on `params`, sends the request and waits for its result.
    async fn send_request(
        &self,
        method: &str,
        params: Option<Payload>,
        options: &CallOptions,
        progress: Option<&mcplex_protocol::ProgressToken>,
    ) -> Result<Payload, Error> {
        let shared = self.shared();
        let params = shared
            .stamp
            .apply(params, progress)
            .map_err(Error::Params)?;
        let timeout = options.timeout.unwrap_or(shared.request_timeout);
        shared
            .call(
                Method::new(method),
                params,
                options.cancel.as_ref(),
                timeout,
            )
            .await
    }

    /// Sends a notification.
    ///
    /// # Errors
    ///
    /// [`Error::Params`] when `params` cannot be serialized, [`Error::Closed`] when the
    /// connection is closed.
    pub async fn notify<P: Serialize>(&self, method: &str, params: &P) -> Result<(), Error> {
        let params = Payload::from_serialize(params).map_err(Error::Params)?;
        let params = (params.get() != "null").then_some(params);
        self.shared()
            .enqueue(Message::Notification(Notification {
                method: Method::new(method),
                params,
            }))
            .await
    }

    /// Every notification the server sends from now on (progress, log messages, list
    /// changes, subscription traffic). A receiver that falls more than
    /// [`queue_capacity`](ClientOptions::queue_capacity) behind skips the oldest.
    pub fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.shared().subscribe_notifications()
    }

    /// Cancels the pending request `id`: it fails with [`Error::Cancelled`] and the server
    /// gets `notifications/cancelled`. Returns whether the request was pending; requests that
    /// already finished are left alone.
    ///
    /// Calls made with [`CallOptions::cancel`] are usually easier to cancel.
    pub fn cancel(&self, id: &RequestId, reason: Option<String>) -> bool {
        self.shared().cancel(id, reason)
    }

    /// Closes the connection: queued messages are written, the writer is closed and the
    /// reader stops. Pending requests on any clone fail with [`Error::Closed`].
    ///
    /// # Errors
    ///
    /// [`Error::Transport`] when closing the writer fails.
    pub async fn close(self) -> Result<(), Error> {
        let shared = self.shared();
        let outcome = shared.close_writer().await;
        shared.close_all();
        let reader = lock(&self.inner.reader).take();
        if let Some(reader) = reader {
            let _ = reader.await;
        }
        match outcome {
            Some(Err(e)) => Err(Error::Transport(e)),
            Some(Ok(())) | None => Ok(()),
        }
    }
}
