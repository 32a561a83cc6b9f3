//! The shared transport suite over WebSocket: the fixture toolset served by an [`Endpoint`]
//! (through its HTTP upgrade route, and through the raw accept), reached with
//! `mcplex_ws::connect`. One test per check, plus the whole suite over the raw accept.
//!
//! The raw suite's malformed-input check also sends invalid UTF-8, which a WebSocket server
//! answers with close 1007 rather than a JSON-RPC error (see `bad_input.rs`); the malformed
//! JSON part of it is checked there too.

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mcplex_test::{Connected, RawConnection, RawWrite, fixture_server, suite};
use mcplex_ws::{ClientOptions, Endpoint, WsOptions, WsTransport, connect};
use support::{Harness, Raw};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// A fresh endpoint serving the fixture, and one client connection to it; `served` completes
/// when the endpoint has no connection open any more.
async fn connected() -> Connected<WsTransport> {
    let harness = Harness::fixture().await;
    let client = harness.connect().await;
    Connected::new(client, async move {
        harness.served(1, Duration::from_secs(5)).await;
        harness.stop().await;
    })
}

/// A raw WebSocket client whose payloads go out as text frames as they are.
struct RawText(Option<futures_util::stream::SplitSink<Raw, Message>>);

impl RawWrite for RawText {
    fn write_raw<'a>(
        &'a mut self,
        payload: &'a [u8],
    ) -> futures_util::future::BoxFuture<'a, std::io::Result<()>> {
        Box::pin(async move {
            let sink = self.0.as_mut().ok_or(std::io::ErrorKind::BrokenPipe)?;
            let text = String::from_utf8(payload.to_vec()).map_err(std::io::Error::other)?;
            sink.send(Message::text(text))
                .await
                .map_err(std::io::Error::other)
        })
    }

    fn close(&mut self) -> futures_util::future::BoxFuture<'_, std::io::Result<()>> {
        Box::pin(async move {
            match self.0.take() {
                Some(mut sink) => sink.close().await.map_err(std::io::Error::other),
                None => Ok(()),
            }
        })
    }
}

async fn raw() -> Connected<RawConnection> {
    let harness = Harness::fixture().await;
    let (sink, stream) = harness.raw(Some("mcp")).await.split();
    let reader = stream.filter_map(|frame| async move {
        match frame {
            Ok(Message::Text(text)) => Some(
                mcplex_protocol::decode(text.as_bytes()).map_err(mcplex_transport::Error::decode),
            ),
            Ok(_) => None,
            Err(e) => Some(Err(mcplex_transport::Error::other(e))),
        }
    });
    Connected::new(
        RawConnection::new(reader, RawText(Some(sink))),
        async move {
            harness.served(1, Duration::from_secs(5)).await;
            harness.stop().await;
        },
    )
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
async fn invalid_message_gets_invalid_request() {
    suite::invalid_message_gets_invalid_request(raw().await).await;
}

/// The whole message suite against [`Endpoint::accept`] on a plain TCP listener: no HTTP
/// router in front.
#[tokio::test]
async fn the_suite_over_the_raw_accept() {
    let endpoint = Endpoint::new(fixture_server(), WsOptions::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/any/path", listener.local_addr().unwrap());
    suite::transport_suite(|| {
        let endpoint = endpoint.clone();
        let url = url.clone();
        let listener = &listener;
        async move {
            // Accept in the background: the handshake needs the client going at the same time.
            let accept = async {
                let (stream, peer) = listener.accept().await.unwrap();
                let task = tokio::spawn(async move { endpoint.accept(stream, Some(peer)).await });
                Some(task)
            };
            let options = ClientOptions::default();
            let (served, client) = tokio::join!(accept, connect(&url, &options));
            let served = served.expect("accepted");
            Connected::new(client.expect("connect"), async move {
                served
                    .await
                    .expect("the accept task panicked")
                    .expect("the handshake failed");
            })
        }
    })
    .await;
}
