//! The scale-out seams: publish/subscribe, session records, SSE event logs and shared tool state.
//!
//! Each seam is an object-safe trait ([`Fanout`], [`SessionStore`], [`EventStore`],
//! [`KvStore`]) used as `Arc<dyn Trait>`, so one server can run embedded (the in-memory
//! implementations in [`memory`], the default) or as one of many instances behind a load
//! balancer (a shared backend such as Redis implementing the same traits). Methods return a
//! [`BoxFuture`] and fail with the one [`Error`] type of this module.
//!
//! Each trait documents its guarantees (ordering, delivery, expiry); an implementation must keep
//! them, and callers may rely on nothing more.
//!
//! # Names and identifiers
//!
//! Everything that names shared state is minted by the server and validated on the way in:
//! [`SessionId`] (random, from the OS generator), [`StreamId`] and [`EventId`] (derived from a
//! session id), and [`Topic`] (derived only from those). A client-supplied session id or
//! `Last-Event-ID` goes through [`SessionId::parse`] or [`EventId::parse`] before it reaches a
//! store, so raw client input never becomes a topic or key name.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use futures_util::StreamExt;
//! use mcplex_core::state::{Fanout, SessionId, Topic, memory::MemoryFanout};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let fanout: Arc<dyn Fanout> = Arc::new(MemoryFanout::new());
//! let topic = Topic::session(&SessionId::mint());
//! let mut sub = fanout.subscribe(&topic).await?;
//! fanout.publish(&topic, Bytes::from_static(b"hello")).await?;
//! assert_eq!(sub.next().await, Some(Bytes::from_static(b"hello")));
//! # Ok::<_, mcplex_core::state::Error>(())
//! # }).unwrap();
//! ```

use std::future::Future;
use std::pin::Pin;

mod error;
mod event;
mod fanout;
mod kv;
pub mod memory;
mod session;
mod topic;

pub use error::{Error, Result};
pub use event::{EventId, EventStore, Replay, StreamId};
pub use fanout::{Fanout, Lagged, Subscription};
pub use kv::KvStore;
pub use session::{SessionId, SessionRecord, SessionStore};
pub use topic::Topic;

/// A boxed, `Send` future: what every state trait method returns, so the traits stay
/// object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
