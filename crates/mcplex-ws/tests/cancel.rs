//! A client that disconnects in the middle of a `long_task` (demo toolset, 50 steps of
//! 100 ms) cancels it within 100 ms, whether it closes cleanly or just drops the socket. The
//! outcome is observed through `task_stats` from a second connection.

mod support;

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use mcplex_protocol::Message;
use mcplex_test::{Peer, request};
use serde_json::{Value, json};
use support::{Harness, next_json};
use tokio_tungstenite::tungstenite;

const LONG_TASK: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"long_task","arguments":{"steps":50,"delay_ms":100},"_meta":{"progressToken":"lt"}}}"#;

/// The deadline from the disconnect to the cancelled run being counted.
const CANCEL_DEADLINE: Duration = Duration::from_millis(100);

async fn stats(peer: &mut Peer) -> Value {
    let result = peer
        .call(
            "tools/call",
            json!({ "name": "task_stats", "arguments": {} }),
        )
        .await;
    result["structuredContent"].clone()
}

/// Polls `task_stats` until one more run was cancelled than in `before`; returns how long
/// that took.
async fn wait_cancelled(observer: &mut Peer, before: &Value, since: Instant) -> Duration {
    let want = before["cancelled"].as_i64().unwrap() + 1;
    loop {
        let now = stats(observer).await;
        if now["cancelled"].as_i64() == Some(want) {
            assert_eq!(now["completed"], before["completed"], "{now}");
            return since.elapsed();
        }
        assert!(
            since.elapsed() < Duration::from_secs(5),
            "the run was not cancelled: {now} (before: {before})"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Waits for the first progress notification of the running `long_task`.
async fn started(peer: &mut Peer) {
    loop {
        let message = peer.recv().await.expect("the connection is open");
        if let Message::Notification(n) = &message
            && n.method == "notifications/progress"
        {
            return;
        }
    }
}

#[tokio::test]
async fn a_clean_close_cancels_the_running_task_within_100ms() {
    let harness = Harness::demo().await;
    let mut observer = harness.peer().await;
    let mut client = harness.peer().await;
    let id = client.next_id();
    client
        .send(request(
            id,
            "tools/call",
            json!({ "name": "long_task", "arguments": { "steps": 50, "delay_ms": 100 }, "_meta": { "progressToken": "lt" } }),
        ))
        .await;
    started(&mut client).await;
    let before = stats(&mut observer).await;
    assert_eq!(before["cancelled"], 0, "{before}");

    let since = Instant::now();
    client.close().await;
    let took = wait_cancelled(&mut observer, &before, since).await;
    assert!(
        took < CANCEL_DEADLINE,
        "cancelled {took:?} after the client closed"
    );
    drop((client, observer));
    harness.stop().await;
}

#[tokio::test]
async fn a_dropped_socket_cancels_the_running_task_within_100ms() {
    let harness = Harness::demo().await;
    let mut observer = harness.peer().await;
    let mut raw = harness.raw(Some("mcp")).await;
    let init = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": { "name": "raw", "version": "1" } },
    });
    raw.send(tungstenite::Message::text(init.to_string()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut raw).await["id"], 1);
    raw.send(tungstenite::Message::text(LONG_TASK))
        .await
        .unwrap();
    let progress = next_json(&mut raw).await;
    assert_eq!(progress["method"], "notifications/progress", "{progress}");
    let before = stats(&mut observer).await;

    let since = Instant::now();
    drop(raw);
    let took = wait_cancelled(&mut observer, &before, since).await;
    assert!(
        took < CANCEL_DEADLINE,
        "cancelled {took:?} after the socket dropped"
    );
    drop(observer);
    harness.stop().await;
}
