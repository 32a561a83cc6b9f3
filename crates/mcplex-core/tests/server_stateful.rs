//! The stateful revisions (2024-11-05 through 2025-11-25) over a connection: the `initialize`
//! handshake, every method, and results shaped for the negotiated revision.

mod common;

use common::{
    STATEFUL, connect, error, floats, plain_tool, req, result, server, since, stateful, text,
};
use mcplex_core::PromptDef;
use mcplex_protocol::model::GetPromptResult;
use serde_json::{Value, json};

/// The capabilities the fixture announces, as revision `v` knows them.
fn capabilities(v: &str) -> Value {
    let mut caps = json!({
        "logging": {},
        "prompts": { "listChanged": true },
        "resources": { "subscribe": true, "listChanged": true },
        "tools": { "listChanged": true },
    });
    if since(v, "2025-03-26") {
        caps["completions"] = json!({});
    }
    caps
}

/// `value` with `key` set to `member` only from revision `min` on.
fn with_since(mut value: Value, v: &str, min: &str, key: &str, member: Value) -> Value {
    if since(v, min) {
        value[key] = member;
    }
    value
}

#[tokio::test]
async fn initialize_answers_the_requested_version() {
    for v in STATEFUL {
        let (server, _) = server();
        let mut client = connect(&server);
        let init = client.initialize(v, json!({})).await;
        let server_info = with_since(
            json!({ "name": "fixture", "version": "1.0.0" }),
            v,
            "2025-06-18",
            "title",
            json!("Fixture"),
        );
        let expected = json!({
            "protocolVersion": v,
            "capabilities": capabilities(v),
            "serverInfo": server_info,
            "instructions": "A server for tests.",
        });
        assert_eq!(init, expected, "{v}");
    }
}

#[tokio::test]
async fn initialize_with_an_unknown_version_answers_the_latest_stateful_one() {
    for requested in ["2099-01-01", "1.0", "2026-07-28"] {
        let (server, _) = server();
        let mut client = connect(&server);
        let init = client.initialize(requested, json!({})).await;
        assert_eq!(init["protocolVersion"], "2025-11-25", "{requested}");
        assert_eq!(init["capabilities"], capabilities("2025-11-25"));
        // The session then speaks 2025-11-25: no `resultType`.
        let response = client.request(req(1, "tools/list", json!({}))).await;
        assert!(result(&response).get("resultType").is_none(), "{response}");
    }
}

#[tokio::test]
async fn a_second_initialize_is_rejected() {
    let (_server, _, mut client) = stateful("2025-11-25", json!({})).await;
    let response = client
        .request(req(
            2,
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": { "name": "again", "version": "1" },
            }),
        ))
        .await;
    assert_eq!(response["id"], 2);
    assert_eq!(error(&response)["code"], -32600, "{response}");
}

#[tokio::test]
async fn initialize_with_bad_params_is_invalid_and_initializes_nothing() {
    let (server, _) = server();
    let mut client = connect(&server);
    let response = client
        .request(req(
            1,
            "initialize",
            json!({ "protocolVersion": "2025-11-25" }),
        ))
        .await;
    assert_eq!(response["id"], 1);
    assert_eq!(error(&response)["code"], -32602, "{response}");
    let response = client.request(req(2, "tools/list", json!({}))).await;
    assert_eq!(error(&response)["code"], -32600, "{response}");
}

#[tokio::test]
async fn only_ping_is_served_before_initialize() {
    let (server, _) = server();
    let mut client = connect(&server);
    for (id, method, params) in [
        (1, "tools/list", json!({})),
        (
            2,
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": "hi" } }),
        ),
        (3, "resources/read", json!({ "uri": "test://r" })),
        (4, "prompts/list", json!({})),
        (5, "logging/setLevel", json!({ "level": "debug" })),
    ] {
        let response = client.request(req(id, method, params)).await;
        assert_eq!(response["id"], id);
        assert_eq!(error(&response)["code"], -32600, "{method}: {response}");
    }
    let pong = client.request(req(6, "ping", json!({}))).await;
    assert_eq!(pong, json!({ "jsonrpc": "2.0", "id": 6, "result": {} }));

    client.initialize("2025-11-25", json!({})).await;
    let pong = client
        .request(json!({ "jsonrpc": "2.0", "id": "p", "method": "ping" }))
        .await;
    assert_eq!(pong, json!({ "jsonrpc": "2.0", "id": "p", "result": {} }));
    // The initialized notification got no answer.
    client.silent(50).await;
}

#[tokio::test]
async fn tools_list_is_shaped_for_each_revision() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        let response = client.request(req(1, "tools/list", json!({}))).await;
        let result = result(&response);
        let names: Vec<&str> = result["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|t| t["name"].as_str().expect("name"))
            .collect();
        assert_eq!(
            names,
            [
                "add", "ask", "echo", "fail", "log", "panic", "progress", "slow", "whoami"
            ],
            "{v}"
        );
        // Nothing but the list: no cursor, no 2026-07-28 members.
        let keys: Vec<&String> = result.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["tools"], "{v}");

        let echo = &result["tools"][2];
        assert_eq!(
            echo,
            &json!({
                "name": "echo",
                "description": "Returns the text.",
                "inputSchema": {
                    "type": "object",
                    "properties": { "text": { "type": "string" } },
                    "required": ["text"],
                },
            }),
            "{v}"
        );
        let add = &result["tools"][0];
        assert_eq!(
            add.get("title").is_some(),
            since(v, "2025-06-18"),
            "{v}: {add}"
        );
        assert_eq!(
            add.get("outputSchema").is_some(),
            since(v, "2025-06-18"),
            "{v}: {add}"
        );
        assert_eq!(
            add.get("annotations").is_some(),
            since(v, "2025-03-26"),
            "{v}: {add}"
        );
        if since(v, "2025-03-26") {
            assert_eq!(add["annotations"], json!({ "readOnlyHint": true }));
        }
    }
}

#[tokio::test]
async fn tools_call_results_are_shaped_for_each_revision() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        let call = req(
            1,
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": "hi" } }),
        );
        let response = client.request(call).await;
        assert_eq!(
            response,
            json!({ "jsonrpc": "2.0", "id": 1, "result": { "content": [{ "type": "text", "text": "hi" }] } }),
            "{v}"
        );

        let call = req(
            2,
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 2, "b": 3 } }),
        );
        let response = client.request(call).await;
        let expected = with_since(
            json!({ "content": [{ "type": "text", "text": "{\"sum\":5.0}" }] }),
            v,
            "2025-06-18",
            "structuredContent",
            json!({ "sum": 5.0 }),
        );
        assert_eq!(result(&response), &expected, "{v}");
    }
}

#[tokio::test]
async fn tools_call_errors() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;

        let response = client
            .request(req(
                1,
                "tools/call",
                json!({ "name": "nope", "arguments": {} }),
            ))
            .await;
        assert_eq!(response["id"], 1);
        assert_eq!(error(&response)["code"], -32602, "{v}: {response}");

        // Params of the wrong type.
        let response = client
            .request(req(2, "tools/call", json!({ "name": 7 })))
            .await;
        assert_eq!(error(&response)["code"], -32602, "{v}: {response}");
        // A handler error is a tool result the model can read.
        let response = client
            .request(req(4, "tools/call", json!({ "name": "fail" })))
            .await;
        assert_eq!(
            result(&response),
            &json!({ "content": [{ "type": "text", "text": "boom" }], "isError": true }),
            "{v}"
        );
    }
}

#[tokio::test]
async fn arguments_that_are_not_an_object_are_invalid_params() {
    // `arguments` must be an object: a request that fails the CallToolRequest schema is a
    // protocol error, not a tool error (and never reaches the handler).
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        for arguments in [json!(["hi"]), json!("hi"), json!(1)] {
            let call = json!({ "name": "echo", "arguments": arguments });
            let response = client.request(req(1, "tools/call", call)).await;
            assert_eq!(error(&response)["code"], -32602, "{v}: {response}");
        }
    }
}

#[tokio::test]
async fn invalid_tool_arguments_are_a_tool_error_on_2025_11_25() {
    let (_server, _, mut client) = stateful("2025-11-25", json!({})).await;
    let response = client
        .request(req(
            1,
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": 5 } }),
        ))
        .await;
    assert_eq!(result(&response)["isError"], true, "{response}");
}

#[tokio::test]
async fn unknown_methods_get_method_not_found_with_their_id() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        for (id, method) in [(json!(9), "tools/nope"), (json!("x"), "server/discover")] {
            let response = client.request(req(id.clone(), method, json!({}))).await;
            assert_eq!(response["id"], id, "{v}");
            assert_eq!(error(&response)["code"], -32601, "{v} {method}: {response}");
        }
        // subscriptions/listen belongs to 2026-07-28.
        let response = client
            .request(req(
                10,
                "subscriptions/listen",
                json!({ "notifications": {} }),
            ))
            .await;
        assert_eq!(error(&response)["code"], -32601, "{v}: {response}");
    }
}

#[tokio::test]
async fn resources_list_templates_and_read() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        let response = client.request(req(1, "resources/list", json!({}))).await;
        let resource = with_since(
            json!({ "uri": "test://r", "name": "r", "mimeType": "text/plain" }),
            v,
            "2025-06-18",
            "title",
            json!("R"),
        );
        assert_eq!(
            result(&response),
            &json!({ "resources": [resource] }),
            "{v}"
        );

        let response = client
            .request(req(2, "resources/templates/list", json!({})))
            .await;
        assert_eq!(
            result(&response),
            &json!({ "resourceTemplates": [{
                "uriTemplate": "test://items/{id}", "name": "items", "mimeType": "text/plain",
            }] }),
            "{v}"
        );

        let response = client
            .request(req(3, "resources/read", json!({ "uri": "test://r" })))
            .await;
        assert_eq!(
            result(&response),
            &json!({ "contents": [{ "uri": "test://r", "mimeType": "text/plain", "text": "fixed" }] }),
            "{v}"
        );

        let response = client
            .request(req(
                4,
                "resources/read",
                json!({ "uri": "test://items/42" }),
            ))
            .await;
        assert_eq!(
            result(&response),
            &json!({ "contents": [{ "uri": "test://items/42", "mimeType": "text/plain", "text": "item 42" }] }),
            "{v}"
        );

        let response = client
            .request(req(5, "resources/read", json!({ "uri": "test://nope" })))
            .await;
        assert_eq!(response["id"], 5);
        let e = error(&response);
        assert_eq!(e["code"], -32002, "{v}: {response}");
        assert_eq!(e["data"], json!({ "uri": "test://nope" }), "{v}");

        let response = client
            .request(req(6, "resources/read", json!({ "uri": 5 })))
            .await;
        assert_eq!(error(&response)["code"], -32602, "{v}: {response}");
    }
}

#[tokio::test]
async fn resource_updates_arrive_only_while_subscribed() {
    for v in STATEFUL {
        let (server, _, mut client) = stateful(v, json!({})).await;
        let response = client
            .request(req(1, "resources/subscribe", json!({ "uri": "test://r" })))
            .await;
        assert_eq!(
            response,
            json!({ "jsonrpc": "2.0", "id": 1, "result": {} }),
            "{v}"
        );

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
                "params": { "uri": "test://r" },
            }),
            "{v}"
        );
        client.silent(50).await;

        let response = client
            .request(req(
                2,
                "resources/unsubscribe",
                json!({ "uri": "test://r" }),
            ))
            .await;
        assert_eq!(
            response,
            json!({ "jsonrpc": "2.0", "id": 2, "result": {} }),
            "{v}"
        );
        server
            .notify_resource_updated("test://r")
            .await
            .expect("published");
        client.silent(100).await;
    }
}

#[tokio::test]
async fn prompts_list_get_and_errors() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        let response = client.request(req(1, "prompts/list", json!({}))).await;
        assert_eq!(
            result(&response),
            &json!({ "prompts": [{
                "name": "p",
                "description": "A prompt with a required argument.",
                "arguments": [{ "name": "topic", "description": "What to talk about", "required": true }],
            }] }),
            "{v}"
        );

        let get = json!({ "name": "p", "arguments": { "topic": "cats" } });
        let response = client.request(req(2, "prompts/get", get)).await;
        assert_eq!(
            result(&response),
            &json!({ "messages": [{ "role": "user", "content": { "type": "text", "text": "Tell me about cats" } }] }),
            "{v}"
        );

        let response = client
            .request(req(3, "prompts/get", json!({ "name": "p" })))
            .await;
        assert_eq!(error(&response)["code"], -32602, "{v}: {response}");
        let get = json!({ "name": "nope", "arguments": { "topic": "cats" } });
        let response = client.request(req(4, "prompts/get", get)).await;
        assert_eq!(error(&response)["code"], -32602, "{v}: {response}");
    }
}

#[tokio::test]
async fn completion_for_prompt_and_template_arguments() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        let complete = json!({
            "ref": { "type": "ref/prompt", "name": "p" },
            "argument": { "name": "topic", "value": "ap" },
        });
        let response = client
            .request(req(1, "completion/complete", complete))
            .await;
        assert_eq!(
            result(&response),
            &json!({ "completion": { "values": ["apple", "apricot"], "total": 2, "hasMore": false } }),
            "{v}"
        );

        let complete = json!({
            "ref": { "type": "ref/resource", "uri": "test://items/{id}" },
            "argument": { "name": "id", "value": "b" },
        });
        let response = client
            .request(req(2, "completion/complete", complete))
            .await;
        assert_eq!(
            result(&response),
            &json!({ "completion": { "values": ["banana"], "total": 1, "hasMore": false } }),
            "{v}"
        );

        let complete = json!({
            "ref": { "type": "ref/prompt", "name": "nope" },
            "argument": { "name": "topic", "value": "" },
        });
        let response = client
            .request(req(3, "completion/complete", complete))
            .await;
        assert_eq!(error(&response)["code"], -32602, "{v}: {response}");
    }
}

/// A `notifications/message` the `log` tool sends.
fn log_message(level: &str) -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": "notifications/message",
        "params": { "level": level, "logger": "fixture", "data": level },
    })
}

#[tokio::test]
async fn log_messages_honour_the_session_level() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        let response = client
            .request(req(1, "logging/setLevel", json!({ "level": "warning" })))
            .await;
        assert_eq!(
            response,
            json!({ "jsonrpc": "2.0", "id": 1, "result": {} }),
            "{v}"
        );
        let response = client
            .request(req(2, "tools/call", json!({ "name": "log" })))
            .await;
        assert_eq!(text(result(&response)), "logged");
        assert_eq!(
            client.take_queued(),
            [log_message("warning"), log_message("error")],
            "{v}"
        );

        client
            .request(req(3, "logging/setLevel", json!({ "level": "debug" })))
            .await;
        client
            .request(req(4, "tools/call", json!({ "name": "log" })))
            .await;
        assert_eq!(
            client.take_queued(),
            ["debug", "info", "warning", "error"].map(log_message),
            "{v}"
        );

        let response = client
            .request(req(5, "logging/setLevel", json!({ "level": "loud" })))
            .await;
        assert_eq!(error(&response)["code"], -32602, "{v}: {response}");
    }
}

#[tokio::test]
async fn progress_is_reported_when_asked_for() {
    for v in STATEFUL {
        let (_server, _, mut client) = stateful(v, json!({})).await;
        let call = json!({ "name": "progress", "arguments": { "steps": 2 }, "_meta": { "progressToken": "tok" } });
        let response = client.request(req(1, "tools/call", call)).await;
        assert_eq!(text(result(&response)), "done");
        let progress = |n: f64| {
            let params = with_since(
                json!({ "progressToken": "tok", "progress": n, "total": 2.0 }),
                v,
                "2025-03-26",
                "message",
                json!("working"),
            );
            json!({ "jsonrpc": "2.0", "method": "notifications/progress", "params": params })
        };
        let sent = floats(&Value::Array(client.take_queued()));
        assert_eq!(sent, json!([progress(1.0), progress(2.0)]), "{v}");

        // Without a token, no progress.
        let call = json!({ "name": "progress", "arguments": { "steps": 2 } });
        client.request(req(2, "tools/call", call)).await;
        assert_eq!(client.take_queued(), Vec::<Value>::new(), "{v}");
    }
}

#[tokio::test]
async fn list_changes_reach_stateful_sessions() {
    for v in STATEFUL {
        let (server, _, mut client) = stateful(v, json!({})).await;
        server
            .add_tool(plain_tool("extra"))
            .await
            .expect("published");
        assert_eq!(
            client.recv().await,
            json!({ "jsonrpc": "2.0", "method": "notifications/tools/list_changed" }),
            "{v}"
        );
        assert!(server.remove_tool("extra").await.expect("published"));
        assert_eq!(
            client.recv().await,
            json!({ "jsonrpc": "2.0", "method": "notifications/tools/list_changed" }),
            "{v}"
        );
        let prompt = PromptDef::new("q", |_cx, _args| async move {
            Ok(GetPromptResult::new(Vec::new()))
        });
        server.add_prompt(prompt).await.expect("published");
        assert_eq!(
            client.recv().await,
            json!({ "jsonrpc": "2.0", "method": "notifications/prompts/list_changed" }),
            "{v}"
        );
        let response = client.request(req(1, "prompts/list", json!({}))).await;
        assert_eq!(
            result(&response)["prompts"].as_array().map(Vec::len),
            Some(2)
        );
    }
}
