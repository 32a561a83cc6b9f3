//! The mcplex HTTP transport: serve a Model Context Protocol server over Streamable HTTP, for
//! every protocol revision at once, and over the legacy HTTP+SSE transport of 2024-11-05.
//!
//! One [`Endpoint`] serves one [`mcplex_core::Server`]:
//!
//! - **Streamable HTTP** on `/mcp`. POST carries one JSON-RPC message and is answered with
//!   `202`, a JSON body, or an SSE stream of the request's notifications ending with its
//!   response (closing that stream cancels the request).
//!   - 2026-07-28 (stateless): `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and
//!     `Mcp-Param-*` are checked against the body (`400` and `-32020` on a mismatch),
//!     `subscriptions/listen` is a long-lived SSE response, GET and DELETE answer `405`.
//!   - 2025-03-26 through 2025-11-25 (stateful): `initialize` mints an `Mcp-Session-Id`
//!     (128 random bits from the OS); other requests without one get `400`, with an unknown
//!     or ended one `404`; GET opens the session's standalone stream, resumable with
//!     `Last-Event-ID` through the server's event store; DELETE ends the session. Batches
//!     are accepted on 2025-03-26 only.
//! - **Legacy HTTP+SSE**: `GET /sse` opens a connection and announces
//!   `/messages?sessionId=...` in its `endpoint` event; POSTs there are answered `202` and
//!   their responses arrive on the stream.
//! - **Security and limits**: `Origin` and `Host` checks (`403`; loopback-only by default on
//!   a loopback address), the server's message size limit (`413`, before reading a body
//!   declared too long), body and header timeouts, SSE keep-alive comments, `TCP_NODELAY`,
//!   idle session reaping, and a graceful shutdown that drains in-flight requests.
//! - **Operations**: a tracing span per request (method, tool or resource, session,
//!   revision), `/healthz`, `/readyz` and `/metrics` (Prometheus text).
//! - **Client side** ([`client`]): Streamable HTTP (both wires: sessions, the standalone GET
//!   stream with `Last-Event-ID` resumption, 2026-07-28 headers) and legacy HTTP+SSE client
//!   transports, so `mcplex_core::client::Client` works over HTTP as over stdio.
//!
//! Bad input gets the status and JSON-RPC error the specification asks for, never a `500`:
//!
//! | input | status | JSON-RPC error |
//! |---|---|---|
//! | invalid JSON or UTF-8, nesting deeper than the limit | 400 | `-32700` |
//! | valid JSON that is not a JSON-RPC message; a batch outside 2025-03-26 | 400 | `-32600` |
//! | `Content-Type` other than `application/json` | 415 | `-32600` |
//! | `Accept` allowing neither JSON nor SSE | 406 | `-32600` |
//! | body over the limit | 413 (connection closed) | `-32600` |
//! | body not received within the body timeout | 408 (connection closed) | `-32600` |
//! | `MCP-Protocol-Version` naming no supported revision | 400 | `-32022` |
//! | 2026-07-28 header that disagrees with the body, or is missing | 400 | `-32020` |
//! | 2026-07-28 request without the required `_meta` fields | 400 | `-32602` |
//! | unknown method: 2026-07-28 / earlier revisions | 404 / 200 | `-32601` |
//! | session id required / unknown or ended | 400 / 404 | `-32600` / `-32001` |
//! | too many sessions / standalone stream already open | 503 / 409 | `-32000` |
//! | bad `Origin` or `Host` | 403 | `-32000` |
//!
//! # Which crate should I depend on?
//!
//! - **Serving tools over HTTP**: this crate and `mcplex-core`, or run the ready
//!   `mcplex-sse-server` binary with a toolset.
//! - **Adding routes, middleware or authentication**: take [`Endpoint::router`] (an axum
//!   [`Router`](axum::Router)) and wrap it with tower layers; an auth layer that inserts a
//!   [`mcplex_core::Principal`] into the request extensions makes it reach handlers and binds
//!   sessions to it.
//! - **Writing another transport**: `mcplex-transport` and `mcplex-protocol` only; this crate
//!   is one user of that contract (it calls [`mcplex_core::StreamableHttp`] for Streamable
//!   HTTP and serves each legacy connection as a [`mcplex_transport::Transport`]).
//!
//! # Features
//!
//! | feature | default | what it enables |
//! |---------|---------|-----------------|
//! | —       | —       | this crate has no optional features |
//!
//! # Example
//!
//! Serve a server on a loopback port until ctrl-c:
//!
//! ```rust,no_run
//! use mcplex_core::{Context, Server, ToolDef};
//! use mcplex_sse::SseOptions;
//! use schemars::JsonSchema;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct EchoArgs {
//!     text: String,
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), mcplex_sse::Error> {
//!     let server = Server::builder()
//!         .tool(ToolDef::new("echo", |_cx: Context, a: EchoArgs| async move { a.text }))
//!         .build();
//!     let listener = mcplex_sse::bind("127.0.0.1:8080").await?;
//!     let shutdown = async {
//!         let _ = tokio::signal::ctrl_c().await;
//!     };
//!     mcplex_sse::serve(listener, server, SseOptions::default(), shutdown).await
//! }
//! ```
//!
//! Or mount the routes in an application of your own:
//!
//! ```rust
//! use mcplex_sse::{Endpoint, SseOptions};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = mcplex_core::Server::builder().build();
//! let endpoint = Endpoint::new(server, SseOptions::default());
//! let app: axum::Router = endpoint.router();
//! assert_eq!(endpoint.streamable_http().session_count(), 0);
//! # drop(app);
//! # }
//! ```

pub mod client;
mod error;
mod options;
mod server;

use std::future::Future;

use mcplex_core::Server;
use tokio::net::{TcpListener, ToSocketAddrs};

pub use client::{
    ClientError, ClientOptions, LegacySseClient, LegacySseTransport, StreamableHttpClient,
    StreamableHttpTransport,
};
pub use error::{Error, Result};
pub use options::SseOptions;
pub use server::{Endpoint, PeerAddr};

/// Frames one JSON-RPC message as a Server-Sent Events `message` event, byte for byte as the
/// server writes it on its streams: an `id:` line when `id` is given, then the compact JSON on
/// one `data:` line. For proxies and relays that re-emit MCP streams.
///
/// ```
/// use mcplex_protocol::{Message, Notification};
///
/// let ping = Message::Notification(Notification::new("notifications/ping", &()).unwrap());
/// let event = mcplex_sse::message_event(&ping, Some("7"));
/// assert!(event.starts_with(b"id: 7\nevent: message\ndata: {"));
/// assert!(event.ends_with(b"}\n\n"));
/// ```
pub fn message_event(message: &mcplex_protocol::Message, id: Option<&str>) -> bytes::Bytes {
    server::sse::message_event(message, id)
}

/// The routes serving `server` with `options` (see [`Endpoint::router`]).
///
/// # Panics
///
/// As [`Endpoint::router`], on invalid or clashing paths in `options`.
pub fn router(server: Server, options: SseOptions) -> axum::Router {
    Endpoint::new(server, options).router()
}

/// Serves `server` with `options` on `listener` until `shutdown` completes, then shuts down
/// gracefully (see [`Endpoint::serve`]).
///
/// # Panics
///
/// As [`Endpoint::router`], on invalid or clashing paths in `options`.
///
/// # Errors
///
/// As [`Endpoint::serve`].
pub async fn serve(
    listener: TcpListener,
    server: Server,
    options: SseOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<()> {
    Endpoint::new(server, options)
        .serve(listener, shutdown)
        .await
}

/// Binds a TCP listener (`127.0.0.1:0` picks a free port).
///
/// # Errors
///
/// [`Error::is_io`] when the address cannot be bound.
pub async fn bind(addr: impl ToSocketAddrs) -> Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(Error::io)
}
