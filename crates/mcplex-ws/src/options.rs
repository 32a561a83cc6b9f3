//! [`WsOptions`] for the server side and [`ClientOptions`] for [`connect`](crate::connect).

use std::time::Duration;

use mcplex_protocol::ProtocolVersion;

/// How the server side behaves. Every field has a documented default ([`WsOptions::default`]).
///
/// Message size, decode limits, the per-connection outbound queue, the in-flight limit and the
/// shutdown grace period are the server's [`Limits`](mcplex_core::Limits); they are not
/// repeated here.
///
/// ```
/// use std::time::Duration;
/// use mcplex_ws::WsOptions;
///
/// let options = WsOptions {
///     allowed_origins: Some(vec!["https://app.example.com".into()]),
///     ping_interval: Some(Duration::from_secs(20)),
///     ..WsOptions::default()
/// };
/// assert_eq!(options.path, "/ws");
/// assert!(!options.allow_no_subprotocol);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsOptions {
    /// Path of the upgrade route in [`Endpoint::router`](crate::Endpoint::router). Default
    /// `/ws`. The raw accept ([`Endpoint::accept`](crate::Endpoint::accept)) takes any path.
    pub path: String,
    /// Accept upgrade requests that do not offer the `mcp` subprotocol. Default `false`: they
    /// are refused with `400 Bad Request`.
    pub allow_no_subprotocol: bool,
    /// Origins allowed in the `Origin` header (`scheme://host[:port]`, or `*` for any). An
    /// upgrade with any other `Origin` is refused with 403; one without an `Origin` (a non-browser
    /// client) is allowed.
    ///
    /// Default `None`: on a loopback address (or when the bind address is unknown, as with
    /// [`Endpoint::router`](crate::Endpoint::router)), loopback origins only (`localhost`,
    /// `127.0.0.1`, `[::1]`, any scheme and port); on any other address, any origin.
    pub allowed_origins: Option<Vec<String>>,
    /// Host names allowed in the `Host` header (`name`, `name:port`, or `*` for any), against
    /// DNS rebinding. Any other host is refused with 403.
    ///
    /// Default `None`: loopback names only on a loopback address or when the bind address is
    /// unknown; any host otherwise.
    pub allowed_hosts: Option<Vec<String>>,
    /// How long a connection may go without receiving anything before the server sends a
    /// ping. Default 30 s; `None` sends no pings.
    pub ping_interval: Option<Duration>,
    /// How long the server waits for any frame after a ping before it drops the connection
    /// as dead. Default 10 s.
    pub pong_timeout: Duration,
    /// How long closing a connection may take: flushing what is queued, sending the close
    /// frame and waiting for the peer's. Default 5 s; the socket is dropped after it.
    pub close_timeout: Duration,
    /// Longest wait for a request's headers, on every HTTP connection of
    /// [`Endpoint::serve`](crate::Endpoint::serve), and for the whole opening handshake of
    /// [`Endpoint::accept`](crate::Endpoint::accept). Default 10 s.
    pub header_read_timeout: Duration,
}

impl Default for WsOptions {
    fn default() -> Self {
        Self {
            path: "/ws".to_owned(),
            allow_no_subprotocol: false,
            allowed_origins: None,
            allowed_hosts: None,
            ping_interval: Some(Duration::from_secs(30)),
            pong_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// How [`connect`](crate::connect) connects.
///
/// ```
/// use std::time::Duration;
/// use mcplex_protocol::ProtocolVersion;
/// use mcplex_ws::ClientOptions;
///
/// let options = ClientOptions::default()
///     .with_revision(ProtocolVersion::V2025_11_25)
///     .with_header("Origin", "http://localhost:3000")
///     .with_ping_interval(None);
/// assert_eq!(options.max_message_bytes, 4 * 1024 * 1024);
/// assert_eq!(options.connect_timeout, Duration::from_secs(10));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Also offer `mcp.version.<revision>` as a subprotocol. Default `None`.
    pub revision: Option<ProtocolVersion>,
    /// Extra request headers for the upgrade (`Origin`, `Authorization`, ...).
    pub headers: Vec<(String, String)>,
    /// Largest message accepted from the server, in bytes. Default 4 MiB.
    pub max_message_bytes: usize,
    /// How long the connection may go without receiving anything before the client sends a
    /// ping. Default 30 s; `None` sends no pings.
    pub ping_interval: Option<Duration>,
    /// How long the client waits for any frame after a ping before it gives the connection up.
    /// Default 10 s.
    pub pong_timeout: Duration,
    /// Longest wait for the TCP connection and the opening handshake. Default 10 s.
    pub connect_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            revision: None,
            headers: Vec::new(),
            max_message_bytes: mcplex_transport::DEFAULT_MAX_MESSAGE_SIZE,
            ping_interval: Some(Duration::from_secs(30)),
            pong_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl ClientOptions {
    /// Offers `mcp.version.<revision>` besides `mcp`.
    pub fn with_revision(mut self, revision: ProtocolVersion) -> Self {
        self.revision = Some(revision);
        self
    }

    /// Adds a request header to the upgrade request.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the largest message accepted from the server.
    pub fn with_max_message_bytes(mut self, max: usize) -> Self {
        self.max_message_bytes = max;
        self
    }

    /// Sets the ping interval; `None` sends no pings.
    pub fn with_ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.ping_interval = interval;
        self
    }

    /// Sets how long to wait for the server after a ping.
    pub fn with_pong_timeout(mut self, timeout: Duration) -> Self {
        self.pong_timeout = timeout;
        self
    }

    /// Sets the connect and handshake timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
}
