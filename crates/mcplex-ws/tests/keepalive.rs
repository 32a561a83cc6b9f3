//! Ping/pong keep-alive: a quiet peer that answers pings stays connected; a peer that stops
//! answering is dropped (close 1001) within the pong timeout; the client side pings too.

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use mcplex_transport::Transport;
use mcplex_ws::{ClientOptions, WsOptions, connect};
use support::Harness;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

fn quick() -> WsOptions {
    WsOptions {
        ping_interval: Some(Duration::from_millis(50)),
        pong_timeout: Duration::from_millis(100),
        close_timeout: Duration::from_millis(200),
        ..WsOptions::default()
    }
}

#[tokio::test]
async fn a_quiet_peer_that_answers_pings_stays_connected() {
    let harness = Harness::start(mcplex_test::fixture_server(), quick()).await;
    let mut raw = harness.raw(Some("mcp")).await;
    let mut pings = 0;
    let until = Instant::now() + Duration::from_millis(500);
    while let Ok(frame) = tokio::time::timeout_at(until.into(), raw.next()).await {
        match frame {
            // Reading answers the ping with a pong.
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(pings >= 3, "{pings} pings in 500 ms");
    assert_eq!(harness.endpoint.open_connections(), 1);
    support::close(raw).await;
    harness.stop().await;
}

#[tokio::test]
async fn a_peer_that_stops_answering_is_dropped() {
    let harness = Harness::start(mcplex_test::fixture_server(), quick()).await;
    // Never read: pings are never answered.
    let raw = harness.raw(Some("mcp")).await;
    let started = Instant::now();
    harness.served(1, Duration::from_secs(5)).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "dropped after {took:?}");
    assert_eq!(
        harness.metric("mcplex_ws_closes_total{code=\"1001\",initiator=\"server\"} "),
        1
    );
    drop(raw);
    harness.stop().await;
}

#[tokio::test]
async fn the_client_pings_and_gives_up_on_a_dead_server() {
    // A server that completes the handshake and then never reads again.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        #[allow(
            clippy::result_large_err,
            reason = "the WebSocket library's callback signature"
        )]
        let callback =
            |_: &_, mut response: tokio_tungstenite::tungstenite::handshake::server::Response| {
                response
                    .headers_mut()
                    .insert("sec-websocket-protocol", "mcp".parse().unwrap());
                Ok(response)
            };
        let socket = tokio_tungstenite::accept_hdr_async(stream, callback)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(socket);
    });
    let options = ClientOptions::default()
        .with_ping_interval(Some(Duration::from_millis(50)))
        .with_pong_timeout(Duration::from_millis(100));
    let transport = connect(&url, &options).await.unwrap();
    let (mut reader, _writer, _) = transport.split();
    let started = Instant::now();
    let item = tokio::time::timeout(Duration::from_secs(5), reader.next())
        .await
        .expect("the reader gives up within 5 s");
    let error = item.expect("an error, not a clean end").unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(reader.next().await.is_none());
    server.abort();
}

#[tokio::test]
async fn a_client_that_pings_keeps_a_quiet_connection() {
    let options = WsOptions {
        ping_interval: None,
        ..WsOptions::default()
    };
    let harness = Harness::start(mcplex_test::fixture_server(), options).await;
    let client = ClientOptions::default()
        .with_ping_interval(Some(Duration::from_millis(20)))
        .with_pong_timeout(Duration::from_millis(100));
    let transport = connect(&harness.url(), &client).await.unwrap();
    let (mut reader, writer, _) = transport.split();
    let quiet = tokio::time::timeout(Duration::from_millis(400), reader.next()).await;
    assert!(quiet.is_err(), "the reader ended: {quiet:?}");
    assert_eq!(harness.endpoint.open_connections(), 1);
    drop((reader, writer));
    harness.served(1, Duration::from_secs(5)).await;
    harness.stop().await;
}
