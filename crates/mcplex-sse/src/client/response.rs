//! Reading responses: JSON bodies (one message or a batch) and event streams, both within the
//! message size limit.

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap};
use mcplex_protocol::{DecodeLimits, Incoming as Decoded, Message, decode_incoming};
use mcplex_transport::Error;

use super::error::body_error;
use super::sse_parse::{Event, SseParser};

/// What a response body holds, by its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Json,
    EventStream,
    /// Anything else, or no `Content-Type`.
    Other,
}

impl BodyKind {
    pub(crate) fn of(headers: &HeaderMap) -> Self {
        let media = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .unwrap_or_default();
        if media.eq_ignore_ascii_case("application/json") {
            Self::Json
        } else if media.eq_ignore_ascii_case("text/event-stream") {
            Self::EventStream
        } else {
            Self::Other
        }
    }
}

/// A whole body, or `None` when it is longer than `limit` (the rest is not read).
pub(crate) async fn read_limited(
    mut body: Incoming,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Option<Bytes>, Error> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(body_error)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Ok(None);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Some(buf.freeze()))
}

/// The messages of a JSON text: one message, or each element of a batch (2025-03-26).
pub(crate) fn decode_items(bytes: &[u8]) -> Vec<Result<Message, Error>> {
    match decode_incoming(bytes, &DecodeLimits::DEFAULT) {
        Ok(Decoded::Single(message)) => vec![Ok(message)],
        Ok(Decoded::Batch(items)) => items
            .into_iter()
            .map(|item| item.map_err(Error::decode))
            .collect(),
        Err(e) => vec![Err(Error::decode(e))],
    }
}

/// The events of an event-stream body.
#[derive(Debug)]
pub(crate) struct Events {
    body: Incoming,
    parser: SseParser,
    ended: bool,
}

impl Events {
    pub(crate) fn new(body: Incoming, limit: usize) -> Self {
        Self {
            body,
            parser: SseParser::new(limit),
            ended: false,
        }
    }

    /// The next event; `None` at the end of the stream, `Err` when reading fails (and the
    /// stream is over).
    pub(crate) async fn next(&mut self) -> Option<Result<Event, Error>> {
        loop {
            if let Some(event) = self.parser.next_event() {
                return Some(Ok(event));
            }
            if self.ended {
                return None;
            }
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.parser.push(&data);
                    }
                }
                Some(Err(e)) => {
                    self.ended = true;
                    return Some(Err(body_error(e)));
                }
                None => self.ended = true,
            }
        }
    }

    /// The id of the last event seen, for `Last-Event-ID`.
    pub(crate) fn last_id(&self) -> Option<&str> {
        self.parser.last_id()
    }

    /// The reconnection delay the server asked for.
    pub(crate) fn retry(&self) -> Option<std::time::Duration> {
        self.parser.retry()
    }
}

/// The items an event stands for: its message(s), a size error, or nothing for events of
/// other types.
pub(crate) fn event_items(event: &Event, limit: usize) -> Vec<Result<Message, Error>> {
    if !event.is_message() {
        return Vec::new();
    }
    match &event.data {
        Some(data) => decode_items(data),
        None => vec![Err(Error::too_large(limit))],
    }
}
