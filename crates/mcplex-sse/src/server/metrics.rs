//! A small metrics registry (atomics only) rendered in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use mcplex_protocol::method;

/// How a JSON-RPC message received over HTTP ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Answered with a result.
    Ok,
    /// Answered with a JSON-RPC error.
    Error,
    /// Refused at the HTTP level (bad headers, body, session, origin).
    Rejected,
    /// The client went away (or the server shut down) before the answer.
    Cancelled,
    /// A notification or response, accepted with 202.
    Accepted,
}

impl Outcome {
    const ALL: [Outcome; 5] = [
        Self::Ok,
        Self::Error,
        Self::Rejected,
        Self::Cancelled,
        Self::Accepted,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Accepted => "accepted",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The label used for a method name the protocol does not define (client-chosen strings
/// never become labels) and for input that had no method.
const OTHER: &str = "other";

/// Counters and gauges of one endpoint.
#[derive(Debug)]
pub(crate) struct Metrics {
    /// Per method (index into `method::ALL`, then [`OTHER`]), per outcome.
    requests: Vec<[AtomicU64; 5]>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    streams_open: AtomicI64,
    connections_open: AtomicI64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            requests: (0..=method::ALL.len())
                .map(|_| Default::default())
                .collect(),
            buckets: Default::default(),
            latency_count: AtomicU64::new(0),
            latency_sum_micros: AtomicU64::new(0),
            streams_open: AtomicI64::new(0),
            connections_open: AtomicI64::new(0),
        }
    }
}

/// The protocol's own name for `name`, if it defines one.
pub(crate) fn method_label(name: &str) -> &'static str {
    method::ALL
        .get(method_index(name))
        .copied()
        .unwrap_or(OTHER)
}

/// The index of `name` in `method::ALL` (its length for any other name).
fn method_index(name: &str) -> usize {
    method::ALL
        .iter()
        .position(|m| *m == name)
        .unwrap_or(method::ALL.len())
}

impl Metrics {
    /// Counts one message by method and outcome.
    pub(crate) fn count(&self, method_name: &str, outcome: Outcome) {
        let index = method_index(method_name);
        self.requests[index][outcome.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one answered request and its latency.
    pub(crate) fn observe(&self, method_name: &str, outcome: Outcome, elapsed: Duration) {
        self.count(method_name, outcome);
        // One bucket per observation; `render` sums them into Prometheus' cumulative counts.
        let secs = elapsed.as_secs_f64();
        if let Some(bucket) = BUCKETS
            .iter()
            .position(|bound| secs <= *bound)
            .map(|i| &self.buckets[i])
        {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Marks an SSE stream open until the guard is dropped.
    pub(crate) fn stream_opened(self: &std::sync::Arc<Self>) -> Gauge {
        Gauge::new(self.clone(), |m| &m.streams_open)
    }

    /// Marks a connection open until the guard is dropped.
    pub(crate) fn connection_opened(self: &std::sync::Arc<Self>) -> Gauge {
        Gauge::new(self.clone(), |m| &m.connections_open)
    }

    /// SSE streams open now.
    pub(crate) fn streams_open(&self) -> i64 {
        self.streams_open.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of everything, with the session gauges given.
    pub(crate) fn render(&self, streamable_sessions: usize, legacy_sessions: usize) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str(
            "# HELP mcplex_requests_total JSON-RPC messages received over HTTP, by method and outcome.\n\
             # TYPE mcplex_requests_total counter\n",
        );
        let names = method::ALL.iter().copied().chain([OTHER]);
        for (name, counters) in names.zip(&self.requests) {
            for outcome in Outcome::ALL {
                let n = counters[outcome.index()].load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "mcplex_requests_total{{method=\"{name}\",outcome=\"{}\"}} {n}",
                        outcome.label()
                    );
                }
            }
        }
        out.push_str(
            "# HELP mcplex_request_duration_seconds Time from receiving a JSON-RPC request over HTTP to sending its answer.\n\
             # TYPE mcplex_request_duration_seconds histogram\n",
        );
        let mut n = 0;
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            n += bucket.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "mcplex_request_duration_seconds_bucket{{le=\"{bound}\"}} {n}"
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "mcplex_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n\
             mcplex_request_duration_seconds_sum {sum}\n\
             mcplex_request_duration_seconds_count {count}"
        );
        let _ = writeln!(
            out,
            "# HELP mcplex_sessions_open Sessions held by this instance, by transport.\n\
             # TYPE mcplex_sessions_open gauge\n\
             mcplex_sessions_open{{transport=\"streamable_http\"}} {streamable_sessions}\n\
             mcplex_sessions_open{{transport=\"legacy_sse\"}} {legacy_sessions}\n\
             # HELP mcplex_sse_streams_open SSE response streams open now.\n\
             # TYPE mcplex_sse_streams_open gauge\n\
             mcplex_sse_streams_open {}\n\
             # HELP mcplex_http_connections_open HTTP connections open now.\n\
             # TYPE mcplex_http_connections_open gauge\n\
             mcplex_http_connections_open {}",
            self.streams_open.load(Ordering::Relaxed),
            self.connections_open.load(Ordering::Relaxed),
        );
        out
    }
}

/// Decrements a gauge when dropped.
#[derive(Debug)]
pub(crate) struct Gauge {
    metrics: std::sync::Arc<Metrics>,
    select: fn(&Metrics) -> &AtomicI64,
}

impl Gauge {
    fn new(metrics: std::sync::Arc<Metrics>, select: fn(&Metrics) -> &AtomicI64) -> Self {
        select(&metrics).fetch_add(1, Ordering::Relaxed);
        Self { metrics, select }
    }
}

impl Drop for Gauge {
    fn drop(&mut self) {
        (self.select)(&self.metrics).fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_histogram() {
        let metrics = Metrics::default();
        metrics.observe("tools/call", Outcome::Ok, Duration::from_millis(3));
        metrics.count("no/such/method", Outcome::Error);
        let text = metrics.render(2, 1);
        assert!(text.contains("mcplex_requests_total{method=\"tools/call\",outcome=\"ok\"} 1"));
        assert!(text.contains("mcplex_requests_total{method=\"other\",outcome=\"error\"} 1"));
        assert!(text.contains("mcplex_request_duration_seconds_bucket{le=\"0.0025\"} 0"));
        assert!(text.contains("mcplex_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("mcplex_sessions_open{transport=\"streamable_http\"} 2"));
        assert_eq!(method_label("tools/list"), "tools/list");
        assert_eq!(method_label("x"), "other");
    }
}
