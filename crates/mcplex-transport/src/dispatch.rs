//! The request-oriented contract: one incoming message in, the related outgoing messages out.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use mcplex_protocol::{Message, ProtocolVersion};

use crate::Extensions;

/// Handles messages one at a time, for transports where each incoming message arrives on its
/// own request and its answer goes back on that request (Streamable HTTP).
///
/// `mcplex-core`'s server implements this trait; an HTTP transport calls it for each message
/// of a POST and turns the [`Reply`] into a response: `202 Accepted`, a JSON body, or an SSE
/// stream.
///
/// # Contract
///
/// - [`dispatch`](Dispatch::dispatch) resolves as soon as the first outgoing message related
///   to the incoming one is known (or as soon as it is known that there is none), not when the
///   request is finished. A handler that finishes without sending anything first resolves to
///   [`Reply::Response`], with no channel and no stream in between.
/// - Cancellation is part of the contract: dropping the future returned by `dispatch`, or
///   dropping the [`ReplyStream`], cancels the request (the HTTP client went away).
/// - [`RequestContext`] carries what the transport knows about the HTTP request: the session
///   id, the protocol version from the headers, and [`Extensions`] such as the authenticated
///   principal.
///
/// # Example
///
/// ```
/// use mcplex_protocol::{Message, Response};
/// use mcplex_transport::{Dispatch, Reply, RequestContext};
///
/// struct Echo;
///
/// impl Dispatch for Echo {
///     async fn dispatch(&self, message: Message, _cx: RequestContext) -> Reply {
///         match message {
///             Message::Request(req) => {
///                 let result = req.params.unwrap_or_else(mcplex_protocol::Payload::empty_object);
///                 Reply::Response(Message::Response(Response { id: req.id, result }))
///             }
///             _ => Reply::Accepted,
///         }
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let request = mcplex_protocol::decode(br#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#).unwrap();
/// let Reply::Response(reply) = Echo.dispatch(request, RequestContext::new()).await else {
///     panic!("expected a response");
/// };
/// assert_eq!(reply.to_json_string(), r#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
/// # }
/// ```
pub trait Dispatch: Send + Sync + 'static {
    /// Handles one incoming message; resolves as soon as the first outgoing message related to
    /// it is known. Dropping the future cancels the work.
    fn dispatch(&self, message: Message, cx: RequestContext) -> impl Future<Output = Reply> + Send;
}

impl<D: Dispatch> Dispatch for Arc<D> {
    fn dispatch(&self, message: Message, cx: RequestContext) -> impl Future<Output = Reply> + Send {
        (**self).dispatch(message, cx)
    }
}

/// What to send back for one incoming message.
#[derive(Debug)]
pub enum Reply {
    /// Nothing to send: the message was a notification or a response.
    Accepted,
    /// The final response, with nothing before it: the fast path, no channel, no stream.
    Response(Message),
    /// Related messages (notifications, server-to-client requests) followed by the final
    /// response; dropping the stream cancels the request.
    Stream(ReplyStream),
    /// The response to a request that opened a session: the transport must hand the client
    /// the new session id with it (on Streamable HTTP, the `Mcp-Session-Id` header).
    SessionCreated {
        /// The new session's id (visible ASCII).
        session_id: String,
        /// The response.
        response: Message,
    },
}

/// The outgoing messages related to one incoming request: zero or more notifications and
/// server-to-client requests, then the final response, then the end of the stream.
///
/// The consumer may stop polling after the final response. Dropping the stream before then
/// cancels the request. A stream that ends without a final response means the request was
/// abandoned (for example the server is shutting down); the consumer closes its side.
pub struct ReplyStream {
    inner: Pin<Box<dyn Stream<Item = Message> + Send>>,
}

impl ReplyStream {
    /// Wraps a stream of outgoing messages.
    pub fn new(stream: impl Stream<Item = Message> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(stream),
        }
    }
}

impl Stream for ReplyStream {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        self.inner.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl fmt::Debug for ReplyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyStream").finish_non_exhaustive()
    }
}

/// What the transport knows about the request that carried a message.
///
/// ```
/// use mcplex_protocol::ProtocolVersion;
/// use mcplex_transport::RequestContext;
///
/// #[derive(Clone)]
/// struct Principal(&'static str);
///
/// let cx = RequestContext::new()
///     .with_session_id("3f2a9c")
///     .with_protocol_version(ProtocolVersion::V2025_06_18)
///     .with_extension(Principal("alice"));
/// assert_eq!(cx.session_id(), Some("3f2a9c"));
/// assert_eq!(cx.protocol_version(), Some(ProtocolVersion::V2025_06_18));
/// assert_eq!(cx.extensions().get::<Principal>().unwrap().0, "alice");
/// ```
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    session_id: Option<String>,
    protocol_version: Option<ProtocolVersion>,
    extensions: Extensions,
}

impl RequestContext {
    /// A context with no session, no protocol version and no extensions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the session id the client sent (opaque to the transport).
    pub fn with_session_id(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }

    /// Sets the protocol version the transport read, for example from the
    /// `MCP-Protocol-Version` header.
    pub fn with_protocol_version(mut self, version: ProtocolVersion) -> Self {
        self.protocol_version = Some(version);
        self
    }

    /// Adds a value to the extensions, replacing one of the same type.
    pub fn with_extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Replaces the extensions.
    pub fn with_extensions(mut self, extensions: Extensions) -> Self {
        self.extensions = extensions;
        self
    }

    /// The session id the client sent, if any.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// The protocol version the transport read, if any.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.protocol_version
    }

    /// Data attached by the transport and outer layers.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Data attached by the transport and outer layers, mutably.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }
}
