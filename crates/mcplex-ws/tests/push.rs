//! Server-initiated pushes over WebSocket: `resources/updated`, `list_changed` and
//! `subscriptions/listen` notifications reach a client that sends nothing, and server-to-client
//! requests (elicitation) flow on the same socket.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mcplex_core::client::{Client, ClientOptions as McpOptions, input_handler_fn};
use mcplex_protocol::model::{
    ClientCapabilities, ElicitAction, ElicitResult, ElicitValue, ElicitationCapability,
    InputRequest, InputResponse, SubscriptionFilter,
};
use mcplex_protocol::{ErrorObject, Message, ProtocolVersion};
use mcplex_test::{Peer, first_text};
use serde_json::{Value, json};
use support::Harness;

/// The next notification with `method`, skipping others; panics after 5 s.
async fn notification(peer: &mut Peer, method: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = peer
            .read(left)
            .await
            .unwrap_or_else(|| panic!("no {method} within 5 s"))
            .expect("the connection is open");
        if let Message::Notification(n) = &message
            && n.method == method
        {
            return n.params_as().expect("params are JSON");
        }
    }
}

#[tokio::test]
async fn resources_updated_reaches_a_silent_subscriber() {
    let harness = Harness::demo().await;
    let mut subscriber = harness.peer().await;
    subscriber
        .call("resources/subscribe", json!({ "uri": "demo://counter" }))
        .await;
    let mut other = harness.peer().await;

    for round in 1..=3 {
        let result = other
            .call(
                "tools/call",
                json!({ "name": "increment", "arguments": {} }),
            )
            .await;
        assert_eq!(first_text(&result), format!("counter is now {round}"));
        // The subscriber sends nothing; the push arrives on its own.
        let params = notification(&mut subscriber, "notifications/resources/updated").await;
        assert_eq!(params["uri"], "demo://counter", "{params}");
    }
    drop((subscriber, other));
    harness.stop().await;
}

#[tokio::test]
async fn list_changed_reaches_a_connected_session() {
    let harness = Harness::demo().await;
    let mut session = harness.peer().await;
    assert!(harness.endpoint.server().remove_tool("echo").await.unwrap());
    notification(&mut session, "notifications/tools/list_changed").await;
    let tools = session.call("tools/list", json!({})).await;
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(!names.contains(&"echo"), "{names:?}");
    drop(session);
    harness.stop().await;
}

#[tokio::test]
async fn subscriptions_listen_streams_updates_on_2026_07_28() {
    let harness = Harness::demo().await;
    let options = McpOptions::default().with_protocol_version(ProtocolVersion::V2026_07_28);
    let listener = Client::connect(harness.connect().await, options.clone())
        .await
        .unwrap();
    let filter = SubscriptionFilter {
        resource_subscriptions: Some(vec!["demo://counter".to_owned()]),
        ..SubscriptionFilter::default()
    };
    let mut subscription = listener.listen(filter).await.unwrap();
    let caller = Client::connect(harness.connect().await, options)
        .await
        .unwrap();
    caller.call_tool("increment", json!({})).await.unwrap();
    let note = tokio::time::timeout(Duration::from_secs(5), subscription.recv())
        .await
        .expect("a notification within 5 s")
        .expect("the subscription is open");
    assert_eq!(note.method, "notifications/resources/updated");
    drop(subscription);
    listener.close().await.unwrap();
    caller.close().await.unwrap();
    harness.stop().await;
}

#[tokio::test]
async fn elicitation_requests_flow_on_the_same_socket() {
    let harness = Harness::demo().await;
    let capabilities = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    let answering = input_handler_fn(|request| async move {
        match request {
            InputRequest::Elicit(_) => Ok(InputResponse::Elicit(ElicitResult {
                action: ElicitAction::Accept,
                content: Some(BTreeMap::from([(
                    "answer".to_owned(),
                    ElicitValue::String("over websocket".to_owned()),
                )])),
                meta: None,
            })),
            other => Err(ErrorObject::method_not_found(other.method())),
        }
    });
    for version in [ProtocolVersion::V2025_11_25, ProtocolVersion::V2026_07_28] {
        let options = McpOptions::default()
            .with_protocol_version(version)
            .with_capabilities(capabilities.clone())
            .with_input_handler(answering.clone());
        let client = Client::connect(harness.connect().await, options)
            .await
            .unwrap();
        let result = client
            .call_tool("ask_user", json!({ "question": "Which transport?" }))
            .await
            .unwrap();
        let text = serde_json::to_value(&result.content).unwrap();
        assert_eq!(
            text[0]["text"], "You answered: over websocket",
            "{version:?}: {text}"
        );
        client.close().await.unwrap();
    }
    harness.stop().await;
}

#[tokio::test]
async fn every_revision_is_served() {
    let harness = Harness::demo().await;
    for version in ProtocolVersion::ALL {
        let options = McpOptions::default().with_protocol_version(version);
        let client = Client::connect(harness.connect().await, options)
            .await
            .unwrap();
        assert_eq!(client.protocol_version(), version);
        let result = client
            .call_tool("add", json!({ "a": 1, "b": 2 }))
            .await
            .unwrap();
        let text = serde_json::to_value(&result.content).unwrap();
        assert!(text[0]["text"].as_str().unwrap().contains('3'), "{text}");
        client.close().await.unwrap();
    }
    harness
        .served(ProtocolVersion::ALL.len() as u64, Duration::from_secs(5))
        .await;
    harness.stop().await;
}
