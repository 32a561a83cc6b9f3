//! `mcplex-ws-server`: serves an mcplex toolset over WebSocket. Run with `--help` for the
//! options; the logic lives in the library so that tests reach it.

use std::process::ExitCode;
use std::time::Duration;

use mcplex_ws_server::{Action, USAGE, build_server, init_logging, parse, run};

/// How long the runtime waits for stray work after serving ended before the process exits.
const EXIT_GRACE: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(Action::Run(config)) => config,
        Ok(Action::Help) => {
            print_stdout(USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Action::Version) => {
            print_stdout(&format!("mcplex-ws-server {}\n", env!("CARGO_PKG_VERSION")));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("mcplex-ws-server: {}", error_chain(&e));
            if e.is_usage() {
                eprint!("\n{USAGE}");
            }
            return ExitCode::from(2);
        }
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

/// Prints the help or the version.
#[allow(clippy::print_stdout, reason = "--help and --version answer on stdout")]
fn print_stdout(text: &str) {
    print!("{text}");
}

/// The error and its sources, joined with `: `.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
