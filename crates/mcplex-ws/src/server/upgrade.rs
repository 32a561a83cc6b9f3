//! The upgrade route: the opening handshake over hyper's HTTP/1.1 upgrades.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use mcplex_core::Principal;
use mcplex_transport::ConnectionInfo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::{PeerAddr, Shared, text};
use crate::conn::{self, Io};
use crate::handshake;

/// `GET /ws`: checks the upgrade, selects the subprotocol, answers 101 and serves the
/// WebSocket in a task of its own once hyper hands the connection over.
pub(super) async fn upgrade(State(shared): State<Arc<Shared>>, mut request: Request) -> Response {
    if shared.closing.is_cancelled() {
        return text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n");
    }
    let accept = match handshake::upgrade_key(request.method(), request.headers()) {
        Ok(key) => derive_accept_key(key.as_bytes()),
        Err(refusal) => return shared.refuse(refusal),
    };
    let negotiated =
        match handshake::negotiate(request.headers(), shared.options.allow_no_subprotocol) {
            Ok(negotiated) => negotiated,
            Err(refusal) => return shared.refuse(refusal),
        };
    let Some(on_upgrade) = request.extensions_mut().remove::<OnUpgrade>() else {
        tracing::warn!("a websocket upgrade arrived on a connection served without upgrades");
        return text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "this server cannot upgrade connections\n",
        );
    };

    let mut info = ConnectionInfo::new("ws");
    if let Some(PeerAddr(peer)) = request.extensions().get::<PeerAddr>() {
        info.set_peer_addr(Some(peer.to_string()));
    }
    if let Some(principal) = request.extensions().get::<Principal>() {
        info.extensions_mut().insert(principal.clone());
    }
    info.extensions_mut().insert(negotiated);

    let task = shared.clone();
    // The task lives as long as the connection: it holds what it needs and no more.
    shared.connections.spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(error) => {
                tracing::debug!(%error, "the websocket upgrade did not complete");
                return;
            }
        };
        let io: Box<dyn Io> = Box::new(TokioIo::new(upgraded));
        let config = conn::config(task.server.limits().max_message_bytes);
        let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
        task.run(socket, info).await;
    });

    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    if let Some(protocol) = negotiated.subprotocol {
        headers.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(protocol),
        );
    }
    response
}
