//! `mcplex_core::client::Client` over the Streamable HTTP client transport, against the demo
//! toolset on a loopback port: the stateful 2025-11-25 wire (progress, elicitation through a
//! server-to-client request on the POST stream, `resources/updated` on the standalone GET
//! stream, DELETE on close) and the stateless 2026-07-28 wire (discover, multi round-trip
//! requests, `subscriptions/listen`, cancellation by dropping the response).

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use mcplex_core::client::{CallOptions, Client, ClientOptions as McpOptions, input_handler_fn};
use mcplex_protocol::model::{
    CallToolResult, ClientCapabilities, ElicitAction, ElicitResult, ElicitValue,
    ElicitationCapability, InputRequest, InputResponse, SubscriptionFilter,
};
use mcplex_protocol::{ErrorObject, ProtocolVersion, method};
use mcplex_sse::{ClientOptions, StreamableHttpClient, StreamableHttpTransport};
use mcplex_transport::Transport as _;
use serde_json::json;
use support::{TestServer, task_stats};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(5);

async fn transport(server: &TestServer) -> StreamableHttpTransport {
    let url = format!("http://{}/mcp", server.addr);
    StreamableHttpClient::connect(&url, ClientOptions::default())
        .await
        .unwrap()
}

/// A client that answers elicitation with `answer`, counting the questions it was asked.
fn answering(
    version: ProtocolVersion,
    answer: &'static str,
    asked: Arc<AtomicUsize>,
) -> McpOptions {
    let capabilities = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    McpOptions::default()
        .with_protocol_version(version)
        .with_capabilities(capabilities)
        .with_input_handler(input_handler_fn(move |request| {
            let asked = asked.clone();
            async move {
                match request {
                    InputRequest::Elicit(_) => {
                        asked.fetch_add(1, Ordering::SeqCst);
                        Ok(InputResponse::Elicit(ElicitResult {
                            action: ElicitAction::Accept,
                            content: Some(BTreeMap::from([(
                                "answer".to_owned(),
                                ElicitValue::String(answer.to_owned()),
                            )])),
                            meta: None,
                        }))
                    }
                    other => Err(ErrorObject::method_not_found(other.method())),
                }
            }
        }))
}

fn text(result: &CallToolResult) -> String {
    let content = serde_json::to_value(&result.content).unwrap();
    content[0]["text"].as_str().unwrap_or_default().to_owned()
}

/// Waits until `check` holds, for at most [`WAIT`].
async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn stateful_progress_elicitation_and_standalone_pushes() {
    let server = TestServer::start().await;
    let asked = Arc::new(AtomicUsize::new(0));
    let options = answering(ProtocolVersion::V2025_11_25, "over http", asked.clone());
    let client = Client::connect(transport(&server).await, options)
        .await
        .unwrap();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(client.server_info().unwrap().name, "mcplex-demo");
    assert_eq!(client.connection_info().transport(), "streamable-http");
    assert_eq!(server.endpoint.streamable_http().session_count(), 1);
    // The standalone stream opens in the background once the session is initialized.
    until("the standalone stream", || {
        server.endpoint.open_streams() == 1
    })
    .await;

    let tools = client.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "long_task"), "{tools:?}");

    // Progress arrives on the call's own response stream, before its result.
    let (tx, mut rx) = mpsc::channel(16);
    let result = client
        .call_tool_with(
            "long_task",
            json!({ "steps": 3, "delay_ms": 1 }),
            CallOptions::default().with_progress(tx),
        )
        .await
        .unwrap();
    assert_eq!(text(&result), "completed 3 steps");
    let mut progress = Vec::new();
    while let Ok(p) = rx.try_recv() {
        progress.push(p.progress);
    }
    assert_eq!(progress, [1.0, 2.0, 3.0]);

    // ask_user: the server asks with a real elicitation/create request on the POST stream,
    // and the answer goes back as a POST of its own.
    let result = client
        .call_tool("ask_user", json!({ "question": "Which transport?" }))
        .await
        .unwrap();
    assert_eq!(text(&result), "You answered: over http");
    assert_eq!(asked.load(Ordering::SeqCst), 1);

    // resources/updated reaches this client on its standalone stream when another client
    // increments the counter.
    client.subscribe("demo://counter").await.unwrap();
    let mut notes = client.notifications();
    let other = Client::connect(
        transport(&server).await,
        McpOptions::default().with_protocol_version(ProtocolVersion::V2025_11_25),
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

    // Closing ends both sessions on the server (DELETE) and every stream.
    client.close().await.unwrap();
    other.close().await.unwrap();
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
    until("every stream to end", || {
        server.endpoint.open_streams() == 0
    })
    .await;
}

#[tokio::test]
async fn stateless_discover_mrtr_and_listen() {
    let server = TestServer::start().await;
    let asked = Arc::new(AtomicUsize::new(0));
    let options = answering(ProtocolVersion::V2026_07_28, "stateless", asked.clone());
    let client = Client::connect(transport(&server).await, options)
        .await
        .unwrap();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2026_07_28);
    assert!(client.server_capabilities().tools.is_some());

    // ask_user: an input_required result, answered through the handler and retried.
    let result = client
        .call_tool("ask_user", json!({ "question": "Which wire?" }))
        .await
        .unwrap();
    assert_eq!(text(&result), "You answered: stateless");
    assert_eq!(asked.load(Ordering::SeqCst), 1);

    // resources/read carries Mcp-Name (the server checks it against the body).
    let read = client.read_resource("demo://counter").await.unwrap();
    assert_eq!(read.contents.len(), 1);

    // A listen stream pushes resources/updated after another client increments.
    let filter = SubscriptionFilter {
        resource_subscriptions: Some(vec!["demo://counter".to_owned()]),
        ..SubscriptionFilter::default()
    };
    let mut subscription = client.listen(filter).await.unwrap();
    assert_eq!(server.endpoint.open_streams(), 1);
    let other = Client::connect(
        transport(&server).await,
        McpOptions::default().with_protocol_version(ProtocolVersion::V2026_07_28),
    )
    .await
    .unwrap();
    other.call_tool("increment", json!({})).await.unwrap();
    let note = tokio::time::timeout(WAIT, subscription.recv())
        .await
        .expect("a notification within 5 s")
        .expect("the subscription is open");
    assert_eq!(note.method, method::RESOURCES_UPDATED);

    // Dropping the subscription drops its response stream: the server closes it.
    drop(subscription);
    until("the listen stream to close", || {
        server.endpoint.open_streams() == 0
    })
    .await;

    // No session anywhere on this wire.
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
    client.close().await.unwrap();
    other.close().await.unwrap();
}

#[tokio::test]
async fn cancelling_a_call_drops_its_response_on_both_wires() {
    let server = TestServer::start().await;
    for (round, version) in [ProtocolVersion::V2026_07_28, ProtocolVersion::V2025_11_25]
        .into_iter()
        .enumerate()
    {
        let options = McpOptions::default().with_protocol_version(version);
        let client = Client::connect(transport(&server).await, options)
            .await
            .unwrap();
        let cancel = CancellationToken::new();
        let (tx, mut rx) = mpsc::channel(16);
        let call = tokio::spawn({
            let client = client.clone();
            let options = CallOptions::default()
                .with_progress(tx)
                .with_cancel(cancel.clone());
            async move {
                client
                    .call_tool_with(
                        "long_task",
                        json!({ "steps": 100, "delay_ms": 50 }),
                        options,
                    )
                    .await
            }
        });
        tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("the call started")
            .unwrap();
        cancel.cancel();
        let outcome = call.await.unwrap();
        assert!(
            matches!(outcome, Err(mcplex_core::client::Error::Cancelled)),
            "{version:?}: {outcome:?}"
        );
        let cancelled = round as i64 + 1;
        let deadline = Instant::now() + WAIT;
        loop {
            let (started, completed, gone) = task_stats(&server.endpoint).await;
            if gone == cancelled {
                assert_eq!((started, completed), (cancelled, 0), "{version:?}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{version:?}: the run was not cancelled"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // The client goes on.
        let result = client
            .call_tool("echo", json!({ "text": "after" }))
            .await
            .unwrap();
        assert_eq!(text(&result), "after");
        client.close().await.unwrap();
    }
    until("every stream to end", || {
        server.endpoint.open_streams() == 0
    })
    .await;
}

#[tokio::test]
async fn concurrent_calls_share_the_connection_pool() {
    let server = TestServer::start().await;
    let client = Client::connect(
        transport(&server).await,
        McpOptions::default().with_protocol_version(ProtocolVersion::V2025_11_25),
    )
    .await
    .unwrap();
    let calls = (0..32).map(|i| {
        let client = client.clone();
        async move {
            let args = json!({ "a": i, "b": 1 });
            let result = client.call_tool("add", args).await.unwrap();
            assert_eq!(
                result.structured_content.unwrap()["sum"].as_f64(),
                Some(f64::from(i + 1))
            );
        }
    });
    futures_util::future::join_all(calls).await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn every_revision_connects() {
    let server = TestServer::start().await;
    let client = StreamableHttpClient::new(ClientOptions::default());
    let url = format!("http://{}/mcp", server.addr);
    for version in ProtocolVersion::ALL {
        let transport = client.open(&url).unwrap();
        let options = McpOptions::default().with_protocol_version(version);
        let mcp = Client::connect(transport, options).await.unwrap();
        assert_eq!(mcp.protocol_version(), version);
        let result = mcp
            .call_tool("add", json!({ "a": 2, "b": 3 }))
            .await
            .unwrap();
        assert!(text(&result).contains('5'), "{version:?}: {result:?}");
        mcp.close().await.unwrap();
    }
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
}

#[tokio::test]
async fn dropping_the_transport_cancels_what_is_in_flight() {
    let server = TestServer::start().await;
    let (mut reader, mut writer, _) = transport(&server).await.split();
    let call = json!({
        "name": "long_task",
        "arguments": { "steps": 100, "delay_ms": 50 },
        "_meta": {
            "progressToken": "p",
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        },
    });
    writer
        .send(mcplex_test::request(1, "tools/call", call))
        .await
        .unwrap();
    let progress = tokio::time::timeout(WAIT, reader.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        progress.method().map(|m| m.as_str()),
        Some(method::PROGRESS)
    );
    let gone = Instant::now();
    drop((reader, writer));
    loop {
        let (started, completed, cancelled) = task_stats(&server.endpoint).await;
        if cancelled == 1 {
            assert_eq!((started, completed), (1, 0));
            break;
        }
        assert!(gone.elapsed() < WAIT, "the run was not cancelled");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(
        gone.elapsed() < Duration::from_millis(500),
        "{:?}",
        gone.elapsed()
    );
    until("the stream to close", || {
        server.endpoint.open_streams() == 0
    })
    .await;
}
