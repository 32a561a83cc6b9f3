//! One run's figures.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// The result of one load run, printed as one JSON line.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Transport name.
    pub transport: &'static str,
    /// `mcp` or `raw`.
    pub mode: &'static str,
    /// Protocol revision (MCP mode).
    pub protocol: Option<&'static str>,
    /// Requests kept in flight.
    pub window: usize,
    /// Requests completed (all verified).
    pub requests: u64,
    /// Wall-clock seconds of the measured part.
    pub seconds: f64,
    /// Requests per second.
    pub rps: f64,
    /// Latency percentiles in microseconds.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// Maximum.
    pub max_us: u64,
    /// Server peak resident set size, KiB.
    pub server_peak_rss_kib: Option<u64>,
    /// Server CPU time per request, microseconds.
    pub server_cpu_us_per_req: Option<f64>,
}

impl Report {
    /// Fills the rate and percentile fields from a latency histogram (microseconds).
    pub fn with_latencies(mut self, hist: &Histogram<u64>, elapsed: Duration) -> Self {
        self.seconds = elapsed.as_secs_f64();
        self.rps = self.requests as f64 / self.seconds.max(f64::EPSILON);
        self.p50_us = hist.value_at_quantile(0.50);
        self.p90_us = hist.value_at_quantile(0.90);
        self.p99_us = hist.value_at_quantile(0.99);
        self.max_us = hist.max();
        self
    }
}
