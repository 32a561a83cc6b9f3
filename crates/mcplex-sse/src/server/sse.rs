//! Server-Sent Events framing and the streaming response body.

use std::convert::Infallible;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures_core::Stream;
use mcplex_protocol::Message;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use super::metrics::Gauge;

/// The comment sent on an idle stream so that intermediaries and clients keep it open.
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// A `message` event carrying one JSON-RPC message, with an event id when given.
pub(crate) fn message_event(message: &Message, id: Option<&str>) -> Bytes {
    let mut buf = Vec::with_capacity(64);
    if let Some(id) = id {
        buf.extend_from_slice(b"id: ");
        buf.extend_from_slice(id.as_bytes());
        buf.push(b'\n');
    }
    buf.extend_from_slice(b"event: message\ndata: ");
    // Compact JSON never contains a raw newline, so one `data:` line carries it.
    message.encode_into(&mut buf);
    buf.extend_from_slice(b"\n\n");
    Bytes::from(buf)
}

/// A `message` event whose data is already-encoded JSON (a replayed event or a batch).
pub(crate) fn raw_event(json: &[u8], id: Option<&str>) -> Bytes {
    let mut buf = Vec::with_capacity(json.len() + 64);
    if let Some(id) = id {
        buf.extend_from_slice(b"id: ");
        buf.extend_from_slice(id.as_bytes());
        buf.push(b'\n');
    }
    buf.extend_from_slice(b"event: message\ndata: ");
    buf.extend_from_slice(json);
    buf.extend_from_slice(b"\n\n");
    Bytes::from(buf)
}

/// The legacy transport's first event: where to POST messages.
pub(crate) fn endpoint_event(uri: &str) -> Bytes {
    Bytes::from(format!("event: endpoint\ndata: {uri}\n\n"))
}

/// A stream of encoded events.
pub(crate) type Events = Pin<Box<dyn Stream<Item = Bytes> + Send>>;

/// An SSE response body: the events, keep-alive comments while idle, and an end when `stop`
/// fires. Holds the open-streams gauge for as long as it lives.
pub(crate) struct SseBody {
    events: Events,
    keep_alive: Duration,
    sleep: Pin<Box<Sleep>>,
    stop: Option<Pin<Box<WaitForCancellationFutureOwned>>>,
    done: bool,
    _gauge: Gauge,
}

impl SseBody {
    pub(crate) fn new(
        events: Events,
        keep_alive: Duration,
        stop: Option<CancellationToken>,
        gauge: Gauge,
    ) -> Self {
        Self {
            events,
            keep_alive,
            sleep: Box::pin(tokio::time::sleep(keep_alive)),
            stop: stop.map(|token| Box::pin(token.cancelled_owned())),
            done: false,
            _gauge: gauge,
        }
    }

    /// The `200 text/event-stream` response carrying this body.
    pub(crate) fn into_response(self) -> Response {
        let mut response = Response::new(Body::from_stream(self));
        *response.status_mut() = StatusCode::OK;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        response
    }
}

impl Stream for SseBody {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(stop) = &mut this.stop
            && stop.as_mut().poll(cx).is_ready()
        {
            this.done = true;
            return Poll::Ready(None);
        }
        match this.events.as_mut().poll_next(cx) {
            Poll::Ready(Some(event)) => {
                let next = Instant::now() + this.keep_alive;
                this.sleep.as_mut().reset(next);
                Poll::Ready(Some(Ok(event)))
            }
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => {
                if this.sleep.as_mut().poll(cx).is_ready() {
                    let next = Instant::now() + this.keep_alive;
                    this.sleep.as_mut().reset(next);
                    // Poll the timer once more so that it wakes this task next time.
                    let _ = this.sleep.as_mut().poll(cx);
                    return Poll::Ready(Some(Ok(Bytes::from_static(KEEP_ALIVE))));
                }
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcplex_protocol::Notification;

    #[test]
    fn frames() {
        let n =
            Notification::new("notifications/progress", &serde_json::json!({"a": "x\ny"})).unwrap();
        let event = message_event(&Message::Notification(n), Some("s.1/2"));
        let text = std::str::from_utf8(&event).unwrap();
        assert!(
            text.starts_with("id: s.1/2\nevent: message\ndata: {"),
            "{text}"
        );
        assert!(text.ends_with("}\n\n"));
        assert_eq!(text.matches('\n').count(), 4, "{text}");
        assert_eq!(
            &endpoint_event("/messages?sessionId=ab")[..],
            b"event: endpoint\ndata: /messages?sessionId=ab\n\n"
        );
    }
}
