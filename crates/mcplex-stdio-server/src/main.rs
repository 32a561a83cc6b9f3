//! `mcplex-stdio-server`: serves an mcplex toolset over stdin and stdout. Run with `--help`
//! for the options; the logic lives in the library so that tests reach it.

use std::process::ExitCode;
use std::time::Duration;

use mcplex_stdio_server::{Action, USAGE, build_server, init_logging, parse, run};

/// How long the runtime waits for stray blocking work (a write to a stdout nobody reads)
/// before the process exits anyway.
const EXIT_GRACE: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(Action::Run(config)) => config,
        Ok(Action::Help) => {
            print_stdout(USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Action::Version) => {
            print_stdout(&format!(
                "mcplex-stdio-server {}\n",
                env!("CARGO_PKG_VERSION")
            ));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("mcplex-stdio-server: {}", error_chain(&e));
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

/// Prints the help or the version: the only output on stdout that is not the protocol,
/// written before serving starts.
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
