//! `cargo xtask bench`: the end-to-end benchmark matrix, each MCP run next to its raw ceiling.
//!
//! Builds the load tool and the three servers in release, then runs every case of the matrix
//! (stdio, Streamable HTTP, legacy HTTP+SSE, WebSocket) [`ROUNDS`] times, alternating which of
//! the raw/MCP pair goes first, so that drift on a shared machine hits both sides alike. Where
//! `taskset` works and there are at least two cores, the server runs on core 0 and the load
//! tool on core 1. Figures are medians over the rounds; a ratio is the median of the per-round
//! ratios of the pair run back to back. The memory per idle connection comes from the `idle`
//! examples of `mcplex-sse` (a Streamable HTTP session with its standalone SSE stream open) and
//! `mcplex-ws`. The result is written to `docs/benchmarks.md`.
//!
//! Benchmarks are not tests: nothing here fails on a missed target; it only reports it.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context as _, Result};
use serde_json::Value;

use crate::shell::{Cmd, Context, format_duration};

/// Repetitions of every raw/MCP pair.
const ROUNDS: usize = 5;

/// The packages built before measuring.
const PACKAGES: [&str; 4] = [
    "mcplex-benches",
    "mcplex-stdio-server",
    "mcplex-sse-server",
    "mcplex-ws-server",
];

/// Idle connections opened for the memory figure.
const IDLE_CONNECTIONS: &str = "10000";

/// The file this command writes, relative to the repository root.
const OUTPUT: &str = "docs/benchmarks.md";

/// The command this module runs, as a user types it.
const COMMAND: &str = "cargo xtask bench";

/// The label of the legacy HTTP+SSE case.
const LEGACY_16: &str = "2024-11-05, 16 clients";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Stdio,
    Http,
    Legacy,
    Ws,
}

impl Section {
    const ALL: [Section; 4] = [Section::Stdio, Section::Http, Section::Legacy, Section::Ws];

    fn title(self) -> &'static str {
        match self {
            Section::Stdio => "stdio",
            Section::Http => "Streamable HTTP (JSON responses)",
            Section::Legacy => "Legacy HTTP+SSE (2024-11-05)",
            Section::Ws => "WebSocket",
        }
    }
}

/// One raw/MCP pair of the matrix.
struct Case {
    section: Section,
    label: &'static str,
    /// `mcplex-load` arguments of the MCP run, up to the server command.
    mcp: Vec<String>,
    /// `mcplex-load` arguments of the raw run, up to the server command.
    raw: Vec<String>,
    /// The MCP server command (path relative to the repository root, then arguments).
    mcp_server: Vec<String>,
    /// The raw server command.
    raw_server: Vec<String>,
}

/// What one run reported.
#[derive(Clone, Copy, Debug)]
struct Sample {
    rps: f64,
    p50: f64,
    p99: f64,
    cpu: Option<f64>,
    rss_kib: Option<f64>,
}

/// Both sides of one case over all rounds.
#[derive(Default)]
struct Pairs {
    raw: Vec<Sample>,
    mcp: Vec<Sample>,
}

impl Pairs {
    fn median(samples: &[Sample], field: impl Fn(&Sample) -> Option<f64>) -> Option<f64> {
        median(samples.iter().filter_map(field).collect())
    }
    fn mcp(&self, field: impl Fn(&Sample) -> Option<f64>) -> Option<f64> {
        Self::median(&self.mcp, field)
    }
    fn raw(&self, field: impl Fn(&Sample) -> Option<f64>) -> Option<f64> {
        Self::median(&self.raw, field)
    }
    /// The median over rounds of `mcp / raw` for one field.
    fn ratio(&self, field: impl Fn(&Sample) -> Option<f64>) -> Option<f64> {
        let ratios = self
            .raw
            .iter()
            .zip(&self.mcp)
            .filter_map(|(r, m)| Some(field(m)? / field(r)?))
            .filter(|r| r.is_finite())
            .collect();
        median(ratios)
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

fn cases() -> Vec<Case> {
    const LOAD: &str = "target/release/mcplex-load";
    const BIND: &str = "127.0.0.1:0";
    let sse = strings(&["target/release/mcplex-sse-server", "--bind", BIND]);
    let ws = strings(&["target/release/mcplex-ws-server", "--bind", BIND]);
    let raw_http = strings(&[LOAD, "raw-http-server", "--bind", BIND]);
    let raw_ws = strings(&[LOAD, "raw-ws-server", "--bind", BIND]);
    let mut cases = Vec::new();
    for (label, window, requests) in [("window 1", "1", "30000"), ("window 64", "64", "300000")] {
        let load = strings(&["stdio", "--window", window, "--requests", requests]);
        let mut raw = load.clone();
        raw.push("--raw".into());
        cases.push(Case {
            section: Section::Stdio,
            label,
            mcp: load,
            raw,
            mcp_server: strings(&["target/release/mcplex-stdio-server"]),
            raw_server: strings(&[LOAD, "raw-stdio-server"]),
        });
    }
    let http = [
        (
            "2026-07-28 stateless, 1 client",
            "2026-07-28",
            "1",
            "15000",
            &[][..],
        ),
        (
            "2026-07-28 stateless, 16 clients",
            "2026-07-28",
            "16",
            "96000",
            &[][..],
        ),
        (
            "2026-07-28 stateless, 64 clients",
            "2026-07-28",
            "64",
            "96000",
            &[][..],
        ),
        (
            "2025-11-25 stateful, 16 clients",
            "2025-11-25",
            "16",
            "96000",
            &[][..],
        ),
        (
            "2025-11-25 `--session-mode stateless`, 16 clients",
            "2025-11-25",
            "16",
            "96000",
            &["--session-mode", "stateless"][..],
        ),
    ];
    for (label, protocol, clients, requests, server_args) in http {
        let load = strings(&[
            "http",
            "--protocol",
            protocol,
            "--clients",
            clients,
            "--requests",
            requests,
        ]);
        let mut mcp_server = sse.clone();
        mcp_server.extend(strings(server_args));
        cases.push(Case {
            section: Section::Http,
            label,
            mcp: load.clone(),
            raw: load,
            mcp_server,
            raw_server: raw_http.clone(),
        });
    }
    // Each call is a POST answered 202 and the response read from the client's event stream:
    // two exchanges per call, so fewer requests than the other 16-client runs keep a round
    // (raw and MCP) under ~15 s on a busy two-core machine.
    let legacy = strings(&["legacy-sse", "--clients", "16", "--requests", "64000"]);
    cases.push(Case {
        section: Section::Legacy,
        label: LEGACY_16,
        mcp: legacy.clone(),
        raw: legacy,
        mcp_server: sse.clone(),
        raw_server: raw_http.clone(),
    });
    for (label, connections, requests) in [
        ("2025-11-25, 1 connection", "1", "15000"),
        ("2025-11-25, 16 connections", "16", "96000"),
        ("2025-11-25, 64 connections", "64", "96000"),
    ] {
        let load = strings(&["ws", "--connections", connections, "--requests", requests]);
        cases.push(Case {
            section: Section::Ws,
            label,
            mcp: load.clone(),
            raw: load,
            mcp_server: ws.clone(),
            raw_server: raw_ws.clone(),
        });
    }
    cases
}

/// How runs are placed on cores.
struct Pinning {
    enabled: bool,
}

impl Pinning {
    fn detect(ctx: &Context) -> Pinning {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let works = Cmd::new("taskset").args(["-c", "1", "true"]).succeeds(ctx);
        Pinning {
            enabled: cores >= 2 && works,
        }
    }

    /// The words that run `command` on `core`.
    fn on(&self, core: &str, command: Vec<String>) -> Vec<String> {
        if self.enabled {
            let mut words = strings(&["taskset", "-c", core]);
            words.extend(command);
            words
        } else {
            command
        }
    }
}

/// The full command line of one run, with paths relative to the repository root.
fn run_words(pin: &Pinning, load_args: &[String], server: &[String]) -> Vec<String> {
    let mut load = vec!["target/release/mcplex-load".to_owned()];
    load.extend(load_args.iter().cloned());
    load.push("--".into());
    load.extend(pin.on("0", server.to_vec()));
    pin.on("1", load)
}

fn absolute(root: &Path, word: &str) -> String {
    if word.starts_with("target/") {
        root.join(word).to_string_lossy().into_owned()
    } else {
        word.to_owned()
    }
}

fn run_once(ctx: &Context, words: &[String]) -> Result<Sample> {
    let words: Vec<String> = words.iter().map(|w| absolute(&ctx.root, w)).collect();
    let (program, args) = words.split_first().context("empty command")?;
    let output = Cmd::new(program).args(args.iter().cloned()).read(ctx)?;
    let line = output
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .with_context(|| format!("no report line in {output:?}"))?;
    let report: Value = serde_json::from_str(line).context("unreadable report line")?;
    let number = |key: &str| report.get(key).and_then(Value::as_f64);
    Ok(Sample {
        rps: number("rps").context("report without rps")?,
        p50: number("p50_us").context("report without p50_us")?,
        p99: number("p99_us").context("report without p99_us")?,
        cpu: number("server_cpu_us_per_req"),
        rss_kib: number("server_peak_rss_kib"),
    })
}

/// Builds, measures, and writes `docs/benchmarks.md`.
pub(crate) fn run(ctx: &Context) -> Result<()> {
    let started = Instant::now();
    let mut build = ctx.cargo("build").arg("--release");
    for package in PACKAGES {
        build = build.args(["-p", package]);
    }
    let build = build.locked(ctx);
    eprintln!("==> build: {build}");
    build.run(ctx)?;

    let pin = Pinning::detect(ctx);
    if pin.enabled {
        eprintln!("==> server pinned to core 0, load tool to core 1 (taskset)");
    } else {
        eprintln!("==> not pinning: taskset or a second core is missing");
    }
    let cases = cases();
    let load_before = load_average();
    let mut results: Vec<Pairs> = cases.iter().map(|_| Pairs::default()).collect();
    let measuring = Instant::now();
    for round in 0..ROUNDS {
        for (case, pairs) in cases.iter().zip(&mut results) {
            let raw = run_words(&pin, &case.raw, &case.raw_server);
            let mcp = run_words(&pin, &case.mcp, &case.mcp_server);
            let (raw_sample, mcp_sample) = if round % 2 == 0 {
                let r = run_once(ctx, &raw)?;
                (r, run_once(ctx, &mcp)?)
            } else {
                let m = run_once(ctx, &mcp)?;
                (run_once(ctx, &raw)?, m)
            };
            eprintln!(
                "==> round {}/{ROUNDS} {} {}: raw {:.0} rps, mcp {:.0} rps ({:.2})",
                round + 1,
                case.section.title(),
                case.label,
                raw_sample.rps,
                mcp_sample.rps,
                mcp_sample.rps / raw_sample.rps
            );
            pairs.raw.push(raw_sample);
            pairs.mcp.push(mcp_sample);
        }
    }
    let push = run_once(
        ctx,
        &run_words(
            &pin,
            &strings(&["ws-push", "--pushes", "2000"]),
            &strings(&["target/release/mcplex-ws-server", "--bind", "127.0.0.1:0"]),
        ),
    )?;
    let matrix_time = measuring.elapsed();

    let idle_sse = Idle::measure(ctx, "mcplex-sse");
    let idle_ws = Idle::measure(ctx, "mcplex-ws");

    let machine = Machine::probe(ctx);
    let total = started.elapsed();
    let doc = render(&Rendering {
        machine: &machine,
        pin: &pin,
        cases: &cases,
        results: &results,
        push,
        idle_sse: &idle_sse,
        idle_ws: &idle_ws,
        load_before,
        matrix_time: &format_duration(matrix_time),
        total_time: &format_duration(total),
    });
    std::fs::write(ctx.root.join(OUTPUT), doc).with_context(|| format!("writing {OUTPUT}"))?;
    eprintln!("==> wrote {OUTPUT} in {}", format_duration(total));
    Ok(())
}

/// The 1-minute load average from `/proc/loadavg`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// The memory figure for idle connections of one transport.
struct Idle {
    command: String,
    /// KiB per connection, when measured.
    kib: Option<f64>,
    /// The example's own summary line, or why there is none.
    note: String,
}

impl Idle {
    /// Runs the `idle` example of `package` with [`IDLE_CONNECTIONS`].
    fn measure(ctx: &Context, package: &str) -> Idle {
        let cmd = ctx
            .cargo("run")
            .args(["--release", "-p", package, "--example", "idle"])
            .locked(ctx)
            .args(["--", IDLE_CONNECTIONS]);
        eprintln!("==> idle connections: {cmd}");
        match cmd.read(ctx) {
            Ok(output) => Idle::parse(&output, &cmd.to_string()),
            Err(error) => Idle::failed(&cmd.to_string(), &format!("{error:#}")),
        }
    }

    fn parse(output: &str, command: &str) -> Idle {
        let line = output
            .lines()
            .find(|l| l.contains("per connection"))
            .unwrap_or_default();
        let kib = line
            .rsplit_once(" KiB)")
            .and_then(|(head, _)| head.rsplit_once('(')?.1.trim().parse().ok());
        Idle {
            command: command.to_owned(),
            kib,
            note: if line.is_empty() {
                format!("no summary line in the output: {}", output.trim())
            } else {
                line.to_owned()
            },
        }
    }

    fn failed(command: &str, error: &str) -> Idle {
        Idle {
            command: command.to_owned(),
            kib: None,
            note: format!("the example failed: {error}"),
        }
    }
}

/// Facts about the machine, for the report header.
struct Machine {
    cores: String,
    cpu: String,
    date: String,
    rustc: String,
}

impl Machine {
    fn probe(ctx: &Context) -> Machine {
        let read = |cmd: Cmd| {
            cmd.read(ctx)
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| "unknown".into())
        };
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|l| l.strip_prefix("model name"))
                    .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cores: read(Cmd::new("nproc")),
            cpu,
            date: read(Cmd::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])),
            rustc: read(Cmd::new("rustc").arg("-V")),
        }
    }
}

struct Rendering<'a> {
    machine: &'a Machine,
    pin: &'a Pinning,
    cases: &'a [Case],
    results: &'a [Pairs],
    push: Sample,
    /// Idle Streamable HTTP sessions with their standalone SSE stream open.
    idle_sse: &'a Idle,
    /// Idle WebSocket connections.
    idle_ws: &'a Idle,
    /// The 1-minute load average before the matrix: other work on the machine.
    load_before: String,
    matrix_time: &'a str,
    total_time: &'a str,
}

fn render(r: &Rendering<'_>) -> String {
    let mut doc = String::new();
    let m = r.machine;
    let _ = write!(
        doc,
        "# Benchmarks\n\n\
         Generated by `{COMMAND}` (see `xtask/src/bench.rs`); do not edit by hand, rerun it.\n\n\
         | | |\n|---|---|\n\
         | date | {} |\n| machine | {} cores, {} |\n| compiler | {} |\n\
         | placement | {} |\n| 1-minute load average before the matrix | {} (other work on the machine skews every figure) |\n| rounds | {ROUNDS} per raw/MCP pair, alternating which runs first; figures are medians |\n\
         | time | {} for the matrix, {} in all (with the release build and the idle-memory runs) |\n\n",
        m.date,
        m.cores,
        m.cpu,
        m.rustc,
        if r.pin.enabled {
            "server on core 0, load tool on core 1 (`taskset -c`)"
        } else {
            "not pinned (no `taskset` or one core)"
        },
        r.load_before,
        r.matrix_time,
        r.total_time,
    );
    doc.push_str(
        "Every run is one `mcplex-load` invocation (`benches/src/bin/mcplex-load.rs`): a \
         single-threaded client that starts the server, warms it up, then sends `tools/call` of \
         the demo `echo` tool with one request in flight per client (stdio: a window of \
         pipelined requests), verifies every result, and reports requests/s, latency \
         percentiles (HDR histogram) and the server's peak RSS and CPU time per request from \
         `/proc` (10 ms clock ticks, so small CPU figures are coarse).\n\n\
         The **raw ceiling** is the same load against a built-in minimal JSON-RPC echo with no \
         MCP machinery, on the same runtime and socket settings as the real server: \
         `mcplex-load raw-stdio-server` (buffered stdin/stdout), `raw-http-server` (axum, \
         `POST /mcp`; for the legacy runs `GET /sse` and `POST /messages?sessionId=`, each \
         answer written to that stream) and `raw-ws-server` (tokio-tungstenite). Each parses \
         the request into typed structs and serializes the echo result with serde; it answers \
         `initialize` with a fixed result so that the stateful clients can connect. **Ratio** \
         is MCP / raw for requests/s, the median of the per-round ratios of runs made back to \
         back.\n\n",
    );
    for section in Section::ALL {
        let _ = write!(
            doc,
            "## {}\n\n\
             | run | MCP rps | raw rps | ratio | p50 µs MCP / raw | p99 µs MCP / raw | server CPU µs/req MCP / raw | server peak RSS MiB MCP / raw |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|\n",
            section.title()
        );
        for (case, pairs) in r.cases.iter().zip(r.results) {
            if case.section != section {
                continue;
            }
            let _ = writeln!(
                doc,
                "| {} | {} | {} | {} | {} / {} | {} / {} | {} / {} | {} / {} |",
                case.label,
                fmt_int(pairs.mcp(|s| Some(s.rps))),
                fmt_int(pairs.raw(|s| Some(s.rps))),
                fmt_ratio(pairs.ratio(|s| Some(s.rps))),
                fmt_int(pairs.mcp(|s| Some(s.p50))),
                fmt_int(pairs.raw(|s| Some(s.p50))),
                fmt_int(pairs.mcp(|s| Some(s.p99))),
                fmt_int(pairs.raw(|s| Some(s.p99))),
                fmt_dec(pairs.mcp(|s| s.cpu)),
                fmt_dec(pairs.raw(|s| s.cpu)),
                fmt_mib(pairs.mcp(|s| s.rss_kib)),
                fmt_mib(pairs.raw(|s| s.rss_kib)),
            );
        }
        doc.push('\n');
        if section == Section::Http {
            let _ = write!(
                doc,
                "Memory per idle session (2025-11-25: `initialize`, `notifications/initialized`, \
                 then the standalone `GET` stream kept open, one connection per session; \
                 `{}`): {}\n\n",
                r.idle_sse.command, r.idle_sse.note,
            );
        }
        if section == Section::Legacy {
            doc.push_str(
                "Each client holds its event stream (`GET /sse`) on one connection and POSTs \
                 on a second keep-alive connection; a call is a POST answered `202` and the \
                 response read from the stream.\n\n",
            );
        }
        if section == Section::Ws {
            let _ = write!(
                doc,
                "Push latency on one instance (`ws-push`: an `increment` call on one connection \
                 to the `notifications/resources/updated` another connection receives, 2,000 \
                 pushes, one run): p50 {} µs, p99 {} µs.\n\n\
                 Memory per idle connection (`{}`): {}\n\n",
                fmt_int(Some(r.push.p50)),
                fmt_int(Some(r.push.p99)),
                r.idle_ws.command,
                r.idle_ws.note,
            );
        }
    }
    render_targets(&mut doc, r);
    doc.push_str("## Commands\n\nEach run, as `cargo xtask bench` starts it from the repository root:\n\n```text\n");
    for case in r.cases {
        let _ = writeln!(
            doc,
            "{}\n{}",
            run_words(r.pin, &case.raw, &case.raw_server).join(" "),
            run_words(r.pin, &case.mcp, &case.mcp_server).join(" ")
        );
    }
    doc.push_str("```\n");
    doc
}

fn find<'a>(r: &'a Rendering<'_>, label: &str) -> Option<&'a Pairs> {
    r.cases
        .iter()
        .position(|c| c.label == label)
        .map(|i| &r.results[i])
}

fn render_targets(doc: &mut String, r: &Rendering<'_>) {
    let rps = |label: &str| find(r, label).and_then(|p| p.ratio(|s| Some(s.rps)));
    let stdio_p50 = find(r, "window 1").and_then(|p| p.ratio(|s| Some(s.p50)));
    let http16_p99 =
        find(r, "2026-07-28 stateless, 16 clients").and_then(|p| p.ratio(|s| Some(s.p99)));
    let http_cpu = [
        "2026-07-28 stateless, 16 clients",
        "2026-07-28 stateless, 64 clients",
        "2025-11-25 stateful, 16 clients",
    ]
    .iter()
    .filter_map(|l| find(r, l)?.mcp(|s| s.cpu))
    .fold(None, |acc: Option<f64>, v| {
        Some(acc.map_or(v, |a| a.max(v)))
    });
    let rss16 = [
        "2026-07-28 stateless, 16 clients",
        "2025-11-25 stateful, 16 clients",
        "2025-11-25, 16 connections",
    ]
    .iter()
    .filter_map(|l| find(r, l)?.mcp(|s| s.rss_kib))
    .fold(None, |acc: Option<f64>, v| {
        Some(acc.map_or(v, |a| a.max(v)))
    });
    type Row<'a> = (&'a str, String, Option<bool>);
    let at_least = |v: Option<f64>, goal: f64| (fmt_ratio(v), v.map(|v| v >= goal));
    let at_most = |v: Option<f64>, goal: f64, show: fn(Option<f64>) -> String| {
        (show(v), v.map(|v| v <= goal))
    };
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut add = |name, (shown, met): (String, Option<bool>)| rows.push((name, shown, met));
    add(
        "stdio pipelined (window 64): rps ≥ 0.70 × raw",
        at_least(rps("window 64"), 0.70),
    );
    add(
        "stdio one at a time: p50 ≤ 1.15 × raw",
        at_most(stdio_p50, 1.15, fmt_ratio),
    );
    add(
        "HTTP stateless JSON (2026-07-28), 16 clients: rps ≥ 0.60 × raw",
        at_least(rps("2026-07-28 stateless, 16 clients"), 0.60),
    );
    add(
        "HTTP stateless, 16 clients: p99 ≤ 2 × raw",
        at_most(http16_p99, 2.0, fmt_ratio),
    );
    add(
        "HTTP stateless, 64 clients: rps ≥ 0.55 × raw",
        at_least(rps("2026-07-28 stateless, 64 clients"), 0.55),
    );
    add(
        "HTTP stateful (sessions), 16 clients: rps ≥ 0.50 × raw",
        at_least(rps("2025-11-25 stateful, 16 clients"), 0.50),
    );
    add(
        "HTTP 2026-07-28 wire, 16 clients: rps ≥ 0.55 × raw",
        at_least(rps("2026-07-28 stateless, 16 clients"), 0.55),
    );
    add(
        "legacy HTTP+SSE, 16 clients: rps ≥ 0.50 × raw (our own bar, as for stateful HTTP)",
        at_least(rps(LEGACY_16), 0.50),
    );
    add(
        "WebSocket, 16 connections: rps ≥ 0.70 × raw",
        at_least(rps("2025-11-25, 16 connections"), 0.70),
    );
    add(
        "server CPU per HTTP `tools/call`, 16–64 clients (worst case): ≤ 10 µs",
        at_most(http_cpu, 10.0, |v| format!("{} µs", fmt_dec(v))),
    );
    add(
        "server peak RSS at 16 clients (worst of HTTP and WebSocket): ≤ 12 MiB",
        at_most(rss16.map(|k| k / 1024.0), 12.0, |v| {
            format!("{} MiB", fmt_dec(v))
        }),
    );
    add(
        "memory per idle WebSocket connection: ≤ 16 KiB",
        at_most(r.idle_ws.kib, 16.0, |v| format!("{} KiB", fmt_dec(v))),
    );
    add(
        "memory per idle SSE connection: ≤ 16 KiB",
        at_most(r.idle_sse.kib, 16.0, |v| format!("{} KiB", fmt_dec(v))),
    );
    doc.push_str(
        "## Targets\n\nRatios are to the raw ceiling of the same round; `not measured` says what \
         the matrix cannot run yet.\n\n| target | measured | |\n|---|---:|---|\n",
    );
    for (name, shown, met) in rows {
        let verdict = match met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "not measured",
        };
        let _ = writeln!(doc, "| {name} | {shown} | {verdict} |");
    }
    doc.push_str(
        "| Redis cross-instance push p99 ≤ 2 ms | — | not measured: the Redis backend is not \
         built yet |\n\n",
    );
}

fn fmt_int(v: Option<f64>) -> String {
    v.map_or_else(
        || "—".into(),
        |v| {
            let digits = format!("{:.0}", v);
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            out
        },
    )
}

fn fmt_dec(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
}

fn fmt_ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.2}"))
}

fn fmt_mib(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{:.1}", v / 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_int(Some(1_234_567.4)), "1,234,567");
        assert_eq!(fmt_int(Some(999.0)), "999");
        assert_eq!(fmt_int(None), "—");
    }

    #[test]
    fn idle_summary_is_parsed() {
        let out = "10000 idle initialized MCP connections opened in 2.1s; server RSS 5 MiB -> 80 MiB: 7864 bytes (7.7 KiB) per connection\n";
        assert_eq!(Idle::parse(out, "x").kib, Some(7.7));
    }

    #[test]
    fn idle_sse_summary_is_parsed() {
        let out = "10000 idle initialized Streamable HTTP sessions with an open standalone SSE stream opened in 1.08s; server RSS 6 MiB -> 251 MiB: 25720 bytes (25.1 KiB) per connection\nafter the client process exited: 0 streams open\n";
        let idle = Idle::parse(out, "x");
        assert_eq!(idle.kib, Some(25.1));
        assert!(idle.note.starts_with("10000 idle"), "{}", idle.note);
        assert_eq!(Idle::parse("boom", "x").kib, None);
    }

    #[test]
    fn legacy_and_idle_sse_targets_are_judged() {
        let cases = cases();
        let sample = |rps| Sample {
            rps,
            p50: 100.0,
            p99: 200.0,
            cpu: Some(10.0),
            rss_kib: Some(6000.0),
        };
        let results: Vec<Pairs> = cases
            .iter()
            .map(|c| Pairs {
                raw: vec![sample(100.0)],
                mcp: vec![sample(if c.label == LEGACY_16 { 60.0 } else { 50.0 })],
            })
            .collect();
        let machine = Machine {
            cores: "2".into(),
            cpu: "cpu".into(),
            date: "today".into(),
            rustc: "rustc".into(),
        };
        let idle_sse = Idle::parse("n sessions: 1 bytes (25.1 KiB) per connection", "sse");
        let idle_ws = Idle::parse("n connections: 1 bytes (12.0 KiB) per connection", "ws");
        let doc = render(&Rendering {
            machine: &machine,
            pin: &Pinning { enabled: false },
            cases: &cases,
            results: &results,
            push: sample(1.0),
            idle_sse: &idle_sse,
            idle_ws: &idle_ws,
            load_before: "0.10".into(),
            matrix_time: "1s",
            total_time: "2s",
        });
        for row in [
            "| legacy HTTP+SSE, 16 clients: rps ≥ 0.50 × raw (our own bar, as for stateful HTTP) | 0.60 | met |",
            "| memory per idle SSE connection: ≤ 16 KiB | 25.1 KiB | **missed** |",
            "| memory per idle WebSocket connection: ≤ 16 KiB | 12.0 KiB | met |",
            "## Legacy HTTP+SSE (2024-11-05)",
            "| 2024-11-05, 16 clients | 60 | 100 | 0.60 |",
            "target/release/mcplex-load legacy-sse --clients 16 --requests 64000 -- \
             target/release/mcplex-load raw-http-server --bind 127.0.0.1:0",
        ] {
            assert!(doc.contains(row), "{row} missing from:\n{doc}");
        }
        assert!(!doc.contains("not measured: `mcplex-load` has no legacy"));
    }

    #[test]
    fn runs_are_pinned_when_possible() {
        let pin = Pinning { enabled: true };
        let words = run_words(&pin, &strings(&["stdio"]), &strings(&["server"]));
        assert_eq!(
            words.join(" "),
            "taskset -c 1 target/release/mcplex-load stdio -- taskset -c 0 server"
        );
    }
}
