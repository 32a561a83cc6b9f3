//! Multi round-trip requests: the `input_required` result and its sealed `requestState` on
//! 2026-07-28, and real `elicitation/create` requests on the stateful revisions — one
//! handler (`ask`) for both.

mod common;

use std::time::Duration;

use common::{
    Client, connect, connect_as, error, limits, meta26, req, req26, result, server, server_meta,
    server_with, stateful, text,
};
use mcplex_core::Principal;
use serde_json::{Value, json};

/// The `ask` tool's answer for `name` with its state, asked with `topic`.
fn answer(name: &str, topic: &str) -> String {
    format!("hello {name}; state {{\"n\":1}}; topic {topic}")
}

/// The `elicitation/create` parameters `ask` sends.
fn elicit_params() -> Value {
    json!({
        "message": "What is your name?",
        "requestedSchema": { "type": "object", "properties": { "name": { "type": "string" } } },
    })
}

/// A 2026-07-28 `tools/call` of `ask` from a client that can elicit.
fn ask26(id: i64, arguments: Value, retry: Option<(&str, Value)>) -> Value {
    let mut params = json!({
        "name": "ask",
        "arguments": arguments,
        "_meta": meta26(json!({ "elicitation": {} })),
    });
    if let Some((state, responses)) = retry {
        params["requestState"] = json!(state);
        params["inputResponses"] = responses;
    }
    req(id, "tools/call", params)
}

fn accepted(name: &str) -> Value {
    json!({ "name": { "action": "accept", "content": { "name": name } } })
}

/// Calls `ask` the first time and returns its `requestState`.
async fn first_round(client: &mut Client, id: i64, arguments: Value) -> String {
    let response = client.request(ask26(id, arguments, None)).await;
    result(&response)["requestState"]
        .as_str()
        .unwrap_or_else(|| panic!("no requestState: {response}"))
        .to_owned()
}

#[tokio::test]
async fn input_required_then_complete() {
    let (server, _) = server();
    let mut client = connect(&server);
    let response = client.request(ask26(1, json!({}), None)).await;
    let mut first = result(&response).clone();
    let state = first
        .as_object_mut()
        .and_then(|r| r.remove("requestState"))
        .and_then(|s| s.as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no requestState: {response}"));
    assert!(!state.is_empty());
    assert_eq!(
        first,
        json!({
            "resultType": "input_required",
            "inputRequests": { "name": { "method": "elicitation/create", "params": elicit_params() } },
            "_meta": server_meta(),
        })
    );

    let response = client
        .request(ask26(2, json!({}), Some((&state, accepted("Ada")))))
        .await;
    assert_eq!(
        response,
        json!({
            "jsonrpc": "2.0",
            "id": 2,
            "result": {
                "content": [{ "type": "text", "text": answer("Ada", "") }],
                "_meta": server_meta(),
                "resultType": "complete",
            },
        })
    );
}

/// `token` with the character at `at` replaced by another base64 character.
fn flip(token: &str, at: usize) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[tokio::test]
async fn a_retry_without_the_answers_is_asked_again() {
    let (server, _) = server();
    let mut client = connect(&server);
    let state = first_round(&mut client, 1, json!({})).await;
    let response = client
        .request(ask26(2, json!({}), Some((&state, json!({})))))
        .await;
    let result = result(&response);
    assert_eq!(result["resultType"], "input_required", "{response}");
    assert!(result["inputRequests"]["name"].is_object(), "{response}");
}

#[tokio::test]
async fn a_tampered_request_state_is_rejected() {
    let (server, _) = server();
    let mut client = connect(&server);
    let state = first_round(&mut client, 1, json!({})).await;
    let dot = state.find('.').expect("payload.mac");
    for (id, tampered) in [
        (2, flip(&state, dot / 2)),
        (3, flip(&state, dot + (state.len() - dot) / 2)),
        (4, format!("{state}x")),
        (5, "garbage".to_owned()),
    ] {
        let response = client
            .request(ask26(id, json!({}), Some((&tampered, accepted("Ada")))))
            .await;
        assert_eq!(response["id"], id);
        assert_eq!(error(&response)["code"], -32602, "{tampered}: {response}");
    }
    // The genuine state still works.
    let response = client
        .request(ask26(6, json!({}), Some((&state, accepted("Ada")))))
        .await;
    assert_eq!(text(result(&response)), answer("Ada", ""));
}

#[tokio::test]
async fn a_request_state_only_fits_its_own_request() {
    let (server, _) = server();
    let mut client = connect(&server);
    let state = first_round(&mut client, 1, json!({ "topic": "a" })).await;
    let retry = ask26(2, json!({ "topic": "b" }), Some((&state, accepted("Ada"))));
    let response = client.request(retry).await;
    assert_eq!(error(&response)["code"], -32602, "{response}");

    let retry = ask26(3, json!({ "topic": "a" }), Some((&state, accepted("Ada"))));
    let response = client.request(retry).await;
    assert_eq!(text(result(&response)), answer("Ada", "a"));
}

#[tokio::test]
async fn an_expired_request_state_is_rejected() {
    let (server, _) = server_with(limits(|l| l.request_state_ttl = Duration::from_millis(1)));
    let mut client = connect(&server);
    let state = first_round(&mut client, 1, json!({})).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let response = client
        .request(ask26(2, json!({}), Some((&state, accepted("Ada")))))
        .await;
    assert_eq!(error(&response)["code"], -32602, "{response}");
}

#[tokio::test]
async fn a_request_state_is_bound_to_its_principal() {
    let (server, _) = server();
    let mut alice = connect_as(&server, Some(Principal::new("alice")));
    let mut bob = connect_as(&server, Some(Principal::new("bob")));

    let response = alice
        .request(req26(1, "tools/call", json!({ "name": "whoami" })))
        .await;
    assert_eq!(text(result(&response)), "alice");

    let state = first_round(&mut alice, 2, json!({})).await;
    let response = bob
        .request(ask26(2, json!({}), Some((&state, accepted("Mallory")))))
        .await;
    assert_eq!(error(&response)["code"], -32602, "{response}");

    let response = alice
        .request(ask26(3, json!({}), Some((&state, accepted("Ada")))))
        .await;
    assert_eq!(text(result(&response)), answer("Ada", ""));
}

#[tokio::test]
async fn input_the_client_cannot_give_is_a_missing_capability() {
    let (server, _) = server();
    let mut client = connect(&server);
    let response = client
        .request(req26(1, "tools/call", json!({ "name": "ask" })))
        .await;
    assert_eq!(
        response,
        json!({
            "jsonrpc": "2.0",
            "id": 1,
            "error": {
                "code": -32021,
                "message": error(&response)["message"],
                "data": { "requiredCapabilities": { "elicitation": {} } },
            },
        })
    );
}

#[tokio::test]
async fn a_form_is_not_asked_of_a_client_that_only_follows_urls() {
    // `{"elicitation": {"url": {}}}` declares URL mode only; `ask` needs a form.
    let (server, _) = server();
    let mut client = connect(&server);
    let call = json!({ "name": "ask", "_meta": meta26(json!({ "elicitation": { "url": {} } })) });
    let response = client.request(req(1, "tools/call", call)).await;
    let e = error(&response);
    assert_eq!(e["code"], -32021, "{response}");
    assert!(
        e["data"]["requiredCapabilities"]["elicitation"].is_object(),
        "{response}"
    );
}

// ---- stateful wires ----

/// Calls `ask` on a stateful session, answers the elicitation it sends with `answer`, and
/// returns the tool result.
async fn ask_stateful(client: &mut Client, answer: Value) -> Value {
    client
        .send(req(1, "tools/call", json!({ "name": "ask" })))
        .await;
    let request = client.recv().await;
    assert_eq!(request["method"], "elicitation/create", "{request}");
    assert_eq!(request["params"], elicit_params());
    let id = request["id"].clone();
    assert!(id.is_string() || id.is_i64(), "{request}");
    client
        .send(json!({ "jsonrpc": "2.0", "id": id, "result": answer }))
        .await;
    let response = client.recv().await;
    assert_eq!(response["id"], 1, "{response}");
    result(&response).clone()
}

#[tokio::test]
async fn stateful_sessions_elicit_with_a_real_request() {
    for v in ["2025-06-18", "2025-11-25"] {
        let (_server, _, mut client) = stateful(v, json!({ "elicitation": {} })).await;
        let answer = json!({ "action": "accept", "content": { "name": "Ada" } });
        let result = ask_stateful(&mut client, answer).await;
        assert_eq!(
            result,
            json!({ "content": [{ "type": "text", "text": self::answer("Ada", "") }] }),
            "{v}"
        );
    }
}

#[tokio::test]
async fn a_declined_elicitation_gives_the_handler_no_content() {
    let (_server, _, mut client) = stateful("2025-11-25", json!({ "elicitation": {} })).await;
    let result = ask_stateful(&mut client, json!({ "action": "decline" })).await;
    assert_eq!(text(&result), answer("nobody", ""));
}

#[tokio::test]
async fn a_stateful_client_without_the_capability_gets_a_tool_error() {
    let (_server, _, mut client) = stateful("2025-11-25", json!({})).await;
    let response = client
        .request(req(1, "tools/call", json!({ "name": "ask" })))
        .await;
    assert_eq!(result(&response)["isError"], true, "{response}");
    assert_eq!(
        client.take_queued(),
        Vec::<Value>::new(),
        "no request to the client"
    );
}

#[tokio::test]
async fn no_elicitation_on_revisions_without_it() {
    // 2025-03-26 has no elicitation: a capability it does not define must not make the
    // server send `elicitation/create`.
    for v in ["2024-11-05", "2025-03-26"] {
        let (_server, _, mut client) = stateful(v, json!({ "elicitation": {} })).await;
        client
            .send(req(1, "tools/call", json!({ "name": "ask" })))
            .await;
        let first = client.recv().await;
        assert_eq!(first["id"], 1, "{v}: the server sent {first}");
        assert_eq!(first["result"]["isError"], true, "{v}: {first}");
    }
}

#[tokio::test]
async fn a_client_error_answer_is_a_tool_error() {
    let (_server, _, mut client) = stateful("2025-11-25", json!({ "elicitation": {} })).await;
    client
        .send(req(1, "tools/call", json!({ "name": "ask" })))
        .await;
    let request = client.recv().await;
    client
        .send(json!({
            "jsonrpc": "2.0",
            "id": request["id"],
            "error": { "code": -32603, "message": "no user" },
        }))
        .await;
    let response = client.recv().await;
    assert_eq!(result(&response)["isError"], true, "{response}");
}

#[tokio::test]
async fn cancelling_a_call_withdraws_its_request_to_the_client() {
    let (_server, _, mut client) = stateful("2025-11-25", json!({ "elicitation": {} })).await;
    client
        .send(req(1, "tools/call", json!({ "name": "ask" })))
        .await;
    let request = client.recv().await;
    assert_eq!(request["method"], "elicitation/create");
    client
        .send(json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 1 } }))
        .await;
    let withdrawn = client.recv().await;
    assert_eq!(
        withdrawn["method"], "notifications/cancelled",
        "{withdrawn}"
    );
    assert_eq!(
        withdrawn["params"]["requestId"], request["id"],
        "{withdrawn}"
    );
    // No response to the cancelled call, even once the client answers late.
    client
        .send(json!({ "jsonrpc": "2.0", "id": request["id"], "result": { "action": "cancel" } }))
        .await;
    client.silent(150).await;
}

#[tokio::test]
async fn a_stateful_client_that_only_follows_urls_is_not_sent_a_form() {
    let caps = json!({ "elicitation": { "url": {} } });
    let (_server, _, mut client) = stateful("2025-11-25", caps).await;
    client
        .send(req(1, "tools/call", json!({ "name": "ask" })))
        .await;
    let first = client.recv().await;
    assert_eq!(first["id"], 1, "the server sent {first}");
    assert_eq!(first["result"]["isError"], true, "{first}");
}
