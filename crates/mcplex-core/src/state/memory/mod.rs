//! In-memory implementations of the state traits: the embedded default for a single instance.
//!
//! They keep every guarantee their trait documents, within one process. Memory stays bounded:
//! fanout topics disappear with their last subscriber, sessions expire, event logs and the
//! number of streams are capped. Locks are never held across an `.await`.

use std::sync::{Mutex, MutexGuard, PoisonError};

mod event;
mod fanout;
mod kv;
mod session;

pub use event::MemoryEventStore;
pub use fanout::MemoryFanout;
pub use kv::MemoryKvStore;
pub use session::MemorySessionStore;

/// Locks `mutex`, recovering the data if a thread panicked while holding it (every critical
/// section leaves the data consistent).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
