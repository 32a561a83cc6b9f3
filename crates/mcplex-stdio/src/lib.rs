//! The mcplex stdio transport: serve the Model Context Protocol over a process's stdin and
//! stdout, or talk to an MCP server running in a child process.
//!
//! On stdio, each JSON-RPC message is one line of JSON (newline-delimited, no embedded
//! newlines), in both directions. The client starts the server as a child process, writes
//! requests to its stdin and reads its stdout; closing the child's stdin asks it to exit.
//!
//! - **Server side**: [`serve`] and [`serve_with`] serve the process's own stdin and stdout as
//!   one connection of an [`mcplex_core::Server`], every protocol revision at once. A line
//!   that is not a message, or is longer than the limit (4 MiB by default), is answered with
//!   a JSON-RPC error line and the connection goes on. When stdin ends, requests still
//!   running are cancelled and `serve` returns at once. [`transport`] gives the raw
//!   [`Transport`](mcplex_transport::Transport) for code that drives the connection itself.
//!   A stdin or stdout that is a pipe or a socket is switched to non-blocking mode and read
//!   and written by the runtime's reactor (see [`Stdin`] and [`Stdout`]).
//! - **Client side**: [`spawn`] and [`spawn_with`] start a child process and return a
//!   [`ChildTransport`] over its pipes, ready for [`mcplex_core::client::Client::connect`], a
//!   proxy or a load generator. Dropping it closes the child's stdin, waits a grace period
//!   (2 s by default) and kills the child if it is still running; [`Process::shutdown`] does
//!   the same and reports the exit status.
//!
//! **Stdout is the protocol.** A stdio server must write nothing else there: send logs to
//! stderr (the `mcplex-stdio-server` binary does), and never print to stdout from a handler —
//! one stray line breaks the client's parser.
//!
//! # Which crate should I depend on?
//!
//! - **Serving tools to a desktop client or IDE** over stdio: this crate and `mcplex-core`, or
//!   run the ready `mcplex-stdio-server` binary with a toolset.
//! - **Talking to a stdio server** from Rust (tests, proxies, load tools): this crate for
//!   [`spawn`], and `mcplex-core`'s `Client` on top of the [`ChildTransport`].
//! - **Writing another transport**: `mcplex-transport` and `mcplex-protocol`, not this crate;
//!   it is one example of that contract.
//!
//! # Features
//!
//! | feature | default | what it enables |
//! |---------|---------|-----------------|
//! | —       | —       | this crate has no optional features |
//!
//! # Example
//!
//! A server binary whose whole protocol runs over stdin and stdout:
//!
//! ```rust,no_run
//! use mcplex_core::{Context, Server, ToolDef};
//! use schemars::JsonSchema;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct EchoArgs {
//!     text: String,
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> Result<(), mcplex_stdio::Error> {
//!     // Logs go to stderr; stdout belongs to the protocol.
//!     eprintln!("serving on stdio");
//!     let server = Server::builder()
//!         .tool(ToolDef::new("echo", |_cx: Context, a: EchoArgs| async move { a.text }))
//!         .build();
//!     mcplex_stdio::serve(server).await
//! }
//! ```
//!
//! The client side, here with `cat` as the child so that every message comes straight back:
//!
//! ```rust
//! use futures_util::{SinkExt, StreamExt};
//! use mcplex_protocol::{Message, Request};
//! use mcplex_transport::Transport;
//! use tokio::process::Command;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let child = mcplex_stdio::spawn(Command::new("cat"))?;
//! let process = child.process().clone();
//! let (mut incoming, mut outgoing, info) = child.split();
//! assert_eq!(info.transport(), "stdio");
//!
//! let ping = Message::Request(Request::new(1, "ping", &serde_json::json!({}))?);
//! outgoing.send(ping.clone()).await?;
//! assert_eq!(incoming.next().await.transpose()?, Some(ping));
//!
//! outgoing.close().await?; // closes cat's stdin: it exits
//! assert!(process.wait().await?.success());
//! # Ok(())
//! # }
//! ```

mod child;
mod error;
mod server;
mod stdin;

pub use child::{
    ChildReader, ChildTransport, ChildWriter, Process, SpawnOptions, Stderr, spawn, spawn_with,
};
pub use error::{Error, Result};
pub use server::{StdioOptions, StdioTransport, serve, serve_with, transport};
pub use stdin::{Stdin, Stdout, stdin, stdout};
