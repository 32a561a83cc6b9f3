//! Streamable HTTP on the stateful revisions: sessions, request streams, the standalone GET
//! stream, resumption, DELETE.

mod support;

use std::time::Duration;

use serde_json::json;
use support::{Req, TestServer, notification, open_session, request};

#[tokio::test]
async fn session_flow() {
    let server = TestServer::start().await;
    let client = server.client();
    let id = open_session(&client).await;
    assert!(id.len() >= 32, "a session id of at least 128 bits: {id}");
    assert!(id.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{id}");
    assert_eq!(server.endpoint.streamable_http().session_count(), 1);

    let list = client
        .send(Req::post(&request(2, "tools/list", json!({}))).session(&id))
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.header("content-type"), Some("application/json"));
    let tools = list.json();
    let names: Vec<_> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.iter().any(|n| n == "long_task"), "{names:?}");

    // A call that reports progress is answered with a stream: progress, then the result.
    let call = request(
        3,
        "tools/call",
        json!({ "name": "long_task", "arguments": { "steps": 3, "delay_ms": 10 },
                "_meta": { "progressToken": "p1" } }),
    );
    let response = client.send(Req::post(&call).session(&id)).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    assert_eq!(response.header("x-accel-buffering"), Some("no"));
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    let events = response.events();
    assert_eq!(events.len(), 4, "{events:?}");
    for (i, event) in events[..3].iter().enumerate() {
        let progress = event.json();
        assert_eq!(progress["method"], "notifications/progress");
        assert_eq!(progress["params"]["progressToken"], "p1");
        assert_eq!(
            progress["params"]["progress"].as_f64(),
            Some(i as f64 + 1.0)
        );
    }
    let result = events[3].json();
    assert_eq!(result["id"], 3);
    assert_eq!(result["result"]["content"][0]["text"], "completed 3 steps");

    // DELETE ends the session; later requests get 404.
    let deleted = client.send(Req::new("DELETE", "/mcp").session(&id)).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
    let after = client
        .send(Req::post(&request(4, "tools/list", json!({}))).session(&id))
        .await;
    assert_eq!(after.status, 404);
    assert_eq!(after.error_code(), -32001);
    assert_eq!(after.json()["id"], serde_json::Value::Null);
    let again = client.send(Req::new("DELETE", "/mcp").session(&id)).await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn session_id_required_and_checked() {
    let server = TestServer::start().await;
    let client = server.client();
    let missing = client
        .send(
            Req::post(&request(1, "tools/list", json!({})))
                .header("mcp-protocol-version", "2025-11-25"),
        )
        .await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.error_code(), -32600);

    let unknown = client
        .send(
            Req::post(&request(1, "tools/list", json!({})))
                .session("0123456789abcdef0123456789abcdef"),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), -32001);

    let garbage = client
        .send(Req::post(&request(1, "tools/list", json!({}))).session("not/a*session"))
        .await;
    assert_eq!(garbage.status, 404);

    let get = client
        .send(Req::new("GET", "/mcp").header("accept", "text/event-stream"))
        .await;
    assert_eq!(get.status, 400);
    let delete = client.send(Req::new("DELETE", "/mcp")).await;
    assert_eq!(delete.status, 400);
}

#[tokio::test]
async fn standalone_stream_receives_resource_updates() {
    let server = TestServer::start().await;
    let client = server.client();
    let id = open_session(&client).await;
    let subscribed = client
        .send(
            Req::post(&request(
                2,
                "resources/subscribe",
                json!({ "uri": "demo://counter" }),
            ))
            .session(&id),
        )
        .await;
    assert_eq!(subscribed.status, 200, "{}", subscribed.text());

    let mut stream = client
        .open(
            Req::new("GET", "/mcp")
                .header("accept", "text/event-stream")
                .session(&id),
        )
        .await;
    assert_eq!(stream.status, 200);
    assert_eq!(stream.header("content-type"), Some("text/event-stream"));

    // A second standalone stream for the same session is refused.
    let second = client
        .send(
            Req::new("GET", "/mcp")
                .header("accept", "text/event-stream")
                .session(&id),
        )
        .await;
    assert_eq!(second.status, 409, "{}", second.text());

    // Another client changes the counter.
    let other = open_session(&client).await;
    let call = request(
        3,
        "tools/call",
        json!({ "name": "increment", "arguments": {} }),
    );
    let incremented = client.send(Req::post(&call).session(&other)).await;
    assert_eq!(incremented.status, 200, "{}", incremented.text());

    let event = stream.next_event().await.expect("an update");
    let update = event.json();
    assert_eq!(update["method"], "notifications/resources/updated");
    assert_eq!(update["params"]["uri"], "demo://counter");
    let first_id = event
        .id
        .clone()
        .expect("events on the standalone stream carry ids");
    assert!(first_id.starts_with(&id), "{first_id}");

    // The client goes away; another update is stored; resuming replays it on the same stream.
    stream.close().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let incremented = client
        .send(
            Req::post(&request(
                4,
                "tools/call",
                json!({ "name": "increment", "arguments": {} }),
            ))
            .session(&other),
        )
        .await;
    assert_eq!(incremented.status, 200);
    let mut resumed = None;
    for _ in 0..50 {
        let attempt = client
            .open(
                Req::new("GET", "/mcp")
                    .header("accept", "text/event-stream")
                    .header("last-event-id", &first_id)
                    .session(&id),
            )
            .await;
        if attempt.status == 200 {
            resumed = Some(attempt);
            break;
        }
        assert_eq!(
            attempt.status, 409,
            "only a stream still closing may conflict"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut resumed = resumed.expect("the stream could be resumed");
    let replayed = resumed.next_event().await.expect("a replayed event");
    assert_eq!(replayed.json()["method"], "notifications/resources/updated");
    let replayed_id = replayed.id.expect("an id");
    assert!(replayed_id > first_id, "{replayed_id} after {first_id}");
    let stream_of = |id: &str| id.rsplit_once('/').map(|(s, _)| s.to_owned());
    assert_eq!(stream_of(&replayed_id), stream_of(&first_id));
}

#[tokio::test]
async fn a_stream_resumed_twice_goes_on_live() {
    let server = TestServer::start().await;
    let client = server.client();
    let id = open_session(&client).await;
    let subscribe = request(2, "resources/subscribe", json!({ "uri": "demo://counter" }));
    let subscribed = client.send(Req::post(&subscribe).session(&id)).await;
    assert_eq!(subscribed.status, 200, "{}", subscribed.text());
    let other = open_session(&client).await;
    let increment = |n: i64| {
        let call = request(
            n,
            "tools/call",
            json!({ "name": "increment", "arguments": {} }),
        );
        let client = &client;
        let other = &other;
        async move {
            let done = client.send(Req::post(&call).session(other)).await;
            assert_eq!(done.status, 200, "{}", done.text());
        }
    };
    let get = |last: Option<&str>| {
        let mut req = Req::new("GET", "/mcp")
            .header("accept", "text/event-stream")
            .session(&id);
        if let Some(last) = last {
            req = req.header("last-event-id", last);
        }
        req
    };

    let mut stream = client.open(get(None)).await;
    assert_eq!(stream.status, 200);
    increment(3).await;
    let mut last = stream
        .next_event()
        .await
        .expect("an update")
        .id
        .expect("an id");
    // Each round: the client goes away, resumes from the last id it saw, and the live updates
    // that follow reach the resumed stream, which is still the same stream.
    for round in 0..2 {
        stream.close().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut resumed = None;
        for _ in 0..50 {
            let attempt = client.open(get(Some(&last))).await;
            if attempt.status == 200 {
                resumed = Some(attempt);
                break;
            }
            assert_eq!(
                attempt.status, 409,
                "only a stream still closing may conflict"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stream = resumed.expect("the stream could be resumed");
        increment(4 + round).await;
        let event = stream.next_event().await.expect("a live update");
        assert_eq!(event.json()["method"], "notifications/resources/updated");
        let id = event.id.expect("an id");
        let stream_of = |id: &str| id.rsplit_once('/').map(|(s, _)| s.to_owned());
        assert_eq!(stream_of(&id), stream_of(&last), "round {round}");
        assert!(id > last, "{id} after {last}");
        last = id;
    }
}

#[tokio::test]
async fn last_event_id_of_another_session_replays_nothing() {
    let server = TestServer::start().await;
    let client = server.client();
    let a = open_session(&client).await;
    let b = open_session(&client).await;
    let subscribe = request(2, "resources/subscribe", json!({ "uri": "demo://counter" }));
    assert_eq!(
        client.send(Req::post(&subscribe).session(&a)).await.status,
        200
    );
    let mut stream_a = client
        .open(
            Req::new("GET", "/mcp")
                .header("accept", "text/event-stream")
                .session(&a),
        )
        .await;
    let call = request(
        3,
        "tools/call",
        json!({ "name": "increment", "arguments": {} }),
    );
    assert_eq!(client.send(Req::post(&call).session(&b)).await.status, 200);
    let event = stream_a.next_event().await.unwrap();
    let a_id = event.id.unwrap();
    // Session b presents a's event id: it gets a fresh stream of its own, nothing replayed.
    let mut stream_b = client
        .open(
            Req::new("GET", "/mcp")
                .header("accept", "text/event-stream")
                .header("last-event-id", &a_id)
                .session(&b),
        )
        .await;
    assert_eq!(stream_b.status, 200);
    let nothing = tokio::time::timeout(Duration::from_millis(400), stream_b.next_event()).await;
    assert!(nothing.is_err(), "no event may be replayed across sessions");
}

#[tokio::test]
async fn batches_on_2025_03_26() {
    let server = TestServer::start().await;
    let client = server.client();
    let init = request(
        1,
        "initialize",
        json!({ "protocolVersion": "2025-03-26", "capabilities": {},
                "clientInfo": { "name": "t", "version": "1" } }),
    );
    let response = client.post(&init).await;
    let id = response.header("mcp-session-id").unwrap().to_owned();
    assert_eq!(response.json()["result"]["protocolVersion"], "2025-03-26");
    let batch = json!([
        notification("notifications/initialized", json!({})),
        request(2, "tools/list", json!({})),
        request(
            3,
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } })
        ),
        request(4, "no/such", json!({})),
    ]);
    // No MCP-Protocol-Version header: the 2025-03-26 client does not send one.
    let answer = client
        .send(Req::post(&batch).header("mcp-session-id", &id))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let answers = answer.json();
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert!(answers[0]["result"]["tools"].is_array());
    assert_eq!(answers[1]["result"]["content"][0]["text"], r#"{"sum":3.0}"#);
    assert_eq!(answers[2]["error"]["code"], -32601);

    let only_notifications = json!([notification("notifications/initialized", json!({}))]);
    let accepted = client
        .send(Req::post(&only_notifications).header("mcp-session-id", &id))
        .await;
    assert_eq!(accepted.status, 202);
}

#[tokio::test]
async fn sse_only_clients_get_one_event_streams() {
    let server = TestServer::start().await;
    let client = server.client();
    let id = open_session(&client).await;
    let response = client
        .send(
            Req::post(&request(2, "tools/list", json!({})))
                .header("accept", "text/event-stream")
                .session(&id),
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    let events = response.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].json()["id"], 2);

    // A JSON-only client of a streaming call gets just the result.
    let call = request(
        3,
        "tools/call",
        json!({ "name": "long_task", "arguments": { "steps": 2, "delay_ms": 1 },
                "_meta": { "progressToken": 1 } }),
    );
    let json_only = client
        .send(
            Req::post(&call)
                .header("accept", "application/json")
                .session(&id),
        )
        .await;
    assert_eq!(json_only.status, 200);
    assert_eq!(
        json_only.json()["result"]["content"][0]["text"],
        "completed 2 steps"
    );
}

#[tokio::test]
async fn stateless_session_mode_mints_no_sessions() {
    let options = mcplex_sse::SseOptions {
        session_mode: mcplex_core::SessionMode::Stateless,
        ..mcplex_sse::SseOptions::default()
    };
    let server = TestServer::with(mcplex_core::Limits::default(), options).await;
    let client = server.client();
    let init = request(
        1,
        "initialize",
        json!({ "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": { "name": "t", "version": "1" } }),
    );
    let response = client.post(&init).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("mcp-session-id"), None);
    let call = request(
        2,
        "tools/call",
        json!({ "name": "echo", "arguments": { "text": "hi" } }),
    );
    let answer = client
        .send(Req::post(&call).header("mcp-protocol-version", "2025-06-18"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["result"]["content"][0]["text"], "hi");
    let get = client
        .send(Req::new("GET", "/mcp").header("accept", "text/event-stream"))
        .await;
    assert_eq!(get.status, 405);
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
}
