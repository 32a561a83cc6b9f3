//! The raw ceiling over WebSocket: tokio-tungstenite accept (selecting the `mcp` subprotocol
//! the client offers) and a JSON-RPC echo per text frame, on the same runtime as the real
//! WebSocket server, with none of MCP (see `raw_echo.rs`).

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL;

use super::raw_echo::answer;

/// Serves the raw WebSocket echo on `bind` (any path) until the process is killed; prints
/// `raw ws listening on <addr>` on stderr once it accepts connections.
///
/// # Errors
///
/// Fails when the runtime cannot start or the address cannot be bound.
pub fn raw_ws_server(bind: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(bind).await?;
        eprintln!("raw ws listening on {}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(stream));
        }
    })
}

async fn connection(stream: TcpStream) {
    let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, select_mcp).await else {
        return;
    };
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let mut out = Vec::with_capacity(256);
        match answer(text.as_bytes(), &mut out) {
            Ok(true) => {
                let Ok(reply) = String::from_utf8(out) else {
                    return;
                };
                if socket.send(Message::text(reply)).await.is_err() {
                    return;
                }
            }
            Ok(false) => {}
            Err(_) => return,
        }
    }
}

/// Selects the `mcp` subprotocol when the client offers it (the mcplex client insists on it).
#[allow(
    clippy::result_large_err,
    reason = "the signature tungstenite's accept callback requires"
)]
fn select_mcp(request: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    let offered = request
        .headers()
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim() == "mcp"));
    if offered {
        response
            .headers_mut()
            .insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static("mcp"));
    }
    Ok(response)
}
