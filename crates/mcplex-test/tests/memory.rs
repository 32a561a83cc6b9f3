//! The shared transport suite over the in-memory transport, one test per check.

use mcplex_test::{fixture_server, serve_memory, suite};

#[tokio::test]
async fn stateful_round_trip() {
    suite::stateful_round_trip(serve_memory(fixture_server())).await;
}

#[tokio::test]
async fn stateless_round_trip() {
    suite::stateless_round_trip(serve_memory(fixture_server())).await;
}

#[tokio::test]
async fn pipelined_calls() {
    suite::pipelined_calls(serve_memory(fixture_server())).await;
}

#[tokio::test]
async fn progress_before_result() {
    suite::progress_before_result(serve_memory(fixture_server())).await;
}

#[tokio::test]
async fn cancellation_stops_call() {
    suite::cancellation_stops_call(serve_memory(fixture_server())).await;
}

#[tokio::test]
async fn close_ends_serving() {
    suite::close_ends_serving(serve_memory(fixture_server())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_suite_on_a_multi_threaded_runtime() {
    suite::transport_suite(|| async { serve_memory(fixture_server()) }).await;
}
