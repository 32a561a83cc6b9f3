//! JSON-RPC 2.0 and Model Context Protocol types for every MCP revision.
//!
//! `mcplex-protocol` is the bottom of the mcplex stack: it does no I/O and knows no runtime.
//! It holds
//!
//! - the JSON-RPC envelope ([`Message`], [`Request`], [`Notification`], [`Response`],
//!   [`ErrorResponse`]) with a fast decoder ([`decode`]) that keeps parameters and results as
//!   raw JSON ([`Payload`]) until a handler asks for their type, and typed decode errors
//!   ([`DecodeError`]) that map to `-32700` and `-32600`;
//! - the protocol revisions ([`ProtocolVersion`]) with predicates for what each one has;
//! - the MCP message model ([`model`]): one superset of the 2024-11-05, 2025-03-26, 2025-06-18,
//!   2025-11-25 and 2026-07-28 revisions, and [`Shape`], which reduces an outgoing message to
//!   what the negotiated revision knows;
//! - error codes of every revision ([`ErrorCode`], [`ErrorObject`]).
//!
//! # Which crate should I depend on?
//!
//! - Writing a tool server: depend on `mcplex-core` and a transport crate; this crate comes
//!   along re-exported.
//! - Writing a transport: depend on `mcplex-transport` and this crate only.
//! - Inspecting or generating MCP traffic (proxies, test tools): this crate alone.
//!
//! # Features
//!
//! This crate has no optional features.
//!
//! # Example
//!
//! ```
//! use mcplex_protocol::model::{CallToolParams, CallToolResult, Content};
//! use mcplex_protocol::{decode, Message, ProtocolVersion, Response, Shape};
//!
//! let msg = decode(br#"{"jsonrpc":"2.0","id":1,"method":"tools/call",
//!     "params":{"name":"echo","arguments":{"text":"hi"}}}"#).unwrap();
//! let Message::Request(req) = msg else { unreachable!() };
//! let params: CallToolParams = req.params_as().unwrap();
//! assert_eq!(params.name, "echo");
//!
//! let mut result = CallToolResult::text("hi");
//! result.shape(ProtocolVersion::V2025_06_18);
//! let reply = Message::Response(Response::new(req.id, &result).unwrap());
//! assert_eq!(
//!     reply.to_json_string(),
//!     r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hi"}]}}"#
//! );
//! ```

mod decode;
mod error_object;
mod jsonrpc;
pub mod method;
pub mod model;
mod shape;
mod version;

pub use decode::{
    DecodeError, DecodeErrorKind, DecodeLimits, Incoming, MAX_DEPTH_CEILING, decode,
    decode_incoming, decode_str_with, decode_with,
};
pub use error_object::{ErrorCode, ErrorObject};
pub use jsonrpc::{
    ErrorResponse, Message, Method, Notification, Payload, ProgressToken, Request, RequestId,
    Response,
};
pub use serde_json::value::RawValue;
pub use shape::Shape;
pub use version::{ProtocolVersion, UnknownVersion};
