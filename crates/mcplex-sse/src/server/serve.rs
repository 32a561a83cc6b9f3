//! The accept loop: HTTP/1.1 connections with `TCP_NODELAY`, a header read timeout, and a
//! graceful shutdown that drains in-flight work up to a grace period.

use std::future::Future;
use std::time::Duration;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use super::{Endpoint, PeerAddr};
use crate::Error;

/// How long connections still open when the grace period ends get to flush before they are
/// dropped.
const FINAL_FLUSH: Duration = Duration::from_millis(200);

impl Endpoint {
    /// Serves the endpoint's [`router`](Endpoint::router) on `listener` until `shutdown`
    /// completes, then shuts down gracefully.
    ///
    /// - Every accepted socket gets `TCP_NODELAY`; connections speak HTTP/1.1 with keep-alive,
    ///   and a connection whose next request's headers take longer than
    ///   [`SseOptions::header_read_timeout`](crate::SseOptions::header_read_timeout) is closed.
    /// - The default Origin and Host allow lists follow the listener's address (loopback-only
    ///   on a loopback address).
    /// - Shutdown: stop accepting, `/readyz` answers 503, idle connections close, standalone
    ///   and `subscriptions/listen` streams end; requests in flight (and legacy connections
    ///   with requests pending) get up to [`SseOptions::shutdown_grace`](crate::SseOptions::shutdown_grace)
    ///   to finish, after which they are cancelled and the server is shut down.
    ///
    /// # Panics
    ///
    /// As [`Endpoint::router`], on invalid or clashing paths in the options.
    ///
    /// # Errors
    ///
    /// Fails only if the listener's address cannot be read; accept errors are logged and
    /// retried.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), Error> {
        let addr = listener.local_addr().map_err(Error::io)?;
        let shared = self.shared.clone();
        shared.guard.set_loopback(addr.ip().is_loopback());
        shared.start_background();
        let router = self.router();
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(shared.options.header_read_timeout)
            .keep_alive(true);
        let graceful = GracefulShutdown::new();
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            tracing::warn!(error = %e, "accepting a connection failed");
                            // Out of file descriptors and the like: let some close first.
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::debug!(error = %e, "setting TCP_NODELAY failed");
                    }
                    let service = router
                        .clone()
                        .map_request(move |mut request: Request<Incoming>| {
                            request.extensions_mut().insert(PeerAddr(peer));
                            request
                        });
                    let connection = http.serve_connection(
                        TokioIo::new(stream),
                        TowerToHyperService::new(service),
                    );
                    let connection = graceful.watch(connection);
                    let gauge = shared.metrics.connection_opened();
                    connections.spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, %peer, "connection ended with an error");
                        }
                        drop(gauge);
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        tracing::info!("shutting down: no new connections, draining in-flight requests");
        shared.closing.cancel();
        let grace = shared.options.shutdown_grace;
        let drained = tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_ok();
        if !drained {
            tracing::info!(
                ?grace,
                "grace period over: cancelling what is still running"
            );
        }
        shared.force.cancel();
        shared.server.shutdown();
        let _ = tokio::time::timeout(FINAL_FLUSH, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        connections.shutdown().await;
        tracing::info!("stopped serving");
        Ok(())
    }
}
