//! The library behind the `mcplex-ws-server` binary: an MCP server that serves an mcplex
//! toolset over WebSocket, for agents that want server-initiated pushes on one socket.
//!
//! The binary is thin: it calls [`parse`] on its arguments and environment, [`init_logging`],
//! [`build_server`] and [`run`]. Everything it does is here, where tests reach it.
//!
//! - Configuration comes from flags, `MCPLEX_*` environment variables and a TOML file, in
//!   that order of precedence (see [`USAGE`]).
//! - It serves `GET /ws` (subprotocol `mcp`), `/healthz`, `/readyz` and `/metrics` on
//!   `--bind` (default `127.0.0.1:8081`) and prints `mcplex ws listening on <addr>` on stderr
//!   once the listener is bound, with the actual address (so `--bind 127.0.0.1:0` works).
//! - Logs go to stderr, as text or JSON lines, filtered by `RUST_LOG` (default `info`).
//! - SIGTERM and SIGINT stop it gracefully: no new connections, `/readyz` answers 503,
//!   requests in flight get `--shutdown-grace` to finish, then every WebSocket is closed with
//!   1001 and the process exits.
//!
//! # Which crate should I depend on?
//!
//! - **Running a WebSocket MCP server**: install or build this binary
//!   (`cargo run --release -p mcplex-ws-server`); you need no library.
//! - **Serving your own tools over WebSocket**: `mcplex-core` to build the server and
//!   `mcplex-ws` to serve it; this crate shows how little that takes.
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
//! use mcplex_ws_server::{build_server, init_logging, parse, run, Action};
//!
//! #[tokio::main]
//! async fn main() {
//!     let Ok(Action::Run(config)) = parse(std::env::args().skip(1), |k| std::env::var(k).ok()) else {
//!         return;
//!     };
//!     init_logging(config.log_format);
//!     let server = build_server(&config).expect("the toolset is available");
//!     run(&config, server).await.expect("serving failed");
//! }
//! ```

mod config;

use std::future::Future;
use std::io;

use mcplex_core::{Limits, Server};
use mcplex_ws::{Endpoint, WsOptions};
use tokio::net::TcpListener;

pub use config::{Action, Config, USAGE, parse};
pub use mcplex_cli::{ConfigError, LogFormat, Toolset, init_logging};

/// Builds the server for `config`: its toolset with its limits.
///
/// # Errors
///
/// [`ConfigError::ToolsetNotAvailable`] when the toolset is not part of this build.
pub fn build_server(config: &Config) -> Result<Server, ConfigError> {
    let name = config.toolset.as_str();
    let builder = mcplex_toolsets::builder_for(name)
        .ok_or_else(|| ConfigError::ToolsetNotAvailable(name.to_owned()))?;
    let limits = Limits {
        max_message_bytes: config.max_message_bytes,
        tool_timeout: config.tool_timeout,
        max_in_flight: config.max_in_flight,
        shutdown_grace: config.shutdown_grace,
        ..Limits::default()
    };
    Ok(builder.limits(limits).build())
}

/// The WebSocket options for `config`.
pub fn ws_options(config: &Config) -> WsOptions {
    WsOptions {
        allowed_origins: config.allowed_origins.clone(),
        allowed_hosts: config.allowed_hosts.clone(),
        ..WsOptions::default()
    }
}

/// Binds `config.bind` and serves `server` until SIGTERM or SIGINT arrives, then shuts down
/// gracefully (see [`serve`]).
///
/// # Errors
///
/// When the address cannot be bound.
pub async fn run(config: &Config, server: Server) -> io::Result<()> {
    let signal = stop_signal();
    let listener = TcpListener::bind(config.bind).await?;
    serve(listener, server, ws_options(config), async {
        let signal = signal.await;
        tracing::info!(signal, "stopping");
    })
    .await
}

/// Serves `server` on `listener` until `shutdown` completes, then shuts down gracefully: no
/// new connections, `/readyz` answers 503, requests in flight get the server's
/// [`shutdown_grace`](Limits::shutdown_grace), and every WebSocket is closed with 1001.
///
/// Prints `mcplex ws listening on <addr>` on stderr first, with the listener's actual address.
///
/// # Errors
///
/// When the listener's address cannot be read.
pub async fn serve(
    listener: TcpListener,
    server: Server,
    options: WsOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(
        server = %server.info().name,
        version = %server.info().version,
        %addr,
        "serving MCP over WebSocket on ws://{addr}{}",
        options.path
    );
    eprintln!("mcplex ws listening on {addr}");
    Endpoint::new(server, options)
        .serve(listener, shutdown)
        .await
        .map_err(io::Error::other)
}

/// Watches SIGTERM and SIGINT from now on (so a signal that arrives right after the ready
/// line is not missed) and returns a future that completes with the name of the first one.
fn stop_signal() -> impl Future<Output = &'static str> + Send {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            let term = async {
                match term {
                    Ok(mut term) => term.recv().await,
                    Err(_) => std::future::pending().await,
                }
            };
            let int = async {
                match int {
                    Ok(mut int) => int.recv().await,
                    Err(_) => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = term => "SIGTERM",
                _ = int => "SIGINT",
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            "ctrl-c"
        }
    }
}
