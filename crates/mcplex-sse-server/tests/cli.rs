//! The binary: help, version, usage errors, the ready line, serving, and SIGTERM.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_mcplex-sse-server");

async fn output(args: &[&str]) -> std::process::Output {
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

#[tokio::test]
async fn help_version_and_usage_errors() {
    let help = output(&["--help"]).await;
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.starts_with("Usage: mcplex-sse-server"), "{text}");
    for flag in [
        "--bind",
        "--toolset",
        "--config",
        "--log-format",
        "--allowed-origin",
        "--allowed-host",
        "--session-mode",
        "--shutdown-grace",
        "--max-message-bytes",
        "--session-ttl",
        "--max-sessions",
        "--tool-timeout",
    ] {
        assert!(text.contains(flag), "usage lacks {flag}");
    }
    let version = output(&["-V"]).await;
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("mcplex-sse-server {}\n", env!("CARGO_PKG_VERSION"))
    );
    let bad = output(&["--port", "1"]).await;
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.starts_with("mcplex-sse-server: unknown option `--port`"),
        "{stderr}"
    );
    assert!(bad.stdout.is_empty());
}

/// Starts the binary on a free port; returns it and the address from its ready line.
async fn start(args: &[&str]) -> (Child, String, tokio::task::JoinHandle<Vec<String>>) {
    let mut child = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("a ready line in time")
        .unwrap()
        .expect("a ready line");
    let addr = ready
        .strip_prefix("mcplex sse listening on ")
        .unwrap_or_else(|| panic!("not the ready line: {ready}"))
        .to_owned();
    let rest = tokio::spawn(async move {
        let mut rest = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            rest.push(line);
        }
        rest
    });
    (child, addr, rest)
}

async fn post(addr: &str, body: &str, extra: &str) -> String {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         accept: application/json, text/event-stream\r\nconnection: close\r\n{extra}\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(10), tcp.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    response
}

#[tokio::test]
async fn serves_until_sigterm() {
    let (mut child, addr, rest) = start(&[]).await;
    let discover = r#"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{
        "io.modelcontextprotocol/protocolVersion":"2026-07-28",
        "io.modelcontextprotocol/clientCapabilities":{}}}}"#
        .replace(['\n', ' '], "");
    let headers = "mcp-protocol-version: 2026-07-28\r\nmcp-method: server/discover\r\n";
    let response = post(&addr, &discover, headers).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"supportedVersions\""), "{response}");

    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let response = post(&addr, init, "").await;
    assert!(
        response.to_ascii_lowercase().contains("mcp-session-id: "),
        "{response}"
    );

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
    let rest = rest.await.unwrap();
    assert!(
        rest.iter().all(|line| !line.contains("listening on")),
        "the ready line is printed once: {rest:?}"
    );
}

#[tokio::test]
async fn flags_reach_the_server() {
    let (_child, addr, _rest) = start(&[
        "--allowed-host",
        "mcp.example",
        "--max-message-bytes",
        "100",
    ])
    .await;
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let refused = post(&addr, ping, "").await;
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(200)
    );
    let mut tcp = TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nhost: mcp.example\r\ncontent-type: application/json\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{big}",
        big.len()
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    let _ = tcp.read_to_string(&mut response).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
}
