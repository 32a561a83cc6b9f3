//! What the WebSocket tests share: an endpoint on a free port, raw WebSocket clients for input
//! the transport would never send, and metric lookups.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mcplex_core::Server;
use mcplex_protocol::ProtocolVersion;
use mcplex_test::Peer;
use mcplex_ws::{ClientOptions, Endpoint, WsOptions, WsTransport, connect};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::{self, Message};

/// A raw WebSocket client.
pub type Raw = WebSocketStream<TcpStream>;

/// An [`Endpoint`] serving on a free loopback port until stopped.
pub struct Harness {
    pub endpoint: Endpoint,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<mcplex_ws::Result<()>>>,
}

impl Harness {
    /// Serves `server` with `options` through [`Endpoint::serve`].
    pub async fn start(server: Server, options: WsOptions) -> Self {
        let endpoint = Endpoint::new(server, options);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(endpoint.clone().serve(listener, async {
            let _ = stopped.await;
        }));
        Self {
            endpoint,
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The demo toolset with default options.
    pub async fn demo() -> Self {
        Self::start(mcplex_toolsets::demo().build(), WsOptions::default()).await
    }

    /// The fixture toolset with default options.
    pub async fn fixture() -> Self {
        Self::start(mcplex_test::fixture_server(), WsOptions::default()).await
    }

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// A client transport.
    pub async fn connect(&self) -> WsTransport {
        connect(&self.url(), &ClientOptions::default())
            .await
            .expect("connect")
    }

    /// A test peer that completed `initialize` on 2025-11-25.
    pub async fn peer(&self) -> Peer {
        let mut peer = Peer::new(self.connect().await);
        peer.initialize(ProtocolVersion::V2025_11_25).await;
        peer
    }

    /// A raw client offering `protocols` (none when `None`).
    pub async fn raw(&self, protocols: Option<&str>) -> Raw {
        raw_connect(&self.url(), protocols, &[])
            .await
            .expect("raw connect")
    }

    /// A value from `/metrics`.
    pub fn metric(&self, line_start: &str) -> u64 {
        metric(&self.endpoint.metrics_text(), line_start)
    }

    /// Waits until `n` connections were accepted and none is open any more.
    pub async fn served(&self, n: u64, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let accepted = self.metric("mcplex_ws_connections_total ");
            if accepted >= n && self.endpoint.open_connections() == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} connection(s) still open after {within:?} (accepted {accepted})",
                self.endpoint.open_connections()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Stops serving and waits for the serve loop to end.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("serve panicked").expect("serve failed");
        }
    }
}

/// The value of the metric line starting with `line_start` (0 when absent).
pub fn metric(text: &str, line_start: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(line_start))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0)
}

/// Connects a raw WebSocket client to `url`, offering `protocols`, with extra `headers`.
pub async fn raw_connect(
    url: &str,
    protocols: Option<&str>,
    headers: &[(&'static str, &str)],
) -> Result<Raw, tungstenite::Error> {
    let mut request = url.into_client_request()?;
    if let Some(protocols) = protocols {
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(protocols).unwrap(),
        );
    }
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    let authority = request.uri().authority().unwrap().as_str().to_owned();
    let stream = TcpStream::connect(authority).await?;
    let (socket, _) = tokio_tungstenite::client_async(request, stream).await?;
    Ok(socket)
}

/// Sends a text frame whose payload need not be UTF-8.
pub async fn send_text_bytes(raw: &mut Raw, payload: &[u8]) {
    let frame = Frame::message(payload.to_vec(), OpCode::Data(Data::Text), true);
    raw.send(Message::Frame(frame))
        .await
        .expect("send a raw frame");
}

/// The next text frame, parsed as JSON; panics on anything else or after 10 s.
pub async fn next_json(raw: &mut Raw) -> serde_json::Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), raw.next())
            .await
            .expect("a frame within 10 s")
            .expect("the connection is open")
            .expect("a valid frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Reads until the server's close frame and returns its code, then goes on reading (which
/// answers the close frame) until the server drops the connection. Panics after 10 s or when
/// the connection ends without a close frame.
pub async fn close_code(raw: &mut Raw) -> u16 {
    let deadline = Duration::from_secs(10);
    tokio::time::timeout(deadline, async {
        let mut code = None;
        while let Some(message) = raw.next().await {
            match message {
                Ok(Message::Close(Some(frame))) => code = Some(u16::from(frame.code)),
                Ok(Message::Close(None)) => panic!("a close frame without a code"),
                Ok(_) => {}
                Err(_) if code.is_some() => break,
                Err(e) => panic!("the connection failed before a close frame: {e}"),
            }
        }
        code.expect("the connection ended without a close frame")
    })
    .await
    .expect("a close frame within 10 s")
}

/// Closes a raw client cleanly: sends a close frame and reads until the server drops the
/// connection.
pub async fn close(mut raw: Raw) {
    let _ = raw.close(None).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(_)) = raw.next().await {}
    })
    .await;
}

/// A raw HTTP/1.1 GET: the status code and the body.
pub async fn http_get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("a response within 10 s")
        .expect("read");
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}
