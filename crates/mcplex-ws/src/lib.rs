//! The mcplex WebSocket transport: serve the Model Context Protocol over WebSocket, with
//! server-initiated pushes on the same socket, or connect to a WebSocket MCP server.
//!
//! One JSON-RPC message travels in each text frame, both ways, on a connection that offered
//! the `mcp` subprotocol. The connection is the session for the stateful revisions
//! (2024-11-05 through 2025-11-25); requests whose `_meta` names 2026-07-28 are served
//! statelessly on the same socket. Whatever the server pushes — `list_changed`,
//! `resources/updated`, `subscriptions/listen` notifications, elicitation, sampling and roots
//! requests — goes out the moment it is produced, without the client asking.
//!
//! - **Server side**: [`Endpoint`] serves an [`mcplex_core::Server`] as an axum
//!   [`Router`](axum::Router) (`GET /ws` upgrade, `/healthz`, `/readyz`, `/metrics`) with
//!   [`Endpoint::serve`] or inside your own application, or as a raw accept on any listener or
//!   byte stream ([`Endpoint::serve_raw`], [`Endpoint::accept`]). Origin and Host are checked on
//!   every upgrade (403), and the `mcp` subprotocol is required (400 without it, unless
//!   [`WsOptions::allow_no_subprotocol`]).
//! - **Client side**: [`connect`] gives a [`WsTransport`] for `mcplex_core`'s `Client`, a
//!   proxy or a load generator.
//! - **Keep-alive**: each side pings a quiet peer (every 30 s by default) and drops it when
//!   nothing comes back within the pong timeout (10 s).
//!
//! # Subprotocols
//!
//! | offer | meaning |
//! |-------|---------|
//! | `mcp` | required; the server selects it |
//! | `mcp.version.<revision>` | the revision the client means to speak; recorded in [`Negotiated`], refused (400) when the server knows none of the offered revisions |
//! | `mcp.auth.<token>` | reserved for browser clients, which cannot set `Authorization`; ignored for now, never selected |
//!
//! # Close codes
//!
//! | code | sent when |
//! |------|-----------|
//! | 1000 | a client closes; the server answers a client's close |
//! | 1001 | the server shuts down (after in-flight requests had their grace period), or a peer stopped answering pings |
//! | 1002 | the peer broke the WebSocket framing rules |
//! | 1003 | a binary frame arrived (JSON-RPC travels in text frames) |
//! | 1007 | a text frame was not valid UTF-8 |
//! | 1009 | a message was over the size limit (the server's [`Limits::max_message_bytes`](mcplex_core::Limits::max_message_bytes), 4 MiB by default) |
//! | 1013 | the peer read so slowly that its outbound queue ([`Limits::outbound_queue`](mcplex_core::Limits::outbound_queue), 1,024 messages) overflowed; other connections are not slowed |
//!
//! Text that is not JSON, or JSON that is not a JSON-RPC message, is answered with a JSON-RPC
//! error (`-32700` / `-32600`, `id: null` when the id is unknown) and the connection stays up.
//!
//! # Which crate should I depend on?
//!
//! - **Serving tools over WebSocket**: this crate and `mcplex-core`, or run the ready
//!   `mcplex-ws-server` binary with a toolset.
//! - **Talking to a WebSocket MCP server** from Rust: this crate for [`connect`], and
//!   `mcplex-core`'s `Client` on top of the [`WsTransport`].
//! - **Writing another transport**: `mcplex-transport` and `mcplex-protocol`, not this crate;
//!   it is one example of that contract.
//!
//! The WebSocket library (tokio-tungstenite) stays out of this crate's API: close codes,
//! close frames and errors are this crate's own types.
//!
//! # Features
//!
//! | feature | default | what it enables |
//! |---------|---------|-----------------|
//! | —       | —       | this crate has no optional features |
//!
//! # Example
//!
//! A server on a free port, and a client that calls one of its tools:
//!
//! ```rust
//! use mcplex_core::client::{Client, ClientOptions as McpOptions};
//! use mcplex_ws::{ClientOptions, Endpoint, WsOptions, connect};
//! use tokio::net::TcpListener;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let endpoint = Endpoint::new(mcplex_toolsets::demo().build(), WsOptions::default());
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("ws://{}/ws", listener.local_addr()?);
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let serving = tokio::spawn(endpoint.clone().serve(listener, async {
//!     let _ = stopped.await;
//! }));
//!
//! let transport = connect(&url, &ClientOptions::default()).await?;
//! let client = Client::connect(transport, McpOptions::default()).await?;
//! let result = client.call_tool("add", serde_json::json!({ "a": 2, "b": 3 })).await?;
//! assert_eq!(result.structured_content, Some(serde_json::json!({ "sum": 5.0 })));
//! client.close().await?;
//!
//! let _ = stop.send(());
//! serving.await??;
//! assert_eq!(endpoint.open_connections(), 0);
//! # Ok(())
//! # }
//! ```

mod client;
mod close;
mod conn;
mod error;
mod guard;
mod handshake;
mod metrics;
mod options;
mod server;
mod transport;

pub use client::connect;
pub use close::{CloseCode, CloseFrame};
pub use error::{Error, Result};
pub use handshake::{AUTH_PREFIX, Negotiated, SUBPROTOCOL, VERSION_PREFIX};
pub use options::{ClientOptions, WsOptions};
pub use server::{Endpoint, PeerAddr};
pub use transport::{WsReader, WsTransport, WsWriter};
