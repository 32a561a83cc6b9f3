//! The shared transport suite over Unix sockets: the fixture toolset served by
//! `Server::serve_connection` on each accepted connection, reached through `connect`
//! (message checks) or the raw socket (malformed input checks). One test per check.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use mcplex_example_unix::{Listener, UnixTransport, connect};
use mcplex_test::{Connected, RawConnection, fixture_server, suite};
use mcplex_transport::Transport as _;
use tokio::net::UnixStream;

/// A socket path of its own for each connection of this test process.
fn socket_path() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("mcplex-unix-{}-{n}.sock", std::process::id()))
}

/// Listens at a fresh path and serves the first connection with the fixture server; `served`
/// completes when serving it ends (and fails if it ended with an error).
async fn listen() -> (PathBuf, impl Future<Output = ()> + Send + 'static) {
    let path = socket_path();
    let listener = Listener::bind(&path).expect("bind a unix socket");
    let task = tokio::spawn(async move {
        let transport = listener.accept().await.expect("accept");
        let result = fixture_server().serve_connection(transport).await;
        let _ = std::fs::remove_file(listener.path());
        result
    });
    let served = async move {
        task.await
            .expect("the serving task panicked")
            .expect("serving the connection failed");
    };
    (path, served)
}

async fn connected() -> Connected<UnixTransport> {
    let (path, served) = listen().await;
    let client = connect(&path).await.expect("connect");
    Connected::new(client, served)
}

async fn raw() -> Connected<RawConnection> {
    let (path, served) = listen().await;
    let stream = UnixStream::connect(&path).await.expect("connect");
    let (read, write) = stream.into_split();
    Connected::new(RawConnection::ndjson(read, write), served)
}

#[tokio::test]
async fn stateful_round_trip() {
    suite::stateful_round_trip(connected().await).await;
}

#[tokio::test]
async fn stateless_round_trip() {
    suite::stateless_round_trip(connected().await).await;
}

#[tokio::test]
async fn pipelined_calls() {
    suite::pipelined_calls(connected().await).await;
}

#[tokio::test]
async fn progress_before_result() {
    suite::progress_before_result(connected().await).await;
}

#[tokio::test]
async fn cancellation_stops_call() {
    suite::cancellation_stops_call(connected().await).await;
}

#[tokio::test]
async fn close_ends_serving() {
    suite::close_ends_serving(connected().await).await;
}

#[tokio::test]
async fn malformed_input_gets_parse_error() {
    suite::malformed_input_gets_parse_error(raw().await).await;
}

#[tokio::test]
async fn invalid_message_gets_invalid_request() {
    suite::invalid_message_gets_invalid_request(raw().await).await;
}

#[tokio::test]
async fn the_whole_suite_in_one_go() {
    suite::transport_suite(connected).await;
    suite::raw_suite(raw).await;
}

#[tokio::test]
async fn connections_are_named_unix() {
    let (path, served) = listen().await;
    let client = connect(&path).await.expect("connect");
    let info = client.info();
    assert_eq!(info.transport(), "unix");
    assert_eq!(info.peer_addr(), path.to_str());
    drop(client);
    served.await;
}
