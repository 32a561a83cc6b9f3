//! The request-oriented contract: replies, reply streams, request context and extensions.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::{StreamExt, stream};
use mcplex_protocol::{Message, Notification, ProtocolVersion, Response};
use mcplex_transport::{Dispatch, Extensions, Reply, ReplyStream, RequestContext};
use serde_json::json;

fn note(n: i64) -> Message {
    Message::Notification(
        Notification::new("notifications/progress", &json!({"progress": n})).unwrap(),
    )
}

fn response(id: i64) -> Message {
    Message::Response(Response::new(id.into(), &json!({})).unwrap())
}

/// Sets a flag when dropped, standing in for a request's cancellation token.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

struct Server {
    cancelled: Arc<AtomicBool>,
}

impl Dispatch for Server {
    async fn dispatch(&self, message: Message, cx: RequestContext) -> Reply {
        let Message::Request(req) = message else {
            return Reply::Accepted;
        };
        if cx.session_id().is_none() {
            return Reply::Response(response(0));
        }
        let guard = CancelOnDrop(self.cancelled.clone());
        let id = match req.id {
            mcplex_protocol::RequestId::Number(n) => n,
            mcplex_protocol::RequestId::String(_) => 0,
        };
        let messages = stream::iter([note(1), note(2), response(id)]).map(move |m| {
            let _ = &guard;
            m
        });
        Reply::Stream(ReplyStream::new(messages))
    }
}

fn request(id: i64) -> Message {
    mcplex_protocol::decode(
        format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call"}}"#).as_bytes(),
    )
    .unwrap()
}

fn server() -> (Arc<Server>, Arc<AtomicBool>) {
    let cancelled = Arc::new(AtomicBool::new(false));
    (
        Arc::new(Server {
            cancelled: cancelled.clone(),
        }),
        cancelled,
    )
}

#[tokio::test]
async fn replies_take_each_shape() {
    let (server, _) = server();
    assert!(matches!(
        server.dispatch(note(1), RequestContext::new()).await,
        Reply::Accepted
    ));
    let Reply::Response(message) = server.dispatch(request(5), RequestContext::new()).await else {
        panic!("expected a response");
    };
    assert_eq!(message, response(0));

    let cx = RequestContext::new().with_session_id("s1");
    let Reply::Stream(stream) = server.dispatch(request(5), cx).await else {
        panic!("expected a stream");
    };
    assert_eq!(format!("{stream:?}"), "ReplyStream { .. }");
    let messages: Vec<_> = stream.collect().await;
    assert_eq!(messages, [note(1), note(2), response(5)]);
}

#[tokio::test]
async fn dropping_the_reply_stream_cancels_the_request() {
    let (server, cancelled) = server();
    let cx = RequestContext::new().with_session_id("s1");
    let Reply::Stream(mut stream) = server.dispatch(request(1), cx).await else {
        panic!("expected a stream");
    };
    assert_eq!(stream.next().await, Some(note(1)));
    assert!(!cancelled.load(Ordering::SeqCst));
    drop(stream);
    assert!(cancelled.load(Ordering::SeqCst));
}

#[test]
fn request_context_holds_session_version_and_extensions() {
    #[derive(Clone, Debug, PartialEq)]
    struct Principal(&'static str);
    #[derive(Clone, Debug, PartialEq)]
    struct Scope(&'static str);

    let empty = RequestContext::new();
    assert_eq!(empty.session_id(), None);
    assert_eq!(empty.protocol_version(), None);
    assert!(empty.extensions().is_empty());

    let mut connection = Extensions::new();
    connection.insert(Principal("alice"));
    let mut cx = RequestContext::new()
        .with_extensions(connection)
        .with_extension(Scope("tools"))
        .with_session_id("abc")
        .with_protocol_version(ProtocolVersion::V2025_11_25);
    cx.extensions_mut().insert(Scope("admin"));

    let copy = cx.clone();
    assert_eq!(copy.session_id(), Some("abc"));
    assert_eq!(copy.protocol_version(), Some(ProtocolVersion::V2025_11_25));
    assert_eq!(
        copy.extensions().get::<Principal>(),
        Some(&Principal("alice"))
    );
    assert_eq!(copy.extensions().get::<Scope>(), Some(&Scope("admin")));
}

#[test]
fn extensions_store_one_value_per_type() {
    #[derive(Clone, Debug, PartialEq)]
    struct A(u32);
    #[derive(Clone, Debug, PartialEq)]
    struct B(String);

    let mut ext = Extensions::new();
    assert_eq!(ext.insert(A(1)), None);
    assert_eq!(ext.insert(A(2)), Some(A(1)));
    ext.insert(B("x".into()));
    assert_eq!(ext.len(), 2);
    assert_eq!(format!("{ext:?}"), "Extensions { len: 2 }");

    let mut copy = ext.clone();
    copy.get_mut::<A>().unwrap().0 = 3;
    assert_eq!(ext.get::<A>(), Some(&A(2)));
    assert_eq!(copy.get::<A>(), Some(&A(3)));

    let mut more = Extensions::new();
    more.insert(A(9));
    ext.extend(more);
    assert_eq!(ext.get::<A>(), Some(&A(9)));
    assert_eq!(ext.remove::<B>(), Some(B("x".into())));
    assert_eq!(ext.remove::<B>(), None);
    assert_eq!(ext.get::<u32>(), None);
    assert_eq!(ext.len(), 1);
}

#[test]
fn extension_clones_are_independent_after_a_write() {
    let mut original = Extensions::new();
    original.insert(1u32);
    let mut copy = original.clone();
    copy.insert(2u32);
    copy.insert("only in the copy");
    *copy.get_mut::<u32>().unwrap() += 1;
    assert_eq!(original.get::<u32>(), Some(&1));
    assert_eq!(original.get::<&str>(), None);
    assert_eq!(copy.get::<u32>(), Some(&3));
    assert_eq!(original.remove::<u32>(), Some(1));
    assert_eq!(copy.get::<u32>(), Some(&3));
    assert!(original.is_empty());
    assert_eq!(copy.len(), 2);
}
