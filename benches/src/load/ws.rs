//! Load over WebSocket: C connections, each with one `tools/call` in flight; and push latency,
//! from an `increment` on one connection to the `resources/updated` another one receives.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use mcplex_protocol::{Message, ProtocolVersion, decode};
use mcplex_transport::Transport;
use mcplex_ws::{ClientOptions, WsReader, WsWriter};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{ProcStats, Report, Target, request_line, verify_response};

/// One WebSocket load run against a server the tool starts.
#[derive(Clone, Debug)]
pub struct WsLoad {
    /// The server command; it must print `... listening on <addr>` on stderr when ready.
    pub command: Vec<String>,
    /// The protocol revision.
    pub protocol: ProtocolVersion,
    /// Concurrent connections.
    pub connections: usize,
    /// Requests to measure, over all connections.
    pub requests: u64,
    /// Requests per connection before measuring.
    pub warmup: u64,
}

struct Conn {
    reader: WsReader,
    writer: WsWriter,
}

async fn start(command: &[String]) -> anyhow::Result<(Child, String)> {
    let (program, args) = command.split_first().context("empty server command")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let mut stderr = BufReader::new(child.stderr.take().context("stderr")?).lines();
    let addr = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), stderr.next_line())
            .await
            .context("the server did not get ready")??
            .context("the server exited before it was ready")?;
        if let Some((_, addr)) = line.split_once("listening on ") {
            break addr.trim().to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
    Ok((child, format!("ws://{addr}/ws")))
}

impl Conn {
    async fn open(url: &str, protocol: ProtocolVersion) -> anyhow::Result<Self> {
        let transport = mcplex_ws::connect(url, &ClientOptions::default()).await?;
        let (reader, writer, _) = transport.split();
        let mut conn = Self { reader, writer };
        if protocol.has_initialize() {
            let init = format!(
                r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"protocolVersion":"{protocol}","capabilities":{{}},"clientInfo":{{"name":"mcplex-load","version":"1"}}}}}}"#
            );
            conn.send(init.as_bytes()).await?;
            conn.response().await?;
            conn.send(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
                .await?;
        }
        Ok(conn)
    }

    async fn send(&mut self, json: &[u8]) -> anyhow::Result<()> {
        let message = decode(json).map_err(|e| anyhow::anyhow!("bad request: {e}"))?;
        self.writer.send(message).await?;
        Ok(())
    }

    async fn next(&mut self) -> anyhow::Result<Message> {
        match self.reader.next().await {
            Some(Ok(message)) => Ok(message),
            Some(Err(e)) => Err(e.into()),
            None => bail!("the server closed the connection"),
        }
    }

    /// The next response, skipping notifications.
    async fn response(&mut self) -> anyhow::Result<Message> {
        loop {
            let message = self.next().await?;
            if message.is_response() {
                return Ok(message);
            }
        }
    }

    async fn call(&mut self, protocol: ProtocolVersion, id: u64) -> anyhow::Result<()> {
        let mut line = Vec::with_capacity(256);
        request_line(Target::Mcp(protocol), id, &mut line);
        line.pop();
        self.send(&line).await?;
        let answered =
            verify_response(&self.response().await?.to_vec()).map_err(anyhow::Error::msg)?;
        if answered != id {
            bail!("response for id {answered}, expected {id}");
        }
        Ok(())
    }
}

/// Runs one WebSocket request load and reports it.
///
/// # Errors
///
/// Fails when the server cannot be started or answers wrongly.
pub async fn run_ws(load: &WsLoad) -> anyhow::Result<Report> {
    let (mut child, url) = start(&load.command).await?;
    let pid = child.id().context("server exited")?;
    let mut conns = Vec::with_capacity(load.connections);
    for _ in 0..load.connections.max(1) {
        conns.push(Conn::open(&url, load.protocol).await?);
    }
    for conn in &mut conns {
        for id in 1..=load.warmup {
            conn.call(load.protocol, id).await?;
        }
    }
    let per_conn = load.requests / conns.len() as u64;
    let before = ProcStats::sample(pid);
    let started = Instant::now();
    let runs = conns.iter_mut().enumerate().map(|(i, conn)| async move {
        let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
        let first = 1_000_000_000 * (i as u64 + 1);
        for id in first..first + per_conn {
            let sent = Instant::now();
            conn.call(load.protocol, id).await?;
            let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
            hist.record(micros.max(1))?;
        }
        anyhow::Ok(hist)
    });
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    for result in futures_util::future::join_all(runs).await {
        hist.add(result?)?;
    }
    let elapsed = started.elapsed();
    let after = ProcStats::sample(pid);
    let _ = child.kill().await;
    let requests = per_conn * conns.len() as u64;
    let cpu = match (before, after) {
        (Some(b), Some(a)) => Some((a.cpu_us - b.cpu_us) as f64 / requests as f64),
        _ => None,
    };
    Ok(Report {
        transport: "ws",
        mode: "mcp",
        protocol: Some(load.protocol.as_str()),
        window: load.connections,
        requests,
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

/// Push latency: a subscriber on one connection, `increment` calls on another; measures from
/// sending each `increment` to the subscriber receiving `notifications/resources/updated`.
///
/// # Errors
///
/// Fails when the server cannot be started or a push does not arrive.
pub async fn run_ws_push(command: &[String], pushes: u64) -> anyhow::Result<Report> {
    let protocol = ProtocolVersion::V2025_11_25;
    let (mut child, url) = start(command).await?;
    let pid = child.id().context("server exited")?;
    let mut subscriber = Conn::open(&url, protocol).await?;
    subscriber
        .send(br#"{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"demo://counter"}}"#)
        .await?;
    subscriber.response().await?;
    let mut publisher = Conn::open(&url, protocol).await?;
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let started = Instant::now();
    for id in 1..=pushes {
        let call = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"increment","arguments":{{}}}}}}"#
        );
        let sent = Instant::now();
        publisher.send(call.as_bytes()).await?;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), subscriber.next())
                .await
                .context("the push did not arrive")??;
            if let Message::Notification(n) = &message
                && n.method == "notifications/resources/updated"
            {
                break;
            }
        }
        let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
        hist.record(micros.max(1))?;
        publisher.response().await?;
    }
    let elapsed = started.elapsed();
    let after = ProcStats::sample(pid);
    let _ = child.kill().await;
    Ok(Report {
        transport: "ws-push",
        mode: "mcp",
        protocol: Some(protocol.as_str()),
        window: 1,
        requests: pushes,
        seconds: 0.0,
        rps: 0.0,
        p50_us: 0,
        p90_us: 0,
        p99_us: 0,
        max_us: 0,
        server_peak_rss_kib: after.map(|a| a.peak_rss_kib),
        server_cpu_us_per_req: None,
    }
    .with_latencies(&hist, elapsed))
}
