//! The standalone (GET) stream of a stateful session, resumable with `Last-Event-ID`.
//!
//! A pump task owns the session's stream from core: it stores every message in the server's
//! [`EventStore`](mcplex_core::state::EventStore) under the stream's id, then hands it to the
//! connected client, if any. When the client goes away the pump keeps storing for
//! [`SseOptions::resume_window`](crate::SseOptions::resume_window); a GET whose
//! `Last-Event-ID` names the stream takes it over, gets what it missed from the store, and goes
//! on with the live messages. Replays never cross streams or sessions: the event id must name
//! a stream of the requesting session, and the store only replays the stream the id names.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use mcplex_core::SessionError;
use mcplex_core::state::{EventId, EventStore, SessionId, StreamId};
use mcplex_transport::{ReplyStream, RequestContext};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::Shared;
use super::sse::{self, Events};

/// Frames queued toward one client connection.
const QUEUE: usize = 64;
/// How long a GET waits for core to release a stream whose client went away.
const RELEASE_WAIT: Duration = Duration::from_secs(1);

/// One event for the client: its sequence number on the stream (for de-duplication after a
/// replay) and its encoding.
struct Frame {
    seq: Option<u64>,
    bytes: Bytes,
}

/// The live standalone streams, by session.
#[derive(Debug, Default)]
pub(crate) struct Streams {
    slots: Mutex<HashMap<SessionId, Slot>>,
}

#[derive(Debug)]
struct Slot {
    stream: StreamId,
    /// Subject of the principal that opened the stream.
    owner: Option<String>,
    /// Hands the pump the next client; replaced at every takeover. A one-shot channel, not an
    /// unbounded one: it is held by every idle stream, and a one-shot costs one small
    /// allocation where a queue preallocates a block of slots.
    attach: oneshot::Sender<Handover>,
    attached: Arc<AtomicBool>,
    cancel: CancellationToken,
    key: u64,
}

/// A client taking over a stream: where its frames go, and where the one after it will come
/// from.
#[derive(Debug)]
struct Handover {
    out: mpsc::Sender<Frame>,
    next: oneshot::Receiver<Handover>,
}

impl Streams {
    fn lock(&self) -> MutexGuard<'_, HashMap<SessionId, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a GET gets: the events to send, or why not.
pub(crate) async fn open(
    shared: &Arc<Shared>,
    cx: &RequestContext,
    session: SessionId,
    last: Option<EventId>,
    owner: Option<String>,
) -> Result<Events, SessionError> {
    let store = shared.server.event_store().clone();
    let last = last.filter(|id| id.stream().session() == &session);
    // Take over the stream the client was reading, if it is still being pumped.
    let takeover = {
        let mut slots = shared.streams.lock();
        match slots.get_mut(&session) {
            Some(slot) if slot.owner != owner => return Err(SessionError::NotFound),
            Some(slot) if last.as_ref().is_some_and(|l| l.stream() == &slot.stream) => {
                let (out, rx) = mpsc::channel(QUEUE);
                let (attach, next) = oneshot::channel();
                let handover = Handover { out, next };
                std::mem::replace(&mut slot.attach, attach)
                    .send(handover)
                    .ok()
                    .map(|()| rx)
            }
            Some(slot) if slot.attached.load(Ordering::Acquire) => {
                return Err(SessionError::StreamConflict);
            }
            Some(slot) => {
                slot.cancel.cancel();
                None
            }
            None => None,
        }
    };
    if let (Some(rx), Some(last)) = (takeover, &last) {
        return Ok(replay_then(&store, last, rx).await);
    }
    let live = open_core(shared, cx).await?;
    let (stream, replayed) = match &last {
        Some(last) => match store.replay_after(last).await {
            Ok(Some(replay)) if replay.stream.session() == &session => {
                (replay.stream.clone(), replay.events)
            }
            Ok(_) => (StreamId::new(&session, ordinal()), Vec::new()),
            Err(e) => {
                tracing::warn!(error = %e, "replaying events failed");
                (StreamId::new(&session, ordinal()), Vec::new())
            }
        },
        None => (StreamId::new(&session, ordinal()), Vec::new()),
    };
    let (tx, rx) = mpsc::channel(QUEUE);
    let (attach, attach_rx) = oneshot::channel();
    let attached = Arc::new(AtomicBool::new(true));
    let cancel = shared.closing.child_token();
    let key = ordinal();
    shared.streams.lock().insert(
        session.clone(),
        Slot {
            stream: stream.clone(),
            owner,
            attach,
            attached: attached.clone(),
            cancel: cancel.clone(),
            key,
        },
    );
    let pump = Pump {
        live,
        stream,
        store,
        attached,
        cancel,
        life: shared.life.clone(),
        linger: shared.options.resume_window,
        shared: Arc::downgrade(shared),
        session,
        key,
    };
    tokio::spawn(pump.run(tx, attach_rx));
    let replayed: Vec<Bytes> = replayed
        .into_iter()
        .map(|(id, json)| sse::raw_event(&json, Some(&id.to_string())))
        .collect();
    let live = receiver(rx, None);
    Ok(Box::pin(futures_util::stream::iter(replayed).chain(live)))
}

/// Opens core's stream, waiting briefly for one whose client went away to be released.
async fn open_core(shared: &Shared, cx: &RequestContext) -> Result<ReplyStream, SessionError> {
    let deadline = tokio::time::Instant::now() + RELEASE_WAIT;
    loop {
        match shared.http.open_stream(cx).await {
            Err(SessionError::StreamConflict) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            other => return other,
        }
    }
}

/// The stored events after `last`, then the live frames not already replayed.
async fn replay_then(
    store: &Arc<dyn EventStore>,
    last: &EventId,
    rx: mpsc::Receiver<Frame>,
) -> Events {
    let (replayed, seen) = match store.replay_after(last).await {
        Ok(Some(replay)) => {
            let seen = replay.events.last().map_or(last.seq(), |(id, _)| id.seq());
            let events: Vec<Bytes> = replay
                .events
                .into_iter()
                .map(|(id, json)| sse::raw_event(&json, Some(&id.to_string())))
                .collect();
            (events, seen)
        }
        Ok(None) => (Vec::new(), last.seq()),
        Err(e) => {
            tracing::warn!(error = %e, "replaying events failed");
            (Vec::new(), last.seq())
        }
    };
    Box::pin(futures_util::stream::iter(replayed).chain(receiver(rx, Some(seen))))
}

/// The frames of a receiver, skipping those at or before `seen`.
fn receiver(
    rx: mpsc::Receiver<Frame>,
    seen: Option<u64>,
) -> impl futures_core::Stream<Item = Bytes> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|frame| (frame, rx))
    })
    .filter_map(move |frame| {
        let fresh = match (frame.seq, seen) {
            (Some(seq), Some(seen)) => seq > seen,
            _ => true,
        };
        std::future::ready(fresh.then_some(frame.bytes))
    })
}

/// Moves one session's messages from core into the event store and on to the client.
struct Pump {
    live: ReplyStream,
    stream: StreamId,
    store: Arc<dyn EventStore>,
    attached: Arc<AtomicBool>,
    cancel: CancellationToken,
    /// Fires when the endpoint is dropped.
    life: CancellationToken,
    linger: Duration,
    shared: Weak<Shared>,
    session: SessionId,
    key: u64,
}

impl Pump {
    async fn run(mut self, first: mpsc::Sender<Frame>, mut attach: oneshot::Receiver<Handover>) {
        let mut out = Some(first);
        let linger = tokio::time::sleep(self.linger);
        tokio::pin!(linger);
        loop {
            let client_gone = async {
                match &out {
                    Some(tx) => tx.closed().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => break,
                () = self.life.cancelled() => break,
                handover = &mut attach => match handover {
                    Ok(handover) => {
                        out = Some(handover.out);
                        attach = handover.next;
                        self.attached.store(true, Ordering::Release);
                    }
                    Err(_) => break,
                },
                message = self.live.next() => {
                    let Some(message) = message else { break };
                    let json = Bytes::from(message.to_vec());
                    let frame = match self.store.append(&self.stream, json.clone()).await {
                        Ok(id) => Frame {
                            seq: Some(id.seq()),
                            bytes: sse::raw_event(&json, Some(&id.to_string())),
                        },
                        Err(e) => {
                            tracing::warn!(error = %e, "storing an event failed; sent without an id");
                            Frame { seq: None, bytes: sse::raw_event(&json, None) }
                        }
                    };
                    if let Some(tx) = &out && tx.send(frame).await.is_err() {
                        out = None;
                    }
                    if out.is_none() && self.attached.swap(false, Ordering::AcqRel) {
                        linger.as_mut().reset(tokio::time::Instant::now() + self.linger);
                    }
                }
                () = client_gone => {
                    out = None;
                    self.attached.store(false, Ordering::Release);
                    linger.as_mut().reset(tokio::time::Instant::now() + self.linger);
                }
                () = &mut linger, if out.is_none() => break,
            }
        }
        if let Some(shared) = self.shared.upgrade() {
            let mut slots = shared.streams.lock();
            if slots.get(&self.session).is_some_and(|s| s.key == self.key) {
                slots.remove(&self.session);
            }
        }
    }
}

/// A fresh stream ordinal: random, so instances sharing an event store never collide.
pub(crate) fn ordinal() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        NEXT.fetch_add(1, Ordering::Relaxed)
    })
}
