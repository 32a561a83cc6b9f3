//! The in-memory pair: delivery both ways, close propagation and backpressure.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::Poll;

use futures_sink::Sink;
use futures_util::{FutureExt, SinkExt, StreamExt};
use mcplex_protocol::{Message, Request, RequestId};
use mcplex_transport::{Transport, memory};

fn ping(id: i64) -> Message {
    Message::Request(Request {
        id: RequestId::Number(id),
        method: "ping".into(),
        params: None,
    })
}

#[tokio::test]
async fn messages_travel_both_ways() {
    let (a, b) = memory::pair(4);
    let (mut a_in, mut a_out, _) = a.split();
    let (mut b_in, mut b_out, _) = b.split();

    a_out.send(ping(1)).await.unwrap();
    a_out.send(ping(2)).await.unwrap();
    b_out.send(ping(3)).await.unwrap();

    assert_eq!(b_in.next().await.unwrap().unwrap(), ping(1));
    assert_eq!(b_in.next().await.unwrap().unwrap(), ping(2));
    assert_eq!(a_in.next().await.unwrap().unwrap(), ping(3));
}

#[tokio::test]
async fn dropping_one_end_closes_the_other() {
    let (a, b) = memory::pair(4);
    let (mut a_in, mut a_out, _) = a.split();
    let (_, mut b_out, _) = b.split();
    b_out.send(ping(1)).await.unwrap();
    drop(b_out);

    // Messages sent before the drop are still delivered, then the reader ends cleanly.
    assert_eq!(a_in.next().await.unwrap().unwrap(), ping(1));
    assert!(a_in.next().await.is_none());

    // `b`'s reader was dropped by the `split` pattern above: writing fails as closed.
    let err = a_out.send(ping(2)).await.unwrap_err();
    assert!(err.is_closed());
    assert!(err.is_fatal());
}

#[tokio::test]
async fn dropping_a_whole_transport_closes_the_other_end() {
    let (a, b) = memory::pair(4);
    drop(b);
    let (mut a_in, mut a_out, _) = a.split();
    assert!(a_in.next().await.is_none());
    assert!(a_out.send(ping(1)).await.unwrap_err().is_closed());
}

#[tokio::test]
async fn closing_the_writer_ends_the_peer_reader_after_pending_messages() {
    let (a, b) = memory::pair(4);
    let (_a_in, mut a_out, _) = a.split();
    let (mut b_in, mut b_out, _) = b.split();
    a_out.feed(ping(1)).await.unwrap();
    a_out.close().await.unwrap();

    assert_eq!(b_in.next().await.unwrap().unwrap(), ping(1));
    assert!(b_in.next().await.is_none());
    // The other direction stays open.
    b_out.send(ping(2)).await.unwrap();
}

#[tokio::test]
async fn a_full_channel_makes_the_writer_wait() {
    let (a, b) = memory::pair(1);
    let (_a_in, mut a_out, _) = a.split();
    let (mut b_in, _b_out, _) = b.split();

    a_out.send(ping(1)).await.unwrap();
    let ready = poll_fn(|cx| Poll::Ready(Pin::new(&mut a_out).poll_ready(cx))).await;
    assert!(ready.is_pending());
    assert!(a_out.send(ping(2)).now_or_never().is_none());

    assert_eq!(b_in.next().await.unwrap().unwrap(), ping(1));
    a_out.send(ping(3)).await.unwrap();
    assert_eq!(b_in.next().await.unwrap().unwrap(), ping(3));
}

#[tokio::test]
async fn each_end_has_its_own_connection_info() {
    #[derive(Clone, Debug, PartialEq)]
    struct User(&'static str);

    let (mut a, b) = memory::pair(1);
    assert_eq!(a.info().transport(), "memory");
    a.info_mut().extensions_mut().insert(User("alice"));
    let (_, _, a_info) = a.split();
    let (_, _, b_info) = b.split();
    assert_eq!(a_info.extensions().get::<User>(), Some(&User("alice")));
    assert!(b_info.extensions().is_empty());
    assert_eq!(b_info.peer_addr(), None);
}

#[test]
#[should_panic]
fn zero_capacity_panics() {
    let _ = memory::pair(0);
}
