//! Graceful shutdown: requests in flight finish within the grace period, then every
//! WebSocket is closed with 1001, and the serve loop returns.

mod support;

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use mcplex_core::Limits;
use mcplex_ws::WsOptions;
use serde_json::json;
use support::{Harness, close_code, next_json};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn in_flight_requests_finish_then_every_socket_closes_with_1001() {
    let limits = Limits {
        shutdown_grace: Duration::from_secs(5),
        ..Limits::default()
    };
    let server = mcplex_toolsets::demo().limits(limits).build();
    let harness = Harness::start(server, WsOptions::default()).await;
    let endpoint = harness.endpoint.clone();

    let mut busy = harness.raw(Some("mcp")).await;
    let init = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": { "name": "raw", "version": "1" } },
    });
    busy.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(next_json(&mut busy).await["id"], 1);
    let call = json!({
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": { "name": "long_task", "arguments": { "steps": 3, "delay_ms": 100 } },
    });
    busy.send(Message::text(call.to_string())).await.unwrap();
    let mut idle = harness.raw(Some("mcp")).await;
    tokio::time::sleep(Duration::from_millis(20)).await;

    let started = Instant::now();
    let stopping = tokio::spawn(harness.stop());
    let result = next_json(&mut busy).await;
    assert_eq!(result["id"], 2, "{result}");
    assert_eq!(result["result"]["content"][0]["text"], "completed 3 steps");
    assert!(!endpoint.is_ready());
    assert_eq!(close_code(&mut busy).await, 1001);
    assert_eq!(close_code(&mut idle).await, 1001);
    stopping.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(endpoint.open_connections(), 0);
    assert!(endpoint.metrics_text().contains("mcplex_ws_ready 0"));
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let harness = Harness::fixture().await;
    let (status, body) = support::http_get(harness.addr, "/healthz", &[]).await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    let (status, body) = support::http_get(harness.addr, "/readyz", &[]).await;
    assert_eq!((status, body.as_str()), (200, "ready\n"));
    let raw = harness.raw(Some("mcp")).await;
    let (status, body) = support::http_get(harness.addr, "/metrics", &[]).await;
    assert_eq!(status, 200);
    assert!(body.contains("mcplex_ws_connections_open 1\n"), "{body}");
    assert!(
        body.contains("# TYPE mcplex_ws_closes_total counter"),
        "{body}"
    );
    let (status, _) =
        support::http_get(harness.addr, "/healthz", &[("Host", "evil.example")]).await;
    assert_eq!(status, 403);
    support::close(raw).await;
    harness.stop().await;
}
