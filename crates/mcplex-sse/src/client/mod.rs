//! The client side: connection-oriented [`Transport`](mcplex_transport::Transport)s over HTTP,
//! so that `mcplex_core::client::Client`, a proxy or a load generator talks to an HTTP server
//! exactly as it would over stdio.
//!
//! - [`StreamableHttpClient`] opens a [`StreamableHttpTransport`] to a Streamable HTTP
//!   endpoint: the stateless 2026-07-28 wire and the stateful 2025-03-26 to 2025-11-25 wires
//!   (sessions, the standalone GET stream, `DELETE` on close). Each message is POSTed on its
//!   own and requests run concurrently over pooled keep-alive connections.
//! - [`LegacySseClient`] opens a [`LegacySseTransport`] to a server of the 2024-11-05 HTTP+SSE
//!   transport (`GET /sse`, then POSTs to the announced endpoint).
//!
//! Both read what the server sends with a [`Reader`], within [`ClientOptions::max_message_bytes`]
//! (a larger message is skipped and reported as
//! [too large](mcplex_transport::Error::is_too_large)), and send the extra
//! [`ClientOptions::headers`] (such as `Authorization`) with every request. Only `http://`
//! URLs are supported: terminate TLS in front of the server.
//!
//! Errors are [`mcplex_transport::Error`]s; those particular to HTTP carry a [`ClientError`]
//! as their source.
//!
//! ```rust
//! use mcplex_core::client::{Client, ClientOptions as McpOptions};
//! use mcplex_protocol::ProtocolVersion;
//! use mcplex_sse::{ClientOptions, SseOptions, StreamableHttpClient};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A server on a free loopback port.
//! let server = mcplex_core::Server::builder().build();
//! let listener = mcplex_sse::bind("127.0.0.1:0").await?;
//! let url = format!("http://{}/mcp", listener.local_addr()?);
//! tokio::spawn(mcplex_sse::serve(listener, server, SseOptions::default(), std::future::pending()));
//!
//! for version in [ProtocolVersion::V2025_11_25, ProtocolVersion::V2026_07_28] {
//!     let transport = StreamableHttpClient::connect(&url, ClientOptions::default()).await?;
//!     let options = McpOptions::default().with_protocol_version(version);
//!     let client = Client::connect(transport, options).await?;
//!     assert_eq!(client.protocol_version(), version);
//!     assert!(client.list_tools().await?.is_empty());
//!     client.close().await?;
//! }
//! # Ok(())
//! # }
//! ```

mod error;
mod feed;
mod legacy;
mod options;
mod response;
mod session;
mod sse_parse;
mod streamable;
mod wire;

use hyper::Uri;

pub use error::ClientError;
pub use feed::Reader;
pub use legacy::{LegacySseClient, LegacySseTransport, LegacySseWriter};
pub use options::ClientOptions;
pub use streamable::{StreamableHttpClient, StreamableHttpTransport, StreamableHttpWriter};

/// An absolute `http://` URL with a host; the path defaults to `/`.
fn parse_url(url: &str) -> mcplex_transport::Result<Uri> {
    let invalid = || ClientError::InvalidUrl.into_transport();
    let uri: Uri = url.parse().map_err(|_| invalid())?;
    if uri.scheme_str() != Some("http") || uri.host().is_none_or(str::is_empty) {
        return Err(invalid());
    }
    if uri.path_and_query().is_some() {
        return Ok(uri);
    }
    let mut parts = uri.into_parts();
    parts.path_and_query = Some(hyper::http::uri::PathAndQuery::from_static("/"));
    Uri::from_parts(parts).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_made_outside_a_runtime() {
        let client = StreamableHttpClient::new(ClientOptions::default());
        let transport = client.open("http://127.0.0.1:1/mcp").unwrap();
        assert_eq!(transport.session_id(), None);
        let _ = LegacySseClient::new(ClientOptions::default());
        assert_eq!(parse_url("http://h").unwrap().to_string(), "http://h/");
        assert!(parse_url("https://h/").is_err());
    }
}
