//! The client side: [`connect`] to a WebSocket MCP server.

use std::sync::Arc;

use axum::http::{HeaderName, HeaderValue, header};
use mcplex_protocol::DecodeLimits;
use mcplex_transport::ConnectionInfo;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Error as WsError};

use crate::conn::{self, Conn, Io, Policy};
use crate::handshake::{SUBPROTOCOL, VERSION_PREFIX};
use crate::transport::Settings;
use crate::{ClientOptions, Error, Negotiated, Result, WsTransport};

/// Connects to the WebSocket MCP server at `url` (`ws://host[:port]/path`) and returns the
/// connection as a [`WsTransport`], ready for `mcplex_core::client::Client::connect`, a proxy
/// or a load generator.
///
/// The upgrade request offers the `mcp` subprotocol (and `mcp.version.<revision>` when
/// [`ClientOptions::revision`] is set); the server must select `mcp`. `wss://` URLs are not
/// supported by this crate: terminate TLS in front of the server, or connect through a TLS
/// stream of your own.
///
/// ```rust,no_run
/// use mcplex_core::client::{Client, ClientOptions as McpClientOptions};
/// use mcplex_ws::{ClientOptions, connect};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = connect("ws://127.0.0.1:8081/ws", &ClientOptions::default()).await?;
/// let client = Client::connect(transport, McpClientOptions::default()).await?;
/// let tools = client.list_tools().await?;
/// println!("{} tools", tools.len());
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::is_url`] for a URL that is not `ws://`, [`Error::is_connect`] when the TCP
/// connection fails, [`Error::is_timeout`] after [`ClientOptions::connect_timeout`],
/// [`Error::is_refused`] (with the HTTP [`status`](Error::status)) when the server answers the
/// upgrade with an error, [`Error::is_handshake`] for any other handshake failure.
pub async fn connect(url: &str, options: &ClientOptions) -> Result<WsTransport> {
    let timeout = options.connect_timeout;
    tokio::time::timeout(timeout, connect_inner(url, options))
        .await
        .unwrap_or_else(|_| Err(Error::timeout()))
}

async fn connect_inner(url: &str, options: &ClientOptions) -> Result<WsTransport> {
    if !url.starts_with("ws://") {
        return Err(Error::url(None));
    }
    let mut request = url
        .into_client_request()
        .map_err(|e| Error::url(Some(Box::new(e))))?;
    let uri = request.uri().clone();
    let host = uri.host().ok_or_else(|| Error::url(None))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(80);

    let mut offers = SUBPROTOCOL.to_owned();
    if let Some(revision) = options.revision {
        offers.push_str(", ");
        offers.push_str(VERSION_PREFIX);
        offers.push_str(revision.as_str());
    }
    let headers = request.headers_mut();
    headers.insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_str(&offers).map_err(|e| Error::url(Some(Box::new(e))))?,
    );
    for (name, value) in &options.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| Error::handshake("invalid request header name", Some(Box::new(e))))?;
        let value = HeaderValue::from_str(value)
            .map_err(|e| Error::handshake("invalid request header value", Some(Box::new(e))))?;
        headers.insert(name, value);
    }

    let stream = TcpStream::connect((host, port))
        .await
        .map_err(Error::connect)?;
    let peer = stream.peer_addr().ok();
    let _ = stream.set_nodelay(true);
    let io: Box<dyn Io> = Box::new(stream);
    let config = conn::config(options.max_message_bytes);
    let (socket, response) = tokio_tungstenite::client_async_with_config(request, io, Some(config))
        .await
        .map_err(handshake_error)?;

    let mut info = ConnectionInfo::new("ws");
    if let Some(peer) = peer {
        info.set_peer_addr(Some(peer.to_string()));
    }
    let selected = response
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .is_some_and(|v| v.as_bytes() == SUBPROTOCOL.as_bytes());
    info.extensions_mut().insert(Negotiated {
        subprotocol: selected.then_some(SUBPROTOCOL),
        revision: options.revision,
    });
    let settings = Settings {
        decode: DecodeLimits::DEFAULT,
        ping_interval: options.ping_interval,
        pong_timeout: options.pong_timeout,
    };
    let conn = Arc::new(Conn::new(socket, Policy::Plain, None));
    Ok(WsTransport::new(conn, settings, info))
}

fn handshake_error(error: WsError) -> Error {
    match error {
        WsError::Http(response) => Error::refused(response.status().as_u16()),
        WsError::Io(e) => Error::connect(e),
        WsError::Protocol(tungstenite::error::ProtocolError::SecWebSocketSubProtocolError(_)) => {
            Error::handshake("the server did not select the `mcp` subprotocol", None)
        }
        other => Error::handshake("unexpected answer to the upgrade", Some(Box::new(other))),
    }
}
