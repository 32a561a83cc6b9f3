//! Load over Streamable HTTP: C keep-alive clients, each with one request in flight, speaking
//! HTTP/1.1 directly over TCP (no client library in the measured path).

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use hdrhistogram::Histogram;
use mcplex_protocol::ProtocolVersion;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;

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
    let (program, args) = load.command.split_first().context("empty server command")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let pid = child.id().context("server exited at once")?;
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
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let (mut length, mut chunked, mut session) = (None, false, None);
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                bail!("connection closed in the headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "mcp-session-id" => session = Some(value.to_owned()),
                _ => {}
            }
        }
        self.body.clear();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16).context("bad chunk size")?;
                if size == 0 {
                    line.clear();
                    self.stream.read_line(&mut line).await?;
                    break;
                }
                let start = self.body.len();
                self.body.resize(start + size, 0);
                self.stream.read_exact(&mut self.body[start..]).await?;
                let mut crlf = [0u8; 2];
                self.stream.read_exact(&mut crlf).await?;
            }
        } else if let Some(length) = length {
            self.body.resize(length, 0);
            self.stream.read_exact(&mut self.body).await?;
        }
        Ok((status, session))
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
