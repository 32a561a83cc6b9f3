//! The raw accept: the opening handshake done by the WebSocket library on any byte stream,
//! with no HTTP router in front.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{HeaderValue, header};
use mcplex_transport::ConnectionInfo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_util::task::TaskTracker;

use super::Endpoint;
use crate::conn::{self, Io};
use crate::handshake::{self, Refusal};
use crate::{Error, Negotiated, Result};

impl Endpoint {
    /// Runs the opening handshake on `stream` and serves the WebSocket until it closes.
    ///
    /// This is the raw accept, for streams that are WebSocket connections from their first
    /// byte: a TCP stream from any listener, a Unix socket, a TLS stream. It applies the same
    /// checks as the upgrade route (Origin and Host, subprotocol), on any request path; the
    /// whole handshake must finish within [`WsOptions::header_read_timeout`](crate::WsOptions::header_read_timeout).
    /// `/healthz`, `/readyz` and `/metrics` are only served by the [router](Endpoint::router).
    ///
    /// ```rust,no_run
    /// use mcplex_ws::{Endpoint, WsOptions};
    /// use tokio::net::TcpListener;
    ///
    /// # #[tokio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = mcplex_core::Server::builder().build();
    /// let endpoint = Endpoint::new(server, WsOptions::default());
    /// let listener = TcpListener::bind("127.0.0.1:8081").await?;
    /// loop {
    ///     let (stream, peer) = listener.accept().await?;
    ///     let endpoint = endpoint.clone();
    ///     tokio::spawn(async move { endpoint.accept(stream, Some(peer)).await });
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::is_timeout`] when the handshake takes too long, [`Error::is_handshake`] when
    /// it fails or is refused. Once the WebSocket is open, how it ends is not an error.
    pub async fn accept<S>(&self, stream: S, peer: Option<SocketAddr>) -> Result<()>
    where
        S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let shared = &self.shared;
        if shared.closing.is_cancelled() {
            return Err(Error::handshake("the endpoint is shutting down", None));
        }
        let io: Box<dyn Io> = Box::new(stream);
        let config = conn::config(shared.server.limits().max_message_bytes);
        let mut outcome = Err(Refusal::NotUpgrade);
        #[allow(
            clippy::result_large_err,
            reason = "the handshake callback's signature is the WebSocket library's"
        )]
        let callback = |request: &Request, mut response: Response| {
            let checked = shared
                .guard
                .check(request.headers(), request.uri())
                .map_err(Refusal::from)
                .and_then(|()| {
                    handshake::negotiate(request.headers(), shared.options.allow_no_subprotocol)
                });
            outcome = checked;
            match checked {
                Ok(negotiated) => {
                    if let Some(protocol) = negotiated.subprotocol {
                        response.headers_mut().insert(
                            header::SEC_WEBSOCKET_PROTOCOL,
                            HeaderValue::from_static(protocol),
                        );
                    }
                    Ok(response)
                }
                Err(refusal) => {
                    let mut error = ErrorResponse::new(Some(refusal.message().to_owned()));
                    *error.status_mut() = refusal.status();
                    Err(error)
                }
            }
        };
        let handshake = tokio_tungstenite::accept_hdr_async_with_config(io, callback, Some(config));
        let timeout = shared.options.header_read_timeout;
        let accepted = tokio::time::timeout(timeout, handshake).await;
        let socket = match accepted {
            Err(_) => return Err(Error::timeout()),
            Ok(Err(error)) => {
                if let Err(refusal) = outcome {
                    shared.metrics.refused(refusal);
                }
                return Err(Error::handshake(
                    "the opening handshake failed",
                    Some(Box::new(error)),
                ));
            }
            Ok(Ok(socket)) => socket,
        };
        let negotiated: Negotiated = outcome.unwrap_or_default();
        let mut info = ConnectionInfo::new("ws");
        if let Some(peer) = peer {
            info.set_peer_addr(Some(peer.to_string()));
        }
        info.extensions_mut().insert(negotiated);
        let run = shared.clone().run(socket, info);
        shared.connections.track_future(run).await;
        Ok(())
    }

    /// Accepts TCP connections on `listener` and serves each as a WebSocket with
    /// [`accept`](Endpoint::accept), until `shutdown` completes; then shuts down like
    /// [`Endpoint::shutdown`].
    ///
    /// # Errors
    ///
    /// Fails only if the listener's address cannot be read; accept errors are logged and
    /// retried.
    pub async fn serve_raw(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<()> {
        let addr = listener.local_addr().map_err(Error::io)?;
        self.shared.guard.set_loopback(addr.ip().is_loopback());
        let handshakes = TaskTracker::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            tracing::warn!(%error, "accepting a connection failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let endpoint = self.clone();
                    handshakes.spawn(async move {
                        if let Err(error) = endpoint.accept(stream, Some(peer)).await {
                            tracing::debug!(%error, %peer, "websocket handshake failed");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        self.shutdown().await;
        handshakes.close();
        Ok(())
    }
}
