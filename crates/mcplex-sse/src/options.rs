//! [`SseOptions`]: paths, timeouts and the Origin and Host policy of the HTTP endpoints.

use std::time::Duration;

use mcplex_core::SessionMode;

/// How the HTTP endpoints behave. Every field has a documented default ([`SseOptions::default`]).
///
/// Message size, session count, idle session TTL, per-stream queue length and tool timeout are
/// the server's [`Limits`](mcplex_core::Limits); they are not repeated here.
///
/// ```
/// use std::time::Duration;
/// use mcplex_sse::SseOptions;
///
/// let options = SseOptions {
///     allowed_hosts: Some(vec!["mcp.example.com".into()]),
///     keep_alive: Duration::from_secs(20),
///     ..SseOptions::default()
/// };
/// assert_eq!(options.endpoint, "/mcp");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseOptions {
    /// Path of the Streamable HTTP endpoint (POST, GET, DELETE). Default `/mcp`.
    pub endpoint: String,
    /// Whether `initialize` mints session ids for pre-2026 clients. Default
    /// [`SessionMode::Stateful`].
    pub session_mode: SessionMode,
    /// Serve the legacy 2024-11-05 HTTP+SSE transport ([`legacy_sse_path`] and
    /// [`legacy_messages_path`]). Default `true`.
    ///
    /// [`legacy_sse_path`]: SseOptions::legacy_sse_path
    /// [`legacy_messages_path`]: SseOptions::legacy_messages_path
    pub legacy: bool,
    /// Path of the legacy event stream (GET). Default `/sse`.
    pub legacy_sse_path: String,
    /// Path the legacy `endpoint` event announces for POSTed messages. Default `/messages`.
    pub legacy_messages_path: String,
    /// Origins allowed in the `Origin` header (`scheme://host[:port]`, or `*` for any). A
    /// request with any other `Origin` is refused with 403; a request without one is allowed.
    ///
    /// Default `None`: when served on a loopback address (or when the bind address is not known,
    /// as with [`Endpoint::router`](crate::Endpoint::router)), only loopback origins
    /// (`localhost`, `127.0.0.1`, `[::1]`, any scheme and port); on any other address, any
    /// origin.
    pub allowed_origins: Option<Vec<String>>,
    /// Host names allowed in the `Host` header (`name`, `name:port`, or `*` for any), against
    /// DNS rebinding. Any other host is refused with 403.
    ///
    /// Default `None`: loopback names only (`localhost`, `127.0.0.1`, `[::1]`) when served on a
    /// loopback address or when the bind address is not known; any host otherwise.
    pub allowed_hosts: Option<Vec<String>>,
    /// Longest wait for a request's headers, per request on a connection (idle keep-alive
    /// connections included); the connection is then closed. Default 10 s. Applies to
    /// [`Endpoint::serve`](crate::Endpoint::serve).
    pub header_read_timeout: Duration,
    /// Longest wait for a whole request body; the request is answered with 408 and the
    /// connection closed. Default 30 s.
    pub body_read_timeout: Duration,
    /// Interval of SSE keep-alive comments on idle streams. Default 15 s.
    pub keep_alive: Duration,
    /// How long the standalone stream of a session whose client went away keeps collecting
    /// messages for a resume with `Last-Event-ID`. Default 60 s.
    pub resume_window: Duration,
    /// How often idle stateful sessions are reaped. Default `None`: a quarter of the server's
    /// idle session TTL, at most 30 s.
    pub sweep_interval: Option<Duration>,
    /// How long a graceful shutdown lets in-flight requests finish before it cancels them.
    /// Default 10 s.
    pub shutdown_grace: Duration,
}

impl Default for SseOptions {
    fn default() -> Self {
        Self {
            endpoint: "/mcp".to_owned(),
            session_mode: SessionMode::Stateful,
            legacy: true,
            legacy_sse_path: "/sse".to_owned(),
            legacy_messages_path: "/messages".to_owned(),
            allowed_origins: None,
            allowed_hosts: None,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            keep_alive: Duration::from_secs(15),
            resume_window: Duration::from_secs(60),
            sweep_interval: None,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl SseOptions {
    /// The sweep interval in force for an idle session TTL of `ttl`.
    pub(crate) fn sweep_every(&self, ttl: Duration) -> Duration {
        self.sweep_interval
            .unwrap_or_else(|| (ttl / 4).min(Duration::from_secs(30)))
            .max(Duration::from_millis(1))
    }
}
