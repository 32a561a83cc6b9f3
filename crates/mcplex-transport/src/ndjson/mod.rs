//! Newline-delimited JSON: one JSON-RPC message per line, the framing of the stdio transport.
//!
//! [`NdjsonCodec`] frames messages for any [`tokio_util::codec`] user; [`NdjsonTransport`]
//! puts it over a byte reader and writer as a [`Transport`](crate::Transport).

mod codec;
mod transport;

pub use codec::NdjsonCodec;
pub use transport::{NdjsonReader, NdjsonTransport, NdjsonWriter};
