//! A client that goes away mid-request cancels it within 100 ms, and nothing is left behind:
//! no stream, no session, no in-flight slot, no run that completes later.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{Client, Req, TestServer, open_session, request, stateless, task_stats};

/// How soon after the client disconnects the request must be cancelled.
const DEADLINE: Duration = Duration::from_millis(100);

/// The count of `tools/call` requests cancelled, from `/metrics`.
async fn cancelled_calls(client: &Client) -> u64 {
    let metrics = client.send(Req::new("GET", "/metrics")).await.text();
    metrics
        .lines()
        .find_map(|line| {
            line.strip_prefix("mcplex_requests_total{method=\"tools/call\",outcome=\"cancelled\"} ")
        })
        .map_or(0, |n| n.parse().unwrap())
}

/// Waits until `n` calls were cancelled; returns how long that took from `since`.
async fn cancelled_within(client: &Client, n: u64, since: Instant) -> Duration {
    loop {
        if cancelled_calls(client).await >= n {
            return since.elapsed();
        }
        assert!(since.elapsed() < Duration::from_secs(5), "never cancelled");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn long_task(progress: bool) -> serde_json::Value {
    let mut params = json!({ "name": "long_task", "arguments": { "steps": 50, "delay_ms": 100 } });
    if progress {
        params["_meta"] = json!({ "progressToken": "p" });
    }
    params
}

#[tokio::test]
async fn disconnect_cancels_a_streaming_call() {
    let server = TestServer::start().await;
    let client = server.client();
    let mut stream = client
        .open(stateless(1, "tools/call", long_task(true)))
        .await;
    assert_eq!(stream.header("content-type"), Some("text/event-stream"));
    let progress = stream.next_event().await.unwrap().json();
    assert_eq!(progress["method"], "notifications/progress");
    let gone = Instant::now();
    stream.close().await;
    let took = cancelled_within(&client, 1, gone).await;
    assert!(took < DEADLINE, "cancelled after {took:?}");
    assert_eq!(server.endpoint.open_streams(), 0);
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
    let (started, completed, _) = task_stats(&server.endpoint).await;
    assert_eq!((started, completed), (1, 0));
}

#[tokio::test]
async fn disconnect_cancels_a_call_answered_with_json() {
    let server = TestServer::start().await;
    let client = server.client();
    let req = stateless(1, "tools/call", long_task(false)).header("accept", "application/json");
    let call = tokio::spawn(async move { client.send(req).await });
    let began = Instant::now();
    while task_stats(&server.endpoint).await.0 == 0 {
        assert!(
            began.elapsed() < Duration::from_secs(5),
            "the run never started"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    call.abort();
    let _ = call.await;
    let gone = Instant::now();
    let took = cancelled_within(&server.client(), 1, gone).await;
    assert!(took < DEADLINE, "cancelled after {took:?}");
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
}

#[tokio::test]
async fn disconnect_cancels_a_stateful_call_and_frees_its_slot() {
    let server = TestServer::start().await;
    let client = server.client();
    let id = open_session(&client).await;
    let mut stream = client
        .open(Req::post(&request(2, "tools/call", long_task(true))).session(&id))
        .await;
    assert!(stream.next_event().await.is_some());
    let gone = Instant::now();
    stream.close().await;
    let took = cancelled_within(&client, 1, gone).await;
    assert!(took < DEADLINE, "cancelled after {took:?}");

    // The request id is free again: nothing of the abandoned call is left in the session.
    let mut reused = None;
    for _ in 0..100 {
        let echo = request(
            2,
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": "again" } }),
        );
        let answer = client.send(Req::post(&echo).session(&id)).await.json();
        if answer.get("error").is_none() {
            reused = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let reused = reused.expect("the id of the abandoned call stays in flight");
    assert_eq!(reused["result"]["content"][0]["text"], "again");

    // Nothing completes later; once the client ends its session, nothing is left.
    let deleted = client.send(Req::new("DELETE", "/mcp").session(&id)).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
    assert_eq!(server.endpoint.open_streams(), 0);
    let (started, completed, _) = task_stats(&server.endpoint).await;
    assert_eq!((started, completed), (1, 0));
}
