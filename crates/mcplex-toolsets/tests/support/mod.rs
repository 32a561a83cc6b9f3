//! Helpers for the demo toolset tests: connections on either wire, result assertions,
//! subscription watchers and raw JSON-RPC connections.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mcplex_core::Server;
use mcplex_core::client::{Client, ClientOptions, Error, Subscription, input_handler_fn};
use mcplex_protocol::model::{
    CallToolResult, ClientCapabilities, ElicitParams, ElicitResult, ElicitationCapability,
    InputRequest, InputResponse, ResourceContents, ResourceUpdatedParams, SubscriptionFilter,
};
use mcplex_protocol::{ErrorCode, ErrorObject, Message, Notification, ProtocolVersion, method};
use mcplex_transport::Transport;
use mcplex_transport::memory::{MemoryReader, MemoryWriter};
use serde_json::{Value, json};
use tokio::sync::broadcast;

/// The wires every test runs on.
pub(crate) const WIRES: [ProtocolVersion; 2] =
    [ProtocolVersion::V2025_11_25, ProtocolVersion::V2026_07_28];

/// How long a test waits for something that should happen promptly.
pub(crate) const PATIENCE: Duration = Duration::from_secs(5);

/// A fresh demo server: its own, empty key-value store.
pub(crate) fn demo_server() -> Server {
    mcplex_toolsets::demo().build()
}

/// Connects a client to `server` over a fresh in-memory connection.
async fn connect(server: &Server, options: ClientOptions) -> Client {
    let (server_end, client_end) = mcplex_transport::memory::pair(64);
    let server = server.clone();
    tokio::spawn(async move { server.serve_connection(server_end).await });
    Client::connect(client_end, options)
        .await
        .expect("the client connects")
}

/// A client speaking `version`, without input handling.
pub(crate) async fn client(server: &Server, version: ProtocolVersion) -> Client {
    connect(
        server,
        ClientOptions::default().with_protocol_version(version),
    )
    .await
}

/// A client that answers elicitations with `answer`, recording what it was asked.
pub(crate) async fn eliciting_client(
    server: &Server,
    version: ProtocolVersion,
    answer: ElicitResult,
) -> (Client, Arc<Mutex<Vec<ElicitParams>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let record = asked.clone();
    let handler = input_handler_fn(move |request| {
        let record = record.clone();
        let answer = answer.clone();
        async move {
            match request {
                InputRequest::Elicit(params) => {
                    record.lock().unwrap().push(params);
                    Ok(InputResponse::Elicit(answer))
                }
                other => Err(ErrorObject::method_not_found(other.method())),
            }
        }
    });
    let capabilities = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    let options = ClientOptions::default()
        .with_protocol_version(version)
        .with_capabilities(capabilities)
        .with_input_handler(handler);
    (connect(server, options).await, asked)
}

/// The one text block of a result.
pub(crate) fn text(result: &CallToolResult) -> &str {
    assert_eq!(result.content.len(), 1, "{result:?}");
    result.content[0].as_text().expect("a text block")
}

/// Asserts a successful result with exactly this text.
pub(crate) fn assert_text(result: &CallToolResult, expected: &str) {
    assert_eq!(result.is_error, None, "{result:?}");
    assert_eq!(text(result), expected);
}

/// Asserts a failed result with exactly this text.
pub(crate) fn assert_tool_error(result: &CallToolResult, expected: &str) {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    assert_eq!(text(result), expected);
}

/// The code of a JSON-RPC error response.
pub(crate) fn rpc_code(error: Error) -> ErrorCode {
    match error {
        Error::Rpc(error) => error.code,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

/// The text and MIME type of a resource with one text entry.
pub(crate) async fn read_text(client: &Client, uri: &str) -> (String, Option<String>) {
    let result = client.read_resource(uri).await.expect("the resource reads");
    assert_eq!(result.contents.len(), 1);
    match &result.contents[0] {
        ResourceContents::Text(contents) => {
            assert_eq!(contents.uri, uri);
            (contents.text.clone(), contents.mime_type.clone())
        }
        other => panic!("expected text contents, got {other:?}"),
    }
}

/// The structured output of `task_stats`, checked against its text twin.
pub(crate) async fn task_stats(client: &Client) -> Value {
    let result = client.call_tool("task_stats", json!({})).await.unwrap();
    assert_eq!(result.is_error, None);
    let structured = result
        .structured_content
        .clone()
        .expect("structured output");
    let text: Value = serde_json::from_str(text(&result)).expect("the text is JSON");
    assert_eq!(text, structured);
    structured
}

/// Polls `check` until it returns a value.
pub(crate) async fn wait_for<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met in time"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A second client that is told about updates of `uri`: `resources/subscribe` on stateful
/// wires, `subscriptions/listen` on 2026-07-28.
pub(crate) struct Watcher {
    _client: Client,
    updates: Updates,
}

enum Updates {
    Stateful(broadcast::Receiver<Notification>),
    Listen(Subscription),
}

impl Watcher {
    pub(crate) async fn new(server: &Server, version: ProtocolVersion, uri: &str) -> Self {
        let client = client(server, version).await;
        let updates = if version.is_stateless() {
            let filter = SubscriptionFilter {
                resource_subscriptions: Some(vec![uri.to_owned()]),
                ..SubscriptionFilter::default()
            };
            Updates::Listen(client.listen(filter).await.unwrap())
        } else {
            let notifications = client.notifications();
            client.subscribe(uri).await.unwrap();
            Updates::Stateful(notifications)
        };
        Self {
            _client: client,
            updates,
        }
    }

    /// The URI of the next `notifications/resources/updated`.
    pub(crate) async fn next_update(&mut self) -> String {
        let next = async {
            loop {
                let note = match &mut self.updates {
                    Updates::Stateful(rx) => rx.recv().await.expect("notifications flow"),
                    Updates::Listen(sub) => sub.recv().await.expect("the subscription is open"),
                };
                if note.method == method::RESOURCES_UPDATED {
                    let params: ResourceUpdatedParams = note.params_as().unwrap();
                    return params.uri;
                }
            }
        };
        tokio::time::timeout(PATIENCE, next)
            .await
            .expect("an update arrives")
    }

    /// Asserts that no update arrives for a short while.
    pub(crate) async fn assert_quiet(&mut self) {
        let quiet = tokio::time::timeout(Duration::from_millis(100), self.next_update()).await;
        assert!(quiet.is_err(), "unexpected update: {quiet:?}");
    }
}

/// A connection to the server spoken in raw JSON-RPC messages.
pub(crate) struct RawConnection {
    version: ProtocolVersion,
    incoming: MemoryReader,
    outgoing: MemoryWriter,
}

impl RawConnection {
    /// Connects; on stateful revisions also runs the `initialize` handshake.
    pub(crate) async fn open(server: &Server, version: ProtocolVersion) -> Self {
        let (server_end, client_end) = mcplex_transport::memory::pair(64);
        let server = server.clone();
        tokio::spawn(async move { server.serve_connection(server_end).await });
        let (incoming, outgoing, _) = client_end.split();
        let mut raw = Self {
            version,
            incoming,
            outgoing,
        };
        if !version.is_stateless() {
            let params = json!({
                "protocolVersion": version.as_str(),
                "capabilities": {},
                "clientInfo": { "name": "raw", "version": "0" },
            });
            raw.send(
                json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params }),
            )
            .await;
            let answer = raw.recv().await.expect("an initialize response");
            assert!(matches!(answer, Message::Response(_)), "{answer:?}");
            raw.send_notification("notifications/initialized", json!({}))
                .await;
        }
        raw
    }

    async fn send(&mut self, message: Value) {
        let message = mcplex_protocol::decode(message.to_string().as_bytes()).unwrap();
        self.outgoing.send(message).await.unwrap();
    }

    pub(crate) async fn send_request(
        &mut self,
        id: i64,
        method: &str,
        mut params: Value,
        progress: Option<&str>,
    ) {
        let meta = params
            .as_object_mut()
            .unwrap()
            .entry("_meta")
            .or_insert_with(|| json!({}));
        if self.version.is_stateless() {
            meta["io.modelcontextprotocol/protocolVersion"] = json!(self.version.as_str());
            meta["io.modelcontextprotocol/clientCapabilities"] = json!({});
        }
        if let Some(token) = progress {
            meta["progressToken"] = json!(token);
        }
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
    }

    pub(crate) async fn send_notification(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .await;
    }

    /// The next message from the server, waiting at most [`PATIENCE`].
    pub(crate) async fn recv(&mut self) -> Option<Message> {
        tokio::time::timeout(PATIENCE, self.incoming.next())
            .await
            .expect("a message in time")
            .map(|message| message.expect("a well-formed message"))
    }
}
