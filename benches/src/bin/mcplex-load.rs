//! `mcplex-load`: end-to-end load against an MCP server; one JSON line per run.
//!
//! ```text
//! mcplex-load stdio [--raw] [--window N] [--requests N] [--warmup N] [--protocol REV] [-- CMD ARGS...]
//!     (with --raw, CMD, if given, must run `mcplex-load raw-stdio-server`)
//! mcplex-load http [--clients N] [--requests N] [--warmup N] [--protocol REV] [--sse] -- CMD ARGS...
//! mcplex-load legacy-sse [--clients N] [--requests N] [--warmup N] -- CMD ARGS...
//! mcplex-load ws [--connections N] [--requests N] [--warmup N] [--protocol REV] -- CMD ARGS...
//! mcplex-load ws-push [--pushes N] -- CMD ARGS...
//! mcplex-load raw-stdio-server
//! mcplex-load raw-http-server [--bind ADDR]
//! mcplex-load raw-ws-server [--bind ADDR]
//! ```

use anyhow::{Context, bail};
use mcplex_benches::load::{
    HttpLoad, LegacySseLoad, StdioLoad, Target, WsLoad, raw_http_server, raw_stdio_server,
    raw_ws_server, run_http, run_legacy_sse, run_stdio, run_ws, run_ws_push,
};
use mcplex_protocol::ProtocolVersion;

const USAGE: &str = "usage: mcplex-load stdio [--raw] [--window N] [--requests N] [--warmup N] \
[--protocol REV] [-- CMD ARGS...]\n       mcplex-load http [--clients N] [--requests N] [--warmup N] \
[--protocol REV] [--sse] -- CMD ARGS...\n       mcplex-load legacy-sse [--clients N] \
[--requests N] [--warmup N] -- CMD ARGS...\n       mcplex-load ws [--connections N] [--requests N] \
[--warmup N] [--protocol REV] -- CMD ARGS...\n       mcplex-load ws-push [--pushes N] -- CMD ARGS...\n       \
mcplex-load raw-stdio-server\n       mcplex-load raw-http-server [--bind ADDR]\n       \
mcplex-load raw-ws-server [--bind ADDR]";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("raw-stdio-server") => raw_stdio_server(),
        Some("raw-http-server") => raw_http_server(&parse_bind(&args[1..])?),
        Some("raw-ws-server") => raw_ws_server(&parse_bind(&args[1..])?),
        Some("stdio") => {
            let load = parse_stdio(&args[1..])?;
            print_report(runtime()?.block_on(run_stdio(&load))?)
        }
        Some("http") => {
            let load = parse_http(&args[1..])?;
            print_report(runtime()?.block_on(run_http(&load))?)
        }
        Some("legacy-sse") => {
            let load = parse_legacy_sse(&args[1..])?;
            print_report(runtime()?.block_on(run_legacy_sse(&load))?)
        }
        Some("ws") => {
            let load = parse_ws(&args[1..])?;
            print_report(runtime()?.block_on(run_ws(&load))?)
        }
        Some("ws-push") => {
            let (pushes, command) = parse_push(&args[1..])?;
            print_report(runtime()?.block_on(run_ws_push(&command, pushes))?)
        }
        _ => bail!("{USAGE}"),
    }
}

fn parse_stdio(args: &[String]) -> anyhow::Result<StdioLoad> {
    let mut load = StdioLoad {
        command: vec!["target/release/mcplex-stdio-server".into()],
        target: Target::Mcp(ProtocolVersion::V2025_11_25),
        window: 1,
        requests: 20_000,
        warmup: 2_000,
    };
    let mut raw = false;
    let mut command = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--raw" => raw = true,
            "--window" => load.window = value()?.parse()?,
            "--requests" => load.requests = value()?.parse()?,
            "--warmup" => load.warmup = value()?.parse()?,
            "--protocol" => {
                load.target = Target::Mcp(value()?.parse().context("unknown protocol revision")?)
            }
            "--" => {
                command = Some(it.by_ref().cloned().collect());
                break;
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    if raw {
        let me = std::env::current_exe()?.to_string_lossy().into_owned();
        load.command = vec![me, "raw-stdio-server".into()];
        load.target = Target::Raw;
    }
    // With `--raw`, a command still wins: it runs the raw server some other way (pinned to a
    // core, say).
    if let Some(command) = command {
        load.command = command;
    }
    Ok(load)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// The report is this tool's output: one JSON line on stdout.
#[allow(clippy::print_stdout)]
fn print_report(report: mcplex_benches::load::Report) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn parse_http(args: &[String]) -> anyhow::Result<HttpLoad> {
    let mut load = HttpLoad {
        command: Vec::new(),
        protocol: ProtocolVersion::V2025_11_25,
        clients: 16,
        requests: 50_000,
        warmup: 200,
        sse: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--clients" => load.clients = value()?.parse()?,
            "--requests" => load.requests = value()?.parse()?,
            "--warmup" => load.warmup = value()?.parse()?,
            "--protocol" => {
                load.protocol = value()?.parse().context("unknown protocol revision")?
            }
            "--sse" => load.sse = true,
            "--" => {
                load.command = it.by_ref().cloned().collect();
                break;
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    if load.command.is_empty() {
        bail!("http needs a server command after --\n{USAGE}");
    }
    Ok(load)
}

fn parse_legacy_sse(args: &[String]) -> anyhow::Result<LegacySseLoad> {
    let mut load = LegacySseLoad {
        command: Vec::new(),
        clients: 16,
        requests: 50_000,
        warmup: 200,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--clients" => load.clients = value()?.parse()?,
            "--requests" => load.requests = value()?.parse()?,
            "--warmup" => load.warmup = value()?.parse()?,
            "--" => {
                load.command = it.by_ref().cloned().collect();
                break;
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    if load.command.is_empty() {
        bail!("legacy-sse needs a server command after --\n{USAGE}");
    }
    Ok(load)
}

fn parse_ws(args: &[String]) -> anyhow::Result<WsLoad> {
    let mut load = WsLoad {
        command: Vec::new(),
        protocol: ProtocolVersion::V2025_11_25,
        connections: 16,
        requests: 50_000,
        warmup: 200,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--connections" => load.connections = value()?.parse()?,
            "--requests" => load.requests = value()?.parse()?,
            "--warmup" => load.warmup = value()?.parse()?,
            "--protocol" => {
                load.protocol = value()?.parse().context("unknown protocol revision")?
            }
            "--" => {
                load.command = it.by_ref().cloned().collect();
                break;
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    if load.command.is_empty() {
        bail!("ws needs a server command after --\n{USAGE}");
    }
    Ok(load)
}

fn parse_push(args: &[String]) -> anyhow::Result<(u64, Vec<String>)> {
    let mut pushes = 2_000;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--pushes" => pushes = it.next().context("--pushes needs a value")?.parse()?,
            "--" => {
                let command: Vec<String> = it.by_ref().cloned().collect();
                if command.is_empty() {
                    bail!("ws-push needs a server command after --\n{USAGE}");
                }
                return Ok((pushes, command));
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    bail!("ws-push needs a server command after --\n{USAGE}")
}

/// `--bind ADDR` (default `127.0.0.1:0`, a free loopback port) for the raw network servers.
fn parse_bind(args: &[String]) -> anyhow::Result<String> {
    match args {
        [] => Ok("127.0.0.1:0".into()),
        [flag, addr] if flag == "--bind" => Ok(addr.clone()),
        _ => bail!("unexpected arguments {args:?}\n{USAGE}"),
    }
}
