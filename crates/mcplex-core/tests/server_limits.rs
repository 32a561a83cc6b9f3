//! Limits and robustness: concurrency, cancellation, disconnects, timeouts, failing handlers
//! and bad input on a connection.

mod common;

use std::time::Duration;

use common::{
    Client, connect, error, eventually, limits, req, req26, result, server, server_with, text,
};
use mcplex_transport::NdjsonTransport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A `tools/call` of `slow` that would run for a minute.
fn slow(id: i64) -> Value {
    req(
        id,
        "tools/call",
        json!({ "name": "slow", "arguments": { "ms": 60_000 } }),
    )
}

fn cancel(id: i64) -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": "notifications/cancelled",
        "params": { "requestId": id, "reason": "no longer needed" },
    })
}

async fn initialized(client: &mut Client) {
    client.initialize("2025-11-25", json!({})).await;
}

#[tokio::test]
async fn requests_beyond_the_in_flight_limit_are_refused() {
    let (server, probe) = server_with(limits(|l| l.max_in_flight = 4));
    let mut client = connect(&server);
    initialized(&mut client).await;
    for id in 1..=4 {
        client.send(slow(id)).await;
    }
    eventually("four slow calls run", || probe.started() == 4).await;
    let response = client.request(slow(5)).await;
    assert_eq!(
        response,
        json!({
            "jsonrpc": "2.0",
            "id": 5,
            "error": { "code": -32000, "message": "too many concurrent requests" },
        })
    );
    // Room again once one finishes.
    client.send(cancel(1)).await;
    eventually("the cancelled call stops", || probe.cancelled() == 1).await;
    let call = json!({ "name": "echo", "arguments": { "text": "room" } });
    let response = client.request(req(6, "tools/call", call)).await;
    assert_eq!(text(result(&response)), "room");
}

#[tokio::test]
async fn a_cancelled_request_stops_and_gets_no_response() {
    for stateless in [false, true] {
        let (server, probe) = server();
        let mut client = connect(&server);
        let call = json!({ "name": "slow", "arguments": { "ms": 60_000 } });
        if stateless {
            client.send(req26(1, "tools/call", call)).await;
        } else {
            initialized(&mut client).await;
            client.send(req(1, "tools/call", call)).await;
        }
        eventually("the slow call runs", || probe.started() == 1).await;
        client.send(cancel(1)).await;
        eventually("the handler sees the cancellation", || {
            probe.cancelled() == 1
        })
        .await;
        // The connection goes on; the cancelled request is never answered.
        let echo = json!({ "name": "echo", "arguments": { "text": "next" } });
        let response = client.request(req26(2, "tools/call", echo)).await;
        assert_eq!(text(result(&response)), "next");
        client.silent(200).await;
    }
}

#[tokio::test]
async fn closing_the_connection_cancels_running_handlers() {
    let (server, probe) = server();
    let mut client = connect(&server);
    initialized(&mut client).await;
    client.send(slow(1)).await;
    client.send(slow(2)).await;
    eventually("both slow calls run", || probe.started() == 2).await;
    drop(client);
    eventually("both handlers see the cancellation", || {
        probe.cancelled() == 2
    })
    .await;
}

#[tokio::test]
async fn a_tool_that_runs_too_long_is_cancelled_with_an_error_result() {
    let (server, _) = server_with(limits(|l| l.tool_timeout = Duration::from_millis(50)));
    let mut client = connect(&server);
    initialized(&mut client).await;
    let response = client.request(slow(1)).await;
    assert_eq!(
        result(&response),
        &json!({ "content": [{ "type": "text", "text": "tool call timed out" }], "isError": true })
    );
    let call = json!({ "name": "slow", "arguments": { "ms": 1 } });
    let response = client.request(req(2, "tools/call", call)).await;
    assert_eq!(text(result(&response)), "done");
}

#[tokio::test]
async fn a_panicking_tool_is_an_error_result_and_the_connection_goes_on() {
    let (server, _) = server();
    let mut client = connect(&server);
    initialized(&mut client).await;
    for id in [1, 2] {
        let response = client
            .request(req(id, "tools/call", json!({ "name": "panic" })))
            .await;
        let result = result(&response);
        assert_eq!(result["isError"], true, "{response}");
        assert!(
            !text(result).contains("on purpose"),
            "panic messages stay inside: {result}"
        );
    }
    let call = json!({ "name": "echo", "arguments": { "text": "alive" } });
    let response = client.request(req(3, "tools/call", call)).await;
    assert_eq!(text(result(&response)), "alive");
}

#[tokio::test]
async fn a_failing_tool_is_an_error_result() {
    let (server, _) = server();
    let mut client = connect(&server);
    initialized(&mut client).await;
    let response = client
        .request(req(1, "tools/call", json!({ "name": "fail" })))
        .await;
    assert_eq!(
        response,
        json!({
            "jsonrpc": "2.0",
            "id": 1,
            "result": { "content": [{ "type": "text", "text": "boom" }], "isError": true },
        })
    );
}

#[tokio::test]
async fn a_duplicate_in_flight_id_is_refused() {
    let (server, probe) = server();
    let mut client = connect(&server);
    initialized(&mut client).await;
    client.send(slow(1)).await;
    eventually("the slow call runs", || probe.started() == 1).await;
    let response = client.request(req(1, "ping", json!({}))).await;
    assert_eq!(response["id"], 1);
    assert_eq!(error(&response)["code"], -32600, "{response}");

    client.send(cancel(1)).await;
    eventually("the slow call stops", || probe.cancelled() == 1).await;
    // The id is free again.
    let response = client.request(req(1, "ping", json!({}))).await;
    assert_eq!(response, json!({ "jsonrpc": "2.0", "id": 1, "result": {} }));
}

/// A server on newline-delimited JSON over an in-memory pipe; returns the client's line
/// reader and writer.
fn ndjson_connection(
    max_line: usize,
) -> (
    tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
    tokio::io::WriteHalf<tokio::io::DuplexStream>,
) {
    let (server_end, client_end) = tokio::io::duplex(64 * 1024);
    let (read, write) = tokio::io::split(server_end);
    let transport = NdjsonTransport::new(read, write).with_max_line_len(max_line);
    let (server, _) = server();
    tokio::spawn(async move { server.serve_connection(transport).await });
    let (read, write) = tokio::io::split(client_end);
    (BufReader::new(read).lines(), write)
}

async fn exchange(
    lines: &mut tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
    writer: &mut tokio::io::WriteHalf<tokio::io::DuplexStream>,
    line: &[u8],
) -> Value {
    writer.write_all(line).await.expect("written");
    writer.write_all(b"\n").await.expect("written");
    let answer = tokio::time::timeout(Duration::from_secs(5), lines.next_line())
        .await
        .expect("an answer in time")
        .expect("readable")
        .expect("a line");
    serde_json::from_str(&answer).expect("the server writes JSON")
}

#[tokio::test]
async fn undecodable_input_is_answered_and_the_connection_goes_on() {
    let (mut lines, mut writer) = ndjson_connection(1024);

    let response = exchange(&mut lines, &mut writer, b"{not json").await;
    assert_eq!(response["id"], Value::Null, "{response}");
    assert!(
        response.get("id").is_some(),
        "id is present as null: {response}"
    );
    assert_eq!(response["error"]["code"], -32700, "{response}");

    let response = exchange(
        &mut lines,
        &mut writer,
        br#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#,
    )
    .await;
    assert_eq!(response["id"], 7, "{response}");
    assert_eq!(response["error"]["code"], -32600, "{response}");

    let response = exchange(&mut lines, &mut writer, br#"{"jsonrpc":"2.0","id":8}"#).await;
    assert_eq!(response["error"]["code"], -32600, "{response}");

    let long = format!(
        r#"{{"jsonrpc":"2.0","id":9,"method":"ping","params":{{"x":"{}"}}}}"#,
        "a".repeat(2048)
    );
    let response = exchange(&mut lines, &mut writer, long.as_bytes()).await;
    assert!(
        response.get("error").is_some(),
        "an oversized line is answered: {response}"
    );

    let response = exchange(
        &mut lines,
        &mut writer,
        br#"{"jsonrpc":"2.0","id":10,"method":"ping"}"#,
    )
    .await;
    assert_eq!(
        response,
        json!({ "jsonrpc": "2.0", "id": 10, "result": {} })
    );
}
