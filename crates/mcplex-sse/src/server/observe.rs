//! Following a request to its end: metrics and its span.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt as _;
use mcplex_protocol::{Message, RequestId};
use mcplex_transport::ReplyStream;
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

/// Counts a request as cancelled when dropped while still armed.
pub(super) struct Waiting {
    pub(super) metrics: Option<Arc<Metrics>>,
    pub(super) method: &'static str,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(metrics) = &self.metrics {
            metrics.count(self.method, Outcome::Cancelled);
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
        }
    }
}
