//! The server side: [`Endpoint`], its axum [`Router`], and [`Endpoint::serve`].

mod body;
mod guard;
mod headers;
mod legacy;
mod metrics;
mod observe;
mod params;
mod reply;
mod serve;
mod session;
pub(crate) mod sse;
mod standalone;
mod stateless;
mod streamable;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use mcplex_core::{Server, StreamableHttp};
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::SseOptions;
use guard::Guard;
use metrics::Metrics;
use params::ParamHeaders;

/// The address of the peer of a connection accepted by [`Endpoint::serve`], in the request
/// extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// The HTTP face of one [`Server`]: Streamable HTTP for every revision, the legacy HTTP+SSE
/// transport, health, readiness and metrics.
///
/// Build one with [`Endpoint::new`], then either [`serve`](Endpoint::serve) it on a TCP
/// listener (timeouts, `TCP_NODELAY`, graceful shutdown included) or mount its
/// [`router`](Endpoint::router) in an axum application of your own. Clones share everything.
///
/// | route | methods | what |
/// |---|---|---|
/// | `/mcp` ([`SseOptions::endpoint`]) | POST, GET, DELETE | Streamable HTTP |
/// | `/sse` ([`SseOptions::legacy_sse_path`]) | GET | legacy event stream (2024-11-05) |
/// | `/messages?sessionId=` ([`SseOptions::legacy_messages_path`]) | POST | legacy messages |
/// | `/healthz` | GET | `200 ok` while the process runs |
/// | `/readyz` | GET | `200 ready`, or `503` once shutdown began |
/// | `/metrics` | GET | Prometheus text format |
#[derive(Clone)]
pub struct Endpoint {
    shared: Arc<Shared>,
}

/// What every handler shares.
pub(crate) struct Shared {
    pub(crate) server: Server,
    pub(crate) http: StreamableHttp,
    pub(crate) options: SseOptions,
    pub(crate) guard: Guard,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) legacy: legacy::Sessions,
    pub(crate) streams: standalone::Streams,
    pub(crate) params: Arc<ParamHeaders>,
    /// Fires when the grace period is over: every stream ends.
    pub(crate) force: CancellationToken,
    /// Fires when shutdown begins (and with `force`): long-lived streams end, readiness fails.
    pub(crate) closing: CancellationToken,
    /// Fires when the endpoint is dropped: background tasks end.
    pub(crate) life: CancellationToken,
    background: OnceLock<()>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.life.cancel();
    }
}

impl Endpoint {
    /// Serves `server` with `options`.
    ///
    /// Idle stateful sessions are reaped in the background, every
    /// [`SseOptions::sweep_interval`]; the task starts here when called inside a Tokio runtime,
    /// else with the first request, and ends when the last clone is dropped.
    pub fn new(server: Server, options: SseOptions) -> Self {
        let force = CancellationToken::new();
        let shared = Arc::new(Shared {
            http: StreamableHttp::new(server.clone(), options.session_mode),
            server,
            guard: Guard::new(
                options.allowed_origins.clone(),
                options.allowed_hosts.clone(),
            ),
            options,
            metrics: Arc::new(Metrics::default()),
            legacy: legacy::Sessions::default(),
            streams: standalone::Streams::default(),
            params: Arc::default(),
            closing: force.child_token(),
            force,
            life: CancellationToken::new(),
            background: OnceLock::new(),
        });
        shared.start_background();
        Self { shared }
    }

    /// The routes, ready to serve or to merge into a larger axum application.
    ///
    /// Every route checks `Origin` and `Host` first (see [`SseOptions::allowed_origins`]).
    /// Served this way rather than through [`serve`](Endpoint::serve), the bind address is
    /// unknown, so the default allow lists are the loopback ones; header and body timeouts
    /// other than [`SseOptions::body_read_timeout`] are the host application's.
    ///
    /// # Panics
    ///
    /// Panics, as axum does, if a configured path does not start with `/` or two of them are
    /// the same.
    pub fn router(&self) -> Router {
        let shared = &self.shared;
        let options = &shared.options;
        let mut router = Router::new().route(
            &options.endpoint,
            post(streamable::post)
                .get(session::get)
                .delete(session::delete),
        );
        if options.legacy {
            router = router
                .route(&options.legacy_sse_path, get(legacy::get))
                .route(&options.legacy_messages_path, post(legacy::post));
        }
        router
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics_text))
            .layer(guard::GuardLayer::new(shared.clone()))
            .with_state(shared.clone())
    }

    /// The Streamable HTTP front of the server (sessions, [`StreamableHttp::session_count`]).
    pub fn streamable_http(&self) -> &StreamableHttp {
        &self.shared.http
    }

    /// The server.
    pub fn server(&self) -> &Server {
        &self.shared.server
    }

    /// Legacy HTTP+SSE sessions open now.
    pub fn legacy_session_count(&self) -> usize {
        self.shared.legacy.len()
    }

    /// SSE response streams open now.
    pub fn open_streams(&self) -> usize {
        usize::try_from(self.shared.metrics.streams_open()).unwrap_or(0)
    }

    /// Whether the endpoint still takes new work (`/readyz` answers 200).
    pub fn is_ready(&self) -> bool {
        !self.shared.closing.is_cancelled()
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("options", &self.shared.options)
            .field("sessions", &self.shared.http.session_count())
            .field("legacy_sessions", &self.shared.legacy.len())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Starts the session sweeper once, if a runtime is at hand.
    pub(crate) fn start_background(self: &Arc<Self>) {
        if tokio::runtime::Handle::try_current().is_err() || self.background.set(()).is_err() {
            return;
        }
        let every = self
            .options
            .sweep_every(self.server.limits().session_idle_ttl);
        let weak = Arc::downgrade(self);
        let life = self.life.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = life.cancelled() => return,
                }
                let Some(shared) = weak.upgrade() else { return };
                let reaped = shared.http.sweep().await;
                if reaped > 0 {
                    tracing::debug!(reaped, "removed idle sessions");
                }
            }
        });
    }
}

/// Refuses requests with a bad `Origin` or `Host` (403) before any route sees them.
async fn healthz() -> Response {
    reply::text(StatusCode::OK, "ok\n")
}

async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    if shared.closing.is_cancelled() {
        reply::text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else {
        reply::text(StatusCode::OK, "ready\n")
    }
}

async fn metrics_text(State(shared): State<Arc<Shared>>) -> Response {
    let text = shared
        .metrics
        .render(shared.http.session_count(), shared.legacy.len());
    let mut response = reply::text(StatusCode::OK, "");
    *response.body_mut() = axum::body::Body::from(text);
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
