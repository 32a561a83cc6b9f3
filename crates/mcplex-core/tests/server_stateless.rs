//! The stateless 2026-07-28 wire over a connection: no `initialize`, every request names its
//! revision and client capabilities in `_meta`.

mod common;

use common::{
    V2026, connect, error, floats, meta26, plain_tool, req, req26, result, server, server_meta,
    text,
};
use serde_json::{Value, json};

const ALL_VERSIONS: [&str; 5] = [
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
];

#[tokio::test]
async fn server_discover() {
    let (server, _) = server();
    let mut client = connect(&server);
    let response = client
        .request(req26("d", "server/discover", json!({})))
        .await;
    assert_eq!(response["id"], "d");
    let result = result(&response);
    assert_eq!(result["resultType"], "complete", "{result}");
    let versions = result["supportedVersions"]
        .as_array()
        .expect("supportedVersions");
    for v in ALL_VERSIONS {
        assert!(versions.contains(&json!(v)), "{v} missing from {result}");
    }
    assert_eq!(
        result["capabilities"],
        json!({
            "logging": {},
            "completions": {},
            "prompts": { "listChanged": true },
            "resources": { "subscribe": true, "listChanged": true },
            "tools": { "listChanged": true },
        })
    );
    assert_eq!(result["_meta"], server_meta());
    assert_eq!(result["instructions"], "A server for tests.");
    assert!(result["ttlMs"].as_u64().is_some(), "{result}");
    assert!(
        ["public", "private"].contains(&result["cacheScope"].as_str().unwrap_or("")),
        "{result}"
    );
}

#[tokio::test]
async fn lists_carry_result_type_and_caching_hints() {
    let (server, _) = server();
    let mut client = connect(&server);
    for (id, method, member) in [
        (1, "tools/list", "tools"),
        (2, "resources/list", "resources"),
        (3, "resources/templates/list", "resourceTemplates"),
        (4, "prompts/list", "prompts"),
    ] {
        let response = client.request(req26(id, method, json!({}))).await;
        let result = result(&response);
        assert!(result[member].is_array(), "{method}: {result}");
        assert_eq!(result["resultType"], "complete", "{method}");
        assert_eq!(result["ttlMs"], 0, "{method}");
        assert_eq!(result["cacheScope"], "public", "{method}");
        assert_eq!(result["_meta"], server_meta(), "{method}");
        assert!(result.get("nextCursor").is_none(), "{method}");
    }
}

#[tokio::test]
async fn tools_call_and_read() {
    let (server, _) = server();
    let mut client = connect(&server);
    let call = json!({ "name": "echo", "arguments": { "text": "hi" } });
    let response = client.request(req26(1, "tools/call", call)).await;
    assert_eq!(
        response,
        json!({
            "jsonrpc": "2.0",
            "id": 1,
            "result": {
                "content": [{ "type": "text", "text": "hi" }],
                "_meta": server_meta(),
                "resultType": "complete",
            },
        })
    );

    let call = json!({ "name": "add", "arguments": { "a": 1, "b": 2 } });
    let response = client.request(req26(2, "tools/call", call)).await;
    assert_eq!(
        result(&response)["structuredContent"],
        json!({ "sum": 3.0 })
    );

    let response = client
        .request(req26(3, "resources/read", json!({ "uri": "test://r" })))
        .await;
    let result = result(&response);
    assert_eq!(
        result["contents"],
        json!([{ "uri": "test://r", "mimeType": "text/plain", "text": "fixed" }])
    );
    assert_eq!(result["resultType"], "complete");
    // `resources/read` is cacheable on 2026-07-28.
    assert!(result["ttlMs"].as_u64().is_some(), "{result}");
    assert!(result["cacheScope"].is_string(), "{result}");
}

#[tokio::test]
async fn error_codes_of_2026() {
    let (server, _) = server();
    let mut client = connect(&server);

    let response = client
        .request(req26(1, "resources/read", json!({ "uri": "test://nope" })))
        .await;
    let e = error(&response);
    assert_eq!(e["code"], -32602, "{response}");
    assert_eq!(e["data"], json!({ "uri": "test://nope" }));

    let call = json!({ "name": "nope", "arguments": {} });
    let response = client.request(req26(2, "tools/call", call)).await;
    assert_eq!(error(&response)["code"], -32602, "{response}");

    let response = client.request(req26(3, "tools/nope", json!({}))).await;
    assert_eq!(response["id"], 3);
    assert_eq!(error(&response)["code"], -32601, "{response}");
}

#[tokio::test]
async fn arguments_that_are_not_an_object_are_invalid_params() {
    // They fail the CallToolRequest schema: a protocol error, not a tool error.
    let (server, _) = server();
    let mut client = connect(&server);
    let call = json!({ "name": "echo", "arguments": ["hi"] });
    let response = client.request(req26(1, "tools/call", call)).await;
    assert_eq!(error(&response)["code"], -32602, "{response}");
}

#[tokio::test]
async fn an_unsupported_version_gets_its_own_error() {
    let (server, _) = server();
    let mut client = connect(&server);
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2027-01-01",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let response = client
        .request(req(1, "tools/list", json!({ "_meta": meta })))
        .await;
    assert_eq!(response["id"], 1);
    let e = error(&response);
    assert_eq!(e["code"], -32022, "{response}");
    assert_eq!(e["data"]["requested"], "2027-01-01");
    let supported = e["data"]["supported"].as_array().expect("supported");
    for v in ALL_VERSIONS {
        assert!(supported.contains(&json!(v)), "{v} missing from {response}");
    }
}

#[tokio::test]
async fn a_request_without_client_capabilities_is_invalid() {
    // Both per-request fields are required; a request missing one is malformed (-32602).
    let (server, _) = server();
    let mut client = connect(&server);
    let meta = json!({ "io.modelcontextprotocol/protocolVersion": V2026 });
    let response = client
        .request(req(1, "tools/list", json!({ "_meta": meta })))
        .await;
    assert_eq!(error(&response)["code"], -32602, "{response}");
}

#[tokio::test]
async fn stateful_only_methods_are_not_found_on_2026() {
    let (server, _) = server();
    let mut client = connect(&server);
    for (id, method, params) in [
        (1, "ping", json!({})),
        (2, "logging/setLevel", json!({ "level": "debug" })),
        (3, "resources/subscribe", json!({ "uri": "test://r" })),
        (4, "resources/unsubscribe", json!({ "uri": "test://r" })),
    ] {
        let response = client.request(req26(id, method, params)).await;
        assert_eq!(response["id"], id);
        assert_eq!(error(&response)["code"], -32601, "{method}: {response}");
    }
}

#[tokio::test]
async fn log_messages_follow_the_request_log_level() {
    let (server, _) = server();
    let mut client = connect(&server);
    let response = client
        .request(req26(1, "tools/call", json!({ "name": "log" })))
        .await;
    assert_eq!(text(result(&response)), "logged");
    assert_eq!(
        client.take_queued(),
        Vec::<Value>::new(),
        "no logLevel, no log messages"
    );

    let mut meta = meta26(json!({}));
    meta["io.modelcontextprotocol/logLevel"] = json!("warning");
    let call = json!({ "name": "log", "_meta": meta });
    client.request(req(2, "tools/call", call)).await;
    let message = |level: &str| {
        json!({
            "jsonrpc": "2.0",
            "method": "notifications/message",
            "params": { "level": level, "logger": "fixture", "data": level },
        })
    };
    assert_eq!(client.take_queued(), [message("warning"), message("error")]);

    meta["io.modelcontextprotocol/logLevel"] = json!("loud");
    let call = json!({ "name": "log", "_meta": meta });
    let response = client.request(req(3, "tools/call", call)).await;
    assert_eq!(error(&response)["code"], -32602, "{response}");
}

#[tokio::test]
async fn progress_on_2026() {
    let (server, _) = server();
    let mut client = connect(&server);
    let mut meta = meta26(json!({}));
    meta["progressToken"] = json!(7);
    let call = json!({ "name": "progress", "arguments": { "steps": 1 }, "_meta": meta });
    client.request(req(1, "tools/call", call)).await;
    assert_eq!(
        floats(&Value::Array(client.take_queued())),
        json!([{
            "jsonrpc": "2.0",
            "method": "notifications/progress",
            "params": { "progressToken": 7.0, "progress": 1.0, "total": 1.0, "message": "working" },
        }])
    );
}

/// The acknowledgement of the subscription with request id `id`.
fn acknowledged(id: Value, notifications: Value) -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": "notifications/subscriptions/acknowledged",
        "params": {
            "notifications": notifications,
            "_meta": { "io.modelcontextprotocol/subscriptionId": id },
        },
    })
}

#[tokio::test]
async fn subscriptions_listen_delivers_what_was_asked_for() {
    let (server, _) = server();
    let mut client = connect(&server);
    let filter = json!({ "toolsListChanged": true, "resourceSubscriptions": ["test://r"] });
    client
        .send(req26(
            "sub",
            "subscriptions/listen",
            json!({ "notifications": filter }),
        ))
        .await;
    assert_eq!(client.recv().await, acknowledged(json!("sub"), filter));

    server
        .notify_resource_updated("test://other")
        .await
        .expect("published");
    server
        .notify_resource_updated("test://r")
        .await
        .expect("published");
    assert_eq!(
        client.recv().await,
        json!({
            "jsonrpc": "2.0",
            "method": "notifications/resources/updated",
            "params": { "uri": "test://r", "_meta": { "io.modelcontextprotocol/subscriptionId": "sub" } },
        })
    );

    server
        .add_tool(plain_tool("extra"))
        .await
        .expect("published");
    assert_eq!(
        client.recv().await,
        json!({
            "jsonrpc": "2.0",
            "method": "notifications/tools/list_changed",
            "params": { "_meta": { "io.modelcontextprotocol/subscriptionId": "sub" } },
        })
    );
    client.silent(50).await;

    // Requests keep working beside the stream.
    let response = client.request(req26(1, "tools/list", json!({}))).await;
    let tools = result(&response)["tools"]
        .as_array()
        .expect("tools")
        .clone();
    assert!(tools.iter().any(|t| t["name"] == "extra"));

    // Cancelling ends the stream without a response.
    client
        .send(json!({
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": { "requestId": "sub" },
        }))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    server
        .notify_resource_updated("test://r")
        .await
        .expect("published");
    server
        .add_tool(plain_tool("extra"))
        .await
        .expect("published");
    client.silent(150).await;
}

#[tokio::test]
async fn subscriptions_listen_sends_nothing_unrequested() {
    let (server, _) = server();
    let mut client = connect(&server);
    let filter = json!({ "resourceSubscriptions": ["test://r"] });
    client
        .send(req26(
            5,
            "subscriptions/listen",
            json!({ "notifications": filter }),
        ))
        .await;
    assert_eq!(client.recv().await, acknowledged(json!(5), filter));
    server
        .add_tool(plain_tool("extra"))
        .await
        .expect("published");
    server
        .notify_resource_updated("test://other")
        .await
        .expect("published");
    client.silent(100).await;
}

#[tokio::test]
async fn concurrent_subscriptions_are_told_apart() {
    let (server, _) = server();
    let mut client = connect(&server);
    let tools = json!({ "toolsListChanged": true });
    let resources = json!({ "resourceSubscriptions": ["test://r"] });
    client
        .send(req26(
            "a",
            "subscriptions/listen",
            json!({ "notifications": tools }),
        ))
        .await;
    assert_eq!(client.recv().await, acknowledged(json!("a"), tools));
    client
        .send(req26(
            "b",
            "subscriptions/listen",
            json!({ "notifications": resources }),
        ))
        .await;
    assert_eq!(client.recv().await, acknowledged(json!("b"), resources));

    server
        .add_tool(plain_tool("extra"))
        .await
        .expect("published");
    let n = client.recv().await;
    assert_eq!(n["method"], "notifications/tools/list_changed");
    assert_eq!(
        n["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "a"
    );
    server
        .notify_resource_updated("test://r")
        .await
        .expect("published");
    let n = client.recv().await;
    assert_eq!(n["method"], "notifications/resources/updated");
    assert_eq!(
        n["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "b"
    );
    client.silent(50).await;
}

#[tokio::test]
async fn subscriptions_listen_ends_with_a_result_on_shutdown() {
    let (server, _) = server();
    let mut client = connect(&server);
    client
        .send(req26(
            5,
            "subscriptions/listen",
            json!({ "notifications": { "toolsListChanged": true } }),
        ))
        .await;
    client.recv().await;
    server.shutdown();
    let rest = client.closed().await;
    assert_eq!(
        rest,
        [json!({
            "jsonrpc": "2.0",
            "id": 5,
            "result": {
                "_meta": {
                    "io.modelcontextprotocol/serverInfo": server_meta()["io.modelcontextprotocol/serverInfo"],
                    "io.modelcontextprotocol/subscriptionId": 5,
                },
                "resultType": "complete",
            },
        })]
    );
}

#[tokio::test]
async fn both_eras_share_one_connection() {
    let (server, _) = server();
    let mut client = connect(&server);
    client.initialize("2025-06-18", json!({})).await;
    let response = client.request(req(1, "tools/list", json!({}))).await;
    assert!(result(&response).get("resultType").is_none());
    let response = client.request(req26(2, "tools/list", json!({}))).await;
    assert_eq!(result(&response)["resultType"], "complete");
    let call = json!({ "name": "echo", "arguments": { "text": "x" } });
    let response = client.request(req26(3, "tools/call", call)).await;
    assert_eq!(result(&response)["_meta"], server_meta());
}
