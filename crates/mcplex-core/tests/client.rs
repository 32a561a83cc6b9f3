//! The client against a scripted server over an in-memory connection: the peer reads what
//! the client sends and answers by hand, so each test can assert on the wire.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mcplex_core::client::{CallOptions, Client, ClientOptions, Error, input_handler_fn};
use mcplex_protocol::model::{
    ElicitAction, ElicitResult, ElicitValue, InputRequest, InputResponse, ListRootsResult, Root,
    SubscriptionFilter,
};
use mcplex_protocol::{
    ErrorCode, ErrorObject, ErrorResponse, Message, Notification, ProtocolVersion, Request,
    RequestId, Response,
};
use mcplex_transport::Transport;
use mcplex_transport::memory::{self, MemoryReader, MemoryWriter};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(5);

/// The server end of the connection, driven by the test.
struct Peer {
    reader: MemoryReader,
    writer: MemoryWriter,
}

impl Peer {
    async fn recv(&mut self) -> Message {
        timeout(WAIT, self.reader.next())
            .await
            .expect("the client sent nothing")
            .expect("the client closed the connection")
            .expect("transport error")
    }

    async fn request(&mut self) -> Request {
        match self.recv().await {
            Message::Request(request) => request,
            other => panic!("expected a request, got {other:?}"),
        }
    }

    async fn notification(&mut self) -> Notification {
        match self.recv().await {
            Message::Notification(note) => note,
            other => panic!("expected a notification, got {other:?}"),
        }
    }

    async fn send(&mut self, message: impl Into<Message>) {
        self.writer.send(message.into()).await.unwrap();
    }

    async fn reply(&mut self, id: RequestId, result: Value) {
        self.send(Response::new(id, &result).unwrap()).await;
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(Notification::new(method, &params).unwrap()).await;
    }
}

/// The parameters of a message as JSON (`null` when absent).
fn params(params: Option<&mcplex_protocol::Payload>) -> Value {
    params.map_or(Value::Null, |p| serde_json::from_str(p.get()).unwrap())
}

/// Starts connecting; the test answers the handshake.
fn start(options: ClientOptions) -> (JoinHandle<Result<Client, Error>>, Peer) {
    let (client_end, server_end) = memory::pair(256);
    let (reader, writer, _) = server_end.split();
    let connecting = tokio::spawn(Client::connect(client_end, options));
    (connecting, Peer { reader, writer })
}

/// Connects, answering `initialize` or `server/discover` with the requested version.
async fn connect(options: ClientOptions) -> (Client, Peer) {
    let version = options.protocol_version;
    let (connecting, mut peer) = start(options);
    let hello = peer.request().await;
    if version.is_stateless() {
        assert_eq!(hello.method, "server/discover");
        let result = json!({
            "resultType": "complete",
            "supportedVersions": ["2025-11-25", "2026-07-28"],
            "capabilities": { "tools": {} },
            "instructions": "be brief",
            "_meta": { "io.modelcontextprotocol/serverInfo": { "name": "scripted", "version": "1" } },
        });
        peer.reply(hello.id, result).await;
    } else {
        assert_eq!(hello.method, "initialize");
        let result = json!({
            "protocolVersion": version.as_str(),
            "capabilities": { "tools": {} },
            "serverInfo": { "name": "scripted", "version": "1" },
            "instructions": "be brief",
        });
        peer.reply(hello.id, result).await;
        assert_eq!(
            peer.notification().await.method,
            "notifications/initialized"
        );
    }
    (connecting.await.unwrap().unwrap(), peer)
}

fn stateful() -> ClientOptions {
    ClientOptions::default().with_protocol_version(ProtocolVersion::V2025_11_25)
}

fn stateless() -> ClientOptions {
    ClientOptions::default().with_protocol_version(ProtocolVersion::V2026_07_28)
}

/// Accepts every elicitation with the message as the `name` field, and has one root.
fn answering(options: ClientOptions) -> ClientOptions {
    options.with_input_handler(input_handler_fn(|request| async move {
        match request {
            InputRequest::Elicit(p) => Ok(InputResponse::Elicit(ElicitResult {
                action: ElicitAction::Accept,
                content: Some(BTreeMap::from([(
                    "name".to_owned(),
                    ElicitValue::String(p.message),
                )])),
                meta: None,
            })),
            InputRequest::ListRoots(_) => Ok(InputResponse::ListRoots(ListRootsResult {
                roots: vec![Root {
                    uri: "file:///work".to_owned(),
                    name: None,
                    meta: None,
                }],
                meta: None,
            })),
            other => Err(ErrorObject::method_not_found(other.method())),
        }
    }))
}

fn tool_result(text: &str) -> Value {
    json!({ "content": [{ "type": "text", "text": text }] })
}

#[tokio::test]
async fn stateful_handshake_accepts_an_older_version_and_describes_the_server() {
    let (connecting, mut peer) = start(stateful());
    let init = peer.request().await;
    assert_eq!(init.method, "initialize");
    let p = params(init.params.as_ref());
    assert_eq!(p["protocolVersion"], "2025-11-25");
    assert_eq!(p["clientInfo"]["name"], "mcplex");
    assert!(p.get("_meta").is_none());
    let result = json!({
        "protocolVersion": "2025-06-18",
        "capabilities": { "tools": { "listChanged": true } },
        "serverInfo": { "name": "old", "version": "0.9" },
        "instructions": "hello",
    });
    peer.reply(init.id, result).await;
    let initialized = peer.notification().await;
    assert_eq!(initialized.method, "notifications/initialized");

    let client = connecting.await.unwrap().unwrap();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2025_06_18);
    assert_eq!(client.server_info().unwrap().name, "old");
    assert_eq!(client.instructions(), Some("hello"));
    let tools = client.server_capabilities().tools.as_ref().unwrap();
    assert_eq!(tools.list_changed, Some(true));
}

#[tokio::test]
async fn stateful_handshake_rejects_a_version_it_does_not_know() {
    let (connecting, mut peer) = start(stateful());
    let init = peer.request().await;
    let result = json!({
        "protocolVersion": "1999-01-01",
        "capabilities": {},
        "serverInfo": { "name": "odd", "version": "1" },
    });
    peer.reply(init.id, result).await;
    let err = connecting.await.unwrap().unwrap_err();
    match err {
        Error::UnsupportedVersion { requested, offered } => {
            assert_eq!(requested, ProtocolVersion::V2025_11_25);
            assert_eq!(offered, ["1999-01-01"]);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn stateless_requests_carry_meta_merged_with_the_callers() {
    let (connecting, mut peer) = start(stateless());
    let discover = peer.request().await;
    assert_eq!(discover.method, "server/discover");
    let meta = &params(discover.params.as_ref())["_meta"];
    assert_eq!(
        meta["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    assert_eq!(meta["io.modelcontextprotocol/clientInfo"]["name"], "mcplex");
    assert!(meta["io.modelcontextprotocol/clientCapabilities"].is_object());
    let result = json!({
        "resultType": "complete",
        "supportedVersions": ["2026-07-28"],
        "capabilities": {},
        "_meta": { "io.modelcontextprotocol/serverInfo": { "name": "new", "version": "2" } },
    });
    peer.reply(discover.id, result).await;
    let client = connecting.await.unwrap().unwrap();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2026_07_28);
    assert_eq!(client.server_info().unwrap().name, "new");

    let caller_meta =
        mcplex_protocol::Payload::from_json(r#"{"cursor":"c1","_meta":{"progressToken":"mine"}}"#)
            .unwrap();
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.request_raw("tools/list", Some(caller_meta)).await }
    });
    let list = peer.request().await;
    let p = params(list.params.as_ref());
    assert_eq!(p["cursor"], "c1");
    assert_eq!(p["_meta"]["progressToken"], "mine");
    assert_eq!(
        p["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    assert_eq!(
        p["_meta"]["io.modelcontextprotocol/clientInfo"]["name"],
        "mcplex"
    );
    peer.reply(list.id, json!({ "tools": [], "resultType": "complete" }))
        .await;
    let result = call.await.unwrap().unwrap();
    assert_eq!(
        params(Some(&result)),
        json!({ "tools": [], "resultType": "complete" })
    );
}

#[tokio::test]
async fn stateless_connect_fails_when_the_server_lacks_the_version() {
    let answers = [
        Message::Response(
            Response::new(
                RequestId::Number(1),
                &json!({ "supportedVersions": ["2025-06-18", "2025-11-25"], "capabilities": {} }),
            )
            .unwrap(),
        ),
        Message::Error(ErrorResponse::new(
            Some(RequestId::Number(1)),
            ErrorObject::method_not_found("server/discover"),
        )),
    ];
    let expected: [&[&str]; 2] = [&["2025-06-18", "2025-11-25"], &[]];
    for (answer, expected) in answers.into_iter().zip(expected) {
        let (connecting, mut peer) = start(stateless());
        let discover = peer.request().await;
        assert_eq!(discover.id, RequestId::Number(1));
        peer.send(answer).await;
        match connecting.await.unwrap().unwrap_err() {
            Error::UnsupportedVersion { requested, offered } => {
                assert_eq!(requested, ProtocolVersion::V2026_07_28);
                assert_eq!(offered, expected);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn pipelined_requests_resolve_out_of_order() {
    let (client, mut peer) = connect(stateful()).await;
    let calls: Vec<_> = (0..32)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .request::<_, Value>("tools/call", &json!({ "name": "echo", "n": n }))
                    .await
            })
        })
        .collect();
    // Every request reaches the server before any answer: they are all in flight at once.
    let mut requests = Vec::new();
    for _ in 0..32 {
        requests.push(peer.request().await);
    }
    let ids: std::collections::HashSet<_> = requests.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 32);
    for request in requests.into_iter().rev() {
        let n = params(request.params.as_ref())["n"].clone();
        peer.reply(request.id, json!({ "echo": n })).await;
    }
    for (n, call) in calls.into_iter().enumerate() {
        assert_eq!(call.await.unwrap().unwrap(), json!({ "echo": n }));
    }
}

#[tokio::test]
async fn stateful_server_requests_are_answered_while_a_call_waits() {
    let (client, mut peer) = connect(answering(stateful())).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("ask", json!({})).await }
    });
    let tool_call = peer.request().await;
    assert_eq!(tool_call.method, "tools/call");

    let elicit = json!({
        "message": "who are you?",
        "requestedSchema": { "type": "object", "properties": { "name": { "type": "string" } } },
    });
    peer.send(Request::new("e1", "elicitation/create", &elicit).unwrap())
        .await;
    peer.send(Request::new("p1", "ping", &json!({})).unwrap())
        .await;
    peer.send(Request::new("u1", "no/such", &json!({})).unwrap())
        .await;
    let mut answers = BTreeMap::new();
    for _ in 0..3 {
        let message = peer.recv().await;
        answers.insert(message.id().unwrap().to_string(), message);
    }
    let Message::Response(elicited) = &answers["e1"] else {
        panic!("elicitation failed: {:?}", answers["e1"]);
    };
    let elicited: Value = serde_json::from_str(elicited.result.get()).unwrap();
    assert_eq!(
        elicited,
        json!({ "action": "accept", "content": { "name": "who are you?" } })
    );
    let Message::Response(pong) = &answers["p1"] else {
        panic!("ping failed: {:?}", answers["p1"]);
    };
    assert_eq!(pong.result.get(), "{}");
    let Message::Error(unknown) = &answers["u1"] else {
        panic!("unknown method answered: {:?}", answers["u1"]);
    };
    assert_eq!(unknown.error.code, ErrorCode::METHOD_NOT_FOUND);

    peer.reply(tool_call.id, tool_result("done")).await;
    let result = call.await.unwrap().unwrap();
    assert_eq!(result.content[0].as_text(), Some("done"));
}

#[tokio::test]
async fn mrtr_retries_with_input_responses_and_request_state() {
    let (client, mut peer) = connect(answering(stateless())).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("ask", json!({ "x": 1 })).await }
    });
    let first = peer.request().await;
    assert_eq!(
        params(first.params.as_ref())["arguments"],
        json!({ "x": 1 })
    );
    let interim = json!({
        "resultType": "input_required",
        "inputRequests": {
            "who": {
                "method": "elicitation/create",
                "params": {
                    "mode": "form",
                    "message": "name?",
                    "requestedSchema": { "type": "object", "properties": {} },
                },
            },
            "where": { "method": "roots/list" },
        },
        "requestState": "state-1",
    });
    peer.reply(first.id.clone(), interim).await;

    let retry = peer.request().await;
    assert_eq!(retry.method, "tools/call");
    assert_ne!(retry.id, first.id);
    let p = params(retry.params.as_ref());
    assert_eq!(p["name"], "ask");
    assert_eq!(p["arguments"], json!({ "x": 1 }));
    assert_eq!(p["requestState"], "state-1");
    assert_eq!(
        p["inputResponses"],
        json!({
            "who": { "action": "accept", "content": { "name": "name?" } },
            "where": { "roots": [{ "uri": "file:///work" }] },
        })
    );
    assert_eq!(
        p["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    let mut done = tool_result("thanks");
    done["resultType"] = json!("complete");
    peer.reply(retry.id, done).await;
    let result = call.await.unwrap().unwrap();
    assert_eq!(result.content[0].as_text(), Some("thanks"));
}

#[tokio::test]
async fn mrtr_fails_without_a_handler_and_past_the_round_limit() {
    let (client, mut peer) = connect(stateless()).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("ask", Value::Null).await }
    });
    let request = peer.request().await;
    assert!(params(request.params.as_ref()).get("arguments").is_none());
    let interim = json!({
        "resultType": "input_required",
        "inputRequests": { "r": { "method": "roots/list" } },
    });
    peer.reply(request.id, interim).await;
    assert!(matches!(call.await.unwrap(), Err(Error::NoInputHandler)));

    // Without input requests the client retries at once, echoing the state, 8 times.
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("ask", json!({})).await }
    });
    for round in 0..9 {
        let request = peer.request().await;
        let state = params(request.params.as_ref())["requestState"].clone();
        let expected = if round == 0 {
            Value::Null
        } else {
            json!(format!("s{}", round - 1))
        };
        assert_eq!(state, expected);
        let interim =
            json!({ "resultType": "input_required", "requestState": format!("s{round}") });
        peer.reply(request.id, interim).await;
    }
    assert!(matches!(
        call.await.unwrap(),
        Err(Error::InputRequiredLoop { rounds: 8 })
    ));
}

#[tokio::test]
async fn progress_is_routed_to_the_call_that_asked_for_it() {
    let (client, mut peer) = connect(stateful()).await;
    let mut all = client.notifications();
    let (tx, mut progress) = mpsc::channel(8);
    let call = tokio::spawn({
        let client = client.clone();
        let options = CallOptions::default().with_progress(tx);
        async move { client.call_tool_with("slow", json!({}), options).await }
    });
    let request = peer.request().await;
    let token = params(request.params.as_ref())["_meta"]["progressToken"].clone();
    assert!(token.is_number() || token.is_string(), "no progress token");
    for (progress, token) in [(1, &token), (7, &json!("someone-else")), (2, &token)] {
        let note = json!({ "progressToken": token, "progress": progress, "total": 2 });
        peer.notify("notifications/progress", note).await;
    }
    peer.reply(request.id, tool_result("ok")).await;
    call.await.unwrap().unwrap();

    let mut seen = Vec::new();
    while let Some(p) = timeout(WAIT, progress.recv()).await.unwrap() {
        seen.push((p.progress, p.total));
    }
    assert_eq!(seen, [(1.0, Some(2.0)), (2.0, Some(2.0))]);
    for _ in 0..3 {
        assert_eq!(all.recv().await.unwrap().method, "notifications/progress");
    }
}

#[tokio::test]
async fn cancelling_a_call_resolves_it_at_once_and_tells_the_server() {
    let (client, mut peer) = connect(stateful()).await;
    let cancel = CancellationToken::new();
    let call = tokio::spawn({
        let client = client.clone();
        let options = CallOptions::default().with_cancel(cancel.clone());
        async move { client.call_tool_with("slow", json!({}), options).await }
    });
    let request = peer.request().await;
    cancel.cancel();
    let outcome = timeout(Duration::from_secs(1), call)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(outcome, Err(Error::Cancelled)));
    let note = peer.notification().await;
    assert_eq!(note.method, "notifications/cancelled");
    assert_eq!(
        params(note.params.as_ref())["requestId"],
        json!(request.id.clone())
    );

    // A late answer is ignored and the connection goes on.
    peer.reply(request.id, tool_result("too late")).await;
    let ping = tokio::spawn({
        let client = client.clone();
        async move { client.ping().await }
    });
    let request = peer.request().await;
    assert_eq!(request.method, "ping");
    peer.reply(request.id, json!({})).await;
    ping.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_request_past_its_timeout_fails_and_is_cancelled() {
    let options = stateful().with_request_timeout(Duration::from_millis(100));
    let (client, mut peer) = connect(options).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.request_raw("tools/list", None).await }
    });
    let request = peer.request().await;
    let outcome = timeout(WAIT, call).await.unwrap().unwrap();
    assert!(matches!(outcome, Err(Error::Timeout)));
    let note = peer.notification().await;
    assert_eq!(note.method, "notifications/cancelled");
    let p = params(note.params.as_ref());
    assert_eq!(p["requestId"], json!(request.id));
    assert_eq!(p["reason"], "request timed out");
}

#[tokio::test]
async fn a_closed_connection_fails_pending_requests_promptly() {
    let (client, mut peer) = connect(stateful()).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("slow", json!({})).await }
    });
    peer.request().await;
    drop(peer);
    let outcome = timeout(Duration::from_secs(1), call)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(outcome, Err(Error::Closed)), "{outcome:?}");
    assert!(matches!(client.ping().await, Err(Error::Closed)));
}

#[tokio::test]
async fn close_writes_what_is_queued_and_ends_the_connection() {
    let (client, mut peer) = connect(stateful()).await;
    client
        .notify("notifications/roots/list_changed", &json!({}))
        .await
        .unwrap();
    let pending = tokio::spawn({
        let client = client.clone();
        async move { client.request_raw("tools/list", None).await }
    });
    assert_eq!(
        peer.notification().await.method,
        "notifications/roots/list_changed"
    );
    peer.request().await;
    timeout(WAIT, client.close()).await.unwrap().unwrap();
    assert!(timeout(WAIT, peer.reader.next()).await.unwrap().is_none());
    let outcome = timeout(WAIT, pending).await.unwrap().unwrap();
    assert!(matches!(outcome, Err(Error::Closed)));
}

#[tokio::test]
async fn listen_yields_its_own_notifications_and_cancels_when_dropped() {
    let (client, mut peer) = connect(stateless()).await;
    let filter = SubscriptionFilter {
        tools_list_changed: Some(true),
        ..SubscriptionFilter::default()
    };
    let listening = tokio::spawn({
        let client = client.clone();
        async move { client.listen(filter).await }
    });
    let listen = peer.request().await;
    assert_eq!(listen.method, "subscriptions/listen");
    let p = params(listen.params.as_ref());
    assert_eq!(p["notifications"], json!({ "toolsListChanged": true }));
    assert_eq!(
        p["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    let tag = |id: &Value| json!({ "_meta": { "io.modelcontextprotocol/subscriptionId": id } });
    let id = json!(listen.id.clone());
    peer.notify("notifications/tools/list_changed", tag(&json!(999)))
        .await;
    let mut ack = tag(&id);
    ack["notifications"] = json!({ "toolsListChanged": true });
    peer.notify("notifications/subscriptions/acknowledged", ack)
        .await;
    peer.notify("notifications/tools/list_changed", tag(&id))
        .await;

    let mut subscription = listening.await.unwrap().unwrap();
    assert_eq!(subscription.id(), listen.id);
    assert_eq!(subscription.acknowledged().tools_list_changed, Some(true));
    let note = timeout(WAIT, subscription.next()).await.unwrap().unwrap();
    assert_eq!(note.method, "notifications/tools/list_changed");
    assert_eq!(params(note.params.as_ref()), tag(&id));

    drop(subscription);
    let cancelled = peer.notification().await;
    assert_eq!(cancelled.method, "notifications/cancelled");
    assert_eq!(params(cancelled.params.as_ref())["requestId"], id);
}

#[tokio::test]
async fn a_subscription_ends_when_the_server_closes_it() {
    let (client, mut peer) = connect(stateless()).await;
    let listening = tokio::spawn({
        let client = client.clone();
        async move { client.listen(SubscriptionFilter::default()).await }
    });
    let listen = peer.request().await;
    let meta = json!({ "io.modelcontextprotocol/subscriptionId": listen.id.clone() });
    let ack = json!({ "notifications": {}, "_meta": meta });
    peer.notify("notifications/subscriptions/acknowledged", ack)
        .await;
    let mut subscription = listening.await.unwrap().unwrap();
    let end = json!({ "resultType": "complete", "_meta": meta });
    peer.reply(listen.id, end).await;
    assert!(timeout(WAIT, subscription.recv()).await.unwrap().is_none());
}

#[tokio::test]
async fn errors_and_wrong_result_shapes_are_reported() {
    let (client, mut peer) = connect(stateful()).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("nope", json!({})).await }
    });
    let request = peer.request().await;
    let error = ErrorObject::invalid_params("unknown tool: nope");
    peer.send(ErrorResponse::new(Some(request.id), error)).await;
    match call.await.unwrap() {
        Err(Error::Rpc(e)) => assert_eq!(e.code, ErrorCode::INVALID_PARAMS),
        other => panic!("unexpected {other:?}"),
    }

    let call = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("odd", json!({})).await }
    });
    let request = peer.request().await;
    peer.reply(request.id, json!({ "unexpected": true })).await;
    assert!(matches!(call.await.unwrap(), Err(Error::Decode(_))));

    assert!(matches!(
        client.listen(SubscriptionFilter::default()).await,
        Err(Error::Unavailable {
            method: "subscriptions/listen",
            ..
        })
    ));
}

#[tokio::test]
async fn list_tools_follows_cursors_to_the_end() {
    let (client, mut peer) = connect(stateful()).await;
    let listing = tokio::spawn({
        let client = client.clone();
        async move { client.list_tools().await }
    });
    let schema = json!({ "type": "object" });
    let first = peer.request().await;
    assert_eq!(params(first.params.as_ref()), json!({}));
    let page = json!({ "tools": [{ "name": "a", "inputSchema": schema }], "nextCursor": "p2" });
    peer.reply(first.id, page).await;
    let second = peer.request().await;
    assert_eq!(params(second.params.as_ref()), json!({ "cursor": "p2" }));
    let page = json!({ "tools": [{ "name": "b", "inputSchema": schema }] });
    peer.reply(second.id, page).await;
    let names: Vec<_> = listing
        .await
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["a", "b"]);
}

#[tokio::test]
async fn dropping_every_handle_closes_the_connection() {
    let (client, mut peer) = connect(stateless()).await;
    let other = client.clone();
    drop(client);
    peer.notify("notifications/tools/list_changed", json!({}))
        .await;
    drop(other);
    assert!(timeout(WAIT, peer.reader.next()).await.unwrap().is_none());
}
