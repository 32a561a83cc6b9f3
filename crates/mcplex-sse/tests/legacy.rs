//! The legacy HTTP+SSE transport (2024-11-05).

mod support;

use std::time::Duration;

use serde_json::json;
use support::{Req, TestServer, notification, request};

fn message(path: &str, body: &serde_json::Value) -> Req {
    Req::new("POST", path)
        .header("content-type", "application/json")
        .body(body.to_string().into_bytes())
}

#[tokio::test]
async fn endpoint_event_then_messages() {
    let server = TestServer::start().await;
    let client = server.client();
    let mut stream = client
        .open(Req::new("GET", "/sse").header("accept", "text/event-stream"))
        .await;
    assert_eq!(stream.status, 200);
    assert_eq!(stream.header("content-type"), Some("text/event-stream"));
    let endpoint = stream.next_event().await.expect("the endpoint event");
    assert_eq!(endpoint.event, "endpoint");
    let path = endpoint.data.clone();
    assert!(path.starts_with("/messages?sessionId="), "{path}");
    assert_eq!(server.endpoint.legacy_session_count(), 1);

    let init = request(
        1,
        "initialize",
        json!({ "protocolVersion": "2024-11-05", "capabilities": {},
                "clientInfo": { "name": "legacy", "version": "1" } }),
    );
    let posted = client.send(message(&path, &init)).await;
    assert_eq!(posted.status, 202, "{}", posted.text());
    let answer = stream.next_event().await.expect("the initialize result");
    assert_eq!(answer.event, "message");
    let answer = answer.json();
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["result"]["protocolVersion"], "2024-11-05");

    let posted = client
        .send(message(
            &path,
            &notification("notifications/initialized", json!({})),
        ))
        .await;
    assert_eq!(posted.status, 202);
    let call = request(
        2,
        "tools/call",
        json!({ "name": "long_task", "arguments": { "steps": 2, "delay_ms": 1 },
                "_meta": { "progressToken": 9 } }),
    );
    assert_eq!(client.send(message(&path, &call)).await.status, 202);
    let mut seen = Vec::new();
    while let Some(event) = stream.next_event().await {
        let json = event.json();
        let last = json["id"] == 2;
        seen.push(json);
        if last {
            break;
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0]["method"], "notifications/progress");
    assert_eq!(seen[2]["result"]["content"][0]["text"], "completed 2 steps");

    // Bad input on the POST endpoint gets its error in the HTTP answer.
    let bad = client
        .send(
            Req::new("POST", &path)
                .header("content-type", "application/json")
                .body(b"{not json".to_vec()),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error_code(), -32700);

    // The client goes away: the connection ends and its session id is forgotten.
    stream.close().await;
    let mut gone = false;
    for _ in 0..100 {
        if server.endpoint.legacy_session_count() == 0 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(gone, "the legacy session outlived its stream");
    let late = client.send(message(&path, &call)).await;
    assert_eq!(late.status, 404);
}

#[tokio::test]
async fn unknown_or_missing_session() {
    let server = TestServer::start().await;
    let client = server.client();
    let ping = request(1, "ping", json!({}));
    let unknown = client
        .send(message(
            "/messages?sessionId=0123456789abcdef0123456789abcdef",
            &ping,
        ))
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), -32001);
    let garbage = client
        .send(message("/messages?sessionId=../etc", &ping))
        .await;
    assert_eq!(garbage.status, 404);
    let missing = client.send(message("/messages", &ping)).await;
    assert_eq!(missing.status, 400);
    let not_sse = client
        .send(Req::new("GET", "/sse").header("accept", "application/json"))
        .await;
    assert_eq!(not_sse.status, 406);
}
