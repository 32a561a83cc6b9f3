//! Validated topic names.

use std::fmt;

use super::SessionId;

/// The name of a [`Fanout`](super::Fanout) topic.
///
/// Topic names derive only from server-minted, validated identifiers, never from raw client
/// input, so a client cannot choose or guess its way onto another session's topic. Every name
/// starts with `mcplex:`, uses only `[A-Za-z0-9._:-]` and is at most [`Topic::MAX_LEN`] bytes.
///
/// ```
/// use mcplex_core::state::{SessionId, Topic};
///
/// let id = SessionId::parse("0123456789abcdef0123456789abcdef").unwrap();
/// assert_eq!(Topic::session(&id).as_str(), "mcplex:session:0123456789abcdef0123456789abcdef");
/// assert_eq!(Topic::events().as_str(), "mcplex:events");
/// assert!(Topic::subscription("listen-42").is_some());
/// assert!(Topic::subscription("../etc").is_none());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Topic(String);

const PREFIX: &str = "mcplex:";

impl Topic {
    /// The longest topic name, in bytes.
    pub const MAX_LEN: usize = 200;

    /// The topic that routes messages to the instance holding a session's stream.
    pub fn session(id: &SessionId) -> Self {
        // A session id is at most `SessionId::MAX_LEN` bytes of `[A-Za-z0-9_-]`, so the name is
        // always valid.
        Self(format!("{PREFIX}session:{id}"))
    }

    /// The server-wide topic for `list_changed` and `resources/updated` events.
    pub fn events() -> Self {
        Self(format!("{PREFIX}events"))
    }

    /// The topic of a server-minted subscription id (for example a `subscriptions/listen`
    /// stream or a pending server-to-client request).
    ///
    /// Returns `None` if `id` is empty, uses a character outside `[A-Za-z0-9._:-]`, or makes
    /// the name longer than [`Topic::MAX_LEN`].
    pub fn subscription(id: &str) -> Option<Self> {
        let name = format!("{PREFIX}sub:{id}");
        (!id.is_empty() && is_valid(&name)).then_some(Self(name))
    }

    /// The topic name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_valid(name: &str) -> bool {
    name.len() <= Topic::MAX_LEN
        && name.starts_with(PREFIX)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Topic").field(&self.0).finish()
    }
}

impl AsRef<str> for Topic {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
