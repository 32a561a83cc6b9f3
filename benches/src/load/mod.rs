//! The end-to-end load tool behind `mcplex-load`: drives a server over a transport with a
//! window of requests in flight, verifies every result, and reports one JSON line per run.

mod http;
mod http1;
mod legacy_sse;
mod proc_stats;
mod raw;
mod raw_echo;
mod raw_http;
mod raw_ws;
mod report;
mod stdio;
mod ws;

pub use http::{HttpLoad, run_http};
pub use legacy_sse::{LegacySseLoad, run_legacy_sse};
pub use proc_stats::ProcStats;
pub use raw::raw_stdio_server;
pub use raw_http::raw_http_server;
pub use raw_ws::raw_ws_server;
pub use report::Report;
pub use stdio::{StdioLoad, run_stdio};
pub use ws::{WsLoad, run_ws, run_ws_push};

use mcplex_protocol::ProtocolVersion;

/// What to send: the MCP `echo` tool (through the server's dispatch) or the raw ceiling's echo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A real MCP server speaking the given revision.
    Mcp(ProtocolVersion),
    /// The built-in minimal JSON-RPC echo server (no MCP machinery): the ceiling.
    Raw,
}

/// The `tools/call` request line for `id`, as a client of `target` sends it.
pub fn request_line(target: Target, id: u64, buf: &mut Vec<u8>) {
    use std::io::Write;
    let text = crate::ECHO_TEXT;
    match target {
        Target::Mcp(v) if v.is_stateless() => {
            let _ = write!(
                buf,
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"{text}"}},"_meta":{{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{{}}}}}}}}"#
            );
        }
        _ => {
            let _ = write!(
                buf,
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"{text}"}}}}}}"#
            );
        }
    }
    buf.push(b'\n');
}

/// Checks one response line: the id it answers, if it is a successful `echo` result.
pub fn verify_response(line: &[u8]) -> Result<u64, String> {
    let message =
        mcplex_protocol::decode(line).map_err(|e| format!("undecodable response: {e}"))?;
    match message {
        mcplex_protocol::Message::Response(r) => {
            if !r.result.get().contains(crate::ECHO_TEXT) {
                return Err(format!("unexpected result: {}", r.result.get()));
            }
            match r.id {
                mcplex_protocol::RequestId::Number(n) if n >= 0 => Ok(n as u64),
                other => Err(format!("unexpected id {other}")),
            }
        }
        other => Err(format!("unexpected message: {}", other.to_json_string())),
    }
}
