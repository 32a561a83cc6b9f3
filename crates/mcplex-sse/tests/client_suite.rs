//! The shared transport suite over both HTTP client transports: Streamable HTTP (`/mcp`) and
//! the legacy HTTP+SSE transport (`/sse`), each against a fresh `mcplex_sse` endpoint serving
//! the fixture toolset on a loopback port. One test per check and transport.
//!
//! The raw suite (`suite::raw_suite`) is not run here: it writes bytes that are not messages
//! (broken JSON, invalid UTF-8), and these client transports carry messages only — each one
//! is encoded by the transport itself into a request body. Bad bodies over HTTP are covered
//! by `bad_input.rs` with a raw HTTP client.

mod support;

use std::time::{Duration, Instant};

use mcplex_sse::{
    ClientOptions, Endpoint, LegacySseClient, LegacySseTransport, SseOptions, StreamableHttpClient,
    StreamableHttpTransport,
};
use mcplex_test::{Connected, fixture_server, suite};
use support::TestServer;

/// Completes once the endpoint holds no session, no legacy connection and no open stream;
/// the server is stopped then.
async fn served(server: TestServer) {
    let endpoint: Endpoint = server.endpoint.clone();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let sessions = endpoint.streamable_http().session_count();
        let legacy = endpoint.legacy_session_count();
        let streams = endpoint.open_streams();
        if sessions == 0 && legacy == 0 && streams == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still serving 5 s after the client closed: {sessions} sessions, \
             {legacy} legacy connections, {streams} streams"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    drop(server);
}

async fn streamable() -> Connected<StreamableHttpTransport> {
    let server = TestServer::serve(fixture_server(), SseOptions::default()).await;
    let url = format!("http://{}/mcp", server.addr);
    let transport = StreamableHttpClient::connect(&url, ClientOptions::default())
        .await
        .unwrap();
    Connected::new(transport, served(server))
}

async fn legacy() -> Connected<LegacySseTransport> {
    let server = TestServer::serve(fixture_server(), SseOptions::default()).await;
    let url = format!("http://{}/sse", server.addr);
    let transport = LegacySseClient::connect(&url, ClientOptions::default())
        .await
        .unwrap();
    assert_eq!(server.endpoint.legacy_session_count(), 1);
    Connected::new(transport, served(server))
}

macro_rules! checks {
    ($($check:ident),* $(,)?) => {
        mod streamable_http {
            $(
                #[tokio::test]
                async fn $check() {
                    mcplex_test::suite::$check(super::streamable().await).await;
                }
            )*
        }
        mod legacy_sse {
            $(
                #[tokio::test]
                async fn $check() {
                    mcplex_test::suite::$check(super::legacy().await).await;
                }
            )*
        }
    };
}

checks!(
    stateful_round_trip,
    stateless_round_trip,
    pipelined_calls,
    progress_before_result,
    cancellation_stops_call,
    close_ends_serving,
);

/// The whole suite in one go, on a multi-threaded runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_suite_over_both_transports() {
    suite::transport_suite(streamable).await;
    suite::transport_suite(legacy).await;
}
