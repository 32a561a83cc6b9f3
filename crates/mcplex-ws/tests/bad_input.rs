//! Bad input over WebSocket: malformed JSON gets a JSON-RPC error and the connection stays up;
//! binary frames, invalid UTF-8 and oversized messages close the connection with 1003, 1007
//! and 1009; upgrades without the `mcp` subprotocol, with an unknown revision, or from a bad
//! Origin or Host are refused with their HTTP status.

mod support;

use std::time::Duration;

use futures_util::SinkExt;
use mcplex_core::Limits;
use mcplex_ws::{ClientOptions, CloseCode, WsOptions, connect};
use serde_json::json;
use support::{Harness, close, close_code, http_get, next_json, raw_connect, send_text_bytes};
use tokio_tungstenite::tungstenite::{self, Message};

fn refused_status(error: tungstenite::Error) -> u16 {
    match error {
        tungstenite::Error::Http(response) => response.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_json_gets_a_json_rpc_error_and_the_connection_stays_up() {
    let harness = Harness::fixture().await;
    let mut raw = harness.raw(Some("mcp")).await;
    for (payload, code) in [
        (r#"{"jsonrpc":"2.0","id":1,"#, -32700),
        ("not json", -32700),
        ("", -32700),
        (r#"{"jsonrpc":"2.0","id":7,"params":{}}"#, -32600),
        ("42", -32600),
    ] {
        raw.send(Message::text(payload)).await.unwrap();
        let reply = next_json(&mut raw).await;
        assert_eq!(reply["error"]["code"], code, "{payload:?}: {reply}");
        assert_eq!(reply["jsonrpc"], "2.0");
        if code == -32700 {
            assert!(reply["id"].is_null(), "{reply}");
        }
    }
    let ping = json!({ "jsonrpc": "2.0", "id": 9, "method": "ping" });
    raw.send(Message::text(ping.to_string())).await.unwrap();
    let pong = next_json(&mut raw).await;
    assert_eq!(pong["id"], 9, "{pong}");
    assert!(pong["result"].is_object(), "{pong}");
    close(raw).await;
    harness.served(1, Duration::from_secs(5)).await;
    harness.stop().await;
}

#[tokio::test]
async fn a_binary_frame_closes_with_1003() {
    let harness = Harness::fixture().await;
    let mut raw = harness.raw(Some("mcp")).await;
    raw.send(Message::binary(
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".to_vec(),
    ))
    .await
    .unwrap();
    assert_eq!(close_code(&mut raw).await, 1003);
    harness.served(1, Duration::from_secs(5)).await;
    let closes = "mcplex_ws_closes_total{code=\"1003\",initiator=\"server\"} ";
    assert_eq!(harness.metric(closes), 1);
    harness.stop().await;
}

#[tokio::test]
async fn invalid_utf8_closes_with_1007() {
    let harness = Harness::fixture().await;
    let mut raw = harness.raw(Some("mcp")).await;
    send_text_bytes(&mut raw, b"\xff\xfe{}").await;
    assert_eq!(close_code(&mut raw).await, 1007);
    harness.served(1, Duration::from_secs(5)).await;
    harness.stop().await;
}

#[tokio::test]
async fn an_oversized_message_closes_with_1009() {
    let limits = Limits {
        max_message_bytes: 1024,
        ..Limits::default()
    };
    let server = mcplex_test::fixture().limits(limits).build();
    let harness = Harness::start(server, WsOptions::default()).await;

    // At the limit: answered.
    let mut raw = harness.raw(Some("mcp")).await;
    let padding = "x".repeat(1024 - 80);
    let call = json!({ "jsonrpc": "2.0", "id": 1, "method": "ping", "params": { "_meta": { "pad": padding } } });
    let text = call.to_string();
    assert!(text.len() <= 1024, "{}", text.len());
    raw.send(Message::text(text)).await.unwrap();
    assert_eq!(next_json(&mut raw).await["id"], 1);

    // Over it, in one frame and in fragments: closed with 1009.
    raw.send(Message::text("y".repeat(1025))).await.unwrap();
    assert_eq!(close_code(&mut raw).await, 1009);
    let mut raw = harness.raw(Some("mcp")).await;
    raw.send(Message::text(format!("\"{}\"", "z".repeat(64 * 1024))))
        .await
        .unwrap();
    assert_eq!(close_code(&mut raw).await, 1009);

    harness.served(2, Duration::from_secs(5)).await;
    harness.stop().await;
}

#[tokio::test]
async fn the_client_reports_why_the_server_closed() {
    let harness = Harness::fixture().await;
    let mut raw = harness.raw(Some("mcp")).await;
    raw.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(
        close_code(&mut raw).await,
        CloseCode::UNSUPPORTED_DATA.as_u16()
    );

    // The transport's own reader: a close frame from the server ends the stream cleanly and
    // tells its code.
    use futures_util::StreamExt;
    use mcplex_transport::Transport;
    let transport = harness.connect().await;
    let (mut reader, mut writer, _) = transport.split();
    harness.endpoint.server().shutdown();
    assert!(reader.next().await.is_none());
    assert_eq!(
        reader.close_frame().map(|f| f.code()),
        Some(CloseCode::GOING_AWAY)
    );
    let _ = writer.close().await;
    harness.stop().await;
}

#[tokio::test]
async fn an_upgrade_without_the_mcp_subprotocol_is_refused_with_400() {
    let harness = Harness::fixture().await;
    let url = harness.url();
    for protocols in [None, Some("graphql-ws"), Some("mcp.version.2025-11-25")] {
        let error = raw_connect(&url, protocols, &[]).await.unwrap_err();
        assert_eq!(refused_status(error), 400, "offer {protocols:?}");
    }
    let error = raw_connect(&url, Some("mcp, mcp.version.1999-01-01"), &[])
        .await
        .unwrap_err();
    assert_eq!(refused_status(error), 400);
    assert_eq!(
        harness.metric("mcplex_ws_upgrades_refused_total{reason=\"no_subprotocol\"} "),
        3
    );
    assert_eq!(
        harness.metric("mcplex_ws_upgrades_refused_total{reason=\"unknown_revision\"} "),
        1
    );
    // Offering a known revision and a reserved auth token alongside `mcp` is fine.
    let mut raw = raw_connect(
        &url,
        Some("mcp, mcp.version.2025-06-18, mcp.auth.secret"),
        &[],
    )
    .await
    .expect("accepted");
    raw.close(None).await.unwrap();
    harness.stop().await;
}

#[tokio::test]
async fn allow_no_subprotocol_lets_such_clients_in() {
    let options = WsOptions {
        allow_no_subprotocol: true,
        ..WsOptions::default()
    };
    let harness = Harness::start(mcplex_test::fixture_server(), options).await;
    let mut raw = raw_connect(&harness.url(), None, &[])
        .await
        .expect("accepted");
    raw.send(Message::text(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#))
        .await
        .unwrap();
    assert_eq!(next_json(&mut raw).await["id"], 1);
    close(raw).await;
    harness.stop().await;
}

#[tokio::test]
async fn a_bad_origin_or_host_is_refused_with_403() {
    let harness = Harness::fixture().await;
    let url = harness.url();
    let error = raw_connect(&url, Some("mcp"), &[("origin", "https://evil.example")])
        .await
        .unwrap_err();
    assert_eq!(refused_status(error), 403);
    let error = raw_connect(&url, Some("mcp"), &[("host", "evil.example")])
        .await
        .unwrap_err();
    assert_eq!(refused_status(error), 403);
    let ok = raw_connect(&url, Some("mcp"), &[("origin", "http://localhost:3000")]).await;
    ok.expect("a loopback origin is allowed")
        .close(None)
        .await
        .unwrap();

    let options = ClientOptions::default().with_header("Origin", "https://evil.example");
    let error = connect(&url, &options).await.unwrap_err();
    assert!(error.is_refused(), "{error:?}");
    assert_eq!(error.status(), Some(403));

    // The allow lists, when configured, replace the loopback defaults.
    let options = WsOptions {
        allowed_origins: Some(vec!["https://app.example".into()]),
        ..WsOptions::default()
    };
    let strict = Harness::start(mcplex_test::fixture_server(), options).await;
    let ok = raw_connect(
        &strict.url(),
        Some("mcp"),
        &[("origin", "https://app.example")],
    )
    .await;
    ok.expect("a listed origin is allowed")
        .close(None)
        .await
        .unwrap();
    let error = raw_connect(
        &strict.url(),
        Some("mcp"),
        &[("origin", "http://localhost")],
    )
    .await
    .unwrap_err();
    assert_eq!(refused_status(error), 403);
    strict.stop().await;
    harness.stop().await;
}

#[tokio::test]
async fn plain_http_on_the_upgrade_route_gets_426() {
    let harness = Harness::fixture().await;
    let (status, body) = http_get(harness.addr, "/ws", &[]).await;
    assert_eq!(status, 426, "{body}");
    let (status, _) = http_get(harness.addr, "/ws", &[("Origin", "https://evil.example")]).await;
    assert_eq!(status, 403);
    harness.stop().await;
}

#[tokio::test]
async fn the_raw_accept_refuses_the_same_way() {
    let endpoint = mcplex_ws::Endpoint::new(mcplex_test::fixture_server(), WsOptions::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let accept = async {
        let (stream, peer) = listener.accept().await.unwrap();
        endpoint.accept(stream, Some(peer)).await
    };
    let (accepted, client) = tokio::join!(accept, raw_connect(&url, None, &[]));
    assert!(accepted.unwrap_err().is_handshake());
    assert_eq!(refused_status(client.unwrap_err()), 400);
}

#[tokio::test]
async fn connect_errors() {
    let options = ClientOptions::default();
    assert!(
        connect("wss://localhost/ws", &options)
            .await
            .unwrap_err()
            .is_url()
    );
    assert!(connect("ws://", &options).await.unwrap_err().is_url());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = connect(&format!("ws://{addr}/ws"), &options)
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
}
