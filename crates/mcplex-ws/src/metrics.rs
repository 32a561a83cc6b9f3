//! A small metrics registry (atomics only), rendered in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::CloseCode;
use crate::handshake::Refusal;

/// The close codes counted by name; any other is counted as `other`.
const CODES: [CloseCode; 9] = [
    CloseCode::NORMAL,
    CloseCode::GOING_AWAY,
    CloseCode::PROTOCOL_ERROR,
    CloseCode::UNSUPPORTED_DATA,
    CloseCode::INVALID_PAYLOAD,
    CloseCode::POLICY_VIOLATION,
    CloseCode::MESSAGE_TOO_BIG,
    CloseCode::INTERNAL_ERROR,
    CloseCode::TRY_AGAIN_LATER,
];

/// Who ended a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Initiator {
    /// This server sent the first close frame.
    Server,
    /// The peer sent the first close frame.
    Peer,
}

/// How a connection ended, for [`Metrics::closed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// A close frame with this code, sent first by this side or the peer.
    Close(CloseCode, Initiator),
    /// The socket ended without a close handshake (a reset, a dead peer).
    Dropped,
}

/// Counters and gauges of one endpoint.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    connections_open: AtomicI64,
    connections_total: AtomicU64,
    refused: [AtomicU64; Refusal::ALL.len()],
    /// Per close code (index into [`CODES`], then other), by the server and by the peer.
    closes: [[AtomicU64; 2]; CODES.len() + 1],
    dropped: AtomicU64,
    received: AtomicU64,
    sent: AtomicU64,
}

impl Metrics {
    /// Marks a connection open until the guard is dropped.
    pub(crate) fn connection_opened(self: &Arc<Self>) -> Gauge {
        self.connections_open.fetch_add(1, Ordering::Relaxed);
        self.connections_total.fetch_add(1, Ordering::Relaxed);
        Gauge(self.clone())
    }

    /// WebSocket connections open now.
    pub(crate) fn connections_open(&self) -> usize {
        usize::try_from(self.connections_open.load(Ordering::Relaxed)).unwrap_or(0)
    }

    pub(crate) fn refused(&self, refusal: Refusal) {
        self.refused[refusal.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn closed(&self, ending: Ending) {
        match ending {
            Ending::Close(code, by) => {
                let index = CODES.iter().position(|c| *c == code).unwrap_or(CODES.len());
                let by = usize::from(by == Initiator::Peer);
                self.closes[index][by].fetch_add(1, Ordering::Relaxed);
            }
            Ending::Dropped => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub(crate) fn render(&self, ready: bool) -> String {
        let mut out = String::with_capacity(2048);
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP mcplex_ws_connections_open WebSocket connections open now.\n\
             # TYPE mcplex_ws_connections_open gauge\n\
             mcplex_ws_connections_open {}\n\
             # HELP mcplex_ws_connections_total WebSocket connections accepted.\n\
             # TYPE mcplex_ws_connections_total counter\n\
             mcplex_ws_connections_total {}\n\
             # HELP mcplex_ws_ready Whether the endpoint takes new connections.\n\
             # TYPE mcplex_ws_ready gauge\n\
             mcplex_ws_ready {}",
            self.connections_open.load(Ordering::Relaxed),
            load(&self.connections_total),
            u8::from(ready),
        );
        out.push_str(
            "# HELP mcplex_ws_upgrades_refused_total Upgrade requests refused, by reason.\n\
             # TYPE mcplex_ws_upgrades_refused_total counter\n",
        );
        for refusal in Refusal::ALL {
            let _ = writeln!(
                out,
                "mcplex_ws_upgrades_refused_total{{reason=\"{}\"}} {}",
                refusal.label(),
                load(&self.refused[refusal.index()])
            );
        }
        out.push_str(
            "# HELP mcplex_ws_closes_total Connections closed with a close frame, by code and by \
             who sent the first one.\n\
             # TYPE mcplex_ws_closes_total counter\n",
        );
        let labels = CODES.iter().map(|c| c.to_string()).chain(["other".into()]);
        for (code, counts) in labels.zip(&self.closes) {
            for (by, count) in ["server", "peer"].iter().zip(counts) {
                let n = load(count);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "mcplex_ws_closes_total{{code=\"{code}\",initiator=\"{by}\"}} {n}"
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "# HELP mcplex_ws_dropped_total Connections that ended without a close handshake.\n\
             # TYPE mcplex_ws_dropped_total counter\n\
             mcplex_ws_dropped_total {}\n\
             # HELP mcplex_ws_messages_received_total JSON-RPC messages received.\n\
             # TYPE mcplex_ws_messages_received_total counter\n\
             mcplex_ws_messages_received_total {}\n\
             # HELP mcplex_ws_messages_sent_total JSON-RPC messages sent.\n\
             # TYPE mcplex_ws_messages_sent_total counter\n\
             mcplex_ws_messages_sent_total {}",
            load(&self.dropped),
            load(&self.received),
            load(&self.sent),
        );
        out
    }
}

/// Decrements the open-connections gauge when dropped.
#[derive(Debug)]
pub(crate) struct Gauge(Arc<Metrics>);

impl Drop for Gauge {
    fn drop(&mut self) {
        self.0.connections_open.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders() {
        let metrics = Arc::new(Metrics::default());
        let gauge = metrics.connection_opened();
        metrics.refused(Refusal::NoSubprotocol);
        metrics.closed(Ending::Close(CloseCode::TRY_AGAIN_LATER, Initiator::Server));
        metrics.closed(Ending::Close(CloseCode::new(4000), Initiator::Peer));
        metrics.received();
        let text = metrics.render(true);
        assert!(text.contains("mcplex_ws_connections_open 1\n"), "{text}");
        assert!(text.contains("mcplex_ws_upgrades_refused_total{reason=\"no_subprotocol\"} 1"));
        assert!(text.contains("mcplex_ws_closes_total{code=\"1013\",initiator=\"server\"} 1"));
        assert!(text.contains("mcplex_ws_closes_total{code=\"other\",initiator=\"peer\"} 1"));
        assert!(text.contains("mcplex_ws_messages_received_total 1"));
        drop(gauge);
        assert_eq!(metrics.connections_open(), 0);
    }
}
