//! Limits applied to every session and connection (DESIGN §10), all configurable.

use std::time::Duration;

use mcplex_protocol::DecodeLimits;

/// Server-wide limits. The defaults are the documented ones.
///
/// ```
/// use std::time::Duration;
/// use mcplex_core::Limits;
///
/// let limits = Limits {
///     tool_timeout: Duration::from_secs(30),
///     ..Limits::default()
/// };
/// assert_eq!(limits.max_in_flight, 64);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Requests handled at once per session or connection; more get `-32000` "too many
    /// concurrent requests". Default 64.
    pub max_in_flight: usize,
    /// Longest a tool call may run before it is cancelled and answered with an error result.
    /// Default 5 minutes.
    pub tool_timeout: Duration,
    /// How long a cancelled or timed-out handler may take to notice its cancellation (and clean
    /// up) before it is dropped. Default 2 seconds.
    pub cancel_grace: Duration,
    /// Messages queued for one connection or stream; a peer that falls further behind is
    /// disconnected. Default 1,024.
    pub outbound_queue: usize,
    /// Largest message accepted, in bytes. Default 4 MiB.
    pub max_message_bytes: usize,
    /// JSON nesting depth and batch size limits for decoding. Default depth 128.
    pub decode: DecodeLimits,
    /// Stateful sessions held by one instance; `initialize` beyond it is refused. Default
    /// 10,000.
    pub max_sessions: usize,
    /// Idle time after which a stateful session is removed everywhere. Default 30 minutes.
    pub session_idle_ttl: Duration,
    /// Items per page of `tools/list`, `resources/list`, `resources/templates/list` and
    /// `prompts/list`. Default 100.
    pub page_size: usize,
    /// Rounds of client input one request may ask for (multi round-trip requests). Default 8.
    pub max_input_rounds: usize,
    /// How long a stateful server waits for the client to answer a server-to-client request.
    /// Default 5 minutes.
    pub input_timeout: Duration,
    /// How long a sealed `requestState` stays valid on the 2026-07-28 wire. Default 15 minutes.
    pub request_state_ttl: Duration,
    /// How long a shutting-down server lets requests in flight finish before cancelling them.
    /// Default 10 seconds.
    pub shutdown_grace: Duration,
    /// `ttlMs` advertised on cacheable list results (2026-07-28). Default 0 (no caching).
    pub list_ttl: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_in_flight: 64,
            tool_timeout: Duration::from_secs(5 * 60),
            cancel_grace: Duration::from_secs(2),
            outbound_queue: 1024,
            max_message_bytes: 4 * 1024 * 1024,
            decode: DecodeLimits::DEFAULT,
            max_sessions: 10_000,
            session_idle_ttl: Duration::from_secs(30 * 60),
            page_size: 100,
            max_input_rounds: 8,
            input_timeout: Duration::from_secs(5 * 60),
            request_state_ttl: Duration::from_secs(15 * 60),
            shutdown_grace: Duration::from_secs(10),
            list_ttl: Duration::ZERO,
        }
    }
}
