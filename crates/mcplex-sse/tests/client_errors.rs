//! How the Streamable HTTP client transport reports what goes wrong: HTTP refusals with and
//! without a JSON-RPC body, an unreachable server, an ended session, oversized messages; and
//! the headers it derives from the body (`Mcp-Name`, `Mcp-Param-*`) and takes from the
//! options.

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mcplex_core::client::{Client, ClientOptions as McpOptions, Error as ClientError};
use mcplex_core::{Context, Limits, Server, ToolDef};
use mcplex_protocol::{ErrorCode, Message, ProtocolVersion, RequestId};
use mcplex_sse::{ClientOptions, SseOptions, StreamableHttpClient, StreamableHttpTransport};
use mcplex_test::{notification, request};
use mcplex_transport::Transport;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use support::TestServer;

const WAIT: Duration = Duration::from_secs(5);

fn url(server: &TestServer) -> String {
    format!("http://{}/mcp", server.addr)
}

async fn transport_with(url: &str, options: ClientOptions) -> StreamableHttpTransport {
    StreamableHttpClient::connect(url, options).await.unwrap()
}

fn stateful() -> McpOptions {
    McpOptions::default().with_protocol_version(ProtocolVersion::V2025_11_25)
}

fn stateless() -> McpOptions {
    McpOptions::default().with_protocol_version(ProtocolVersion::V2026_07_28)
}

fn rpc_code(error: &ClientError) -> ErrorCode {
    match error {
        ClientError::Rpc(e) => e.code,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

#[tokio::test]
async fn extra_headers_are_sent_and_refusals_fail_the_request() {
    let server = TestServer::start().await;
    // The server refuses a foreign Origin with 403 and a JSON-RPC error without an id: the
    // request that was refused gets that error.
    let options = ClientOptions {
        headers: vec![("origin".into(), "http://evil.example".into())],
        ..ClientOptions::default()
    };
    let refused = Client::connect(transport_with(&url(&server), options).await, stateful())
        .await
        .unwrap_err();
    assert_eq!(rpc_code(&refused), ErrorCode::SERVER_ERROR, "{refused:?}");

    let options = ClientOptions {
        headers: vec![("origin".into(), "http://localhost".into())],
        ..ClientOptions::default()
    };
    let client = Client::connect(transport_with(&url(&server), options).await, stateful())
        .await
        .unwrap();
    client.ping().await.unwrap();
    client.close().await.unwrap();

    let options = ClientOptions {
        headers: vec![("bad header".into(), "x".into())],
        ..ClientOptions::default()
    };
    let err = StreamableHttpClient::connect(&url(&server), options)
        .await
        .unwrap_err();
    let cause =
        std::error::Error::source(&err).and_then(|e| e.downcast_ref::<mcplex_sse::ClientError>());
    assert!(
        matches!(cause, Some(mcplex_sse::ClientError::InvalidHeader)),
        "{err:?}"
    );
}

#[tokio::test]
async fn refusals_without_a_json_rpc_body_and_unreachable_servers() {
    let server = TestServer::start().await;
    // No route: 404 with an empty body.
    let wrong = format!("http://{}/nowhere", server.addr);
    let err = Client::connect(
        transport_with(&wrong, ClientOptions::default()).await,
        stateful(),
    )
    .await
    .unwrap_err();
    let ClientError::Rpc(error) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(error.code, ErrorCode::INTERNAL_ERROR);
    assert_eq!(error.data.as_ref().unwrap()["status"], 404, "{error:?}");

    // Nothing listening.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone = format!("http://{}/mcp", listener.local_addr().unwrap());
    drop(listener);
    let err = Client::connect(
        transport_with(&gone, ClientOptions::default()).await,
        stateless(),
    )
    .await
    .unwrap_err();
    assert_eq!(rpc_code(&err), ErrorCode::INTERNAL_ERROR, "{err:?}");

    // Not an http:// URL.
    for bad in [
        "https://localhost/mcp",
        "localhost:8080/mcp",
        "http:///mcp",
        "not a url",
    ] {
        let err = StreamableHttpClient::connect(bad, ClientOptions::default())
            .await
            .unwrap_err();
        let cause = std::error::Error::source(&err)
            .and_then(|e| e.downcast_ref::<mcplex_sse::ClientError>());
        assert!(
            matches!(cause, Some(mcplex_sse::ClientError::InvalidUrl)),
            "{bad}: {err:?}"
        );
    }
}

#[tokio::test]
async fn errors_with_status_keep_their_json_rpc_error() {
    let server = TestServer::start().await;
    let client = Client::connect(
        transport_with(&url(&server), ClientOptions::default()).await,
        stateless(),
    )
    .await
    .unwrap();
    // 404 with a JSON-RPC body on the stateless wire.
    let err = client
        .request::<_, Value>("no/such/method", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(rpc_code(&err), ErrorCode::METHOD_NOT_FOUND);
    // The connection goes on.
    client
        .call_tool("echo", json!({ "text": "still" }))
        .await
        .unwrap();
    client.close().await.unwrap();
}

#[tokio::test]
async fn an_ended_session_fails_the_request_and_ends_the_connection() {
    let server = TestServer::with(Limits::default(), SseOptions::default()).await;
    let client = Client::connect(
        transport_with(&url(&server), ClientOptions::default()).await,
        stateful(),
    )
    .await
    .unwrap();
    client.ping().await.unwrap();
    // The server ends the session (as an operator or another instance would).
    let http = server.endpoint.streamable_http();
    for id in http.session_ids() {
        let cx = mcplex_transport::RequestContext::new().with_session_id(id);
        http.delete(&cx).await.unwrap();
    }
    assert_eq!(http.session_count(), 0);
    let err = client.ping().await.unwrap_err();
    assert_eq!(rpc_code(&err), ErrorCode(-32001), "{err:?}");
    // The transport reported the end of the session: the connection is over.
    let err = client.ping().await.unwrap_err();
    assert!(matches!(err, ClientError::Closed), "{err:?}");
}

#[tokio::test]
async fn a_session_with_an_open_stream_is_not_reaped() {
    let limits = Limits {
        session_idle_ttl: Duration::from_millis(100),
        ..Limits::default()
    };
    let options = SseOptions {
        sweep_interval: Some(Duration::from_millis(10)),
        ..SseOptions::default()
    };
    let server = TestServer::with(limits, options).await;
    let client = Client::connect(
        transport_with(&url(&server), ClientOptions::default()).await,
        stateful(),
    )
    .await
    .unwrap();
    client.ping().await.unwrap();
    // The client holds its standalone stream open: idle as far as requests go, but listening.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(server.endpoint.streamable_http().session_count(), 1);
    client.ping().await.unwrap();
}

/// Arguments of the `big` tool.
#[derive(Deserialize, JsonSchema)]
struct BigArgs {
    /// Size of the progress message, in bytes.
    progress: usize,
    /// Size of the result text, in bytes.
    result: usize,
}

fn big_server() -> Server {
    Server::builder()
        .tool(ToolDef::new(
            "big",
            |cx: Context, args: BigArgs| async move {
                if args.progress > 0 {
                    cx.progress(1.0, None, Some(&"p".repeat(args.progress)));
                }
                "r".repeat(args.result)
            },
        ))
        .build()
}

/// Reads the next item, failing after [`WAIT`].
async fn next(reader: &mut mcplex_sse::client::Reader) -> Result<Message, mcplex_transport::Error> {
    tokio::time::timeout(WAIT, reader.next())
        .await
        .expect("an item in time")
        .expect("the reader is open")
}

#[tokio::test]
async fn oversized_messages_are_skipped_and_reported() {
    let server = TestServer::serve(big_server(), SseOptions::default()).await;
    let options = ClientOptions {
        max_message_bytes: 4096,
        ..ClientOptions::default()
    };
    let transport = transport_with(&url(&server), options).await;
    let (mut reader, mut writer, _) = transport.split();
    let init = json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": { "name": "t", "version": "1" }
    });
    writer.send(request(1, "initialize", init)).await.unwrap();
    assert!(next(&mut reader).await.unwrap().is_response());
    writer
        .send(notification("notifications/initialized", json!({})))
        .await
        .unwrap();

    // An oversized event is skipped; the response after it still arrives.
    let call = json!({ "name": "big", "arguments": { "progress": 10_000, "result": 10 },
                       "_meta": { "progressToken": "p" } });
    writer.send(request(2, "tools/call", call)).await.unwrap();
    let skipped = next(&mut reader).await.unwrap_err();
    assert!(skipped.is_too_large() && !skipped.is_fatal(), "{skipped:?}");
    let answer = next(&mut reader).await.unwrap();
    assert_eq!(answer.id(), Some(&RequestId::Number(2)));
    assert!(matches!(answer, Message::Response(_)), "{answer:?}");

    // An oversized JSON body is skipped, and its request fails at once.
    let call = json!({ "name": "big", "arguments": { "progress": 0, "result": 10_000 } });
    writer.send(request(3, "tools/call", call)).await.unwrap();
    let skipped = next(&mut reader).await.unwrap_err();
    assert!(skipped.is_too_large(), "{skipped:?}");
    let failed = next(&mut reader).await.unwrap();
    let Message::Error(failed) = failed else {
        panic!("{failed:?}")
    };
    assert_eq!(failed.id, Some(RequestId::Number(3)));
    assert_eq!(failed.error.code, ErrorCode::INTERNAL_ERROR);

    // The connection goes on; closing ends the session and then the reader.
    let call = json!({ "name": "big", "arguments": { "progress": 0, "result": 3 } });
    writer.send(request(4, "tools/call", call)).await.unwrap();
    assert_eq!(
        next(&mut reader).await.unwrap().id(),
        Some(&RequestId::Number(4))
    );
    assert_eq!(server.endpoint.streamable_http().session_count(), 1);
    writer.close().await.unwrap();
    assert_eq!(server.endpoint.streamable_http().session_count(), 0);
    let end = tokio::time::timeout(WAIT, reader.next()).await.unwrap();
    assert!(end.is_none(), "{end:?}");
}

#[tokio::test]
async fn param_headers_follow_the_tool_listing() {
    let server = TestServer::serve(
        mcplex_toolsets::conformance().build(),
        SseOptions::default(),
    )
    .await;
    let client = Client::connect(
        transport_with(&url(&server), ClientOptions::default()).await,
        stateless(),
    )
    .await
    .unwrap();
    // Before the listing, the client cannot know that `region` goes into a header.
    let err = client
        .call_tool("test_custom_header", json!({ "region": "eu-west" }))
        .await
        .unwrap_err();
    assert_eq!(rpc_code(&err), ErrorCode::HEADER_MISMATCH, "{err:?}");

    client.list_tools().await.unwrap();
    for region in ["eu-west", "Zürich", " padded "] {
        let result = client
            .call_tool("test_custom_header", json!({ "region": region }))
            .await
            .unwrap();
        let text = serde_json::to_value(&result.content).unwrap()[0]["text"].clone();
        assert!(
            text.as_str().unwrap().contains(&json!(region).to_string()),
            "{region}: {text}"
        );
    }
    client.close().await.unwrap();
}
