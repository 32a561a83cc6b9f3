//! `Mcp-Param-{Name}` headers (2026-07-28): parameters marked `x-mcp-header` in a tool's input
//! schema must be mirrored in headers that match the body.

mod support;

use mcplex_core::{Context, Server, ToolDef};
use mcplex_protocol::Payload;
use serde_json::{Value, json};
use support::{TestServer, stateless};

fn region_tool(name: &str) -> ToolDef {
    let schema = json!({
        "type": "object",
        "properties": {
            "region": { "type": "string", "x-mcp-header": "Region" },
            "limits": { "type": "object", "properties": {
                "rows": { "type": "integer", "x-mcp-header": "Rows" }
            }},
            "query": { "type": "string" }
        },
        "required": ["query"]
    });
    let Value::Object(schema) = schema else {
        unreachable!()
    };
    ToolDef::raw(
        name,
        schema,
        |_cx: Context, _args: Option<Payload>| async move { "ran".to_owned() },
    )
}

fn call(tool: &str, arguments: Value) -> support::Req {
    stateless(
        1,
        "tools/call",
        json!({ "name": tool, "arguments": arguments }),
    )
}

#[tokio::test]
async fn param_headers_are_checked_against_the_body() {
    let server = Server::builder().tool(region_tool("sql")).build();
    let server = TestServer::serve(server, mcplex_sse::SseOptions::default()).await;
    let client = server.client();
    let args = json!({ "region": "us-west1", "limits": { "rows": 42 }, "query": "select" });

    let ok = client
        .send(
            call("sql", args.clone())
                .header("mcp-param-region", "us-west1")
                .header("Mcp-Param-Rows", "42.0"),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["result"]["content"][0]["text"], "ran");

    let encoded = client
        .send(
            call("sql", json!({ "region": "Hello, 世界", "query": "q" }))
                .header("mcp-param-region", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        )
        .await;
    assert_eq!(encoded.status, 200, "{}", encoded.text());

    // Absent or null arguments need no header.
    let absent = client
        .send(call("sql", json!({ "query": "q", "region": null })))
        .await;
    assert_eq!(absent.status, 200, "{}", absent.text());

    for (req, what) in [
        (
            call("sql", args.clone()).header("mcp-param-rows", "42"),
            "missing Region",
        ),
        (
            call("sql", args.clone())
                .header("mcp-param-region", "eu-west1")
                .header("mcp-param-rows", "42"),
            "different Region",
        ),
        (
            call("sql", args.clone())
                .header("mcp-param-region", "us-west1")
                .header("mcp-param-rows", "41"),
            "different Rows",
        ),
        (
            call("sql", args.clone())
                .header("mcp-param-region", "=?base64?dXMtd2VzdDE?=")
                .header("mcp-param-rows", "42"),
            "bad Base64 padding",
        ),
        (
            call("sql", args.clone())
                .header("mcp-param-region", "=?base64?dXMt!!!d2VzdDE=?=")
                .header("mcp-param-rows", "42"),
            "bad Base64 characters",
        ),
    ] {
        let response = client.send(req).await;
        assert_eq!(response.status, 400, "{what}: {}", response.text());
        assert_eq!(response.error_code(), -32020, "{what}");
        assert_eq!(response.json()["id"], 1, "{what}");
    }
}

#[tokio::test]
async fn tools_added_later_are_checked_too() {
    let server = Server::builder().build();
    let handle = server.clone();
    let server = TestServer::serve(server, mcplex_sse::SseOptions::default()).await;
    let client = server.client();
    // The first call builds the table (no annotated tools yet).
    let unknown = client
        .send(call("late", json!({ "region": "x", "query": "q" })))
        .await;
    assert_eq!(unknown.status, 200);
    assert!(unknown.json().get("error").is_some());

    handle.add_tool(region_tool("late")).await.unwrap();
    let mut refused = None;
    for _ in 0..100 {
        let response = client
            .send(call("late", json!({ "region": "x", "query": "q" })))
            .await;
        if response.status == 400 {
            refused = Some(response);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let refused = refused.expect("the new tool's annotations are enforced");
    assert_eq!(refused.error_code(), -32020);
    let ok = client
        .send(call("late", json!({ "region": "x", "query": "q" })).header("mcp-param-region", "x"))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}
