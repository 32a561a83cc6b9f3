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

/// A mode's options before `--` and the server command after it.
struct Options {
    values: Vec<(String, String)>,
    switches: Vec<String>,
    command: Option<Vec<String>>,
}

/// Reads `args`: each flag in `valued` takes the next argument as its value, each one in
/// `switches` stands alone, and `--` starts the server command.
fn options(args: &[String], valued: &[&str], switches: &[&str]) -> anyhow::Result<Options> {
    let mut options = Options {
        values: Vec::new(),
        switches: Vec::new(),
        command: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--" {
            options.command = Some(it.by_ref().cloned().collect());
        } else if switches.contains(&arg.as_str()) {
            options.switches.push(arg.clone());
        } else if valued.contains(&arg.as_str()) {
            let value = it.next().with_context(|| format!("{arg} needs a value"))?;
            options.values.push((arg.clone(), value.clone()));
        } else {
            bail!("unknown argument {arg}\n{USAGE}");
        }
    }
    Ok(options)
}

impl Options {
    /// The last value of `flag`, parsed, or `default`.
    fn get<T>(&self, flag: &str, default: T) -> anyhow::Result<T>
    where
        T: std::str::FromStr,
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        match self.values.iter().rev().find(|(name, _)| name == flag) {
            Some((_, value)) => value
                .parse()
                .with_context(|| format!("invalid value {value} for {flag}")),
            None => Ok(default),
        }
    }

    fn has(&self, switch: &str) -> bool {
        self.switches.iter().any(|s| s == switch)
    }

    /// The server command, required by every mode but `stdio`.
    fn command(self, mode: &str) -> anyhow::Result<Vec<String>> {
        match self.command {
            Some(command) if !command.is_empty() => Ok(command),
            _ => bail!("{mode} needs a server command after --\n{USAGE}"),
        }
    }
}

fn parse_stdio(args: &[String]) -> anyhow::Result<StdioLoad> {
    let o = options(
        args,
        &["--window", "--requests", "--warmup", "--protocol"],
        &["--raw"],
    )?;
    let (mut command, target) = if o.has("--raw") {
        let me = std::env::current_exe()?.to_string_lossy().into_owned();
        (vec![me, "raw-stdio-server".into()], Target::Raw)
    } else {
        let protocol = o.get("--protocol", ProtocolVersion::V2025_11_25)?;
        let server = "target/release/mcplex-stdio-server".into();
        (vec![server], Target::Mcp(protocol))
    };
    // With `--raw`, a command still wins: it runs the raw server some other way (pinned to a
    // core, say).
    if let Some(given) = o.command.clone() {
        command = given;
    }
    Ok(StdioLoad {
        command,
        target,
        window: o.get("--window", 1)?,
        requests: o.get("--requests", 20_000)?,
        warmup: o.get("--warmup", 2_000)?,
    })
}

fn parse_http(args: &[String]) -> anyhow::Result<HttpLoad> {
    let o = options(
        args,
        &["--clients", "--requests", "--warmup", "--protocol"],
        &["--sse"],
    )?;
    Ok(HttpLoad {
        protocol: o.get("--protocol", ProtocolVersion::V2025_11_25)?,
        clients: o.get("--clients", 16)?,
        requests: o.get("--requests", 50_000)?,
        warmup: o.get("--warmup", 200)?,
        sse: o.has("--sse"),
        command: o.command("http")?,
    })
}

fn parse_legacy_sse(args: &[String]) -> anyhow::Result<LegacySseLoad> {
    let o = options(args, &["--clients", "--requests", "--warmup"], &[])?;
    Ok(LegacySseLoad {
        clients: o.get("--clients", 16)?,
        requests: o.get("--requests", 50_000)?,
        warmup: o.get("--warmup", 200)?,
        command: o.command("legacy-sse")?,
    })
}

fn parse_ws(args: &[String]) -> anyhow::Result<WsLoad> {
    let o = options(
        args,
        &["--connections", "--requests", "--warmup", "--protocol"],
        &[],
    )?;
    Ok(WsLoad {
        protocol: o.get("--protocol", ProtocolVersion::V2025_11_25)?,
        connections: o.get("--connections", 16)?,
        requests: o.get("--requests", 50_000)?,
        warmup: o.get("--warmup", 200)?,
        command: o.command("ws")?,
    })
}

fn parse_push(args: &[String]) -> anyhow::Result<(u64, Vec<String>)> {
    let o = options(args, &["--pushes"], &[])?;
    Ok((o.get("--pushes", 2_000)?, o.command("ws-push")?))
}

/// `--bind ADDR` (default `127.0.0.1:0`, a free loopback port) for the raw network servers.
fn parse_bind(args: &[String]) -> anyhow::Result<String> {
    match args {
        [] => Ok("127.0.0.1:0".into()),
        [flag, addr] if flag == "--bind" => Ok(addr.clone()),
        _ => bail!("unexpected arguments {args:?}\n{USAGE}"),
    }
}
