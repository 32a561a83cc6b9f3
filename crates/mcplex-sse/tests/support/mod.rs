//! Test support: a demo server on a loopback port and a small HTTP/1.1 client over raw TCP,
//! which can send anything (invalid UTF-8, chunked bodies, spoofed headers) and read SSE
//! streams event by event.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::time::Duration;

use mcplex_core::{Limits, Server};
use mcplex_sse::{Endpoint, SseOptions};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a test waits for any one thing.
pub const WAIT: Duration = Duration::from_secs(10);

pub const V2026: &str = "2026-07-28";
pub const V2025: &str = "2025-11-25";

/// A demo server served on `127.0.0.1:0`.
pub struct TestServer {
    pub addr: SocketAddr,
    pub endpoint: Endpoint,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), mcplex_sse::Error>>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(Limits::default(), SseOptions::default()).await
    }

    pub async fn with(limits: Limits, options: SseOptions) -> Self {
        let server = mcplex_toolsets::demo().limits(limits).build();
        Self::serve(server, options).await
    }

    pub async fn serve(server: Server, options: SseOptions) -> Self {
        let listener = mcplex_sse::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let endpoint = Endpoint::new(server, options);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(endpoint.clone().serve(listener, async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            endpoint,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Starts the graceful shutdown; returns the serving task.
    pub fn begin_shutdown(&mut self) -> JoinHandle<Result<(), mcplex_sse::Error>> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.take().expect("shut down once")
    }

    pub fn client(&self) -> Client {
        Client { addr: self.addr }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// A complete HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text()))
    }

    /// The JSON-RPC error code of the body.
    pub fn error_code(&self) -> i64 {
        let body = self.json();
        body["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no error in {body}"))
    }

    /// The SSE events of a complete `text/event-stream` body.
    pub fn events(&self) -> Vec<Event> {
        let mut parser = SseParser::default();
        parser.push(&self.body);
        std::iter::from_fn(|| parser.next_event()).collect()
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// One SSE event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

impl Event {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

#[derive(Default)]
struct SseParser {
    buf: String,
}

impl SseParser {
    fn push(&mut self, bytes: &[u8]) {
        self.buf.push_str(&String::from_utf8_lossy(bytes));
    }

    fn next_event(&mut self) -> Option<Event> {
        loop {
            let end = self.buf.find("\n\n")?;
            let block: String = self.buf.drain(..end + 2).collect();
            let mut event = Event {
                event: "message".into(),
                ..Event::default()
            };
            let mut data = Vec::new();
            for line in block.lines() {
                if line.starts_with(':') || line.is_empty() {
                    continue;
                }
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "id" => event.id = Some(value.to_owned()),
                    "event" => event.event = value.to_owned(),
                    "data" => data.push(value.to_owned()),
                    _ => {}
                }
            }
            if data.is_empty() && event.id.is_none() {
                continue; // a comment only (keep-alive)
            }
            event.data = data.join("\n");
            return Some(event);
        }
    }
}

/// Builds requests against one server.
#[derive(Clone, Copy, Debug)]
pub struct Client {
    pub addr: SocketAddr,
}

/// A request to send.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send no `Host` header of our own.
    pub no_host: bool,
}

impl Req {
    pub fn new(method: &'static str, path: &str) -> Self {
        Self {
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            no_host: false,
        }
    }

    /// A POST of `body` to `/mcp` as JSON, accepting JSON and SSE.
    pub fn post(body: &Value) -> Self {
        Self::post_bytes(body.to_string().into_bytes())
    }

    pub fn post_bytes(body: Vec<u8>) -> Self {
        Self::new("POST", "/mcp")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    /// The 2026-07-28 headers for a request with `method` (and `name`, when it has one).
    pub fn stateless(self, method: &str, name: Option<&str>) -> Self {
        let req = self
            .header("mcp-protocol-version", V2026)
            .header("mcp-method", method);
        match name {
            Some(name) => req.header("mcp-name", name),
            None => req,
        }
    }

    pub fn session(self, id: &str) -> Self {
        self.header("mcp-session-id", id)
            .header("mcp-protocol-version", V2025)
    }

    fn head(&self, addr: SocketAddr, length: Option<usize>) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.1\r\n", self.method, self.path);
        if !self.no_host && header(&self.headers, "host").is_none() {
            head.push_str(&format!("host: {addr}\r\n"));
        }
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(length) = length {
            head.push_str(&format!("content-length: {length}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

impl Client {
    /// Sends `req` and reads the whole response (the connection is closed after it).
    pub async fn send(&self, req: Req) -> Response {
        let stream = self.open(req).await;
        stream.finish().await
    }

    /// Sends `req` and reads the head of the response; the body is read with [`Stream`].
    pub async fn open(&self, req: Req) -> Stream {
        let req = req.header("connection", "close");
        let mut tcp = TcpStream::connect(self.addr).await.unwrap();
        let length = (req.method != "GET" && req.method != "DELETE" || !req.body.is_empty())
            .then_some(req.body.len());
        let mut bytes = req.head(self.addr, length);
        bytes.extend_from_slice(&req.body);
        tcp.write_all(&bytes).await.unwrap();
        Stream::read_head(tcp).await
    }

    /// Opens a keep-alive connection for several requests in a row.
    pub async fn keep_alive(&self) -> KeepAlive {
        let tcp = TcpStream::connect(self.addr).await.unwrap();
        let (read, writer) = tcp.into_split();
        KeepAlive {
            addr: self.addr,
            reader: Some(BufReader::new(read)),
            writer: Some(writer),
        }
    }

    /// Connects and writes raw bytes; the caller goes on with the socket.
    pub async fn raw(&self, bytes: &[u8]) -> TcpStream {
        let mut tcp = TcpStream::connect(self.addr).await.unwrap();
        tcp.write_all(bytes).await.unwrap();
        tcp
    }

    /// Sends a POST of `body` to `/mcp` with the standard headers.
    pub async fn post(&self, body: &Value) -> Response {
        self.send(Req::post(body)).await
    }
}

/// One connection carrying requests one after another.
pub struct KeepAlive {
    addr: SocketAddr,
    reader: Option<BufReader<OwnedReadHalf>>,
    writer: Option<OwnedWriteHalf>,
}

impl KeepAlive {
    /// Sends `req` and reads its whole response, keeping the connection.
    pub async fn send(&mut self, req: Req) -> Response {
        let length = (!req.body.is_empty() || req.method == "POST").then_some(req.body.len());
        let mut bytes = req.head(self.addr, length);
        bytes.extend_from_slice(&req.body);
        let mut writer = self.writer.take().expect("a connection");
        writer.write_all(&bytes).await.unwrap();
        let reader = self.reader.take().expect("a connection");
        let mut stream = Stream::from_parts(reader, writer).await;
        let mut body = Vec::new();
        while let Some(chunk) = tokio::time::timeout(WAIT, stream.chunk())
            .await
            .expect("the body in time")
        {
            body.extend_from_slice(&chunk);
        }
        self.reader = Some(stream.reader);
        self.writer = Some(stream.writer);
        Response {
            status: stream.status,
            headers: stream.headers,
            body,
        }
    }
}

/// A response whose body is read as it arrives.
pub struct Stream {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    chunked: bool,
    length: Option<usize>,
    eof: bool,
    sse: SseParser,
}

impl Stream {
    pub async fn read_head(tcp: TcpStream) -> Self {
        let (read, writer) = tcp.into_split();
        Self::from_parts(BufReader::new(read), writer).await
    }

    async fn from_parts(mut reader: BufReader<OwnedReadHalf>, writer: OwnedWriteHalf) -> Self {
        let mut line = String::new();
        tokio::time::timeout(WAIT, reader.read_line(&mut line))
            .await
            .expect("a response head in time")
            .unwrap();
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not a status line: {line:?}"));
        let mut headers = Vec::new();
        loop {
            line.clear();
            reader.read_line(&mut line).await.unwrap();
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            let (k, v) = trimmed.split_once(':').expect("a header line");
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let chunked = header(&headers, "transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let length = header(&headers, "content-length").and_then(|v| v.parse().ok());
        Self {
            status,
            headers,
            reader,
            writer,
            chunked,
            length,
            eof: false,
            sse: SseParser::default(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The next piece of the body; `None` at its end.
    async fn chunk(&mut self) -> Option<Vec<u8>> {
        if self.eof {
            return None;
        }
        if self.chunked {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.ok()? == 0 {
                self.eof = true;
                return None;
            }
            let size = usize::from_str_radix(line.trim(), 16).ok()?;
            if size == 0 {
                let mut end = String::new();
                let _ = self.reader.read_line(&mut end).await;
                self.eof = true;
                return None;
            }
            let mut data = vec![0; size + 2];
            self.reader.read_exact(&mut data).await.ok()?;
            data.truncate(size);
            return Some(data);
        }
        if let Some(length) = self.length {
            let mut data = vec![0; length];
            self.reader.read_exact(&mut data).await.ok()?;
            self.eof = true;
            return Some(data);
        }
        let mut data = Vec::new();
        self.reader.read_to_end(&mut data).await.ok()?;
        self.eof = true;
        Some(data)
    }

    /// Reads the rest of the body.
    pub async fn finish(mut self) -> Response {
        let mut body = Vec::new();
        while let Some(chunk) = tokio::time::timeout(WAIT, self.chunk())
            .await
            .expect("the body in time")
        {
            body.extend_from_slice(&chunk);
        }
        Response {
            status: self.status,
            headers: self.headers,
            body,
        }
    }

    /// The next SSE event, waiting at most `wait`; `None` at the end of the stream.
    pub async fn next_event_within(&mut self, wait: Duration) -> Option<Event> {
        tokio::time::timeout(wait, async {
            loop {
                if let Some(event) = self.sse.next_event() {
                    return Some(event);
                }
                let chunk = self.chunk().await?;
                self.sse.push(&chunk);
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no SSE event within {wait:?}"))
    }

    /// The next SSE event; `None` at the end of the stream.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.next_event_within(WAIT).await
    }

    /// Reads raw body bytes until `needle` shows up (for keep-alive comments).
    pub async fn read_until_text(&mut self, needle: &str, wait: Duration) -> String {
        tokio::time::timeout(wait, async {
            let mut seen = String::new();
            while !seen.contains(needle) {
                let chunk = self.chunk().await.expect("the stream went on");
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
            seen
        })
        .await
        .unwrap_or_else(|_| panic!("{needle:?} not seen within {wait:?}"))
    }

    /// Whether the server ended the body within `wait`.
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, async { while self.chunk().await.is_some() {} })
            .await
            .is_ok()
    }

    /// Closes the connection (the client going away).
    pub async fn close(mut self) {
        let _ = self.writer.shutdown().await;
        drop(self);
    }
}

/// The `_meta` every 2026-07-28 request carries.
pub fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": V2026,
        "io.modelcontextprotocol/clientInfo": { "name": "test", "version": "1.0.0" },
        "io.modelcontextprotocol/clientCapabilities": {}
    })
}

/// A JSON-RPC request.
pub fn request(id: i64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// A JSON-RPC notification.
pub fn notification(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

/// A 2026-07-28 request: `params` with the `_meta` added, and the headers.
pub fn stateless(id: i64, method: &str, mut params: Value) -> Req {
    params["_meta"] = match params.get("_meta") {
        Some(extra) => {
            let mut m = meta();
            for (k, v) in extra.as_object().unwrap() {
                m[k] = v.clone();
            }
            m
        }
        None => meta(),
    };
    let name = params
        .get("name")
        .or_else(|| params.get("uri"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Req::post(&request(id, method, params)).stateless(method, name.as_deref())
}

/// Opens a stateful session on 2025-11-25 (initialize, initialized); returns its id.
pub async fn open_session(client: &Client) -> String {
    let init = request(
        1,
        "initialize",
        json!({
            "protocolVersion": V2025,
            "capabilities": { "elicitation": {} },
            "clientInfo": { "name": "test", "version": "1.0.0" }
        }),
    );
    let response = client.post(&init).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["result"]["protocolVersion"], V2025);
    let id = response
        .header("mcp-session-id")
        .expect("a session id")
        .to_owned();
    let initialized = client
        .send(Req::post(&notification("notifications/initialized", json!({}))).session(&id))
        .await;
    assert_eq!(initialized.status, 202, "{}", initialized.text());
    id
}

/// Calls `task_stats` in-process (2026-07-28 wire): started, completed, cancelled.
pub async fn task_stats(endpoint: &Endpoint) -> (i64, i64, i64) {
    use mcplex_protocol::{Message, ProtocolVersion};
    use mcplex_transport::{Reply, RequestContext};
    let params = json!({ "name": "task_stats", "arguments": {}, "_meta": meta() });
    let request = mcplex_protocol::Request::new(9_999, "tools/call", &params).unwrap();
    let cx = RequestContext::new().with_protocol_version(ProtocolVersion::V2026_07_28);
    let reply = endpoint
        .streamable_http()
        .handle(Message::Request(request), cx)
        .await
        .unwrap();
    let Reply::Response(Message::Response(response)) = reply else {
        panic!("task_stats failed: {reply:?}");
    };
    let result: Value = response.result.parse().unwrap();
    let stats = &result["structuredContent"];
    (
        stats["started"].as_i64().unwrap(),
        stats["completed"].as_i64().unwrap(),
        stats["cancelled"].as_i64().unwrap(),
    )
}
