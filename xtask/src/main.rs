//! Repository automation for mcplex, run as `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`). Local runs and CI run the same code, so a green `cargo xtask ci` here
//! means a green CI.
//!
//! # Commands
//!
//! | command | what it runs |
//! |---------|--------------|
//! | `ci` | every step below, in this order, stopping at the first failure |
//! | `fmt` | `cargo fmt --all -- --check` (fix with `cargo fmt --all`) |
//! | `lint` | `cargo clippy --workspace --all-targets -- -D warnings` |
//! | `test` | `cargo nextest run --workspace --no-fail-fast --profile ci`, then the doc tests (`cargo test --workspace --doc`) and each criterion benchmark once in test mode (`cargo test --workspace --benches`) |
//! | `doc` | `RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps` |
//! | `layering` | the architecture invariants, checked with `cargo tree` (see `layering.rs`) |
//! | `fuzz-check` | `cargo check` of the fuzz crate, which lives outside the workspace, in `target/fuzz-check` |
//! | `conformance` | builds `mcplex-sse-server`, installs Node.js 22 and the official MCP conformance suite into `.tools/`, runs it against `mcplex-sse-server --toolset conformance` for the 2025-11-25 and 2026-07-28 requirement sets, and compares the results with `conformance/expected-failures.txt` (see `conformance.rs`) |
//! | `bench` | not a `ci` step: builds the load tool and the servers in release, runs the end-to-end benchmark matrix (stdio, Streamable HTTP, WebSocket; each MCP run next to its raw ceiling, pinned to separate cores when `taskset` works) and writes `docs/benchmarks.md` (see `bench.rs`) |
//! | `interop` | builds the stdio, HTTP and WebSocket servers, installs the official TypeScript and Python MCP clients into `.tools/`, and runs their scripted sessions from `interop/` against them over stdio, Streamable HTTP, legacy HTTP+SSE and WebSocket (see `interop.rs`) |
//!
//! When the `CI` environment variable is set, every cargo command that resolves dependencies
//! gets `--locked`, so CI fails instead of silently updating `Cargo.lock`, and `ci` starts by
//! checking (`git diff --exit-code -- Cargo.lock`) that building xtask itself left the committed
//! lock file alone.
//!
//! Each step prints a header with the exact command it runs and the time it took; `ci` ends with
//! a summary line. A failing step names itself and the command to rerun it by hand.
//!
//! The nextest `ci` profile lives in `.config/nextest.toml`: it runs every test and terminates a
//! hung one. When cargo-nextest is missing it is installed into the git-ignored `.tools/` folder.
//!
//! Repository hygiene (workspace lints and dependencies, crate docs, file sizes, leftover debugging)
//! is checked by the tidy test, `xtask/tests/tidy.rs`, which runs with the workspace tests.
//!
//! # Exit codes
//!
//! `0` on success, `1` when a step fails, `2` for an unknown command or argument.

mod bench;
mod ci;
mod conformance;
mod doc;
mod fmt;
mod fuzz;
mod interop;
mod layering;
mod lint;
mod shell;
mod test;

use std::process::ExitCode;

use shell::Context;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci          run every step below, in order, stopping at the first failure
  fmt         check formatting (cargo fmt --all -- --check)
  lint        clippy on all targets with -D warnings
  test        nextest, doc tests, and benchmarks in test mode
  doc         rustdoc with -D warnings
  layering    check the crate layering rules with cargo tree
  fuzz-check  cargo check the fuzz crate
  conformance run the official MCP conformance suite against mcplex-sse-server
  interop     run the official TypeScript and Python clients against the servers
  bench       run the end-to-end benchmarks and write docs/benchmarks.md (not part of ci)
  help        print this message

With CI set in the environment, cargo commands run with --locked.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [command] => command.as_str(),
        [] => return usage_error("missing command"),
        [_, extra, ..] => return usage_error(&format!("unexpected argument `{extra}`")),
    };
    let steps = match command {
        "help" | "-h" | "--help" => {
            eprintln!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        "ci" | "fmt" | "lint" | "test" | "doc" | "layering" | "fuzz-check" | "conformance"
        | "interop" | "bench" => command,
        other => return usage_error(&format!("unknown command `{other}`")),
    };
    match run(steps) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: &str) -> anyhow::Result<()> {
    let ctx = Context::from_env()?;
    let steps = match command {
        "ci" => return ci::run(&ctx),
        "bench" => return bench::run(&ctx),
        "fmt" => fmt::steps(&ctx),
        "lint" => lint::steps(&ctx),
        "test" => test::steps(&ctx),
        "doc" => doc::steps(&ctx),
        "layering" => layering::steps(),
        "fuzz-check" => {
            let steps = fuzz::steps(&ctx);
            if steps.is_empty() {
                eprintln!("fuzz-check: there is no fuzz/Cargo.toml; nothing to check");
                return Ok(());
            }
            steps
        }
        "conformance" => conformance::steps(&ctx),
        "interop" => interop::steps(&ctx),
        other => anyhow::bail!("unknown command `{other}`"),
    };
    shell::run_steps(&ctx, command, &steps)
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}
