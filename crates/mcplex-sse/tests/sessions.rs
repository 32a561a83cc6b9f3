//! Abandoned stateful sessions are reaped after the idle TTL.

mod support;

use std::time::{Duration, Instant};

use mcplex_core::Limits;
use mcplex_protocol::{Message, Request};
use mcplex_sse::{Endpoint, SseOptions};
use mcplex_transport::{Reply, RequestContext};
use serde_json::json;

const SESSIONS: usize = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_sessions_shrink_to_zero() {
    let ttl = Duration::from_secs(2);
    let limits = Limits {
        max_sessions: SESSIONS,
        session_idle_ttl: ttl,
        ..Limits::default()
    };
    let server = mcplex_toolsets::demo().limits(limits).build();
    let options = SseOptions {
        sweep_interval: Some(Duration::from_millis(200)),
        ..SseOptions::default()
    };
    let endpoint = Endpoint::new(server, options);
    let http = endpoint.streamable_http();
    let params = json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": { "name": "abandoned", "version": "1" }
    });
    let opened = Instant::now();
    for i in 0..SESSIONS {
        let request = Request::new(i as i64, "initialize", &params).unwrap();
        let reply = http
            .handle(Message::Request(request), RequestContext::new())
            .await
            .unwrap();
        assert!(matches!(reply, Reply::SessionCreated { .. }), "{reply:?}");
    }
    eprintln!("opened {SESSIONS} sessions in {:?}", opened.elapsed());
    assert!(http.session_count() > 0);

    // Nobody comes back: the sweeper removes them all once they are idle for the TTL.
    let deadline = Instant::now() + ttl + Duration::from_secs(20);
    while http.session_count() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} sessions left after the idle TTL",
            http.session_count()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(endpoint);
}
