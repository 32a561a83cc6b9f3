//! [`MemorySessionStore`]: session records in a map with idle expiry.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::lock;
use crate::state::{BoxFuture, Error, Result, SessionId, SessionRecord, SessionStore};

/// An in-process [`SessionStore`].
///
/// Each record remembers when it was last created, loaded or saved (on the tokio clock, so
/// tests can pause and advance time). A record idle for the store's TTL or longer is expired:
/// `load` and `save` treat it as missing and drop it, and [`sweep`](MemorySessionStore::sweep)
/// drops every expired record at once. The server calls `sweep` periodically; `create` and
/// `len` also drop expired records, so memory stays bounded without it.
pub struct MemorySessionStore {
    idle_ttl: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    records: HashMap<SessionId, Entry>,
    /// Every record, by last access, oldest first.
    by_access: BTreeSet<(Instant, SessionId)>,
}

struct Entry {
    record: SessionRecord,
    last_access: Instant,
}

impl MemorySessionStore {
    /// The default idle TTL: 30 minutes.
    pub const DEFAULT_IDLE_TTL: Duration = Duration::from_secs(30 * 60);

    /// A store whose records expire after `idle_ttl` without access.
    pub fn new(idle_ttl: Duration) -> Self {
        Self {
            idle_ttl,
            state: Mutex::new(State::default()),
        }
    }

    /// The idle TTL records expire after.
    pub fn idle_ttl(&self) -> Duration {
        self.idle_ttl
    }

    /// Drops every expired record and returns how many it dropped.
    pub fn sweep(&self) -> usize {
        lock(&self.state).sweep(Instant::now(), self.idle_ttl)
    }

    fn try_create(&self, record: SessionRecord) -> Result<()> {
        let now = Instant::now();
        let mut state = lock(&self.state);
        state.sweep(now, self.idle_ttl);
        if state.records.contains_key(&record.id) {
            return Err(Error::msg("session already exists"));
        }
        state.by_access.insert((now, record.id.clone()));
        state.records.insert(
            record.id.clone(),
            Entry {
                record,
                last_access: now,
            },
        );
        Ok(())
    }

    fn try_load(&self, id: &SessionId) -> Option<SessionRecord> {
        let now = Instant::now();
        let mut state = lock(&self.state);
        state
            .touch(id, now, self.idle_ttl)
            .map(|entry| entry.record.clone())
    }

    fn try_save(&self, record: &SessionRecord) -> Result<()> {
        let now = Instant::now();
        let mut state = lock(&self.state);
        let entry = state
            .touch(&record.id, now, self.idle_ttl)
            .ok_or_else(Error::not_found)?;
        entry.record.clone_from(record);
        Ok(())
    }

    fn try_remove(&self, id: &SessionId) {
        lock(&self.state).remove(id);
    }

    fn try_len(&self) -> usize {
        let mut state = lock(&self.state);
        state.sweep(Instant::now(), self.idle_ttl);
        state.records.len()
    }
}

impl State {
    /// The live entry for `id` with its last access moved to `now`; drops it if expired.
    fn touch(&mut self, id: &SessionId, now: Instant, ttl: Duration) -> Option<&mut Entry> {
        let last_access = self.records.get(id)?.last_access;
        if is_expired(last_access, now, ttl) {
            self.remove(id);
            return None;
        }
        self.by_access.remove(&(last_access, id.clone()));
        self.by_access.insert((now, id.clone()));
        let entry = self.records.get_mut(id)?;
        entry.last_access = now;
        Some(entry)
    }

    fn remove(&mut self, id: &SessionId) {
        if let Some(entry) = self.records.remove(id) {
            self.by_access.remove(&(entry.last_access, id.clone()));
        }
    }

    fn sweep(&mut self, now: Instant, ttl: Duration) -> usize {
        let mut removed = 0;
        while let Some((last_access, _)) = self.by_access.first()
            && is_expired(*last_access, now, ttl)
        {
            if let Some((_, id)) = self.by_access.pop_first() {
                self.records.remove(&id);
                removed += 1;
            }
        }
        removed
    }
}

fn is_expired(last_access: Instant, now: Instant, ttl: Duration) -> bool {
    now.saturating_duration_since(last_access) >= ttl
}

impl Default for MemorySessionStore {
    /// A store with the default idle TTL of 30 minutes.
    fn default() -> Self {
        Self::new(Self::DEFAULT_IDLE_TTL)
    }
}

impl fmt::Debug for MemorySessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemorySessionStore")
            .field("idle_ttl", &self.idle_ttl)
            .field("records", &lock(&self.state).records.len())
            .finish()
    }
}

impl SessionStore for MemorySessionStore {
    fn create(&self, record: SessionRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { self.try_create(record) })
    }

    fn load<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<Option<SessionRecord>>> {
        Box::pin(async move { Ok(self.try_load(id)) })
    }

    fn save<'a>(&'a self, record: &'a SessionRecord) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { self.try_save(record) })
    }

    fn remove<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.try_remove(id);
            Ok(())
        })
    }

    fn len(&self) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async move { Ok(self.try_len()) })
    }
}
