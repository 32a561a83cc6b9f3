//! The HTTP accept loop: HTTP/1.1 connections with upgrades, `TCP_NODELAY`, a header read
//! timeout and a graceful shutdown.

use std::future::Future;
use std::time::Duration;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

use super::{Endpoint, PeerAddr};
use crate::{Error, Result};

/// How long idle HTTP connections get to close once shutdown began.
const HTTP_CLOSE: Duration = Duration::from_secs(1);

impl Endpoint {
    /// Serves the endpoint's [`router`](Endpoint::router) on `listener` until `shutdown`
    /// completes, then shuts down gracefully.
    ///
    /// - Every accepted socket gets `TCP_NODELAY`; connections speak HTTP/1.1 with keep-alive
    ///   and upgrades, and a connection whose request headers take longer than
    ///   [`WsOptions::header_read_timeout`](crate::WsOptions::header_read_timeout) is closed.
    /// - The default Origin and Host allow lists follow the listener's address (loopback-only
    ///   on a loopback address).
    /// - Shutdown: stop accepting, then [`Endpoint::shutdown`]: `/readyz` answers 503, requests
    ///   in flight get the server's grace period, and every WebSocket is closed with 1001.
    ///
    /// # Errors
    ///
    /// Fails only if the listener's address cannot be read; accept errors are logged and
    /// retried.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<()> {
        let addr = listener.local_addr().map_err(Error::io)?;
        let shared = self.shared.clone();
        shared.guard.set_loopback(addr.ip().is_loopback());
        let router = self.router();
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(shared.options.header_read_timeout)
            .keep_alive(true);
        let connections = TaskTracker::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            tracing::warn!(%error, "accepting a connection failed");
                            // Out of file descriptors and the like: let some close first.
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    if let Err(error) = stream.set_nodelay(true) {
                        tracing::debug!(%error, "setting TCP_NODELAY failed");
                    }
                    let service = router
                        .clone()
                        .map_request(move |mut request: Request<Incoming>| {
                            request.extensions_mut().insert(PeerAddr(peer));
                            request
                        });
                    let connection = http
                        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                        .with_upgrades();
                    let closing = shared.closing.clone();
                    connections.spawn(async move {
                        tokio::pin!(connection);
                        let result = tokio::select! {
                            result = connection.as_mut() => result,
                            () = closing.cancelled() => {
                                connection.as_mut().graceful_shutdown();
                                connection.await
                            }
                        };
                        if let Err(error) = result {
                            tracing::debug!(%error, %peer, "http connection ended with an error");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        tracing::info!("shutting down: no new connections, closing websockets");
        self.shutdown().await;
        connections.close();
        let _ = tokio::time::timeout(HTTP_CLOSE, connections.wait()).await;
        tracing::info!("stopped serving");
        Ok(())
    }
}
