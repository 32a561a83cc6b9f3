//! The library behind the `mcplex-sse-server` binary: an MCP server that serves an mcplex
//! toolset over HTTP — Streamable HTTP for every protocol revision on `/mcp`, the legacy
//! HTTP+SSE transport on `/sse` and `/messages`, and `/healthz`, `/readyz`, `/metrics`.
//!
//! The binary is thin: it calls [`parse`] on its arguments and environment, [`init_logging`],
//! [`build`], [`bind`], prints [`ready_line`] to stderr and calls [`run`]. Everything it
//! does is here, where tests reach it.
//!
//! - Configuration comes from flags, `MCPLEX_*` environment variables and a TOML file, in
//!   that order of precedence (see [`USAGE`]).
//! - Logs go to stderr, as text or JSON lines, filtered by `RUST_LOG` (default `info`).
//! - SIGTERM and SIGINT stop the server gracefully: no new connections, in-flight requests
//!   get `--shutdown-grace` seconds to finish, then everything still running is cancelled.
//!
//! # Which crate should I depend on?
//!
//! - **Running an HTTP server**: install or build this binary
//!   (`cargo run --release -p mcplex-sse-server -- --bind 127.0.0.1:8080`); you need no
//!   library.
//! - **Serving your own tools over HTTP**: `mcplex-core` to build the server and
//!   `mcplex-sse` to serve it; this crate shows how little that takes.
//!
//! # Features
//!
//! | feature | default | what it enables |
//! |---------|---------|-----------------|
//! | —       | —       | this crate has no optional features |
//!
//! # Example
//!
//! What `main` does, minus the error reporting:
//!
//! ```rust,no_run
//! use mcplex_sse_server::{Action, bind, build, init_logging, parse, ready_line, run};
//!
//! #[tokio::main]
//! async fn main() {
//!     let Ok(Action::Run(config)) = parse(std::env::args().skip(1), |k| std::env::var(k).ok()) else {
//!         return;
//!     };
//!     init_logging(config.log_format);
//!     let (server, options) = build(&config).expect("the toolset is available");
//!     let listener = bind(&config).await.expect("the address can be bound");
//!     eprintln!("{}", ready_line(&listener));
//!     run(listener, server, options).await.expect("serving failed");
//! }
//! ```

mod config;

use mcplex_core::{Limits, Server};
use mcplex_sse::SseOptions;
use tokio::net::TcpListener;

pub use config::{Action, Config, USAGE, parse};
pub use mcplex_cli::{ConfigError, LogFormat, init_logging};

/// Builds the server and the HTTP options for `config`.
///
/// ```
/// use std::time::Duration;
/// use mcplex_sse_server::{build, parse, Action};
///
/// let args = ["--session-ttl", "90", "--shutdown-grace", "2"].map(String::from);
/// let Action::Run(config) = parse(args, |_| None).unwrap() else { panic!() };
/// let (server, options) = build(&config).unwrap();
/// assert_eq!(server.limits().session_idle_ttl, Duration::from_secs(90));
/// assert_eq!(options.shutdown_grace, Duration::from_secs(2));
/// ```
///
/// # Errors
///
/// [`ConfigError::ToolsetNotAvailable`] when the toolset is not part of this build.
pub fn build(config: &Config) -> Result<(Server, SseOptions), ConfigError> {
    let name = config.toolset.as_str();
    let builder = mcplex_toolsets::builder_for(name)
        .ok_or_else(|| ConfigError::ToolsetNotAvailable(name.to_owned()))?;
    let limits = Limits {
        max_message_bytes: config.max_message_bytes,
        session_idle_ttl: config.session_ttl,
        max_sessions: config.max_sessions,
        tool_timeout: config.tool_timeout,
        max_in_flight: config.max_in_flight,
        ..Limits::default()
    };
    let options = SseOptions {
        session_mode: config.session_mode,
        allowed_origins: config.allowed_origins.clone(),
        allowed_hosts: config.allowed_hosts.clone(),
        shutdown_grace: config.shutdown_grace,
        ..SseOptions::default()
    };
    Ok((builder.limits(limits).build(), options))
}

/// Binds the configured address.
///
/// # Errors
///
/// When the address cannot be resolved or bound.
pub async fn bind(config: &Config) -> mcplex_sse::Result<TcpListener> {
    mcplex_sse::bind(config.bind.as_str()).await
}

/// The line printed to stderr once the server listens: `mcplex sse listening on ADDR`, with
/// the address actually bound (so `--bind 127.0.0.1:0` tells the port).
pub fn ready_line(listener: &TcpListener) -> String {
    match listener.local_addr() {
        Ok(addr) => format!("mcplex sse listening on {addr}"),
        Err(_) => "mcplex sse listening".to_owned(),
    }
}

/// Serves `server` on `listener` until SIGTERM or SIGINT, then shuts down gracefully.
///
/// # Errors
///
/// As [`mcplex_sse::serve`].
pub async fn run(
    listener: TcpListener,
    server: Server,
    options: SseOptions,
) -> mcplex_sse::Result<()> {
    tracing::info!(
        server = %server.info().name,
        version = %server.info().version,
        "serving MCP over HTTP"
    );
    let shutdown = async {
        let signal = stop_signal().await;
        tracing::info!(signal, "stopping");
    };
    mcplex_sse::serve(listener, server, options, shutdown).await
}

/// Waits for SIGTERM or SIGINT; returns its name.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = async {
            match signal(SignalKind::terminate()) {
                Ok(mut term) => term.recv().await,
                Err(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = term => "SIGTERM",
            () = ctrl_c() => "SIGINT",
        }
    }
    #[cfg(not(unix))]
    {
        ctrl_c().await;
        "ctrl-c"
    }
}

/// Waits for SIGINT (ctrl-c); never returns if it cannot be watched.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
