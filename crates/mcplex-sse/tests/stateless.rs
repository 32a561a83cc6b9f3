//! Streamable HTTP on 2026-07-28: per-request `_meta`, header checks, JSON or SSE answers,
//! `subscriptions/listen`.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Req, TestServer, V2026, meta, request, stateless};

#[tokio::test]
async fn discover_and_calls() {
    let server = TestServer::start().await;
    let client = server.client();
    let discover = client
        .send(stateless(1, "server/discover", json!({})))
        .await;
    assert_eq!(discover.status, 200, "{}", discover.text());
    assert_eq!(discover.header("mcp-session-id"), None);
    let body = discover.json();
    assert!(
        body["result"]["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!(V2026))
    );

    // A call that sends nothing before its result is answered with JSON.
    let add = client
        .send(stateless(
            2,
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 2, "b": 3 } }),
        ))
        .await;
    assert_eq!(add.status, 200);
    assert_eq!(add.header("content-type"), Some("application/json"));
    let result = add.json();
    assert_eq!(
        result["result"]["structuredContent"]["sum"].as_f64(),
        Some(5.0)
    );
    assert_eq!(result["result"]["resultType"], "complete");

    // A call that reports progress is answered with SSE.
    let call = stateless(
        3,
        "tools/call",
        json!({ "name": "long_task", "arguments": { "steps": 2, "delay_ms": 5 },
                "_meta": { "progressToken": "t" } }),
    );
    let streamed = client.send(call).await;
    assert_eq!(streamed.status, 200);
    assert_eq!(streamed.header("content-type"), Some("text/event-stream"));
    let events = streamed.events();
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0].json()["method"], "notifications/progress");
    assert!(
        events.iter().all(|e| e.id.is_none()),
        "2026-07-28 streams are not resumable"
    );
    assert_eq!(
        events[2].json()["result"]["content"][0]["text"],
        "completed 2 steps"
    );

    // Session ids are ignored on this revision.
    let with_session = client
        .send(
            stateless(4, "tools/list", json!({}))
                .header("mcp-session-id", "0123456789abcdef0123456789abcdef"),
        )
        .await;
    assert_eq!(with_session.status, 200, "{}", with_session.text());
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
}

async fn rejected(server: &TestServer, req: Req) -> (u16, i64, Value) {
    let response = server.client().send(req).await;
    let body = response.json();
    (response.status, response.error_code(), body["id"].clone())
}

#[tokio::test]
async fn header_checks() {
    let server = TestServer::start().await;
    let list = || stateless(7, "tools/list", json!({}));
    let call = || {
        stateless(
            8,
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": "x" } }),
        )
    };

    // Mcp-Method: missing, different, different case.
    assert_eq!(
        rejected(&server, list().without("mcp-method")).await,
        (400, -32020, json!(7))
    );
    assert_eq!(
        rejected(&server, list().header("mcp-method", "prompts/list")).await,
        (400, -32020, json!(7))
    );
    assert_eq!(
        rejected(&server, list().header("mcp-method", "TOOLS/LIST")).await,
        (400, -32020, json!(7))
    );
    // Header names are case-insensitive, values trimmed.
    let ok = server
        .client()
        .send(
            list()
                .without("mcp-method")
                .header("MCP-METHOD", "  tools/list "),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());

    // Mcp-Name: missing, different; Base64 encoded and padded values accepted.
    assert_eq!(
        rejected(&server, call().without("mcp-name")).await,
        (400, -32020, json!(8))
    );
    assert_eq!(
        rejected(&server, call().header("mcp-name", "wrong_tool")).await,
        (400, -32020, json!(8))
    );
    for name in ["  echo  ", "=?base64?ZWNobw==?="] {
        let ok = server.client().send(call().header("mcp-name", name)).await;
        assert_eq!(ok.status, 200, "{name}: {}", ok.text());
    }
    assert_eq!(
        rejected(&server, call().header("mcp-name", "=?base64?ZWNobw?=")).await,
        (400, -32020, json!(8))
    );

    // MCP-Protocol-Version: missing, unknown, disagreeing with _meta.
    assert_eq!(
        rejected(&server, list().without("mcp-protocol-version")).await,
        (400, -32020, json!(7))
    );
    let (status, code, id) =
        rejected(&server, list().header("mcp-protocol-version", "v999.0.0")).await;
    assert_eq!((status, code, id), (400, -32022, json!(7)));
    let unsupported = server
        .client()
        .send(list().header("mcp-protocol-version", "v999.0.0"))
        .await
        .json();
    assert_eq!(unsupported["error"]["data"]["requested"], "v999.0.0");
    let other_meta = stateless(
        9,
        "server/discover",
        json!({ "_meta": {
        "io.modelcontextprotocol/protocolVersion": "v999.0.0" } }),
    );
    assert_eq!(rejected(&server, other_meta).await, (400, -32020, json!(9)));

    // Required _meta fields.
    let no_meta =
        Req::post(&request(10, "server/discover", json!({}))).stateless("server/discover", None);
    assert_eq!(rejected(&server, no_meta).await, (400, -32602, json!(10)));
    let mut partial = meta();
    partial
        .as_object_mut()
        .unwrap()
        .remove("io.modelcontextprotocol/clientCapabilities");
    let no_caps = Req::post(&request(11, "server/discover", json!({ "_meta": partial })))
        .stateless("server/discover", None);
    assert_eq!(rejected(&server, no_caps).await, (400, -32602, json!(11)));
}

#[tokio::test]
async fn methods_of_other_revisions_are_not_found() {
    let server = TestServer::start().await;
    for method in [
        "initialize",
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "no/such",
    ] {
        let req = stateless(5, method, json!({}));
        assert_eq!(
            rejected(&server, req).await,
            (404, -32601, json!(5)),
            "{method}"
        );
    }
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
    // GET and DELETE are for the stateful revisions.
    for method in ["GET", "DELETE"] {
        let response = server
            .client()
            .send(
                Req::new(method, "/mcp")
                    .header("accept", "text/event-stream")
                    .header("mcp-protocol-version", V2026),
            )
            .await;
        assert_eq!(response.status, 405, "{method}");
    }
}

#[tokio::test]
async fn listen_stream_acknowledges_then_notifies() {
    let server = TestServer::start().await;
    let client = server.client();
    let listen = stateless(
        20,
        "subscriptions/listen",
        json!({ "notifications": { "resourceSubscriptions": ["demo://counter"] } }),
    );
    let mut stream = client.open(listen).await;
    assert_eq!(stream.status, 200);
    assert_eq!(stream.header("content-type"), Some("text/event-stream"));
    let ack = stream
        .next_event()
        .await
        .expect("an acknowledgement")
        .json();
    assert_eq!(
        ack["method"], "notifications/subscriptions/acknowledged",
        "{ack}"
    );

    let increment = client
        .send(stateless(
            21,
            "tools/call",
            json!({ "name": "increment", "arguments": {} }),
        ))
        .await;
    assert_eq!(increment.status, 200, "{}", increment.text());
    let update = stream.next_event().await.expect("an update").json();
    assert_eq!(
        update["method"], "notifications/resources/updated",
        "{update}"
    );
    assert_eq!(
        update["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        20
    );

    // A listen stream needs SSE.
    let json_only = stateless(22, "subscriptions/listen", json!({ "notifications": {} }))
        .header("accept", "application/json");
    assert_eq!(client.send(json_only).await.status, 406);
}

#[tokio::test]
async fn keep_alive_comments_on_idle_streams() {
    let options = mcplex_sse::SseOptions {
        keep_alive: Duration::from_millis(100),
        ..mcplex_sse::SseOptions::default()
    };
    let server = TestServer::with(mcplex_core::Limits::default(), options).await;
    let listen = stateless(1, "subscriptions/listen", json!({ "notifications": {} }));
    let mut stream = server.client().open(listen).await;
    let seen = stream
        .read_until_text(": keep-alive\n\n", Duration::from_secs(2))
        .await;
    assert!(seen.contains("acknowledged"), "{seen}");
}
