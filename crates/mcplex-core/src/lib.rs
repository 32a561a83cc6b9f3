//! The mcplex core: write MCP tools, resources and prompts once and serve them on every
//! transport and every protocol revision.
//!
//! `mcplex-core` holds the [`Server`] (registries, dispatch for every method of the
//! 2024-11-05 through 2026-07-28 revisions, stateful sessions, the stateless 2026-07-28 wire,
//! multi round-trip requests, subscriptions, progress, cancellation and logging), the
//! [`client::Client`], and the scale-out seams ([`state::Fanout`], [`state::SessionStore`],
//! [`state::EventStore`], [`state::KvStore`]) with in-memory implementations.
//!
//! # Which crate should I depend on?
//!
//! - Writing a server: this crate plus a transport (`mcplex-stdio`, `mcplex-sse`,
//!   `mcplex-ws`), or run one of the ready binaries.
//! - Writing a transport: `mcplex-transport` and `mcplex-protocol` only; core serves any
//!   [`mcplex_transport::Transport`] through [`Server::serve_connection`].
//! - Scaling out: `mcplex-redis` implements the state traits.
//!
//! # Features
//!
//! This crate has no optional features.
//!
//! # Example
//!
//! ```
//! use mcplex_core::{Context, Json, Server, ToolDef};
//! use mcplex_core::client::{Client, ClientOptions};
//! use mcplex_protocol::ProtocolVersion;
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct AddArgs { a: f64, b: f64 }
//!
//! #[derive(Serialize, JsonSchema)]
//! struct Sum { sum: f64 }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = Server::builder()
//!     .tool(
//!         ToolDef::new("add", |_cx: Context, args: AddArgs| async move {
//!             Json(Sum { sum: args.a + args.b })
//!         })
//!         .description("Adds two numbers.")
//!         .output::<Sum>(),
//!     )
//!     .build();
//!
//! // Serve one end of an in-memory connection; talk to it from the other.
//! let (server_end, client_end) = mcplex_transport::memory::pair(16);
//! tokio::spawn(async move { server.serve_connection(server_end).await });
//! for version in [ProtocolVersion::V2025_11_25, ProtocolVersion::V2026_07_28] {
//!     # let (server_end, client_end) = mcplex_transport::memory::pair(16);
//!     # let server = Server::builder().tool(ToolDef::new("add", |_cx: Context, args: AddArgs| async move { Json(Sum { sum: args.a + args.b }) }).output::<Sum>()).build();
//!     # tokio::spawn(async move { server.serve_connection(server_end).await });
//!     let options = ClientOptions { protocol_version: version, ..ClientOptions::default() };
//!     let client = Client::connect(client_end, options).await.unwrap();
//!     let result = client.call_tool("add", serde_json::json!({ "a": 2, "b": 3 })).await.unwrap();
//!     assert_eq!(result.structured_content, Some(serde_json::json!({ "sum": 5.0 })));
//! }
//! # drop(client_end);
//! # }
//! ```

mod call_tool;
pub mod client;

mod connection;
mod context;
mod error;
mod events;
mod http;
mod input;
mod limits;
mod mrtr;
mod outbound;
mod principal;
mod prompt;
mod registry;
mod resource;
mod router;
pub mod seal;
mod server;
mod session;
pub mod state;
mod tool;

pub use connection::Ended;
pub use context::Context;
pub use error::{Error, HandlerError};
pub use http::{SessionError, SessionMode, StreamableHttp};
pub use input::{Input, InputRequired};
pub use limits::Limits;
pub use mrtr::{IntoOutcome, Outcome};
pub use principal::Principal;
pub use prompt::{PromptDef, PromptHandler};
pub use resource::{
    Completer, ReadResult, ResourceDef, ResourceReader, TemplateDef, TemplateVars, text_contents,
};
pub use server::{Server, ServerBuilder};
pub use tool::{IntoToolOutcome, Json, ToolDef, ToolHandler, ToolOutcome};

pub use mcplex_protocol as protocol;
pub use mcplex_transport as transport;

/// A boxed, sendable future, as the object-safe traits of this crate return.
pub type BoxFuture<'a, T> = state::BoxFuture<'a, T>;
