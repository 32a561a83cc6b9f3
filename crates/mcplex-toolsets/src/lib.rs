//! Ready-made toolsets for mcplex servers: what the `mcplex-*-server` binaries serve when they
//! do not proxy an upstream server.
//!
//! A toolset is a [`ServerBuilder`] with tools, resources, resource templates and prompts
//! already registered. Callers may add limits and state backends (a Redis key-value store,
//! fanout, session store) before they call [`ServerBuilder::build`]; the toolsets keep all
//! their state in the server's [`KvStore`](mcplex_core::state::KvStore), so they work the same
//! embedded and scaled out across instances.
//!
//! | name   | what it is |
//! |--------|------------|
//! | `demo` | the embedded default ([`demo()`]): echo, arithmetic with typed output, a long task with progress and cancellation, asking the user (elicitation), a shared counter and message board with update notifications, notes behind a resource template with completion, and a prompt |
//! | `conformance` | [`conformance()`]: the tools, resources and prompts the official MCP conformance suite expects of a server under test |
//!
//! [`builder_for`] maps the names the binaries accept in `--toolset` to builders.
//!
//! # Which crate should I depend on?
//!
//! - Running a server: use one of the binaries (`mcplex-stdio-server`, `mcplex-sse-server`,
//!   `mcplex-ws-server`); they serve these toolsets with `--toolset`.
//! - Embedding the demo in your own server or tests: this crate, plus `mcplex-core` to build
//!   and serve it, and a transport crate (`mcplex-stdio`, `mcplex-sse`, `mcplex-ws`).
//! - Writing your own tools: `mcplex-core` only; this crate is a worked example of its API.
//!
//! # Features
//!
//! This crate has no optional features.
//!
//! # Example
//!
//! ```rust
//! use mcplex_core::client::{Client, ClientOptions};
//! use mcplex_protocol::ProtocolVersion;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = mcplex_toolsets::builder_for("demo").expect("demo exists").build();
//! assert_eq!(server.info().name, "mcplex-demo");
//!
//! // Serve one end of an in-memory connection and call a tool from the other.
//! let (server_end, client_end) = mcplex_transport::memory::pair(16);
//! tokio::spawn(async move { server.serve_connection(server_end).await });
//! let options = ClientOptions::default().with_protocol_version(ProtocolVersion::V2026_07_28);
//! let client = Client::connect(client_end, options).await.unwrap();
//! let result = client
//!     .call_tool("add", serde_json::json!({ "a": 2, "b": 3 }))
//!     .await
//!     .unwrap();
//! assert_eq!(result.structured_content, Some(serde_json::json!({ "sum": 5.0 })));
//! # }
//! ```

use mcplex_core::ServerBuilder;

pub mod conformance;
pub mod demo;

pub use conformance::conformance;
pub use demo::demo;

/// The names [`builder_for`] knows, in the order the binaries list them.
pub const TOOLSETS: &[&str] = &["demo", "conformance"];

/// The builder of the toolset called `name` (see [`TOOLSETS`]); `None` for an unknown name.
///
/// ```rust
/// assert!(mcplex_toolsets::builder_for("demo").is_some());
/// assert!(mcplex_toolsets::builder_for("nonsense").is_none());
/// ```
pub fn builder_for(name: &str) -> Option<ServerBuilder> {
    match name {
        "demo" => Some(demo()),
        "conformance" => Some(conformance()),
        _ => None,
    }
}
