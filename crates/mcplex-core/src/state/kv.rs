//! The [`KvStore`] trait: shared state for tools.

use std::fmt;

use bytes::Bytes;

use super::{BoxFuture, Result};

/// A small key-value store for state that tools share across requests and instances (a
/// counter, a message board).
///
/// Keys hold either a value ([`set`](KvStore::set), [`incr`](KvStore::incr)) or a list
/// ([`push_bounded`](KvStore::push_bounded)); using a key as the other kind fails with an
/// error (neither `unavailable` nor `not_found`). Guarantees every implementation keeps:
///
/// - **Atomic operations.** Each call is atomic: concurrent `incr`s on one key never lose an
///   update, and concurrent `push_bounded`s never lose an element that should be kept.
/// - **Read your writes.** Once a write completes, later reads on any instance sharing the
///   backend see it or a newer value.
/// - **No expiry.** Entries stay until overwritten; tools bound their own data (see
///   `push_bounded`). Keys are not validated, so tools choose them (never from raw client
///   input without a prefix of their own).
pub trait KvStore: Send + Sync + fmt::Debug + 'static {
    /// The value of `key`; `None` if it was never set.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>>;

    /// Sets `key` to `value`, replacing any value.
    fn set<'a>(&'a self, key: &'a str, value: Bytes) -> BoxFuture<'a, Result<()>>;

    /// Adds `by` to the integer stored at `key` (a missing key counts as 0) and returns the
    /// new value. The value is stored as its decimal string, so [`get`](KvStore::get) returns
    /// for example `b"42"`. Fails if the value is not a decimal `i64` or the sum overflows.
    fn incr<'a>(&'a self, key: &'a str, by: i64) -> BoxFuture<'a, Result<i64>>;

    /// Appends `value` to the list at `key`, then trims the list to its newest `max_len`
    /// elements (`max_len` 0 keeps none).
    ///
    /// Returns how many values have ever been pushed to the list, this one included: a number
    /// that grows by one with each push and can serve as the element's sequence number.
    fn push_bounded<'a>(
        &'a self,
        key: &'a str,
        value: Bytes,
        max_len: usize,
    ) -> BoxFuture<'a, Result<u64>>;

    /// The elements of the list at `key`, oldest first; empty if the key is missing.
    fn list<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Vec<Bytes>>>;
}
