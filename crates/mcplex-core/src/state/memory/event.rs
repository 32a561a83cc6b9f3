//! [`MemoryEventStore`]: bounded per-stream event logs.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use bytes::Bytes;

use super::lock;
use crate::state::{BoxFuture, EventId, EventStore, Replay, Result, StreamId};

/// An in-process [`EventStore`].
///
/// Each stream keeps its newest `max_events_per_stream` events (1024 by default); older ones
/// are dropped. At most [`max_streams`](MemoryEventStore::with_max_streams) streams (10,000 by
/// default) are kept; appending to a new stream beyond that drops the least recently used one
/// (by last append or replay). So memory is bounded by the two caps times the message size.
///
/// Sequence numbers come from one counter for the whole store, so they increase along each
/// stream but are not contiguous, and an id issued before a stream was dropped is never
/// mistaken for an event of a later stream with the same [`StreamId`].
pub struct MemoryEventStore {
    max_events: usize,
    max_streams: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    streams: HashMap<StreamId, Log>,
    /// Streams by last use (the `used` tick), least recent first.
    by_use: BTreeMap<u64, StreamId>,
    /// The last tick handed out; sequence numbers and use ticks both come from it.
    tick: u64,
}

struct Log {
    /// Retained events, oldest first, with their sequence numbers.
    events: VecDeque<(u64, Bytes)>,
    /// The counter value when the stream was created: ids at or below it are not this
    /// stream's.
    created: u64,
    /// The sequence number of the newest dropped event; `created` if none was dropped.
    dropped: u64,
    /// The tick of the last append or replay.
    used: u64,
}

impl MemoryEventStore {
    /// The default number of events kept per stream.
    pub const DEFAULT_MAX_EVENTS_PER_STREAM: usize = 1024;
    /// The default number of streams kept.
    pub const DEFAULT_MAX_STREAMS: usize = 10_000;

    /// A store that keeps the newest `max_events_per_stream` events of each stream (at least 1)
    /// and the default number of streams.
    pub fn new(max_events_per_stream: usize) -> Self {
        Self {
            max_events: max_events_per_stream.max(1),
            max_streams: Self::DEFAULT_MAX_STREAMS,
            state: Mutex::new(State::default()),
        }
    }

    /// Keeps at most `max_streams` streams (at least 1), dropping the least recently used.
    pub fn with_max_streams(mut self, max_streams: usize) -> Self {
        self.max_streams = max_streams.max(1);
        self
    }

    /// The number of streams currently kept.
    pub fn stream_count(&self) -> usize {
        lock(&self.state).streams.len()
    }

    fn try_append(&self, stream: &StreamId, message: Bytes) -> EventId {
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        state.tick += 1;
        let seq = state.tick;
        if !state.streams.contains_key(stream) {
            while state.streams.len() >= self.max_streams {
                let Some((_, oldest)) = state.by_use.pop_first() else {
                    break;
                };
                state.streams.remove(&oldest);
            }
            let log = Log {
                events: VecDeque::new(),
                created: seq - 1,
                dropped: seq - 1,
                used: seq,
            };
            state.streams.insert(stream.clone(), log);
            state.by_use.insert(seq, stream.clone());
        }
        if let Some(log) = state.streams.get_mut(stream) {
            state.by_use.remove(&log.used);
            state.by_use.insert(seq, stream.clone());
            log.used = seq;
            log.events.push_back((seq, message));
            while log.events.len() > self.max_events {
                if let Some((dropped, _)) = log.events.pop_front() {
                    log.dropped = dropped;
                }
            }
        }
        EventId::new(stream.clone(), seq)
    }

    fn try_replay_after(&self, last: &EventId) -> Option<Replay> {
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        let log = state.streams.get_mut(last.stream())?;
        let seq = last.seq();
        // The events after `last` are all retained only if `last` is the newest dropped event
        // or one still retained; anything else is unknown, expired or another stream's id.
        let start = if seq == log.dropped && seq != log.created {
            0
        } else {
            log.events.binary_search_by_key(&seq, |(s, _)| *s).ok()? + 1
        };
        let events = log
            .events
            .range(start..)
            .map(|(s, payload)| (EventId::new(last.stream().clone(), *s), payload.clone()))
            .collect();
        state.tick += 1;
        state.by_use.remove(&log.used);
        state.by_use.insert(state.tick, last.stream().clone());
        log.used = state.tick;
        Some(Replay::new(last.stream().clone(), events))
    }

    fn try_remove_stream(&self, stream: &StreamId) {
        let mut state = lock(&self.state);
        if let Some(log) = state.streams.remove(stream) {
            state.by_use.remove(&log.used);
        }
    }
}

impl Default for MemoryEventStore {
    /// A store with the default caps.
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_EVENTS_PER_STREAM)
    }
}

impl fmt::Debug for MemoryEventStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryEventStore")
            .field("max_events_per_stream", &self.max_events)
            .field("max_streams", &self.max_streams)
            .field("streams", &self.stream_count())
            .finish()
    }
}

impl EventStore for MemoryEventStore {
    fn append<'a>(
        &'a self,
        stream: &'a StreamId,
        message: Bytes,
    ) -> BoxFuture<'a, Result<EventId>> {
        Box::pin(async move { Ok(self.try_append(stream, message)) })
    }

    fn replay_after<'a>(&'a self, last: &'a EventId) -> BoxFuture<'a, Result<Option<Replay>>> {
        Box::pin(async move { Ok(self.try_replay_after(last)) })
    }

    fn remove_stream<'a>(&'a self, stream: &'a StreamId) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.try_remove_stream(stream);
            Ok(())
        })
    }
}
