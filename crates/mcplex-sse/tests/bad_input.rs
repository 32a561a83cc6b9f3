//! Bad input over HTTP: each case gets the specification's status and JSON-RPC code, never a
//! 500, and the server goes on serving.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Req, TestServer, open_session, request};
use tokio::io::AsyncWriteExt;

async fn check(server: &TestServer, req: Req, status: u16, code: i64) -> Value {
    let response = server.client().send(req).await;
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(response.error_code(), code, "{}", response.text());
    response.json()
}

#[tokio::test]
async fn malformed_bodies() {
    let server = TestServer::start().await;
    let id = open_session(&server.client()).await;
    let post = |body: &[u8]| Req::post_bytes(body.to_vec()).session(&id);

    let body = check(
        &server,
        post(b"{\"jsonrpc\":\"2.0\",\"id\":1,"),
        400,
        -32700,
    )
    .await;
    assert_eq!(body["id"], Value::Null);
    check(
        &server,
        post(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}"),
        400,
        -32700,
    )
    .await;
    check(&server, post(b""), 400, -32700).await;
    let body = check(
        &server,
        post(br#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#),
        400,
        -32600,
    )
    .await;
    assert_eq!(body["id"], 5);
    check(&server, post(b"42"), 400, -32600).await;
    check(
        &server,
        post(br#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#),
        400,
        -32600,
    )
    .await;

    // 100,000-deep nesting is refused without recursing.
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"x":{}{}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    check(&server, post(deep.as_bytes()), 400, -32700).await;

    // A batch on a revision without batches.
    let batch = json!([request(1, "ping", json!({})), request(2, "ping", json!({}))]);
    let on_06_18 = Req::post(&batch)
        .header("mcp-session-id", &id)
        .header("mcp-protocol-version", "2025-06-18");
    check(&server, on_06_18, 400, -32600).await;
    check(&server, Req::post(&batch).session(&id), 400, -32600).await;
    check(
        &server,
        Req::post(&json!([])).header("mcp-session-id", &id),
        400,
        -32600,
    )
    .await;

    // Unknown method: a valid request, answered with a JSON-RPC error.
    let unknown = server
        .client()
        .send(Req::post(&request(9, "tools/cal", json!({}))).session(&id))
        .await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.error_code(), -32601);
    assert_eq!(unknown.json()["id"], 9);

    // A bad MCP-Protocol-Version.
    let bad_version = Req::post(&request(3, "tools/list", json!({})))
        .header("mcp-session-id", &id)
        .header("mcp-protocol-version", "2024-01-01");
    let body = check(&server, bad_version, 400, -32022).await;
    assert_eq!(body["id"], 3);

    // Wrong content type, unacceptable Accept.
    let text = Req::post(&request(1, "ping", json!({})))
        .session(&id)
        .header("content-type", "text/plain");
    check(&server, text, 415, -32600).await;
    let html = Req::post(&request(1, "ping", json!({})))
        .session(&id)
        .header("accept", "text/html");
    check(&server, html, 406, -32600).await;

    // The session is fine after all that.
    let ok = server
        .client()
        .send(Req::post(&request(10, "ping", json!({}))).session(&id))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[tokio::test]
async fn over_limit_bodies() {
    let limits = mcplex_core::Limits {
        max_message_bytes: 64 * 1024,
        ..mcplex_core::Limits::default()
    };
    let server = TestServer::with(limits, mcplex_sse::SseOptions::default()).await;
    let client = server.client();

    // Declared too long: refused before the body is sent at all.
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         accept: application/json\r\ncontent-length: {}\r\n\r\n",
        server.addr,
        64 * 1024 + 1
    );
    let tcp = client.raw(head.as_bytes()).await;
    let response = support::Stream::read_head(tcp).await.finish().await;
    assert_eq!(response.status, 413);
    assert_eq!(response.error_code(), -32600);
    assert_eq!(response.header("connection"), Some("close"));

    // Chunked, with no length: cut off at the limit.
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         accept: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        server.addr
    );
    let mut tcp = client.raw(head.as_bytes()).await;
    let chunk = vec![b' '; 8 * 1024];
    for _ in 0..9 {
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(&chunk);
        frame.extend_from_slice(b"\r\n");
        if tcp.write_all(&frame).await.is_err() {
            break;
        }
    }
    let _ = tcp.write_all(b"0\r\n\r\n").await;
    let response = support::Stream::read_head(tcp).await.finish().await;
    assert_eq!(response.status, 413);
    assert_eq!(response.error_code(), -32600);

    // Under the limit is fine.
    let padded = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping"{}}}"#,
        " ".repeat(60 * 1024)
    );
    let ok = client.send(Req::post_bytes(padded.into_bytes())).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[tokio::test]
async fn a_body_in_several_chunks_is_read_whole() {
    let server = TestServer::start().await;
    let client = server.client();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         accept: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        server.addr
    );
    let mut tcp = client.raw(head.as_bytes()).await;
    let parts: [&[u8]; 3] = [
        b"{\"jsonrpc\":\"2.0\",",
        b"\"id\":7,\"method\"",
        b":\"ping\"}",
    ];
    for part in parts {
        let mut frame = format!("{:x}\r\n", part.len()).into_bytes();
        frame.extend_from_slice(part);
        frame.extend_from_slice(b"\r\n");
        tcp.write_all(&frame).await.unwrap();
        tcp.flush().await.unwrap();
        // Apart in time, so that the server sees separate frames.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tcp.write_all(b"0\r\n\r\n").await.unwrap();
    let response = support::Stream::read_head(tcp).await.finish().await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["id"], 7);
}

#[tokio::test]
async fn spoofed_origin_and_host() {
    let server = TestServer::start().await;
    let client = server.client();
    let init = request(
        1,
        "initialize",
        json!({ "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": { "name": "t", "version": "1" } }),
    );
    let evil_origin = Req::post(&init).header("origin", "http://evil.example.com");
    check(&server, evil_origin, 403, -32000).await;
    let evil_host = Req::post(&init).header("host", "evil.example.com");
    check(&server, evil_host, 403, -32000).await;
    let mut no_host = Req::post(&init);
    no_host.no_host = true;
    check(&server, no_host, 403, -32000).await;
    let evil_health = Req::new("GET", "/healthz").header("host", "evil.example.com:80");
    assert_eq!(client.send(evil_health).await.status, 403);
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);

    for (host, origin) in [
        (
            format!("localhost:{}", server.addr.port()),
            "http://localhost:3000",
        ),
        (server.addr.to_string(), "https://127.0.0.1"),
        (format!("[::1]:{}", server.addr.port()), "http://[::1]:1234"),
    ] {
        let ok = client
            .send(
                Req::post(&init)
                    .header("host", &host)
                    .header("origin", origin),
            )
            .await;
        assert_eq!(ok.status, 200, "{host} {origin}: {}", ok.text());
    }

    // Configured lists replace the loopback defaults.
    let options = mcplex_sse::SseOptions {
        allowed_origins: Some(vec!["https://app.example.com".into()]),
        allowed_hosts: Some(vec!["mcp.example.com".into()]),
        ..mcplex_sse::SseOptions::default()
    };
    let listed = TestServer::with(mcplex_core::Limits::default(), options).await;
    let allowed = Req::post(&init)
        .header("host", "mcp.example.com:443")
        .header("origin", "https://app.example.com");
    assert_eq!(listed.client().send(allowed.clone()).await.status, 200);
    let loopback = allowed.clone().header("host", &listed.addr.to_string());
    assert_eq!(listed.client().send(loopback).await.status, 403);
    let other_origin = allowed.header("origin", "http://localhost");
    assert_eq!(listed.client().send(other_origin).await.status, 403);
}

#[tokio::test]
async fn slow_clients_are_cut_off() {
    let options = mcplex_sse::SseOptions {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        ..mcplex_sse::SseOptions::default()
    };
    let server = TestServer::with(mcplex_core::Limits::default(), options).await;
    let client = server.client();

    // Headers that never end: the connection is closed.
    let mut tcp = client
        .raw(b"POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\n")
        .await;
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        let mut buf = [0u8; 256];
        loop {
            match tokio::io::AsyncReadExt::read(&mut tcp, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server kept a connection with unfinished headers"
    );

    // A body that never arrives: 408.
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         content-length: 100\r\n\r\n{{\"jsonrpc\"",
        server.addr
    );
    let tcp = client.raw(head.as_bytes()).await;
    let response = support::Stream::read_head(tcp).await.finish().await;
    assert_eq!(response.status, 408);
    assert_eq!(response.error_code(), -32600);
}
