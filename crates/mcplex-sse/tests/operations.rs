//! Health, readiness, metrics and graceful shutdown.

mod support;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use mcplex_sse::SseOptions;
use serde_json::json;
use support::{Req, TestServer, open_session, request, stateless, task_stats};
use tower::ServiceExt as _;

#[tokio::test]
async fn health_and_metrics() {
    let server = TestServer::start().await;
    let client = server.client();
    let health = client.send(Req::new("GET", "/healthz")).await;
    assert_eq!((health.status, health.text().as_str()), (200, "ok\n"));
    let ready = client.send(Req::new("GET", "/readyz")).await;
    assert_eq!(ready.status, 200);

    let id = open_session(&client).await;
    let call = request(
        2,
        "tools/call",
        json!({ "name": "echo", "arguments": { "text": "m" } }),
    );
    assert_eq!(client.send(Req::post(&call).session(&id)).await.status, 200);
    let unknown = request(3, "no/such", json!({}));
    assert_eq!(
        client.send(Req::post(&unknown).session(&id)).await.status,
        200
    );
    let _stream = client
        .open(
            Req::new("GET", "/mcp")
                .header("accept", "text/event-stream")
                .session(&id),
        )
        .await;

    let metrics = client.send(Req::new("GET", "/metrics")).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = metrics.text();
    for line in [
        "mcplex_requests_total{method=\"initialize\",outcome=\"ok\"} 1",
        "mcplex_requests_total{method=\"notifications/initialized\",outcome=\"accepted\"} 1",
        "mcplex_requests_total{method=\"tools/call\",outcome=\"ok\"} 1",
        "mcplex_requests_total{method=\"other\",outcome=\"error\"} 1",
        "mcplex_request_duration_seconds_count 3",
        "mcplex_sessions_open{transport=\"streamable_http\"} 1",
        "mcplex_sessions_open{transport=\"legacy_sse\"} 0",
        "mcplex_sse_streams_open 1",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(text.contains("# TYPE mcplex_request_duration_seconds histogram"));
    assert!(text.contains("mcplex_http_connections_open"));
}

#[tokio::test]
async fn graceful_shutdown_drains_in_flight_requests() {
    let mut server = TestServer::start().await;
    let client = server.client();
    let call = stateless(
        1,
        "tools/call",
        json!({ "name": "long_task", "arguments": { "steps": 3, "delay_ms": 100 } }),
    );
    let in_flight = tokio::spawn(async move { client.send(call).await });
    let listen = stateless(2, "subscriptions/listen", json!({ "notifications": {} }));
    let mut listening = server.client().open(listen).await;
    assert!(listening.next_event().await.is_some());
    while task_stats(&server.endpoint).await.0 == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let serving = server.begin_shutdown();
    let began = Instant::now();
    while server.endpoint.is_ready() {
        assert!(began.elapsed() < Duration::from_secs(2));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let readyz = server
        .endpoint
        .router()
        .oneshot(
            Request::get("/readyz")
                .header("host", "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(readyz.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Long-lived streams end at once; the call in flight finishes.
    assert!(listening.ends_within(Duration::from_secs(1)).await);
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.json()["result"]["content"][0]["text"],
        "completed 3 steps"
    );
    tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("serving ends once drained")
        .unwrap()
        .unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "{:?}",
        began.elapsed()
    );
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test]
async fn shutdown_cancels_what_outlives_the_grace_period() {
    let options = SseOptions {
        shutdown_grace: Duration::from_millis(200),
        ..SseOptions::default()
    };
    let mut server = TestServer::with(mcplex_core::Limits::default(), options).await;
    let client = server.client();
    let call = stateless(
        1,
        "tools/call",
        json!({ "name": "long_task", "arguments": { "steps": 50, "delay_ms": 100 },
                "_meta": { "progressToken": 1 } }),
    );
    let mut stream = client.open(call).await;
    assert!(stream.next_event().await.is_some());
    let began = Instant::now();
    let serving = server.begin_shutdown();
    tokio::time::timeout(Duration::from_secs(3), serving)
        .await
        .expect("serving ends after the grace period")
        .unwrap()
        .unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    assert!(stream.ends_within(Duration::from_secs(1)).await);
    assert_eq!(server.endpoint.open_streams(), 0);
    let metrics = server
        .endpoint
        .router()
        .oneshot(
            Request::get("/metrics")
                .header("host", "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let body = http_body_util::BodyExt::collect(metrics.into_body())
        .await
        .unwrap()
        .to_bytes();
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains("mcplex_requests_total{method=\"tools/call\",outcome=\"cancelled\"} 1"),
        "{text}"
    );
    assert_eq!(task_stats(&server.endpoint).await.1, 0, "nothing completed");
}

/// Small SSE responses go out without Nagle delays (`TCP_NODELAY`): a stream of two events
/// answered in a row on one connection would otherwise stall ~40 ms on a delayed ACK each.
#[tokio::test]
async fn streamed_answers_are_not_delayed() {
    const CALLS: u32 = 20;
    let server = TestServer::start().await;
    let mut connection = server.client().keep_alive().await;
    let call = |id: i64| {
        stateless(
            id,
            "tools/call",
            json!({ "name": "long_task", "arguments": { "steps": 2, "delay_ms": 2 },
                    "_meta": { "progressToken": id } }),
        )
    };
    // Warm up, then measure each call; the median is robust to a busy machine.
    let first = connection.send(call(0)).await;
    assert_eq!(first.header("content-type"), Some("text/event-stream"));
    let mut times = Vec::new();
    for id in 1..=i64::from(CALLS) {
        let began = Instant::now();
        let answer = connection.send(call(id)).await;
        times.push(began.elapsed());
        assert_eq!(answer.status, 200);
        assert_eq!(answer.events().len(), 3);
    }
    times.sort();
    let median = times[times.len() / 2];
    assert!(
        median < Duration::from_millis(35),
        "{median:?} per streamed answer: {times:?}"
    );
}
