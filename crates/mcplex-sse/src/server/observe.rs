//! Following a request to its end: metrics, its span, and telling its session when the
//! client goes away first.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt as _;
use mcplex_core::StreamableHttp;
use mcplex_protocol::model::CancelledParams;
use mcplex_protocol::{Message, Notification, RequestId, method};
use mcplex_transport::{ReplyStream, RequestContext};
use tokio::time::Instant;
use tracing::Span;

use super::metrics::{Metrics, Outcome};

/// Whether `message` is the final response to the request `id`.
pub(super) fn is_final(message: &Message, id: Option<&RequestId>) -> bool {
    match message {
        Message::Response(r) => Some(&r.id) == id,
        Message::Error(e) => e.id.as_ref() == id,
        _ => false,
    }
}

/// A stateful request whose client went away before its answer: the session is told with
/// `notifications/cancelled`, so that it forgets the request (its id and in-flight slot).
#[derive(Clone)]
pub(super) struct Abandon {
    pub(super) http: StreamableHttp,
    pub(super) cx: RequestContext,
    pub(super) id: RequestId,
}

impl Abandon {
    fn fire(self) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let params = CancelledParams {
            request_id: Some(self.id),
            reason: Some("the client went away".to_owned()),
            ..CancelledParams::default()
        };
        let Ok(notification) = Notification::new(method::CANCELLED, &params) else {
            return;
        };
        handle.spawn(async move {
            let _ = self
                .http
                .handle(Message::Notification(notification), self.cx)
                .await;
        });
    }
}

/// Counts a request as cancelled (and tells its session) when dropped while still armed.
pub(super) struct Waiting {
    pub(super) metrics: Option<Arc<Metrics>>,
    pub(super) method: &'static str,
    pub(super) abandon: Option<Abandon>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(metrics) = &self.metrics {
            metrics.count(self.method, Outcome::Cancelled);
        }
        if let Some(abandon) = self.abandon.take() {
            abandon.fire();
        }
    }
}

/// A request's reply stream, observed for metrics and run inside the request's span.
pub(super) struct Observed {
    pub(super) inner: ReplyStream,
    pub(super) id: Option<RequestId>,
    pub(super) method: &'static str,
    pub(super) started: Instant,
    pub(super) metrics: Arc<Metrics>,
    pub(super) span: Span,
    /// Whether the final response went by.
    pub(super) done: bool,
    pub(super) abandon: Option<Abandon>,
}

impl Stream for Observed {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        let this = &mut *self;
        let _entered = this.span.enter();
        let next = this.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(message)) = &next
            && !this.done
            && is_final(message, this.id.as_ref())
        {
            this.done = true;
            let outcome = match message {
                Message::Error(_) => Outcome::Error,
                _ => Outcome::Ok,
            };
            this.metrics
                .observe(this.method, outcome, this.started.elapsed());
        }
        next
    }
}

impl Drop for Observed {
    fn drop(&mut self) {
        if !self.done {
            self.metrics.count(self.method, Outcome::Cancelled);
            if let Some(abandon) = self.abandon.take() {
                abandon.fire();
            }
        }
    }
}
