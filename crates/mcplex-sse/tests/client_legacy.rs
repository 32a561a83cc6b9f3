//! `mcplex_core::client::Client` over the legacy HTTP+SSE client transport (2024-11-05),
//! against the demo toolset on a loopback port, and how opening a connection fails.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use mcplex_core::client::{CallOptions, Client, ClientOptions as McpOptions, input_handler_fn};
use mcplex_protocol::model::{
    CallToolResult, ClientCapabilities, ElicitAction, ElicitResult, ElicitValue,
    ElicitationCapability, InputRequest, InputResponse,
};
use mcplex_protocol::{ErrorObject, ProtocolVersion, method};
use mcplex_sse::{ClientError, ClientOptions, LegacySseClient};
use serde_json::json;
use support::TestServer;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(5);

fn legacy() -> McpOptions {
    McpOptions::default().with_protocol_version(ProtocolVersion::V2024_11_05)
}

fn text(result: &CallToolResult) -> String {
    let content = serde_json::to_value(&result.content).unwrap();
    content[0]["text"].as_str().unwrap_or_default().to_owned()
}

fn cause(err: &mcplex_transport::Error) -> Option<&ClientError> {
    std::error::Error::source(err).and_then(|e| e.downcast_ref::<ClientError>())
}

#[tokio::test]
async fn tools_progress_and_pushed_updates() {
    let server = TestServer::start().await;
    // The base URL means /sse on it.
    let base = format!("http://{}", server.addr);
    let transport = LegacySseClient::connect(&base, ClientOptions::default())
        .await
        .unwrap();
    assert!(
        transport
            .endpoint()
            .starts_with(&format!("{base}/messages?sessionId=")),
        "{}",
        transport.endpoint()
    );
    let client = Client::connect(transport, legacy()).await.unwrap();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2024_11_05);
    assert_eq!(client.connection_info().transport(), "sse");
    assert_eq!(server.endpoint.legacy_session_count(), 1);

    let tools = client.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "increment"), "{tools:?}");
    let result = client
        .call_tool("echo", json!({ "text": "legacy" }))
        .await
        .unwrap();
    assert_eq!(text(&result), "legacy");

    let (tx, mut rx) = mpsc::channel(16);
    let result = client
        .call_tool_with(
            "long_task",
            json!({ "steps": 2, "delay_ms": 1 }),
            CallOptions::default().with_progress(tx),
        )
        .await
        .unwrap();
    assert_eq!(text(&result), "completed 2 steps");
    assert_eq!(rx.recv().await.unwrap().progress, 1.0);
    assert_eq!(rx.recv().await.unwrap().progress, 2.0);

    // resources/updated arrives on the event stream after another client's increment.
    client.subscribe("demo://counter").await.unwrap();
    let mut notes = client.notifications();
    let other = Client::connect(
        LegacySseClient::connect(&format!("{base}/sse"), ClientOptions::default())
            .await
            .unwrap(),
        legacy(),
    )
    .await
    .unwrap();
    other.call_tool("increment", json!({})).await.unwrap();
    let update = tokio::time::timeout(WAIT, async {
        loop {
            let note = notes.recv().await.unwrap();
            if note.method == method::RESOURCES_UPDATED {
                return note;
            }
        }
    })
    .await
    .expect("resources/updated within 5 s");
    let params: serde_json::Value = update.params_as().unwrap();
    assert_eq!(params["uri"], "demo://counter");

    // Closing ends the connections on the server.
    client.close().await.unwrap();
    other.close().await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while server.endpoint.legacy_session_count() > 0 || server.endpoint.open_streams() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "connections left open"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn server_requests_are_answered_over_posts() {
    let server = TestServer::start().await;
    let capabilities = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    let options = McpOptions::default()
        .with_protocol_version(ProtocolVersion::V2025_11_25)
        .with_capabilities(capabilities)
        .with_input_handler(input_handler_fn(|request| async move {
            match request {
                InputRequest::Elicit(_) => Ok(InputResponse::Elicit(ElicitResult {
                    action: ElicitAction::Accept,
                    content: Some(BTreeMap::from([(
                        "answer".to_owned(),
                        ElicitValue::String("over sse".to_owned()),
                    )])),
                    meta: None,
                })),
                other => Err(ErrorObject::method_not_found(other.method())),
            }
        }));
    let url = format!("http://{}/sse", server.addr);
    let transport = LegacySseClient::connect(&url, ClientOptions::default())
        .await
        .unwrap();
    let client = Client::connect(transport, options).await.unwrap();
    let result = client.call_tool("ask_user", json!({})).await.unwrap();
    assert_eq!(text(&result), "You answered: over sse");
    client.close().await.unwrap();
}

#[tokio::test]
async fn opening_fails_clearly() {
    let server = TestServer::start().await;

    let err = LegacySseClient::connect(
        &format!("http://{}/nowhere", server.addr),
        ClientOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(cause(&err), Some(ClientError::Status { status: 404, .. })),
        "{err:?}"
    );

    let err = LegacySseClient::connect(
        &format!("http://{}/healthz", server.addr),
        ClientOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(cause(&err), Some(ClientError::NotEventStream)),
        "{err:?}"
    );

    // A refusal with a JSON-RPC body keeps its error.
    let options = ClientOptions {
        headers: vec![("origin".into(), "http://evil.example".into())],
        ..ClientOptions::default()
    };
    let err = LegacySseClient::connect(&format!("http://{}/sse", server.addr), options)
        .await
        .unwrap_err();
    match cause(&err) {
        Some(ClientError::Status { status: 403, error }) => {
            assert!(error.is_some(), "{err:?}");
        }
        other => panic!("{other:?}"),
    }

    // Nothing listening.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = LegacySseClient::connect(&format!("http://{addr}/sse"), ClientOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_io(), "{err:?}");

    // A server that never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let _held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            sockets.push(socket);
        }
    });
    let options = ClientOptions {
        connect_timeout: Duration::from_millis(100),
        ..ClientOptions::default()
    };
    let err = LegacySseClient::connect(&format!("http://{addr}/sse"), options)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn the_reader_ends_when_the_server_ends_the_stream() {
    let mut server = TestServer::start().await;
    let url = format!("http://{}/sse", server.addr);
    let transport = LegacySseClient::connect(&url, ClientOptions::default())
        .await
        .unwrap();
    let client = Client::connect(transport, legacy()).await.unwrap();
    client.ping().await.unwrap();
    let serving = server.begin_shutdown();
    tokio::time::timeout(WAIT, serving)
        .await
        .expect("the server shut down")
        .unwrap()
        .unwrap();
    let err = client.ping().await.unwrap_err();
    assert!(matches!(err, mcplex_core::client::Error::Closed), "{err:?}");
}
