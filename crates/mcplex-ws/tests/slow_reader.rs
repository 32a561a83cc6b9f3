//! A client that stops reading while pushes flow is closed with 1013 once its outbound queue
//! overflows, and the other clients' pushes go on undisturbed.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use mcplex_core::Limits;
use mcplex_protocol::Message;
use mcplex_test::{Peer, request};
use mcplex_ws::WsOptions;
use serde_json::json;
use support::{Harness, close_code, next_json};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const CLOSED_1013: &str = "mcplex_ws_closes_total{code=\"1013\",initiator=\"server\"} ";

/// How many `increment` calls go out at once.
const BATCH: usize = 32;

/// Sends `BATCH` pipelined increments and waits for their answers.
async fn increments(driver: &mut Peer) {
    let mut ids = Vec::with_capacity(BATCH);
    for _ in 0..BATCH {
        let id = driver.next_id();
        ids.push(id);
        driver
            .feed(request(
                id,
                "tools/call",
                json!({ "name": "increment", "arguments": {} }),
            ))
            .await;
    }
    driver.flush().await;
    for id in ids {
        driver.response(id).await;
    }
}

#[tokio::test]
async fn a_reader_that_stops_reading_is_closed_with_1013_and_others_go_on() {
    let limits = Limits {
        outbound_queue: 64,
        ..Limits::default()
    };
    let server = mcplex_toolsets::demo().limits(limits).build();
    let harness = Harness::start(server, WsOptions::default()).await;

    // The slow client: a small receive buffer, subscribed, then silent.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(harness.addr).await.unwrap();
    let mut req = harness.url().into_client_request().unwrap();
    req.headers_mut()
        .insert("sec-websocket-protocol", HeaderValue::from_static("mcp"));
    let (mut slow, _) = tokio_tungstenite::client_async(req, stream).await.unwrap();
    let init = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": { "name": "slow", "version": "1" } },
    });
    slow.send(Frame::text(init.to_string())).await.unwrap();
    assert_eq!(next_json(&mut slow).await["id"], 1);
    let subscribe = json!({ "jsonrpc": "2.0", "id": 2, "method": "resources/subscribe", "params": { "uri": "demo://counter" } });
    slow.send(Frame::text(subscribe.to_string())).await.unwrap();
    assert_eq!(next_json(&mut slow).await["id"], 2);

    // A fast subscriber, counting the pushes it gets.
    let mut fast = harness.peer().await;
    fast.call("resources/subscribe", json!({ "uri": "demo://counter" }))
        .await;
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let reader = tokio::spawn(async move {
        while let Some(Some(message)) = fast.read(Duration::from_secs(30)).await {
            if let Message::Notification(n) = &message
                && n.method == "notifications/resources/updated"
            {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    });

    // Pushes flow until the slow client is dropped.
    let mut driver = harness.peer().await;
    let started = Instant::now();
    let mut sent = 0u64;
    while harness.metric(CLOSED_1013) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the slow client was not closed after {sent} pushes"
        );
        increments(&mut driver).await;
        sent += BATCH as u64;
    }
    eprintln!(
        "the slow client was closed after {sent} pushes, {:?}",
        started.elapsed()
    );

    // The others' pushes kept flowing, and still do.
    let deadline = Instant::now() + Duration::from_secs(10);
    while received.load(Ordering::Relaxed) < sent {
        assert!(
            Instant::now() < deadline,
            "the fast subscriber got {} of {sent} pushes",
            received.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    increments(&mut driver).await;
    sent += BATCH as u64;
    while received.load(Ordering::Relaxed) < sent {
        assert!(Instant::now() < deadline, "pushes stopped after the close");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The slow client finds, after the backlog, a close frame with 1013.
    assert_eq!(close_code(&mut slow).await, 1013);
    drop(driver);
    reader.abort();
    let _ = reader.await;
    harness.served(3, Duration::from_secs(10)).await;
    harness.stop().await;
}
