//! The raw ceiling over HTTP: a minimal axum JSON-RPC echo on `POST /mcp`, with the same
//! runtime and connection settings as the real HTTP server (multi-threaded runtime, HTTP/1.1
//! keep-alive, `TCP_NODELAY`) and none of MCP. Headers are ignored; each body goes through
//! one typed parse and one serialization (see `raw_echo.rs`).
//!
//! The same echo is served over the legacy HTTP+SSE shape: `GET /sse` opens an event stream
//! whose first event names `/messages?sessionId=N`; a POST there is answered `202` and its
//! answer written to that stream as a `message` event. No sessions beyond that map, no
//! keep-alives, no protocol revisions.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use futures_util::StreamExt as _;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use super::raw_echo::answer;

/// Events queued toward one legacy stream.
const QUEUE: usize = 64;

/// Serves the raw HTTP echo on `bind` until the process is killed; prints
/// `raw http listening on <addr>` on stderr once it accepts connections.
///
/// # Errors
///
/// Fails when the runtime cannot start or the address cannot be bound.
pub fn raw_http_server(bind: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(bind).await?;
        eprintln!("raw http listening on {}", listener.local_addr()?);
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let router = Router::new()
            .route("/mcp", post(mcp))
            .route("/sse", get(sse))
            .route("/messages", post(messages))
            .with_state(Arc::new(Streams::default()));
        axum::serve(listener, router).await?;
        Ok(())
    })
}

async fn mcp(body: Bytes) -> Response {
    let mut out = Vec::with_capacity(256);
    match answer(&body, &mut out) {
        Ok(true) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            out,
        )
            .into_response(),
        Ok(false) => StatusCode::ACCEPTED.into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// The open legacy event streams, by session number.
#[derive(Default)]
struct Streams {
    next: AtomicU64,
    map: Mutex<HashMap<u64, mpsc::Sender<Bytes>>>,
}

impl Streams {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, mpsc::Sender<Bytes>>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Removes a stream from the map when its response body goes away.
struct Forget {
    streams: Arc<Streams>,
    id: u64,
}

impl Drop for Forget {
    fn drop(&mut self) {
        self.streams.lock().remove(&self.id);
    }
}

/// `GET /sse`: the `endpoint` event, then every answer POSTed for this stream.
async fn sse(State(streams): State<Arc<Streams>>) -> Response {
    let id = streams.next.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = mpsc::channel(QUEUE);
    streams.lock().insert(id, tx);
    let endpoint = Bytes::from(format!(
        "event: endpoint\ndata: /messages?sessionId={id}\n\n"
    ));
    let forget = Forget { streams, id };
    let answers = futures_util::stream::unfold((rx, forget), |(mut rx, forget)| async move {
        rx.recv().await.map(|event| (event, (rx, forget)))
    });
    let events = futures_util::stream::iter([endpoint])
        .chain(answers)
        .map(Ok::<_, Infallible>);
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Body::from_stream(events),
    )
        .into_response()
}

/// `POST /messages?sessionId=N`: 202, and the answer (if any) onto stream N.
async fn messages(State(streams): State<Arc<Streams>>, uri: Uri, body: Bytes) -> Response {
    let stream = uri
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("sessionId=")))
        .and_then(|id| id.parse::<u64>().ok())
        .and_then(|id| streams.lock().get(&id).cloned());
    let Some(stream) = stream else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut event = Vec::with_capacity(256);
    event.extend_from_slice(b"event: message\ndata: ");
    match answer(&body, &mut event) {
        Ok(true) => {
            event.extend_from_slice(b"\n\n");
            if stream.send(Bytes::from(event)).await.is_err() {
                return StatusCode::NOT_FOUND.into_response();
            }
            StatusCode::ACCEPTED.into_response()
        }
        Ok(false) => StatusCode::ACCEPTED.into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}
