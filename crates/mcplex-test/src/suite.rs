//! The shared transport test suite: what every connection-oriented transport must do, checked
//! against a server running the [fixture toolset](crate::fixture()).

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use mcplex_protocol::{Message, ProtocolVersion, RequestId};
use mcplex_transport::Transport;
use serde_json::{Value, json};

use crate::fixture::{COUNTER_URI, SLOW_RUNNING_URI};
use crate::peer::{
    Connected, Peer, RawConnection, error, first_text, notification, request, result,
    stateless_meta,
};

/// How many calls [`pipelined_calls`] sends in one burst: the default in-flight limit.
pub const PIPELINED_CALLS: usize = 64;

/// How long a server may take to stop serving once the client closed its side (with a call
/// still running).
pub const CLOSE_DEADLINE: Duration = Duration::from_secs(1);

/// Runs every message-level check, each on a fresh connection from `connect`.
///
/// `connect` must give a client end connected to a server running the fixture toolset
/// ([`fixture`](crate::fixture())), with a future that completes when the server stops
/// serving it (see [`Connected`]). Each check is also a function of its own, so a transport
/// crate can run them as separate tests.
///
/// Input that is not a message cannot travel over a message-level transport (the in-memory
/// pair carries values); transports that carry bytes or text run [`raw_suite`] as well.
pub async fn transport_suite<F, Fut, T>(mut connect: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Connected<T>>,
    T: Transport,
{
    stateful_round_trip(connect().await).await;
    stateless_round_trip(connect().await).await;
    pipelined_calls(connect().await).await;
    progress_before_result(connect().await).await;
    cancellation_stops_call(connect().await).await;
    close_ends_serving(connect().await).await;
}

/// Runs the checks that need raw input (see [`RawConnection`]), each on a fresh connection.
pub async fn raw_suite<F, Fut>(mut connect: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Connected<RawConnection>>,
{
    malformed_input_gets_parse_error(connect().await).await;
    invalid_message_gets_invalid_request(connect().await).await;
}

/// Closes the client side, reads until the server closes too, and waits for serving to end.
async fn finish(mut peer: Peer, served: BoxFuture<'static, ()>) -> Duration {
    let start = Instant::now();
    peer.close().await;
    let drain = async { while let Some(Some(_)) = peer.read(crate::peer::RECV_TIMEOUT).await {} };
    let (_, served) = tokio::join!(drain, tokio::time::timeout(Duration::from_secs(5), served));
    served.expect("the server did not stop serving within 5 s of the client closing");
    start.elapsed()
}

/// `initialize`, `tools/list`, `tools/call` and `resources/read` on 2025-11-25, with results
/// shaped for that revision (no `resultType`).
pub async fn stateful_round_trip<T: Transport>(conn: Connected<T>) {
    let mut peer = Peer::new(conn.connection);
    let init = peer.initialize(ProtocolVersion::V2025_11_25).await;
    assert_eq!(init["serverInfo"]["name"], crate::fixture::NAME, "{init}");
    assert!(
        init["capabilities"]["tools"].is_object(),
        "no tools capability: {init}"
    );

    let tools = peer.call("tools/list", json!({})).await;
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .expect("tools/list has tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for name in ["echo", "slow", "notify"] {
        assert!(names.contains(&name), "tools/list lacks {name}: {tools}");
    }

    let call = peer
        .call(
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": "hello" } }),
        )
        .await;
    assert_eq!(first_text(&call), "hello");
    assert_ne!(call["isError"], true, "{call}");
    assert!(
        call.get("resultType").is_none(),
        "2025-11-25 has no resultType: {call}"
    );

    let read = peer
        .call("resources/read", json!({ "uri": COUNTER_URI }))
        .await;
    let count = read["contents"][0]["text"].as_str().unwrap_or_default();
    assert!(
        count.parse::<u64>().is_ok_and(|n| n >= 1),
        "counter: {read}"
    );

    finish(peer, conn.served).await;
}

/// `server/discover`, `tools/list` and `tools/call` on the stateless 2026-07-28 wire (no
/// `initialize`, protocol fields in every request's `_meta`), with `resultType` on results.
pub async fn stateless_round_trip<T: Transport>(conn: Connected<T>) {
    let mut peer = Peer::new(conn.connection);
    let discover = peer
        .call("server/discover", json!({ "_meta": stateless_meta() }))
        .await;
    let versions = discover["supportedVersions"]
        .as_array()
        .expect("supportedVersions");
    assert!(
        versions.contains(&json!(ProtocolVersion::V2026_07_28.as_str())),
        "server/discover does not list 2026-07-28: {discover}"
    );

    let tools = peer
        .call("tools/list", json!({ "_meta": stateless_meta() }))
        .await;
    assert!(
        tools["tools"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["name"] == "echo")),
        "tools/list lacks echo: {tools}"
    );

    let call = peer
        .call(
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": "stateless" }, "_meta": stateless_meta() }),
        )
        .await;
    assert_eq!(first_text(&call), "stateless");
    assert_eq!(call["resultType"], "complete", "{call}");

    finish(peer, conn.served).await;
}

/// [`PIPELINED_CALLS`] calls written in one burst before any answer is read: every one is
/// answered once, with its own id and its own result.
pub async fn pipelined_calls<T: Transport>(conn: Connected<T>) {
    let mut peer = Peer::new(conn.connection);
    peer.initialize(ProtocolVersion::V2025_11_25).await;
    let mut expected = BTreeMap::new();
    for i in 0..PIPELINED_CALLS {
        let id = peer.next_id();
        let text = format!("call {i}");
        peer.feed(request(
            id,
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": text } }),
        ))
        .await;
        expected.insert(RequestId::Number(id), text);
    }
    peer.flush().await;

    let mut answered = BTreeMap::new();
    while answered.len() < expected.len() {
        let message = peer
            .recv()
            .await
            .expect("the connection closed during the burst");
        let Some(id) = message.id().filter(|_| message.is_response()).cloned() else {
            continue;
        };
        let text = first_text(&result(message)).to_owned();
        assert!(expected.contains_key(&id), "answer to an unknown id {id}");
        assert!(
            answered.insert(id.clone(), text).is_none(),
            "request {id} answered twice"
        );
    }
    assert_eq!(answered, expected, "answers do not match their requests");

    finish(peer, conn.served).await;
}

/// A call that reports progress: every `notifications/progress` for its token arrives before
/// its result, in order.
pub async fn progress_before_result<T: Transport>(conn: Connected<T>) {
    let mut peer = Peer::new(conn.connection);
    peer.initialize(ProtocolVersion::V2025_11_25).await;
    let id = peer.next_id();
    peer.send(request(
        id,
        "tools/call",
        json!({ "name": "notify", "arguments": { "steps": 3 }, "_meta": { "progressToken": "p-1" } }),
    ))
    .await;

    let mut progress = Vec::new();
    let response = loop {
        let message = peer
            .recv()
            .await
            .expect("the connection closed before the result");
        match &message {
            Message::Notification(n) if n.method == "notifications/progress" => {
                let params: Value = n.params_as().expect("progress params are JSON");
                assert_eq!(params["progressToken"], "p-1", "{params}");
                progress.push(params["progress"].as_f64().expect("progress is a number"));
            }
            m if m.is_response() && m.id() == Some(&RequestId::Number(id)) => break message,
            _ => {}
        }
    };
    assert_eq!(progress, [1.0, 2.0, 3.0], "progress before the result");
    assert_eq!(first_text(&result(response)), "notified 3");

    finish(peer, conn.served).await;
}

/// `notifications/cancelled` stops a running call: its handler stops, it gets no response,
/// and the connection goes on.
pub async fn cancellation_stops_call<T: Transport>(conn: Connected<T>) {
    let mut peer = Peer::new(conn.connection);
    peer.initialize(ProtocolVersion::V2025_11_25).await;
    let slow = start_slow_call(&mut peer).await;
    assert_eq!(running_slow_calls(&mut peer).await, 1);

    peer.send(notification(
        "notifications/cancelled",
        json!({ "requestId": slow, "reason": "test" }),
    ))
    .await;
    let deadline = Instant::now() + Duration::from_secs(2);
    while running_slow_calls(&mut peer).await != 0 {
        assert!(
            Instant::now() < deadline,
            "the cancelled call is still running after 2 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let echo = peer
        .call(
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": "after" } }),
        )
        .await;
    assert_eq!(first_text(&echo), "after");
    // Give a stray response time to arrive, then make sure none did.
    let mut seen = Vec::new();
    while let Some(message) = peer.take_kept() {
        seen.push(message);
    }
    while let Some(Some(message)) = peer.read(Duration::from_millis(200)).await {
        seen.push(message);
    }
    let slow_id = RequestId::Number(slow);
    assert!(
        !seen
            .iter()
            .any(|m| m.is_response() && m.id() == Some(&slow_id)),
        "the cancelled call was answered: {seen:?}"
    );

    finish(peer, conn.served).await;
}

/// Closing the client side while a call is running ends serving within
/// [`CLOSE_DEADLINE`]: the running call is cancelled, not waited for.
pub async fn close_ends_serving<T: Transport>(conn: Connected<T>) {
    let mut peer = Peer::new(conn.connection);
    peer.initialize(ProtocolVersion::V2025_11_25).await;
    start_slow_call(&mut peer).await;
    let took = finish(peer, conn.served).await;
    assert!(
        took < CLOSE_DEADLINE,
        "serving took {took:?} to end after the client closed (limit {CLOSE_DEADLINE:?})"
    );
}

/// Malformed JSON and invalid UTF-8 each get a `-32700` error with `id: null`, and the
/// connection goes on.
pub async fn malformed_input_gets_parse_error(conn: Connected<RawConnection>) {
    let mut peer = Peer::raw(conn.connection);
    for payload in [
        &br#"{"jsonrpc":"2.0","id":1,"#[..],
        b"\xff\xfe{}",
        b"not json",
    ] {
        peer.send_raw(payload).await;
        let reply = peer
            .recv()
            .await
            .expect("the connection closed after bad input");
        assert_eq!(error(&reply)["code"], -32700, "{reply:?}");
        assert_eq!(reply.id(), None, "a parse error has id null: {reply:?}");
    }
    peer.initialize(ProtocolVersion::V2025_11_25).await;
    let echo = peer
        .call(
            "tools/call",
            json!({ "name": "echo", "arguments": { "text": "still here" } }),
        )
        .await;
    assert_eq!(first_text(&echo), "still here");
    finish(peer, conn.served).await;
}

/// JSON that is not a JSON-RPC message gets a `-32600` error, and the connection goes on.
pub async fn invalid_message_gets_invalid_request(conn: Connected<RawConnection>) {
    let mut peer = Peer::raw(conn.connection);
    for payload in [
        &br#"{"jsonrpc":"2.0","id":7,"params":{}}"#[..],
        br#"{"id":8,"method":"ping"}"#,
        b"42",
    ] {
        peer.send_raw(payload).await;
        let reply = peer
            .recv()
            .await
            .expect("the connection closed after bad input");
        assert_eq!(error(&reply)["code"], -32600, "{reply:?}");
    }
    let pong = peer.call("ping", json!({})).await;
    assert!(pong.is_object(), "{pong}");
    finish(peer, conn.served).await;
}

/// Starts a `slow` call and waits until its handler runs; returns the request id.
async fn start_slow_call(peer: &mut Peer) -> i64 {
    let id = peer.next_id();
    let token = format!("slow-{id}");
    peer.send(request(
        id,
        "tools/call",
        json!({ "name": "slow", "arguments": {}, "_meta": { "progressToken": token } }),
    ))
    .await;
    loop {
        let message = peer
            .recv()
            .await
            .expect("the connection closed before the call started");
        if let Message::Notification(n) = &message
            && n.method == "notifications/progress"
        {
            let params: Value = n.params_as().expect("progress params are JSON");
            if params["progressToken"] == token.as_str() {
                return id;
            }
        }
        assert!(
            !(message.is_response() && message.id() == Some(&RequestId::Number(id))),
            "the slow call finished early: {message:?}"
        );
    }
}

async fn running_slow_calls(peer: &mut Peer) -> u64 {
    let read = peer
        .call("resources/read", json!({ "uri": SLOW_RUNNING_URI }))
        .await;
    read["contents"][0]["text"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("bad {SLOW_RUNNING_URI} contents: {read}"))
}
