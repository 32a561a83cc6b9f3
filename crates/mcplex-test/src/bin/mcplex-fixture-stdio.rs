//! Serves the fixture toolset of `mcplex-test` over stdio, for tests that need a real child
//! process. `--max-message-bytes N` sets the longest line accepted.

use std::process::ExitCode;

use mcplex_stdio::StdioOptions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut options = StdioOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().and_then(|n| n.parse().ok())) {
            ("--max-message-bytes", Some(n)) => options = options.with_max_line_len(n),
            _ => {
                eprintln!("usage: mcplex-fixture-stdio [--max-message-bytes N]");
                return ExitCode::from(2);
            }
        }
    }
    match mcplex_stdio::serve_with(mcplex_test::fixture_server(), options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mcplex-fixture-stdio: {e}");
            ExitCode::FAILURE
        }
    }
}
