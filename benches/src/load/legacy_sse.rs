//! Load over the legacy HTTP+SSE transport (2024-11-05): C clients, each with its event stream
//! (`GET /sse`) on one connection and its POSTs on a second keep-alive connection, one
//! `tools/call` in flight. Each call is a POST to the announced endpoint (answered `202`) and
//! the response read from the event stream. HTTP/1.1 is spoken directly over TCP (no client
//! library in the measured path).

use std::time::Instant;

use anyhow::bail;
use hdrhistogram::Histogram;
use mcplex_protocol::ProtocolVersion;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::http1::{read_chunk, read_head, read_response, start_server};
use super::{ProcStats, Report, Target, request_line, verify_response};

/// The revision of the legacy transport.
const PROTOCOL: ProtocolVersion = ProtocolVersion::V2024_11_05;

/// One legacy HTTP+SSE load run against a server the tool starts.
#[derive(Clone, Debug)]
pub struct LegacySseLoad {
    /// The server command; it must accept `--bind 127.0.0.1:0` (already in the arguments),
    /// serve `GET /sse`, and print `... listening on <addr>` on stderr when ready.
    pub command: Vec<String>,
    /// Concurrent clients, each with an event stream and a connection for its POSTs.
    pub clients: usize,
    /// Requests to measure, over all clients.
    pub requests: u64,
    /// Requests per client before measuring.
    pub warmup: u64,
}

/// Runs one legacy HTTP+SSE load and reports it.
///
/// # Errors
///
/// Fails when the server cannot be started or answers wrongly.
pub async fn run_legacy_sse(load: &LegacySseLoad) -> anyhow::Result<Report> {
    let (mut child, pid, addr) = start_server(&load.command).await?;
    let mut clients = Vec::with_capacity(load.clients);
    for _ in 0..load.clients.max(1) {
        clients.push(LegacyClient::connect(&addr).await?);
    }
    let per_client = load.requests / clients.len() as u64;
    for client in &mut clients {
        for id in 1..=load.warmup {
            client.call(id).await?;
        }
    }
    let before = ProcStats::sample(pid);
    let started = Instant::now();
    let runs = clients
        .iter_mut()
        .enumerate()
        .map(|(i, client)| async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let first = 1_000_000_000 * (i as u64 + 1);
            for id in first..first + per_client {
                let sent = Instant::now();
                client.call(id).await?;
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
    let requests = per_client * clients.len() as u64;
    let cpu = match (before, after) {
        (Some(b), Some(a)) => Some((a.cpu_us - b.cpu_us) as f64 / requests as f64),
        _ => None,
    };
    Ok(Report {
        transport: "legacy-sse",
        mode: "mcp",
        protocol: Some(PROTOCOL.as_str()),
        window: clients.len(),
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

/// One legacy client: its event stream and the connection its POSTs go over.
struct LegacyClient {
    events: EventStream,
    posts: BufReader<TcpStream>,
    /// The `Host` header.
    host: String,
    /// Where to POST: the path and query of the `endpoint` event.
    endpoint: String,
    request: Vec<u8>,
    body: Vec<u8>,
    line: String,
}

impl LegacyClient {
    /// Opens the event stream, reads the endpoint, and runs the `initialize` handshake.
    async fn connect(addr: &str) -> anyhow::Result<Self> {
        let mut events = EventStream::open(addr).await?;
        let (kind, data) = events.next().await?;
        if kind != b"endpoint" {
            bail!(
                "the stream did not start with an endpoint event: {}",
                String::from_utf8_lossy(data)
            );
        }
        let endpoint = endpoint_path(std::str::from_utf8(data)?)?.to_owned();
        let posts = TcpStream::connect(addr).await?;
        posts.set_nodelay(true)?;
        let mut client = Self {
            events,
            posts: BufReader::with_capacity(16 * 1024, posts),
            host: addr.to_owned(),
            endpoint,
            request: Vec::with_capacity(1024),
            body: Vec::with_capacity(256),
            line: String::new(),
        };
        let init = format!(
            r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"protocolVersion":"{PROTOCOL}","capabilities":{{}},"clientInfo":{{"name":"mcplex-load","version":"1"}}}}}}"#
        );
        client.post(init.as_bytes()).await?;
        let (kind, data) = client.events.next().await?;
        let answer = String::from_utf8_lossy(data);
        if kind != b"message" || !answer.contains(r#""result""#) {
            bail!("initialize failed: {answer}");
        }
        client
            .post(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .await?;
        Ok(client)
    }

    /// POSTs one message; the server must accept it with 202.
    async fn post(&mut self, json: &[u8]) -> anyhow::Result<()> {
        use std::io::Write;
        self.request.clear();
        write!(
            self.request,
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.endpoint,
            self.host,
            json.len()
        )?;
        self.request.extend_from_slice(json);
        self.posts.get_mut().write_all(&self.request).await?;
        let head = read_response(&mut self.posts, &mut self.line, &mut self.body).await?;
        if head.status != 202 {
            bail!(
                "POST answered {}: {}",
                head.status,
                String::from_utf8_lossy(&self.body)
            );
        }
        Ok(())
    }

    /// One `tools/call` of `echo`: POST it, then read and check its response on the stream.
    async fn call(&mut self, id: u64) -> anyhow::Result<()> {
        let mut json = Vec::with_capacity(256);
        request_line(Target::Mcp(PROTOCOL), id, &mut json);
        json.pop();
        self.post(&json).await?;
        let (kind, data) = self.events.next().await?;
        if kind != b"message" {
            bail!("unexpected {} event", String::from_utf8_lossy(kind));
        }
        let answered = verify_response(data).map_err(anyhow::Error::msg)?;
        if answered != id {
            bail!("response for id {answered}, expected {id}");
        }
        Ok(())
    }
}

/// The path and query to POST to, from an `endpoint` event's data (a relative URI, or an
/// absolute `http://` one).
fn endpoint_path(data: &str) -> anyhow::Result<&str> {
    let data = data.trim();
    let path = match data.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => data,
    };
    if !path.starts_with('/') || !path.contains("sessionId=") {
        bail!("unexpected endpoint {data:?}");
    }
    Ok(path)
}

/// The event stream of `GET /sse`, read event by event.
struct EventStream {
    stream: BufReader<TcpStream>,
    chunked: bool,
    /// Body bytes received and not yet consumed, from `start`.
    buf: Vec<u8>,
    start: usize,
    /// The current event's type and data.
    kind: Vec<u8>,
    data: Vec<u8>,
    line: String,
}

impl EventStream {
    async fn open(addr: &str) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let mut stream = BufReader::with_capacity(16 * 1024, stream);
        let request = format!(
            "GET /sse HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
        );
        stream.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        let head = read_head(&mut stream, &mut line).await?;
        if head.status != 200 {
            bail!("GET /sse answered {}", head.status);
        }
        Ok(Self {
            stream,
            chunked: head.chunked,
            buf: Vec::with_capacity(16 * 1024),
            start: 0,
            kind: Vec::with_capacity(16),
            data: Vec::with_capacity(256),
            line,
        })
    }

    /// The next event that carries data (comments and keep-alives are skipped): its type
    /// (`message` when unnamed) and its data.
    async fn next(&mut self) -> anyhow::Result<(&[u8], &[u8])> {
        loop {
            if let Some(end) = find_blank_line(&self.buf[self.start..]) {
                let event = self.start..self.start + end;
                self.start = event.end + 2;
                parse_event(&self.buf[event], &mut self.kind, &mut self.data);
                if self.start == self.buf.len() {
                    self.buf.clear();
                    self.start = 0;
                }
                if self.data.is_empty() {
                    continue;
                }
                if self.kind.is_empty() {
                    self.kind.extend_from_slice(b"message");
                }
                return Ok((&self.kind, &self.data));
            }
            if self.start > 0 {
                self.buf.drain(..self.start);
                self.start = 0;
            }
            self.fill().await?;
        }
    }

    /// Appends the next piece of the body to `buf`.
    async fn fill(&mut self) -> anyhow::Result<()> {
        if self.chunked {
            if !read_chunk(&mut self.stream, &mut self.line, &mut self.buf).await? {
                bail!("the event stream ended");
            }
            return Ok(());
        }
        let start = self.buf.len();
        self.buf.resize(start + 4096, 0);
        let read = self.stream.read(&mut self.buf[start..]).await?;
        self.buf.truncate(start + read);
        if read == 0 {
            bail!("the event stream ended");
        }
        Ok(())
    }
}

/// Where the first event in `buf` ends: the offset of the `\n\n` after it.
fn find_blank_line(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|w| w == b"\n\n")
}

/// Reads one event's `event:` and `data:` fields (data lines joined with `\n`).
fn parse_event(event: &[u8], kind: &mut Vec<u8>, data: &mut Vec<u8>) {
    kind.clear();
    data.clear();
    for line in event.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(0) => continue,
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &b""[..]),
        };
        let value = value.strip_prefix(b" ").unwrap_or(value);
        match field {
            b"event" => {
                kind.clear();
                kind.extend_from_slice(value);
            }
            b"data" => {
                if !data.is_empty() {
                    data.push(b'\n');
                }
                data.extend_from_slice(value);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_parsed() {
        let (mut kind, mut data) = (Vec::new(), Vec::new());
        parse_event(
            b"event: endpoint\ndata: /messages?sessionId=ab",
            &mut kind,
            &mut data,
        );
        assert_eq!(
            (&kind[..], &data[..]),
            (&b"endpoint"[..], &b"/messages?sessionId=ab"[..])
        );
        parse_event(b": keep-alive", &mut kind, &mut data);
        assert!(data.is_empty());
        parse_event(b"id: 1\ndata:{\"a\":\ndata: 1}", &mut kind, &mut data);
        assert_eq!((&kind[..], &data[..]), (&b""[..], &b"{\"a\":\n1}"[..]));
        assert_eq!(find_blank_line(b"data: x\n\nevent"), Some(7));
        assert_eq!(find_blank_line(b"data: x\n"), None);
    }

    #[test]
    fn endpoints_are_read() {
        assert_eq!(
            endpoint_path("/messages?sessionId=ab").unwrap(),
            "/messages?sessionId=ab"
        );
        assert_eq!(
            endpoint_path("http://127.0.0.1:9/m?sessionId=ab\n").unwrap(),
            "/m?sessionId=ab"
        );
        assert!(endpoint_path("/messages").is_err());
    }
}
