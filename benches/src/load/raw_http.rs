//! The raw ceiling over HTTP: a minimal axum JSON-RPC echo on `POST /mcp`, with the same
//! runtime and connection settings as the real HTTP server (multi-threaded runtime, HTTP/1.1
//! keep-alive, `TCP_NODELAY`) and none of MCP. Headers are ignored; each body goes through
//! one typed parse and one serialization (see `raw_echo.rs`).

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use super::raw_echo::answer;

/// Serves the raw HTTP echo on `bind` until the process is killed; prints
/// `raw http listening on <addr>` on stderr once it accepts connections.
///
/// # Errors
///
/// Fails when the runtime cannot start or the address cannot be bound.
pub fn raw_http_server(bind: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(bind).await?;
        eprintln!("raw http listening on {}", listener.local_addr()?);
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, Router::new().route("/mcp", post(mcp))).await?;
        Ok(())
    })
}

async fn mcp(body: Bytes) -> Response {
    let mut out = Vec::with_capacity(256);
    match answer(&body, &mut out) {
        Ok(true) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            out,
        )
            .into_response(),
        Ok(false) => StatusCode::ACCEPTED.into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}
