//! Session ids, session records and the [`SessionStore`] trait.

use std::collections::BTreeSet;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use mcplex_protocol::ProtocolVersion;
use mcplex_protocol::model::{ClientCapabilities, Implementation, LoggingLevel};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{BoxFuture, Result};

/// A server-minted session id (the `Mcp-Session-Id` header).
///
/// [`SessionId::mint`] draws 128 bits from the operating system's random number generator and
/// writes them as 32 lowercase hex digits. [`SessionId::parse`] accepts what a client sends
/// back only if it could have been minted: 32 to [`SessionId::MAX_LEN`] characters of
/// `[A-Za-z0-9_-]` (hex and base64url). Ids serialize as plain strings.
///
/// ```
/// use mcplex_core::state::SessionId;
///
/// let id = SessionId::mint();
/// assert_eq!(SessionId::parse(id.as_str()), Some(id));
/// assert_eq!(SessionId::parse("../../etc/passwd"), None);
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(Box<str>);

impl SessionId {
    /// The shortest accepted id, in characters.
    pub const MIN_LEN: usize = 32;
    /// The longest accepted id, in characters.
    pub const MAX_LEN: usize = 128;

    /// Mints a new id from 128 random bits.
    ///
    /// # Panics
    ///
    /// If the operating system's random number generator fails, which leaves no safe way to
    /// mint ids.
    pub fn mint() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the operating system random number generator failed");
        let mut s = String::with_capacity(32);
        for b in bytes {
            s.push(hex_digit(b >> 4));
            s.push(hex_digit(b & 0xf));
        }
        Self(s.into())
    }

    /// Checks a client-supplied id; `None` unless it has the length and characters of a
    /// minted id.
    pub fn parse(s: &str) -> Option<Self> {
        is_valid(s).then(|| Self(s.into()))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hex_digit(n: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(n & 0xf)])
}

fn is_valid(s: &str) -> bool {
    (SessionId::MIN_LEN..=SessionId::MAX_LEN).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SessionId").field(&&*self.0).finish()
    }
}

impl AsRef<str> for SessionId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for SessionId {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SessionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        SessionId::parse(&s).ok_or_else(|| serde::de::Error::custom("invalid session id"))
    }
}

/// What an instance needs to serve a stateful session, shared through a [`SessionStore`] so
/// any instance can serve any session.
///
/// Records serialize to JSON (a backend may store them as strings). Fields added later get
/// defaults, so records written by an older version still load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionRecord {
    /// The session id.
    pub id: SessionId,
    /// The negotiated protocol revision.
    pub protocol_version: ProtocolVersion,
    /// The client's `clientInfo` from `initialize`.
    #[serde(default)]
    pub client_info: Option<Implementation>,
    /// The client's capabilities from `initialize`.
    #[serde(default)]
    pub client_capabilities: ClientCapabilities,
    /// The level set with `logging/setLevel`, if any.
    #[serde(default)]
    pub log_level: Option<LoggingLevel>,
    /// Resource URIs the session subscribed to with `resources/subscribe`.
    #[serde(default)]
    pub subscriptions: BTreeSet<String>,
    /// The subject of the principal that created the session; only that principal may use it
    /// (see [`SessionRecord::is_owned_by`]).
    #[serde(default)]
    pub principal: Option<String>,
    /// Whether `notifications/initialized` has arrived.
    #[serde(default)]
    pub initialized: bool,
    /// When the session was created, in milliseconds since the Unix epoch.
    #[serde(default)]
    pub created_at_ms: u64,
}

impl SessionRecord {
    /// A record for a new session, created now, with no client details yet.
    pub fn new(id: SessionId, protocol_version: ProtocolVersion) -> Self {
        let created_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Self {
            id,
            protocol_version,
            client_info: None,
            client_capabilities: ClientCapabilities::default(),
            log_level: None,
            subscriptions: BTreeSet::new(),
            principal: None,
            initialized: false,
            created_at_ms,
        }
    }

    /// Whether `principal` (a subject, or `None` when unauthenticated) may use this session:
    /// it must be exactly the principal that created it.
    pub fn is_owned_by(&self, principal: Option<&str>) -> bool {
        self.principal.as_deref() == principal
    }
}

/// Stateful-session records with an idle time-to-live.
///
/// Guarantees every implementation keeps:
///
/// - **Idle expiry.** A record expires once it has not been created, loaded or saved for the
///   store's idle TTL (30 minutes by default). An expired record is never returned by
///   [`load`](SessionStore::load), never counted by [`len`](SessionStore::len), and cannot be
///   brought back by [`save`](SessionStore::save).
/// - **Last write wins.** `save` replaces the whole record; concurrent saves of one session
///   are not merged. Callers keep one writer per session (the instance serving the request)
///   or reload before writing.
/// - **Read your writes.** Once `create` or `save` completes, every later `load`, on any
///   instance sharing the backend, sees that record or a newer one.
///
/// Ownership is not checked here: callers compare [`SessionRecord::principal`] with the
/// requesting principal (see [`SessionRecord::is_owned_by`]).
pub trait SessionStore: Send + Sync + fmt::Debug + 'static {
    /// Stores a new record. Fails if a live record with the same id exists.
    fn create(&self, record: SessionRecord) -> BoxFuture<'_, Result<()>>;

    /// Loads a record and refreshes its idle TTL; `None` if it does not exist or has expired.
    fn load<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<Option<SessionRecord>>>;

    /// Replaces a live record and refreshes its idle TTL. Fails with an error for which
    /// [`Error::is_not_found`](super::Error::is_not_found) holds if the record does not exist
    /// or has expired.
    fn save<'a>(&'a self, record: &'a SessionRecord) -> BoxFuture<'a, Result<()>>;

    /// Removes a record; removing a missing record succeeds.
    fn remove<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<()>>;

    /// The number of live (unexpired) records.
    fn len(&self) -> BoxFuture<'_, Result<usize>>;

    /// Whether there are no live records.
    fn is_empty(&self) -> BoxFuture<'_, Result<bool>> {
        let len = self.len();
        Box::pin(async move { Ok(len.await? == 0) })
    }
}
