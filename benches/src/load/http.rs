//! Load over Streamable HTTP: C keep-alive clients, each with one request in flight, speaking
//! HTTP/1.1 directly over TCP (no client library in the measured path).

use std::time::Instant;

use anyhow::{Context as _, bail};
use hdrhistogram::Histogram;
use mcplex_protocol::ProtocolVersion;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::http1::{read_response, start_server};
use super::{ProcStats, Report, Target, request_line, verify_response};

/// One Streamable HTTP load run against a server the tool starts.
#[derive(Clone, Debug)]
pub struct HttpLoad {
    /// The server command; it must accept `--bind 127.0.0.1:0` (already in the arguments) and
    /// print `... listening on <addr>` on stderr when ready.
    pub command: Vec<String>,
    /// The protocol revision (2026-07-28: stateless; earlier: a session per client).
    pub protocol: ProtocolVersion,
    /// Concurrent keep-alive clients.
    pub clients: usize,
    /// Requests to measure, over all clients.
    pub requests: u64,
    /// Requests per client before measuring.
    pub warmup: u64,
    /// Accept only `text/event-stream` (every response is an SSE stream).
    pub sse: bool,
}

/// Runs one HTTP load and reports it.
///
/// # Errors
///
/// Fails when the server cannot be started or answers wrongly.
pub async fn run_http(load: &HttpLoad) -> anyhow::Result<Report> {
    let (mut child, pid, addr) = start_server(&load.command).await?;
    let mut clients = Vec::with_capacity(load.clients);
    for _ in 0..load.clients.max(1) {
        clients.push(HttpClient::connect(&addr, load).await?);
    }
    let per_client = load.requests / clients.len() as u64;
    for client in &mut clients {
        client.warm_up(load.warmup).await?;
    }
    let before = ProcStats::sample(pid);
    let started = Instant::now();
    let runs = clients
        .into_iter()
        .enumerate()
        .map(|(i, mut client)| async move {
            let first = 1_000_000_000 * (i as u64 + 1);
            client.measure(first, per_client).await
        });
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    for result in futures_util::future::join_all(runs).await {
        hist.add(result?)?;
    }
    let elapsed = started.elapsed();
    let after = ProcStats::sample(pid);
    let _ = child.kill().await;
    let requests = per_client * load.clients.max(1) as u64;
    let cpu = match (before, after) {
        (Some(b), Some(a)) => Some((a.cpu_us - b.cpu_us) as f64 / requests as f64),
        _ => None,
    };
    Ok(Report {
        transport: if load.sse { "http-sse" } else { "http" },
        mode: "mcp",
        protocol: Some(load.protocol.as_str()),
        window: load.clients,
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

struct HttpClient {
    stream: BufReader<TcpStream>,
    host: String,
    protocol: ProtocolVersion,
    session: Option<String>,
    sse: bool,
    body: Vec<u8>,
    request: Vec<u8>,
    line: String,
}

impl HttpClient {
    async fn connect(addr: &str, load: &HttpLoad) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let mut client = Self {
            stream: BufReader::with_capacity(64 * 1024, stream),
            host: addr.to_owned(),
            protocol: load.protocol,
            session: None,
            sse: load.sse,
            body: Vec::with_capacity(1024),
            request: Vec::with_capacity(1024),
            line: String::new(),
        };
        if load.protocol.has_initialize() {
            let init = format!(
                r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"protocolVersion":"{}","capabilities":{{}},"clientInfo":{{"name":"mcplex-load","version":"1"}}}}}}"#,
                load.protocol
            );
            let (status, session) = client.exchange(init.as_bytes(), "initialize").await?;
            if status != 200 || !client.body_text().contains(r#""result""#) {
                bail!("initialize failed: {status} {}", client.body_text());
            }
            client.session = session;
            let initialized = br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
            let (status, _) = client
                .exchange(initialized, "notifications/initialized")
                .await?;
            if status != 202 {
                bail!("initialized notification answered {status}");
            }
        }
        Ok(client)
    }

    fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    async fn warm_up(&mut self, count: u64) -> anyhow::Result<()> {
        for id in 1..=count {
            self.call(id).await?;
        }
        Ok(())
    }

    async fn measure(&mut self, first: u64, count: u64) -> anyhow::Result<Histogram<u64>> {
        let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
        for id in first..first + count {
            let started = Instant::now();
            self.call(id).await?;
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            hist.record(micros.max(1))?;
        }
        Ok(hist)
    }

    async fn call(&mut self, id: u64) -> anyhow::Result<()> {
        let mut line = Vec::with_capacity(256);
        request_line(Target::Mcp(self.protocol), id, &mut line);
        line.pop();
        let (status, _) = self.exchange(&line, "tools/call").await?;
        if status != 200 {
            bail!("tools/call answered {status}: {}", self.body_text());
        }
        let json = if self.sse {
            sse_data(&self.body)?
        } else {
            &self.body[..]
        };
        let answered = verify_response(json).map_err(anyhow::Error::msg)?;
        if answered != id {
            bail!("response for id {answered}, expected {id}");
        }
        Ok(())
    }

    /// Sends one POST and reads the whole response into `self.body`; returns the status and
    /// the session id header, if any.
    async fn exchange(
        &mut self,
        body: &[u8],
        method: &str,
    ) -> anyhow::Result<(u16, Option<String>)> {
        use std::io::Write;
        self.request.clear();
        let accept = if self.sse {
            "text/event-stream"
        } else {
            "application/json, text/event-stream"
        };
        write!(
            self.request,
            "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {accept}\r\nMCP-Protocol-Version: {}\r\nContent-Length: {}\r\n",
            self.host,
            self.protocol,
            body.len()
        )?;
        if let Some(session) = &self.session {
            write!(self.request, "Mcp-Session-Id: {session}\r\n")?;
        }
        if self.protocol.has_method_headers() {
            write!(self.request, "Mcp-Method: {method}\r\n")?;
            if method == "tools/call" {
                self.request.extend_from_slice(b"Mcp-Name: echo\r\n");
            }
        }
        self.request.extend_from_slice(b"\r\n");
        self.request.extend_from_slice(body);
        self.stream.get_mut().write_all(&self.request).await?;
        self.read_response().await
    }

    async fn read_response(&mut self) -> anyhow::Result<(u16, Option<String>)> {
        let head = read_response(&mut self.stream, &mut self.line, &mut self.body).await?;
        Ok((head.status, head.session))
    }
}

/// The JSON of the last `data:` line of an SSE body.
fn sse_data(body: &[u8]) -> anyhow::Result<&[u8]> {
    body.split(|&b| b == b'\n')
        .filter_map(|line| line.strip_prefix(b"data:"))
        .map(|data| data.trim_ascii())
        .next_back()
        .context("no data line in the event stream")
}
