//! Shared inputs for the mcplex benchmarks.
//!
//! The criterion micro-benchmarks live in `benches/benches/`; the end-to-end load tool
//! `mcplex-load` (`src/bin/`, logic in [`load`]) drives whole servers. Both use the same
//! messages so that figures from different benchmarks can be compared.
//!
//! # Which crate should I depend on?
//!
//! None: this crate is not published. It holds benchmark fixtures only.
//!
//! ```
//! let request = mcplex_benches::TOOLS_CALL_REQUEST;
//! assert!(mcplex_protocol::decode(request).is_ok());
//! ```

pub mod load;

/// A typical `tools/call` request as a client sends it (2025-11-25 wire).
pub const TOOLS_CALL_REQUEST: &[u8] = br#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello from the benchmark, a sentence of typical length"},"_meta":{"progressToken":"p-42"}}}"#;

/// The same request on the 2026-07-28 wire, with the per-request `_meta` every request carries.
pub const TOOLS_CALL_REQUEST_2026: &[u8] = br#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello from the benchmark, a sentence of typical length"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1.0.0"}}}}"#;

/// The text the `echo` tool returns for [`TOOLS_CALL_REQUEST`].
pub const ECHO_TEXT: &str = "hello from the benchmark, a sentence of typical length";
