//! `mcplex-sse-server`: serves an mcplex toolset over HTTP. Run with `--help` for the
//! options; the logic lives in the library so that tests reach it.

use std::process::ExitCode;

use mcplex_cli::{error_chain, exit_on_parse};
use mcplex_sse_server::{USAGE, bind, build, init_logging, parse, ready_line, run};

const PROGRAM: &str = "mcplex-sse-server";

fn main() -> ExitCode {
    let parsed = parse(std::env::args().skip(1), |name| std::env::var(name).ok());
    let config = match exit_on_parse(PROGRAM, env!("CARGO_PKG_VERSION"), USAGE, parsed) {
        Ok(config) => config,
        Err(code) => return code,
    };
    init_logging(config.log_format);
    let (server, options) = match build(&config) {
        Ok(built) => built,
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
    let result = runtime.block_on(async {
        let listener = bind(&config).await.map_err(|e| {
            tracing::error!(bind = %config.bind, "cannot listen: {}", error_chain(&e));
        })?;
        eprintln!("{}", ready_line(&listener));
        run(listener, server, options)
            .await
            .map_err(|e| tracing::error!("{}", error_chain(&e)))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(()) => ExitCode::FAILURE,
    }
}
