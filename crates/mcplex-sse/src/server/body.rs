//! Reading request bodies within the size limit and the body timeout.

use std::future::{Future as _, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use mcplex_protocol::ErrorObject;

use super::reply;

/// How much of an over-long body is read and thrown away before the 413 goes out, so that a
/// client still sending gets the answer instead of a reset connection.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Longer than the limit (declared or counted).
    TooLarge(usize),
    /// Not complete within the body timeout.
    Timeout,
    /// The connection failed or the framing was invalid.
    Broken,
}

impl BodyError {
    /// 413, 408 or 400; the connection is closed after it, since the body was not read to its
    /// end.
    pub(crate) fn into_response(self) -> Response {
        match self {
            Self::TooLarge(limit) => reply::rpc_error_closing(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorObject::invalid_request(format!(
                    "message too large: the limit is {limit} bytes"
                )),
            ),
            Self::Timeout => reply::rpc_error_closing(
                StatusCode::REQUEST_TIMEOUT,
                ErrorObject::invalid_request("request body not received in time"),
            ),
            Self::Broken => reply::rpc_error_closing(
                StatusCode::BAD_REQUEST,
                ErrorObject::invalid_request("request body could not be read"),
            ),
        }
    }
}

/// Reads a whole body of at most `limit` bytes within `timeout`. A declared `Content-Length`
/// over the limit is refused before anything is read.
pub(crate) async fn read(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    let capacity = declared.map_or(0, |n| n as usize);
    let mut reading = pin!(read_limited(body, limit, capacity));
    // A small body has usually arrived with the headers: read it without arming the timer.
    if let Poll::Ready(result) = poll_fn(|cx| Poll::Ready(reading.as_mut().poll(cx))).await {
        return result;
    }
    match tokio::time::timeout(timeout, reading).await {
        Ok(result) => result,
        Err(_) => Err(BodyError::Timeout),
    }
}

async fn read_limited(mut body: Body, limit: usize, capacity: usize) -> Result<Bytes, BodyError> {
    // A body that comes in one frame is returned as it is; more frames are gathered.
    let mut first: Option<Bytes> = None;
    let mut gathered: Option<BytesMut> = None;
    let mut len = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        len += data.len();
        if len > limit {
            drain(body, limit).await;
            return Err(BodyError::TooLarge(limit));
        }
        match (&mut gathered, first.take()) {
            (Some(buf), _) => buf.extend_from_slice(&data),
            (None, None) => first = Some(data),
            (None, Some(earlier)) => {
                let mut buf = BytesMut::with_capacity(capacity.max(len));
                buf.extend_from_slice(&earlier);
                buf.extend_from_slice(&data);
                gathered = Some(buf);
            }
        }
    }
    Ok(match gathered {
        Some(buf) => buf.freeze(),
        None => first.unwrap_or_default(),
    })
}

/// Reads and discards up to `budget` more bytes, for at most [`DRAIN_TIME`].
async fn drain(mut body: Body, budget: usize) {
    let mut left = budget;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                match left.checked_sub(data.len()) {
                    Some(n) => left = n,
                    None => break,
                }
            }
        }
    })
    .await;
}
