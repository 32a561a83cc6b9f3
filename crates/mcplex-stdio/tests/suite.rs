//! The shared transport suite over a real child process: the fixture toolset served by
//! `mcplex_stdio::serve` in `mcplex-fixture-stdio`, reached through `mcplex_stdio::spawn`
//! (message checks) or its raw pipes (malformed input checks). One test per check.

use mcplex_test::{FIXTURE_STDIO_BIN, spawn_fixture_stdio, spawn_stdio_raw, suite};

#[tokio::test]
async fn stateful_round_trip() {
    suite::stateful_round_trip(spawn_fixture_stdio()).await;
}

#[tokio::test]
async fn stateless_round_trip() {
    suite::stateless_round_trip(spawn_fixture_stdio()).await;
}

#[tokio::test]
async fn pipelined_calls() {
    suite::pipelined_calls(spawn_fixture_stdio()).await;
}

#[tokio::test]
async fn progress_before_result() {
    suite::progress_before_result(spawn_fixture_stdio()).await;
}

#[tokio::test]
async fn cancellation_stops_call() {
    suite::cancellation_stops_call(spawn_fixture_stdio()).await;
}

#[tokio::test]
async fn close_ends_serving() {
    suite::close_ends_serving(spawn_fixture_stdio()).await;
}

#[tokio::test]
async fn malformed_input_gets_parse_error() {
    suite::malformed_input_gets_parse_error(spawn_stdio_raw(FIXTURE_STDIO_BIN, &[])).await;
}

#[tokio::test]
async fn invalid_message_gets_invalid_request() {
    suite::invalid_message_gets_invalid_request(spawn_stdio_raw(FIXTURE_STDIO_BIN, &[])).await;
}
