//! What the opening handshake settled reaches the server's handlers: the selected `mcp`
//! subprotocol and the revision offered as `mcp.version.<revision>`, through the connection's
//! extensions, on the upgrade route and on the raw accept alike.

mod support;

use mcplex_core::client::{Client, ClientOptions as McpOptions};
use mcplex_core::{Context, Server, ToolDef};
use mcplex_protocol::ProtocolVersion;
use mcplex_ws::{ClientOptions, Endpoint, Negotiated, WsOptions, connect};
use serde_json::json;
use support::Harness;
use tokio::net::TcpListener;

/// A server with one tool that reports the connection's [`Negotiated`].
fn server() -> Server {
    let schema = json!({ "type": "object" }).as_object().cloned().unwrap();
    let tool = ToolDef::raw("negotiated", schema, |cx: Context, _| async move {
        let negotiated = cx.extensions().get::<Negotiated>().copied();
        let subprotocol = negotiated.and_then(|n| n.subprotocol).unwrap_or("none");
        let revision = negotiated
            .and_then(|n| n.revision)
            .map_or("none", ProtocolVersion::as_str);
        format!("{subprotocol} {revision}")
    });
    Server::builder().tool(tool).build()
}

async fn ask(url: &str, options: &ClientOptions) -> String {
    let transport = connect(url, options).await.unwrap();
    let client = Client::connect(transport, McpOptions::default())
        .await
        .unwrap();
    let result = client.call_tool("negotiated", json!({})).await.unwrap();
    client.close().await.unwrap();
    serde_json::to_value(&result.content).unwrap()[0]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn handlers_see_the_negotiated_subprotocol_and_revision() {
    let harness = Harness::start(server(), WsOptions::default()).await;
    let url = harness.url();
    assert_eq!(ask(&url, &ClientOptions::default()).await, "mcp none");
    let offered = ClientOptions::default().with_revision(ProtocolVersion::V2025_06_18);
    assert_eq!(ask(&url, &offered).await, "mcp 2025-06-18");
    harness.stop().await;

    let endpoint = Endpoint::new(server(), WsOptions::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            let endpoint = endpoint.clone();
            tokio::spawn(async move { endpoint.accept(stream, Some(peer)).await });
        }
    });
    let offered = ClientOptions::default().with_revision(ProtocolVersion::V2026_07_28);
    assert_eq!(ask(&url, &offered).await, "mcp 2026-07-28");
}
