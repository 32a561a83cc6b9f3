//! The server side: [`Endpoint`], its axum [`Router`], the HTTP accept loop and the raw accept.

mod accept;
mod serve;
mod upgrade;

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use mcplex_core::Server;
use mcplex_transport::ConnectionInfo;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::WsOptions;
use crate::conn::{Conn, Policy, Socket};
use crate::guard::Guard;
use crate::handshake::Refusal;
use crate::metrics::Metrics;
use crate::transport::{Settings, WsTransport};

/// How long connections get, beyond the shutdown grace period and the close timeout, before
/// [`Endpoint::shutdown`] stops waiting for them.
const SHUTDOWN_SLACK: Duration = Duration::from_secs(1);

/// The address of the peer of a connection accepted by [`Endpoint::serve`], in the request
/// extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// The WebSocket face of one [`Server`]: the upgrade route, health, readiness and metrics.
///
/// Build one with [`Endpoint::new`], then [`serve`](Endpoint::serve) it on a TCP listener,
/// mount its [`router`](Endpoint::router) in an axum application of your own, or hand it raw
/// connections with [`accept`](Endpoint::accept) / [`serve_raw`](Endpoint::serve_raw).
/// Clones share everything.
///
/// | route | what |
/// |---|---|
/// | `GET /ws` ([`WsOptions::path`]) | WebSocket upgrade, subprotocol `mcp` |
/// | `GET /healthz` | `200 ok` while the process runs |
/// | `GET /readyz` | `200 ready`, or `503` once shutdown began |
/// | `GET /metrics` | Prometheus text format |
///
/// Every route checks `Origin` and `Host` first (403, see [`WsOptions::allowed_origins`]).
/// An upgrade request is answered with:
///
/// | status | when |
/// |---|---|
/// | `101 Switching Protocols` | a WebSocket upgrade offering `mcp` (selected in `Sec-WebSocket-Protocol`) |
/// | `400 Bad Request` | no `mcp` offer (unless [`WsOptions::allow_no_subprotocol`]), or only unknown `mcp.version.<revision>` offers |
/// | `403 Forbidden` | an `Origin` or `Host` that is not allowed |
/// | `426 Upgrade Required` | not a WebSocket upgrade, or a WebSocket version other than 13 |
/// | `503 Service Unavailable` | shutdown began |
#[derive(Clone)]
pub struct Endpoint {
    shared: Arc<Shared>,
}

/// What every handler and connection shares.
pub(crate) struct Shared {
    pub(crate) server: Server,
    pub(crate) options: WsOptions,
    pub(crate) guard: Guard,
    pub(crate) metrics: Arc<Metrics>,
    /// Fires when shutdown begins: no new connections, readiness fails.
    pub(crate) closing: CancellationToken,
    /// The WebSocket connections being served.
    pub(crate) connections: TaskTracker,
}

impl Endpoint {
    /// Serves `server` with `options`.
    pub fn new(server: Server, options: WsOptions) -> Self {
        let guard = Guard::new(
            options.allowed_origins.as_deref(),
            options.allowed_hosts.as_deref(),
        );
        Self {
            shared: Arc::new(Shared {
                server,
                options,
                guard,
                metrics: Arc::default(),
                closing: CancellationToken::new(),
                connections: TaskTracker::new(),
            }),
        }
    }

    /// The routes, ready to serve or to merge into a larger axum application.
    ///
    /// Upgrades need an HTTP/1.1 server that supports them (hyper's `with_upgrades`, which
    /// `axum::serve` and [`serve`](Endpoint::serve) use). Served this way the bind address is
    /// unknown, so the default allow lists are the loopback ones.
    pub fn router(&self) -> Router {
        let shared = &self.shared;
        Router::new()
            .route(&shared.options.path, get(upgrade::upgrade))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics_text))
            .layer(middleware::from_fn_with_state(shared.clone(), check_origin))
            .with_state(shared.clone())
    }

    /// The server.
    pub fn server(&self) -> &Server {
        &self.shared.server
    }

    /// The options.
    pub fn options(&self) -> &WsOptions {
        &self.shared.options
    }

    /// WebSocket connections open now.
    pub fn open_connections(&self) -> usize {
        self.shared.metrics.connections_open()
    }

    /// Whether the endpoint still takes new connections (`/readyz` answers 200).
    pub fn is_ready(&self) -> bool {
        !self.shared.closing.is_cancelled()
    }

    /// The metrics in the Prometheus text format, as `/metrics` serves them.
    pub fn metrics_text(&self) -> String {
        self.shared.metrics.render(self.is_ready())
    }

    /// Shuts down gracefully and waits for every connection to close.
    ///
    /// New upgrades are refused (503) and `/readyz` answers 503; the server
    /// [shuts down](Server::shutdown), which lets requests in flight finish within the
    /// server's [`shutdown_grace`](mcplex_core::Limits::shutdown_grace); then every connection
    /// is closed with 1001 ("going away"). Returns when all are closed, or after the grace
    /// period plus [`WsOptions::close_timeout`] at most.
    pub async fn shutdown(&self) {
        let shared = &self.shared;
        shared.closing.cancel();
        shared.server.shutdown();
        shared.connections.close();
        let limit =
            shared.server.limits().shutdown_grace + shared.options.close_timeout + SHUTDOWN_SLACK;
        if tokio::time::timeout(limit, shared.connections.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                open = self.open_connections(),
                "connections still open after the shutdown deadline"
            );
        }
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("options", &self.shared.options)
            .field("open_connections", &self.open_connections())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Serves one established WebSocket until it closes.
    ///
    /// Not an `async fn`: the future lives as long as the connection, and an `async fn` would
    /// keep room for its arguments (the socket) in it for that whole time. Everything is set up
    /// here, so the future holds only what serving needs.
    pub(crate) fn run(
        self: Arc<Self>,
        socket: Socket,
        info: ConnectionInfo,
    ) -> impl Future<Output = ()> + Send + 'static {
        let open = self.metrics.connection_opened();
        let policy = Policy::Served {
            shutdown: self.server.shutdown_token().clone(),
        };
        let conn = Arc::new(Conn::new(socket, policy, Some(self.metrics.clone())));
        let limits = self.server.limits();
        let settings = Settings {
            decode: limits.decode,
            ping_interval: self.options.ping_interval,
            pong_timeout: self.options.pong_timeout,
        };
        let transport = WsTransport::new(conn.clone(), settings, info);
        async move {
            let _open = open;
            match self.server.serve_connection_until(transport).await {
                Ok(mcplex_core::Ended::Overflow) => {
                    // The peer reads too slowly: close with 1013, other connections unaffected.
                    conn.lock()
                        .fault
                        .get_or_insert(crate::CloseCode::TRY_AGAIN_LATER);
                }
                Ok(_) => {}
                Err(error) => tracing::debug!(%error, "websocket connection ended with an error"),
            }
            conn.finish(self.options.close_timeout).await;
        }
    }

    pub(crate) fn refuse(&self, refusal: Refusal) -> Response {
        self.metrics.refused(refusal);
        tracing::debug!(reason = refusal.label(), "refused a websocket upgrade");
        let mut response = text(refusal.status(), refusal.message());
        if refusal.status() == StatusCode::UPGRADE_REQUIRED {
            let headers = response.headers_mut();
            headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
            headers.insert(
                header::SEC_WEBSOCKET_VERSION,
                HeaderValue::from_static("13"),
            );
        }
        response
    }
}

/// Refuses requests with a bad `Origin` or `Host` (403) before any route sees them.
async fn check_origin(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    match shared.guard.check(request.headers(), request.uri()) {
        Ok(()) => next.run(request).await,
        Err(violation) => shared.refuse(violation.into()),
    }
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n")
}

async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    if shared.closing.is_cancelled() {
        text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else {
        text(StatusCode::OK, "ready\n")
    }
}

async fn metrics_text(State(shared): State<Arc<Shared>>) -> Response {
    let body = shared.metrics.render(!shared.closing.is_cancelled());
    let mut response = text(StatusCode::OK, "");
    *response.body_mut() = Body::from(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

pub(crate) fn text(status: StatusCode, body: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
