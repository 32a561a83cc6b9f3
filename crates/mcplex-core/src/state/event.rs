//! SSE stream and event ids, and the [`EventStore`] trait.

use std::fmt;

use bytes::Bytes;

use super::{BoxFuture, Result, SessionId};

/// A server-minted SSE stream id: a session id and the stream's ordinal within the session.
///
/// Written as `<session>.<ordinal>`, for example `0123…cdef.3`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    session: SessionId,
    ordinal: u64,
}

impl StreamId {
    /// The `ordinal`-th stream of `session`.
    pub fn new(session: &SessionId, ordinal: u64) -> Self {
        Self {
            session: session.clone(),
            ordinal,
        }
    }

    /// Parses the `<session>.<ordinal>` form; `None` unless it is exactly that.
    pub fn parse(s: &str) -> Option<Self> {
        let (session, ordinal) = s.rsplit_once('.')?;
        Some(Self {
            session: SessionId::parse(session)?,
            ordinal: parse_u64(ordinal)?,
        })
    }

    /// The session the stream belongs to.
    pub fn session(&self) -> &SessionId {
        &self.session
    }

    /// The stream's ordinal within its session.
    pub fn ordinal(&self) -> u64 {
        self.ordinal
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.session, self.ordinal)
    }
}

impl fmt::Debug for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamId({self})")
    }
}

/// The id of one event on an SSE stream (the `id:` field, and `Last-Event-ID` when a client
/// resumes).
///
/// Written as `<stream>/<seq>`: the [`StreamId`] and a sequence number that grows along the
/// stream. Treat the string as opaque; a client-supplied `Last-Event-ID` goes through
/// [`EventId::parse`].
///
/// ```
/// use mcplex_core::state::{EventId, SessionId, StreamId};
///
/// let stream = StreamId::new(&SessionId::mint(), 0);
/// let id = EventId::new(stream.clone(), 7);
/// assert_eq!(EventId::parse(&id.to_string()), Some(id));
/// assert_eq!(EventId::parse("7"), None);
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId {
    stream: StreamId,
    seq: u64,
}

impl EventId {
    /// The event with sequence number `seq` on `stream`.
    pub fn new(stream: StreamId, seq: u64) -> Self {
        Self { stream, seq }
    }

    /// Parses the `<stream>/<seq>` form; `None` unless it is exactly that.
    pub fn parse(s: &str) -> Option<Self> {
        let (stream, seq) = s.rsplit_once('/')?;
        Some(Self {
            stream: StreamId::parse(stream)?,
            seq: parse_u64(seq)?,
        })
    }

    /// The stream the event belongs to.
    pub fn stream(&self) -> &StreamId {
        &self.stream
    }

    /// The event's sequence number within its stream.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.stream, self.seq)
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventId({self})")
    }
}

/// Plain decimal digits only: no sign, no leading zeros (so each number has one spelling).
fn parse_u64(s: &str) -> Option<u64> {
    let canonical = s == "0" || (!s.starts_with('0') && !s.is_empty());
    if canonical && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// The events of one stream after a given event, from [`EventStore::replay_after`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Replay {
    /// The stream the events belong to. Callers check that `stream.session()` is the session
    /// of the request before sending anything.
    pub stream: StreamId,
    /// The events strictly after the requested one, oldest first.
    pub events: Vec<(EventId, Bytes)>,
}

impl Replay {
    /// A replay of `events` on `stream`.
    pub fn new(stream: StreamId, events: Vec<(EventId, Bytes)>) -> Self {
        Self { stream, events }
    }
}

/// Per-stream event logs for SSE resumability (`Last-Event-ID`) on the stateful revisions.
///
/// Guarantees every implementation keeps:
///
/// - **Order.** Ids returned by [`append`](EventStore::append) for one stream have strictly
///   increasing sequence numbers in the order the appends completed; a replay returns events in
///   that order.
/// - **No gaps.** [`replay_after`](EventStore::replay_after) returns *every* event of the
///   stream after the given one, or `None`. When retention has already dropped some of those
///   events (the log is bounded), or the id was never issued, or the stream was removed, the
///   answer is `None`, never a replay with a hole in it.
/// - **Isolation.** A replay holds only events of the stream the given id names; it never
///   crosses into another stream or session. Because a client picks the id it sends, callers
///   also check [`Replay::stream`]'s session against the session of the request.
/// - **Bounded retention.** Each stream keeps a bounded number of its newest events, and an
///   implementation may drop whole streams (for example the least recently used, or after a
///   TTL), so memory or storage stays bounded.
pub trait EventStore: Send + Sync + fmt::Debug + 'static {
    /// Appends a message to a stream (creating the stream if needed) and returns its event id.
    fn append<'a>(&'a self, stream: &'a StreamId, message: Bytes)
    -> BoxFuture<'a, Result<EventId>>;

    /// The events of `last`'s stream strictly after `last`, oldest first; `None` if `last` is
    /// unknown or the events after it are no longer all retained.
    fn replay_after<'a>(&'a self, last: &'a EventId) -> BoxFuture<'a, Result<Option<Replay>>>;

    /// Forgets a stream and its events; removing a missing stream succeeds.
    fn remove_stream<'a>(&'a self, stream: &'a StreamId) -> BoxFuture<'a, Result<()>>;
}
