//! The `mcplex-stdio-server` binary as a stdio server: what goes over stdin and stdout, bad
//! input, the line limit, logging, and exiting when stdin closes.

use std::process::Stdio;
use std::time::{Duration, Instant};

use mcplex_core::client::{Client, ClientOptions};
use mcplex_protocol::{Message, ProtocolVersion};
use mcplex_test::{
    Peer, STDIO_SERVER_BIN, error, first_text, request, spawn_stdio, spawn_stdio_raw,
    spawn_stdio_server,
};
use serde_json::json;
use tokio::io::AsyncWriteExt;

fn echo(id: i64, text: &str) -> Message {
    request(
        id,
        "tools/call",
        json!({ "name": "echo", "arguments": { "text": text } }),
    )
}

#[tokio::test]
async fn a_tool_call_after_initialize_works_on_every_wire() {
    for version in [ProtocolVersion::V2025_11_25, ProtocolVersion::V2026_07_28] {
        let transport = spawn_stdio_server(&[]);
        let process = transport.process().clone();
        let options = ClientOptions::default().with_protocol_version(version);
        let client = Client::connect(transport, options).await.unwrap();
        assert_eq!(
            client.server_info().map(|i| i.name.as_str()),
            Some("mcplex-demo")
        );
        let result = client
            .call_tool("echo", json!({ "text": "over stdio" }))
            .await
            .unwrap();
        assert_eq!(
            result.content[0].as_text(),
            Some("over stdio"),
            "{version:?}"
        );
        client.close().await.unwrap();
        assert!(process.wait().await.unwrap().success());
    }
}

#[tokio::test]
async fn a_malformed_line_gets_a_parse_error_and_the_next_request_works() {
    let conn = spawn_stdio_raw(STDIO_SERVER_BIN, &[]);
    let mut peer = Peer::raw(conn.connection);
    peer.send_raw(br#"{"jsonrpc":"2.0","id":1,"method":"#).await;
    let reply = peer.recv().await.unwrap();
    assert_eq!(error(&reply)["code"], -32700, "{reply:?}");
    assert_eq!(reply.id(), None);

    peer.initialize(ProtocolVersion::V2025_11_25).await;
    peer.send(echo(10, "next")).await;
    let result = mcplex_test::result(peer.response(10).await);
    assert_eq!(first_text(&result), "next");
    peer.close().await;
    conn.served.await;
}

#[tokio::test]
async fn an_over_limit_line_gets_an_error_and_the_process_survives() {
    let conn = spawn_stdio_raw(STDIO_SERVER_BIN, &["--max-message-bytes", "1024"]);
    let mut peer = Peer::raw(conn.connection);
    peer.initialize(ProtocolVersion::V2025_11_25).await;

    let big = echo(2, &"x".repeat(10 * 1024)).to_vec();
    peer.send_raw(&big).await;
    let reply = peer.recv().await.unwrap();
    let error = error(&reply);
    assert_eq!(reply.id(), None, "{reply:?}");
    assert!(
        error["message"].as_str().unwrap().contains("too large"),
        "{error}"
    );

    peer.send(echo(3, "small")).await;
    let result = mcplex_test::result(peer.response(3).await);
    assert_eq!(first_text(&result), "small");
    peer.close().await;
    conn.served.await;
}

#[tokio::test]
async fn with_trace_logging_stdout_carries_only_protocol_lines() {
    let mut child = mcplex_test::command(STDIO_SERVER_BIN, &[])
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut input = Vec::new();
    let lines = [
        request(
            1,
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": { "name": "test", "version": "1" },
            }),
        ),
        mcplex_test::notification("notifications/initialized", json!({})),
        request(2, "tools/list", json!({})),
        echo(3, "traced"),
        request(4, "ping", json!({})),
    ];
    for line in &lines {
        input.extend(line.to_vec());
        input.push(b'\n');
    }
    input.extend(b"this is not json\n");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&input).await.unwrap();
    drop(stdin);

    let output = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("the server exits when stdin closes")
        .unwrap();
    assert!(output.status.success(), "{}", output.status);
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let messages: Vec<Message> = stdout
        .lines()
        .map(|line| {
            mcplex_protocol::decode(line.as_bytes())
                .unwrap_or_else(|e| panic!("stdout line is not JSON-RPC ({e}): {line}"))
        })
        .collect();
    // initialize, tools/list, tools/call, ping and the parse error: nothing else.
    assert_eq!(messages.len(), 5, "{stdout}");
    assert!(messages.iter().all(Message::is_response), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TRACE") || stderr.contains("DEBUG"),
        "no logs on stderr: {stderr}"
    );
}

#[tokio::test]
async fn closing_stdin_ends_the_process_within_a_second_with_calls_in_flight() {
    let conn = spawn_stdio(STDIO_SERVER_BIN, &[]);
    let mut peer = Peer::new(conn.connection);
    peer.initialize(ProtocolVersion::V2025_11_25).await;
    for id in 10..20 {
        peer.feed(request(
            id,
            "tools/call",
            json!({ "name": "long_task", "arguments": { "steps": 100, "delay_ms": 1000 } }),
        ))
        .await;
    }
    peer.flush().await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let start = Instant::now();
    peer.close().await;
    tokio::time::timeout(Duration::from_secs(5), conn.served)
        .await
        .expect("the server exits");
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "the server took {took:?} to exit"
    );
}
