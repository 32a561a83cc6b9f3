//! `mcplex-stdio-server`: serves an mcplex toolset over stdin and stdout. Run with `--help`
//! for the options; the logic lives in the library so that tests reach it.

use std::process::ExitCode;
use std::time::Duration;

use mcplex_cli::{error_chain, exit_on_parse};
use mcplex_stdio_server::{USAGE, build_server, init_logging, parse, run};

const PROGRAM: &str = "mcplex-stdio-server";

/// How long the runtime waits for stray blocking work (a write to a stdout nobody reads)
/// before the process exits anyway.
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
    // One peer on one pipe: a single-threaded runtime avoids cross-thread wake-ups per message.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(server));
    runtime.shutdown_timeout(EXIT_GRACE);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}
