//! Test support for mcplex: the one home of fixtures and helpers that every crate's `tests/`
//! share.
//!
//! - [`fixture()`] / [`fixture_server()`]: the fixture toolset (`echo`, a cancellable `slow`
//!   tool, a `notify` tool that reports progress, and a `counter` resource), built with
//!   `mcplex-core`'s builder. Core and transport tests use it instead of defining their own.
//! - [`suite`]: the shared transport test suite. Every transport crate runs
//!   [`suite::transport_suite`] (and [`suite::raw_suite`] when it carries bytes or text), or
//!   each check as a test of its own.
//! - [`Peer`]: a message-by-message JSON-RPC client with timeouts, for tests that need to see
//!   exactly what goes over the wire; [`RawConnection`] for input that is not a message.
//! - [`bin_path`], [`spawn_stdio_server`], [`spawn_stdio`]: build (once per test process) and
//!   spawn the workspace binaries; [`serve_memory`] serves a server in-process.
//!
//! # Which crate should I depend on?
//!
//! This crate is for tests only: add it under `[dev-dependencies]` of a workspace crate,
//! never under `[dependencies]`. Applications depend on `mcplex-core` and a transport crate;
//! a new transport crate depends on `mcplex-transport` and uses this crate to run the suite.
//!
//! # Features
//!
//! | feature | default | what it enables |
//! |---------|---------|-----------------|
//! | —       | —       | this crate has no optional features |
//!
//! # Example
//!
//! Running the suite over the in-memory transport, one fresh server per check:
//!
//! ```rust
//! use mcplex_test::{fixture_server, serve_memory, suite};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! suite::stateful_round_trip(serve_memory(fixture_server())).await;
//! suite::transport_suite(|| async { serve_memory(fixture_server()) }).await;
//! # }
//! ```

mod bins;
pub mod fixture;
pub mod idle;
mod peer;
pub mod suite;

pub use bins::{
    BIN_DIR_ENV, FIXTURE_STDIO_BIN, STDIO_SERVER_BIN, bin_path, bin_path_in, command, serve_memory,
    spawn_fixture_stdio, spawn_stdio, spawn_stdio_raw, spawn_stdio_server,
};
pub use fixture::{fixture, fixture_server};
pub use peer::{
    Connected, Peer, RECV_TIMEOUT, RawConnection, RawWrite, error, first_text, notification,
    request, result, stateless_meta,
};
