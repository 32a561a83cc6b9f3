//! The binary: help, version, usage errors, the ready line, serving, health endpoints and a
//! graceful stop on SIGTERM.

use std::net::SocketAddr;
use std::process::{Output, Stdio};
use std::time::Duration;

use futures_util::StreamExt;
use mcplex_core::client::{Client, ClientOptions as McpOptions};
use mcplex_transport::Transport;
use mcplex_ws::{ClientOptions, CloseCode, WsReader, connect};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_mcplex-ws-server");

async fn output(args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .stdin(Stdio::null())
        .env_remove("RUST_LOG");
    tokio::time::timeout(Duration::from_secs(10), command.output())
        .await
        .expect("the binary exits")
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Starts the server on a free port and waits for its ready line; returns the child and the
/// address it printed.
async fn start(args: &[&str]) -> (Child, SocketAddr) {
    let mut child = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(addr) = line.strip_prefix("mcplex ws listening on ") {
                return addr.parse::<SocketAddr>().expect("an address");
            }
        }
        panic!("the server exited before its ready line");
    })
    .await
    .expect("a ready line within 30 s");
    // Keep draining stderr so the server never blocks on it.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

async fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

#[tokio::test]
async fn help_prints_the_usage_on_stdout() {
    let out = output(&["--help"]).await;
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Usage: mcplex-ws-server"), "{stdout}");
    for flag in [
        "--bind",
        "--toolset",
        "--config",
        "--log-format",
        "--allowed-origin",
        "--allowed-host",
        "--max-message-bytes",
        "--tool-timeout",
        "--shutdown-grace",
    ] {
        assert!(stdout.contains(flag), "usage lacks {flag}");
    }
}

#[tokio::test]
async fn version_prints_the_version() {
    let out = output(&["--version"]).await;
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        format!("mcplex-ws-server {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let out = output(&["--bogus"]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unknown option `--bogus`"), "{stderr}");
    assert!(stderr.contains("Usage: mcplex-ws-server"), "{stderr}");
    let out = output(&["--bind", "not-an-address"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--bind"));
}

#[tokio::test]
async fn an_address_in_use_fails() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = output(&["--bind", &addr]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[tokio::test]
async fn serves_tools_health_and_metrics_then_stops_on_sigterm() {
    let (mut child, addr) = start(&[]).await;
    assert!(addr.port() != 0);

    let url = format!("ws://{addr}/ws");
    let client = Client::connect(
        connect(&url, &ClientOptions::default()).await.unwrap(),
        McpOptions::default(),
    )
    .await
    .unwrap();
    let sum = client
        .call_tool("add", json!({ "a": 20, "b": 22 }))
        .await
        .unwrap();
    assert_eq!(sum.structured_content, Some(json!({ "sum": 42.0 })));
    client.close().await.unwrap();

    assert_eq!(http_get(addr, "/healthz").await, (200, "ok\n".to_owned()));
    assert_eq!(http_get(addr, "/readyz").await, (200, "ready\n".to_owned()));
    let (status, metrics) = http_get(addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains("mcplex_ws_connections_total 1"),
        "{metrics}"
    );

    // An idle connection is closed with 1001 when the server stops.
    let transport = connect(&url, &ClientOptions::default()).await.unwrap();
    let (reader, writer, _) = transport.split();
    let pid = child.id().unwrap().to_string();
    let kill = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(kill.success());
    assert_eq!(next_close(reader).await, Some(CloseCode::GOING_AWAY));
    drop(writer);
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("the server stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn origin_allow_list_from_the_command_line() {
    let (_child, addr) = start(&["--allowed-origin", "https://app.example"]).await;
    let url = format!("ws://{addr}/ws");
    let allowed = ClientOptions::default().with_header("Origin", "https://app.example");
    assert!(connect(&url, &allowed).await.is_ok());
    let refused = ClientOptions::default().with_header("Origin", "http://localhost:3000");
    assert_eq!(
        connect(&url, &refused).await.unwrap_err().status(),
        Some(403)
    );
}

/// Reads until the stream ends; the code of the peer's close frame.
async fn next_close(mut reader: WsReader) -> Option<CloseCode> {
    let read = async { while reader.next().await.is_some() {} };
    tokio::time::timeout(Duration::from_secs(15), read)
        .await
        .expect("the server closes within 15 s");
    reader.close_frame().map(|frame| frame.code())
}
