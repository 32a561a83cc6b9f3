//! `mcplex-ws-server`: serves an mcplex toolset over WebSocket. Run with `--help` for the
//! options; the logic lives in the library so that tests reach it.

use std::process::ExitCode;
use std::time::Duration;

use mcplex_cli::{error_chain, exit_on_parse};
use mcplex_ws_server::{USAGE, build_server, init_logging, parse, run};

const PROGRAM: &str = "mcplex-ws-server";

/// How long the runtime waits for stray work after serving ended before the process exits.
const EXIT_GRACE: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    let parsed = parse(std::env::args().skip(1), |name| std::env::var(name).ok());
    let config = match exit_on_parse(PROGRAM, env!("CARGO_PKG_VERSION"), USAGE, parsed) {
        Ok(config) => config,
        Err(code) => return code,
    };
    init_logging(config.log_format);
    let server = match build_server(&config) {
        Ok(server) => server,
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(&config, server));
    runtime.shutdown_timeout(EXIT_GRACE);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(bind = %config.bind, "{}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}
