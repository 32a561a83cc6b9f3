//! [`MemoryKvStore`]: values and bounded lists in a map.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use bytes::Bytes;

use super::lock;
use crate::state::{BoxFuture, Error, KvStore, Result};

/// An in-process [`KvStore`]: a map behind a mutex, which makes every operation atomic.
#[derive(Default)]
pub struct MemoryKvStore {
    entries: Mutex<HashMap<String, Entry>>,
}

enum Entry {
    Value(Bytes),
    List { items: VecDeque<Bytes>, pushed: u64 },
}

impl MemoryKvStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn try_get(&self, key: &str) -> Result<Option<Bytes>> {
        match lock(&self.entries).get(key) {
            None => Ok(None),
            Some(Entry::Value(value)) => Ok(Some(value.clone())),
            Some(Entry::List { .. }) => Err(wrong_kind()),
        }
    }

    fn try_set(&self, key: &str, value: Bytes) {
        lock(&self.entries).insert(key.to_owned(), Entry::Value(value));
    }

    fn try_incr(&self, key: &str, by: i64) -> Result<i64> {
        let mut entries = lock(&self.entries);
        let current = match entries.get(key) {
            None => 0,
            Some(Entry::Value(value)) => std::str::from_utf8(value)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| Error::msg("value is not an integer"))?,
            Some(Entry::List { .. }) => return Err(wrong_kind()),
        };
        let next = current
            .checked_add(by)
            .ok_or_else(|| Error::msg("increment overflows"))?;
        entries.insert(key.to_owned(), Entry::Value(Bytes::from(next.to_string())));
        Ok(next)
    }

    fn try_push_bounded(&self, key: &str, value: Bytes, max_len: usize) -> Result<u64> {
        let mut entries = lock(&self.entries);
        let entry = entries
            .entry(key.to_owned())
            .or_insert_with(|| Entry::List {
                items: VecDeque::new(),
                pushed: 0,
            });
        let Entry::List { items, pushed } = entry else {
            return Err(wrong_kind());
        };
        *pushed += 1;
        items.push_back(value);
        while items.len() > max_len {
            items.pop_front();
        }
        Ok(*pushed)
    }

    fn try_list(&self, key: &str) -> Result<Vec<Bytes>> {
        match lock(&self.entries).get(key) {
            None => Ok(Vec::new()),
            Some(Entry::List { items, .. }) => Ok(items.iter().cloned().collect()),
            Some(Entry::Value(_)) => Err(wrong_kind()),
        }
    }
}

fn wrong_kind() -> Error {
    Error::msg("key holds the other kind of entry")
}

impl fmt::Debug for MemoryKvStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryKvStore")
            .field("keys", &lock(&self.entries).len())
            .finish()
    }
}

impl KvStore for MemoryKvStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>> {
        Box::pin(async move { self.try_get(key) })
    }

    fn set<'a>(&'a self, key: &'a str, value: Bytes) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.try_set(key, value);
            Ok(())
        })
    }

    fn incr<'a>(&'a self, key: &'a str, by: i64) -> BoxFuture<'a, Result<i64>> {
        Box::pin(async move { self.try_incr(key, by) })
    }

    fn push_bounded<'a>(
        &'a self,
        key: &'a str,
        value: Bytes,
        max_len: usize,
    ) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move { self.try_push_bounded(key, value, max_len) })
    }

    fn list<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Vec<Bytes>>> {
        Box::pin(async move { self.try_list(key) })
    }
}
