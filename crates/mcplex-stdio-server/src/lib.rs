//! The library behind the `mcplex-stdio-server` binary: an MCP server that serves an mcplex
//! toolset over stdin and stdout, for desktop clients and IDEs that start their servers as
//! child processes.
//!
//! The binary is thin: it calls [`parse`] on its arguments and environment, [`init_logging`],
//! [`build_server`] and [`run`]. Everything it does is here, where tests reach it.
//!
//! - Configuration comes from flags, `MCPLEX_*` environment variables and a TOML file, in
//!   that order of precedence (see [`USAGE`]).
//! - Logs go to stderr, as text or JSON lines, filtered by `RUST_LOG` (default `info`);
//!   stdout carries the protocol only.
//! - SIGTERM and SIGINT stop the server: requests still running are cancelled and the
//!   process exits. So does the end of stdin.
//!
//! # Which crate should I depend on?
//!
//! - **Running a stdio server**: install or build this binary
//!   (`cargo run --release -p mcplex-stdio-server`); you need no library.
//! - **Serving your own tools over stdio**: `mcplex-core` to build the server and
//!   `mcplex-stdio` to serve it; this crate shows how little that takes.
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
//! use mcplex_stdio_server::{build_server, init_logging, parse, run, Action};
//!
//! #[tokio::main]
//! async fn main() {
//!     let Ok(Action::Run(config)) = parse(std::env::args().skip(1), |k| std::env::var(k).ok()) else {
//!         return;
//!     };
//!     init_logging(config.log_format);
//!     let server = build_server(&config).expect("the toolset is available");
//!     run(server).await.expect("serving stdio failed");
//! }
//! ```

mod config;

use mcplex_core::{Limits, Server};

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

/// Serves `server` on stdin and stdout until stdin ends or SIGTERM / SIGINT arrives.
///
/// On a signal the server shuts down: requests still running are cancelled, and this
/// returns once the connection is closed.
///
/// # Errors
///
/// As [`mcplex_stdio::serve`].
pub async fn run(server: Server) -> mcplex_stdio::Result<()> {
    let stopper = server.clone();
    let signals = tokio::spawn(async move {
        let signal = stop_signal().await;
        tracing::info!(signal, "stopping");
        stopper.shutdown();
    });
    tracing::info!(
        server = %server.info().name,
        version = %server.info().version,
        "serving MCP on stdio"
    );
    let result = mcplex_stdio::serve(server).await;
    signals.abort();
    tracing::info!("stopped serving");
    result
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
