//! The mcplex transport contract: how Model Context Protocol messages get in and out of a
//! server.
//!
//! A transport moves JSON-RPC messages ([`mcplex_protocol::Message`]) between a server and its
//! peers. This crate defines the two shapes a transport can take, and the pieces most
//! transports share:
//!
//! - [`Transport`], for connections (stdio, WebSocket, a legacy SSE session): a cancel-safe
//!   [`Stream`](futures_core::Stream) of incoming messages and a buffered
//!   [`Sink`](futures_sink::Sink) of outgoing ones, split so that both run at once, plus
//!   [`ConnectionInfo`] about the peer.
//! - [`Dispatch`], for request-oriented transports (Streamable HTTP): one incoming message in,
//!   a [`Reply`] out — nothing, a single response, or a [`ReplyStream`] of related messages
//!   ending with the response.
//! - [`Error`], the one error type of every transport, which tells fatal faults from bad input
//!   the connection survives.
//! - [`Extensions`], a type map where outer layers attach data (the authenticated principal,
//!   HTTP headers) for the layers inside them.
//! - [`ndjson`], newline-delimited JSON framing over any tokio byte reader and writer, and
//!   [`memory`], an in-memory connected pair for tests.
//!
//! # Which crate should I depend on?
//!
//! - **Writing a transport** (a new wire, a new framing): depend on this crate and
//!   `mcplex-protocol` only, the way a tower middleware depends on `tower-service` or a
//!   tracing subscriber on `tracing-core`. Implement [`Transport`] for connections, or call a
//!   [`Dispatch`] for request-oriented wires; any server built on mcplex can then use it.
//!   This crate changes rarely, so a transport keeps working across server releases.
//! - **Writing or running a server**: depend on `mcplex-core` and the transport crates you
//!   serve over (`mcplex-stdio`, `mcplex-sse`, `mcplex-ws`); you rarely name this crate.
//!
//! # Features
//!
//! | feature | default | what it enables |
//! |---------|---------|-----------------|
//! | —       | —       | this crate has no optional features |
//!
//! # Example
//!
//! Newline-delimited JSON over an in-memory byte pipe: one side writes two messages, the
//! other reads them back.
//!
//! ```
//! use futures_util::{SinkExt, StreamExt};
//! use mcplex_protocol::{Message, Notification, Request};
//! use mcplex_transport::{NdjsonTransport, Transport};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mcplex_transport::Error> {
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let (a_read, a_write) = tokio::io::split(a);
//! let (b_read, b_write) = tokio::io::split(b);
//! let (_, mut to_server, _) = NdjsonTransport::new(a_read, a_write).split();
//! let (mut from_client, _, _) = NdjsonTransport::new(b_read, b_write).split();
//!
//! let list = Message::Request(Request::new(1, "tools/list", &json!({})).unwrap());
//! let note = Message::Notification(Notification::new("notifications/initialized", &json!({})).unwrap());
//! to_server.feed(list.clone()).await?; // buffered
//! to_server.feed(note.clone()).await?;
//! to_server.flush().await?; // one write for both
//!
//! assert_eq!(from_client.next().await.transpose()?, Some(list));
//! assert_eq!(from_client.next().await.transpose()?, Some(note));
//! # Ok(())
//! # }
//! ```

mod dispatch;
mod error;
mod extensions;
pub mod memory;
pub mod ndjson;
mod transport;

pub use dispatch::{Dispatch, Reply, ReplyStream, RequestContext};
pub use error::{Error, Result};
pub use extensions::Extensions;
pub use ndjson::{NdjsonCodec, NdjsonTransport};
pub use transport::{ConnectionInfo, Transport};

/// The default size limit for one message, in bytes (4 MiB): an HTTP body, a WebSocket
/// message, a line of newline-delimited JSON.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 4 * 1024 * 1024;
