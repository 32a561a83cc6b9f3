//! [`MemoryFanout`]: topics backed by `tokio::sync::broadcast` channels.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, Weak};

use bytes::Bytes;
use tokio::sync::broadcast::{self, error::RecvError};

use super::lock;
use crate::state::{BoxFuture, Error, Fanout, Lagged, Result, Subscription, Topic};

/// An in-process [`Fanout`]: each topic with subscribers is a `tokio::sync::broadcast` channel.
///
/// A channel is created by the first subscription to its topic and removed when the last one
/// is dropped, so the number of topics stays bounded by the number of live subscriptions;
/// publishing to a topic nobody listens to keeps nothing. Each channel buffers
/// [`capacity`](MemoryFanout::with_capacity) payloads (1024 by default); a subscriber that falls
/// further behind loses the oldest ones it has not read (logged at `debug` and counted by
/// [`Subscription::lost`]). A channel allocates its whole buffer up front, so memory grows with
/// capacity times the number of topics with subscribers.
///
/// Clones share the same topics. [`shutdown`](MemoryFanout::shutdown), or dropping every
/// clone, ends all subscriptions.
#[derive(Clone)]
pub struct MemoryFanout {
    inner: Arc<Inner>,
}

struct Inner {
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    topics: HashMap<Topic, Channel>,
    next_id: u64,
    closed: bool,
}

struct Channel {
    /// Tells this channel apart from a later one on the same topic.
    id: u64,
    sender: broadcast::Sender<Bytes>,
    subscribers: usize,
}

impl MemoryFanout {
    /// The default per-subscription buffer, in payloads.
    pub const DEFAULT_CAPACITY: usize = 1024;
    /// The largest accepted buffer; larger requests are lowered to it.
    pub const MAX_CAPACITY: usize = 1 << 20;

    /// A fanout with the default buffer of [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY)
    /// payloads per subscription.
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A fanout that buffers `capacity` payloads per subscription (at least 1, at most
    /// [`MAX_CAPACITY`](Self::MAX_CAPACITY)).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                capacity: capacity.clamp(1, Self::MAX_CAPACITY),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// The number of topics that currently have subscribers.
    pub fn topic_count(&self) -> usize {
        lock(&self.inner.state).topics.len()
    }

    /// Ends every subscription (after it has read what was already buffered) and makes further
    /// `publish` and `subscribe` calls fail as unavailable.
    pub fn shutdown(&self) {
        let topics = {
            let mut state = lock(&self.inner.state);
            state.closed = true;
            std::mem::take(&mut state.topics)
        };
        drop(topics);
    }

    fn try_subscribe(&self, topic: &Topic) -> Result<Subscription> {
        let mut state = lock(&self.inner.state);
        if state.closed {
            return Err(Error::unavailable(ShutDown));
        }
        let next_id = state.next_id;
        state.next_id += 1;
        let capacity = self.inner.capacity;
        let channel = state
            .topics
            .entry(topic.clone())
            .or_insert_with(|| Channel {
                id: next_id,
                sender: broadcast::channel(capacity).0,
                subscribers: 0,
            });
        channel.subscribers += 1;
        let receiver = channel.sender.subscribe();
        let guard = Unsubscribe {
            fanout: Arc::downgrade(&self.inner),
            topic: topic.clone(),
            id: channel.id,
        };
        drop(state);
        let messages =
            futures_util::stream::unfold((receiver, guard), |(mut rx, guard)| async move {
                let item = match rx.recv().await {
                    Ok(payload) => Ok(payload),
                    Err(RecvError::Lagged(n)) => Err(Lagged(n)),
                    Err(RecvError::Closed) => return None,
                };
                Some((item, (rx, guard)))
            });
        Ok(Subscription::new(topic.clone(), messages))
    }

    fn try_publish(&self, topic: &Topic, payload: Bytes) -> Result<()> {
        let state = lock(&self.inner.state);
        if state.closed {
            return Err(Error::unavailable(ShutDown));
        }
        if let Some(channel) = state.topics.get(topic) {
            // Fails only when every receiver is gone, which the bookkeeping rules out; either
            // way the payload has nobody to reach.
            let _ = channel.sender.send(payload);
        }
        Ok(())
    }
}

impl Default for MemoryFanout {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryFanout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryFanout")
            .field("capacity", &self.inner.capacity)
            .field("topics", &self.topic_count())
            .finish()
    }
}

impl Fanout for MemoryFanout {
    fn publish<'a>(&'a self, topic: &'a Topic, payload: Bytes) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { self.try_publish(topic, payload) })
    }

    fn subscribe<'a>(&'a self, topic: &'a Topic) -> BoxFuture<'a, Result<Subscription>> {
        Box::pin(async move { self.try_subscribe(topic) })
    }
}

/// Unsubscribes when the subscription's stream is dropped: the topic's channel goes with its
/// last subscriber.
struct Unsubscribe {
    fanout: Weak<Inner>,
    topic: Topic,
    id: u64,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        let Some(inner) = self.fanout.upgrade() else {
            return;
        };
        let mut state = lock(&inner.state);
        if let Some(channel) = state.topics.get_mut(&self.topic)
            && channel.id == self.id
        {
            channel.subscribers = channel.subscribers.saturating_sub(1);
            if channel.subscribers == 0 {
                state.topics.remove(&self.topic);
            }
        }
    }
}

/// The source of the error returned after [`MemoryFanout::shutdown`].
#[derive(Debug, thiserror::Error)]
#[error("fanout shut down")]
struct ShutDown;
