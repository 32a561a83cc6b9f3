//! Every message the server sends in a full session validates against the official schema of
//! the session's revision: as a `JSONRPCMessage`, and as the specific result, notification,
//! request or error type it is.

mod common;

use common::{Client, Schemas, connect, meta26, plain_tool, req, req26, server, since, stateful};
use mcplex_protocol::ProtocolVersion;
use serde_json::{Value, json};

fn call(name: &str, arguments: Value) -> Value {
    json!({ "name": name, "arguments": arguments })
}

/// Requests of every kind on a stateful session, with errors and notifications among them.
async fn stateful_session(v: &str) -> Client {
    let elicitation = since(v, "2025-06-18");
    let caps = if elicitation {
        json!({ "elicitation": {} })
    } else {
        json!({})
    };
    let (server, _, mut client) = stateful(v, caps).await;
    let requests = [
        req(1, "ping", json!({})),
        req(2, "tools/list", json!({})),
        req(3, "tools/call", call("echo", json!({ "text": "hi" }))),
        req(4, "tools/call", call("add", json!({ "a": 1, "b": 2 }))),
        req(5, "tools/call", call("fail", json!({}))),
        req(6, "tools/call", call("panic", json!({}))),
        req(7, "tools/call", call("nope", json!({}))),
        req(8, "logging/setLevel", json!({ "level": "debug" })),
        req(9, "tools/call", call("log", json!({}))),
        req(
            10,
            "tools/call",
            json!({ "name": "progress", "arguments": { "steps": 2 }, "_meta": { "progressToken": 1 } }),
        ),
        req(11, "resources/list", json!({})),
        req(12, "resources/templates/list", json!({})),
        req(13, "resources/read", json!({ "uri": "test://r" })),
        req(14, "resources/read", json!({ "uri": "test://items/1" })),
        req(15, "resources/read", json!({ "uri": "test://nope" })),
        req(16, "resources/subscribe", json!({ "uri": "test://r" })),
        req(17, "prompts/list", json!({})),
        req(
            18,
            "prompts/get",
            json!({ "name": "p", "arguments": { "topic": "x" } }),
        ),
        req(19, "prompts/get", json!({ "name": "p" })),
        req(
            20,
            "completion/complete",
            json!({ "ref": { "type": "ref/prompt", "name": "p" }, "argument": { "name": "topic", "value": "a" } }),
        ),
        req(21, "nothing/here", json!({})),
        req(22, "tools/call", json!({ "name": 5 })),
    ];
    for request in requests {
        client.request(request).await;
    }
    server
        .notify_resource_updated("test://r")
        .await
        .expect("published");
    server
        .add_tool(plain_tool("extra"))
        .await
        .expect("published");
    client
        .request(req(
            23,
            "resources/unsubscribe",
            json!({ "uri": "test://r" }),
        ))
        .await;

    if elicitation {
        // Answered, then withdrawn by cancelling the call while it waits.
        client
            .send(req(24, "tools/call", call("ask", json!({}))))
            .await;
        let ask = next_request(&mut client).await;
        client
            .send(json!({ "jsonrpc": "2.0", "id": ask["id"], "result": { "action": "accept", "content": { "name": "Ada" } } }))
            .await;
        client.request(req(25, "ping", json!({}))).await;
        client
            .send(req(26, "tools/call", call("ask", json!({}))))
            .await;
        next_request(&mut client).await;
        client
            .send(json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 26 } }))
            .await;
        client.request(req(27, "ping", json!({}))).await;
    }
    client
}

/// The next server-to-client request, queueing whatever comes before it.
async fn next_request(client: &mut Client) -> Value {
    loop {
        let message = client.recv().await;
        if message.get("method").is_some() && message.get("id").is_some() {
            return message;
        }
    }
}

fn assert_valid(v: ProtocolVersion, client: &Client) {
    let failures = Schemas::load().check_transcript(v, client);
    assert!(
        failures.is_empty(),
        "{} of {} messages fail the {v} schema:\n{}",
        failures.len(),
        client.transcript.len(),
        failures.join("\n")
    );
}

async fn check_stateful(v: ProtocolVersion) {
    let client = stateful_session(v.as_str()).await;
    assert!(client.transcript.len() > 25, "{}", client.transcript.len());
    assert_valid(v, &client);
}

#[tokio::test]
async fn a_2024_11_05_session_validates() {
    check_stateful(ProtocolVersion::V2024_11_05).await;
}

#[tokio::test]
async fn a_2025_03_26_session_validates() {
    check_stateful(ProtocolVersion::V2025_03_26).await;
}

#[tokio::test]
async fn a_2025_06_18_session_validates() {
    check_stateful(ProtocolVersion::V2025_06_18).await;
}

#[tokio::test]
async fn a_2025_11_25_session_validates() {
    check_stateful(ProtocolVersion::V2025_11_25).await;
}

#[tokio::test]
async fn a_2026_07_28_session_validates() {
    let (server, _) = server();
    let mut client = connect(&server);
    let can_elicit = meta26(json!({ "elicitation": {} }));
    let mut logging = meta26(json!({}));
    logging["io.modelcontextprotocol/logLevel"] = json!("debug");
    logging["progressToken"] = json!("p");
    let unsupported = json!({
        "io.modelcontextprotocol/protocolVersion": "2027-01-01",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let requests = [
        req26(1, "server/discover", json!({})),
        req26(2, "tools/list", json!({})),
        req26(3, "resources/list", json!({})),
        req26(4, "resources/templates/list", json!({})),
        req26(5, "prompts/list", json!({})),
        req26(6, "tools/call", call("echo", json!({ "text": "hi" }))),
        req26(7, "tools/call", call("add", json!({ "a": 1, "b": 2 }))),
        req26(8, "tools/call", call("fail", json!({}))),
        req26(9, "tools/call", call("nope", json!({}))),
        req26(10, "tools/call", call("ask", json!({}))),
        req26(
            11,
            "tools/call",
            json!({ "name": "log", "_meta": logging.clone() }),
        ),
        req26(
            12,
            "tools/call",
            json!({ "name": "progress", "arguments": { "steps": 2 }, "_meta": logging }),
        ),
        req26(13, "resources/read", json!({ "uri": "test://r" })),
        req26(14, "resources/read", json!({ "uri": "test://items/1" })),
        req26(15, "resources/read", json!({ "uri": "test://nope" })),
        req26(
            16,
            "prompts/get",
            json!({ "name": "p", "arguments": { "topic": "x" } }),
        ),
        req26(
            17,
            "completion/complete",
            json!({ "ref": { "type": "ref/resource", "uri": "test://items/{id}" }, "argument": { "name": "id", "value": "a" } }),
        ),
        req26(18, "ping", json!({})),
        req(19, "tools/list", json!({ "_meta": unsupported })),
        req26(20, "tools/call", json!({ "name": 5 })),
    ];
    for request in requests {
        client.request(request).await;
    }

    let first = client
        .request(req26(
            21,
            "tools/call",
            json!({ "name": "ask", "_meta": can_elicit.clone() }),
        ))
        .await;
    let state = first["result"]["requestState"].clone();
    let retry = json!({
        "name": "ask",
        "_meta": can_elicit,
        "requestState": state,
        "inputResponses": { "name": { "action": "accept", "content": { "name": "Ada" } } },
    });
    client.request(req26(22, "tools/call", retry)).await;

    let filter = json!({ "toolsListChanged": true, "promptsListChanged": true, "resourceSubscriptions": ["test://r"] });
    client
        .send(req26(
            23,
            "subscriptions/listen",
            json!({ "notifications": filter }),
        ))
        .await;
    client.recv().await;
    server
        .notify_resource_updated("test://r")
        .await
        .expect("published");
    server
        .add_tool(plain_tool("extra"))
        .await
        .expect("published");
    client.recv().await;
    client.recv().await;
    server.shutdown();
    client.closed().await;

    assert!(client.transcript.len() > 25, "{}", client.transcript.len());
    assert_valid(ProtocolVersion::V2026_07_28, &client);
}

#[tokio::test]
async fn the_check_finds_invalid_messages() {
    // Guards against a vacuous check: a result without its required member fails, and so
    // does a 2026-07-28 result without `resultType`.
    let (server, _) = server();
    let mut client = connect(&server);
    client.methods.insert("1".into(), "tools/call".into());
    client
        .transcript
        .push(json!({ "jsonrpc": "2.0", "id": 1, "result": { "isError": true } }));
    let mut schemas = Schemas::load();
    assert_eq!(
        schemas
            .check_transcript(ProtocolVersion::V2025_11_25, &client)
            .len(),
        1
    );
    client.transcript[0] = json!({ "jsonrpc": "2.0", "id": 1, "result": { "content": [] } });
    assert!(
        schemas
            .check_transcript(ProtocolVersion::V2025_11_25, &client)
            .is_empty()
    );
    assert_eq!(
        schemas
            .check_transcript(ProtocolVersion::V2026_07_28, &client)
            .len(),
        2
    );
}
