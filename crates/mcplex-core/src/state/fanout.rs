//! The [`Fanout`] trait and [`Subscription`] streams.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;

use super::{BoxFuture, Result, Topic};

/// Publish/subscribe of opaque payloads on [`Topic`]s, across every instance that shares the
/// backend.
///
/// Guarantees every implementation keeps (and no more):
///
/// - **At-most-once delivery.** A payload reaches each subscription that exists when it is
///   published at most once. Payloads published while nobody subscribes are dropped, and a
///   backend outage may drop payloads. Where loss is not acceptable (SSE resumption), callers
///   also write to an [`EventStore`](super::EventStore).
/// - **Per-publisher order.** Payloads that one publisher publishes on one topic, each after
///   the previous `publish` completed, arrive in that order. Nothing is promised across topics
///   or between publishers.
/// - **No cross-topic leakage.** A subscription yields only payloads published on its topic.
/// - **Publishers never wait for subscribers.** Each subscription has a bounded buffer; a
///   subscriber that falls behind by more than its buffer loses the oldest payloads it has not
///   read yet. [`Subscription::lost`] counts them, and `publish` does not block.
/// - **Lifecycle.** Dropping a [`Subscription`] unsubscribes; the stream ends (`None`) when the
///   fanout shuts down.
pub trait Fanout: Send + Sync + fmt::Debug + 'static {
    /// Publishes `payload` to every current subscription of `topic`, on every instance.
    fn publish<'a>(&'a self, topic: &'a Topic, payload: Bytes) -> BoxFuture<'a, Result<()>>;

    /// Subscribes to `topic`. Payloads published after the returned future completes are
    /// delivered to the subscription.
    fn subscribe<'a>(&'a self, topic: &'a Topic) -> BoxFuture<'a, Result<Subscription>>;
}

/// Messages a backend lost for one subscription because its reader fell behind (the number of
/// lost messages), reported through the stream given to [`Subscription::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lagged(pub u64);

type Messages = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, Lagged>> + Send>>;

/// The payloads published on one topic, as a [`Stream`]; dropping it unsubscribes.
///
/// The stream ends (`None`) when the fanout shuts down. Payloads lost because this reader fell
/// behind are skipped and counted by [`lost`](Subscription::lost).
pub struct Subscription {
    topic: Topic,
    messages: Messages,
    lost: u64,
}

impl Subscription {
    /// Wraps a backend's message stream for `topic`.
    ///
    /// `messages` yields each payload, or [`Lagged`] when payloads were lost; it unsubscribes
    /// from the backend when dropped and ends when the backend shuts down.
    pub fn new<S>(topic: Topic, messages: S) -> Self
    where
        S: Stream<Item = std::result::Result<Bytes, Lagged>> + Send + 'static,
    {
        Self {
            topic,
            messages: Box::pin(messages),
            lost: 0,
        }
    }

    /// The topic this subscription listens to.
    pub fn topic(&self) -> &Topic {
        &self.topic
    }

    /// How many payloads this subscription has lost so far because it fell behind.
    pub fn lost(&self) -> u64 {
        self.lost
    }
}

impl Stream for Subscription {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        loop {
            match ready!(self.messages.as_mut().poll_next(cx)) {
                Some(Ok(payload)) => return Poll::Ready(Some(payload)),
                Some(Err(Lagged(n))) => {
                    self.lost = self.lost.saturating_add(n);
                    tracing::debug!(topic = %self.topic, lost = n, "subscriber lagged; payloads skipped");
                }
                None => return Poll::Ready(None),
            }
        }
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("topic", &self.topic)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}
