//! Load over stdio: spawn the server, keep a window of `tools/call` requests in flight.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use hdrhistogram::Histogram;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::{ProcStats, Report, Target, request_line, verify_response};

/// One stdio load run.
#[derive(Clone, Debug)]
pub struct StdioLoad {
    /// The server command and its arguments.
    pub command: Vec<String>,
    /// What the server speaks.
    pub target: Target,
    /// Requests in flight (1 = one at a time).
    pub window: usize,
    /// Requests to measure.
    pub requests: u64,
    /// Requests sent before measuring.
    pub warmup: u64,
}

/// Runs one stdio load and reports it.
///
/// # Errors
///
/// Fails when the server cannot be started, answers wrongly, or exits early.
pub async fn run_stdio(load: &StdioLoad) -> anyhow::Result<Report> {
    let (program, args) = load.command.split_first().context("empty server command")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let pid = child.id().context("server exited at once")?;
    let mut stdin = BufWriter::with_capacity(64 * 1024, child.stdin.take().context("stdin")?);
    let mut stdout = BufReader::with_capacity(64 * 1024, child.stdout.take().context("stdout")?);
    if let Target::Mcp(v) = load.target
        && v.has_initialize()
    {
        initialize(&mut stdin, &mut stdout, v.as_str()).await?;
    }
    drive(load, &mut stdin, &mut stdout, 0, load.warmup).await?;
    let before = ProcStats::sample(pid);
    let started = Instant::now();
    let hist = drive(load, &mut stdin, &mut stdout, load.warmup, load.requests).await?;
    let elapsed = started.elapsed();
    let after = ProcStats::sample(pid);
    shutdown(child, stdin).await;
    let (protocol, mode) = match load.target {
        Target::Mcp(v) => (Some(v.as_str()), "mcp"),
        Target::Raw => (None, "raw"),
    };
    let cpu = match (before, after) {
        (Some(b), Some(a)) => Some((a.cpu_us - b.cpu_us) as f64 / load.requests as f64),
        _ => None,
    };
    Ok(Report {
        transport: "stdio",
        mode,
        protocol,
        window: load.window,
        requests: load.requests,
        seconds: 0.0,
        rps: 0.0,
        p50_us: 0,
        p90_us: 0,
        p99_us: 0,
        max_us: 0,
        server_peak_rss_kib: after.map(|a| a.peak_rss_kib),
        server_cpu_us_per_req: cpu,
    }
    .with_latencies(&hist, elapsed))
}

async fn initialize(
    stdin: &mut BufWriter<ChildStdin>,
    stdout: &mut BufReader<ChildStdout>,
    version: &str,
) -> anyhow::Result<()> {
    let init = format!(
        r#"{{"jsonrpc":"2.0","id":"init","method":"initialize","params":{{"protocolVersion":"{version}","capabilities":{{}},"clientInfo":{{"name":"mcplex-load","version":"1"}}}}}}"#
    );
    stdin.write_all(init.as_bytes()).await?;
    stdin.write_all(b"\n").await?;
    stdin.flush().await?;
    let mut line = String::new();
    stdout.read_line(&mut line).await?;
    if !line.contains(r#""result""#) {
        bail!("initialize failed: {line}");
    }
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await?;
    Ok(())
}

/// Sends requests `first..first + count` keeping `window` in flight; returns latencies (µs).
async fn drive(
    load: &StdioLoad,
    stdin: &mut BufWriter<ChildStdin>,
    stdout: &mut BufReader<ChildStdout>,
    first: u64,
    count: u64,
) -> anyhow::Result<Histogram<u64>> {
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let end = first + count;
    let mut sent_at: Vec<Instant> = Vec::with_capacity(count as usize);
    let mut next = first;
    let mut done = first;
    let mut buf = Vec::with_capacity(512);
    let mut line = Vec::with_capacity(512);
    let window = load.window.max(1) as u64;
    while done < end {
        // Fill the window, then flush once.
        while next < end && next - done < window {
            buf.clear();
            request_line(load.target, next, &mut buf);
            stdin.write_all(&buf).await?;
            sent_at.push(Instant::now());
            next += 1;
        }
        stdin.flush().await?;
        // Read at least one response, and every one already buffered.
        loop {
            line.clear();
            if stdout.read_until(b'\n', &mut line).await? == 0 {
                bail!("the server closed stdout");
            }
            let id = verify_response(&line).map_err(anyhow::Error::msg)?;
            let index = id
                .checked_sub(first)
                .filter(|&i| i < sent_at.len() as u64)
                .context("response to an unknown id")?;
            let micros = sent_at[index as usize].elapsed().as_micros();
            hist.record(u64::try_from(micros).unwrap_or(u64::MAX).max(1))?;
            done += 1;
            if done >= end || stdout.buffer().is_empty() {
                break;
            }
        }
    }
    Ok(hist)
}

async fn shutdown(mut child: Child, stdin: BufWriter<ChildStdin>) {
    drop(stdin);
    if tokio::time::timeout(Duration::from_secs(2), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}
