//! The legacy HTTP+SSE client transport (2024-11-05): `GET /sse` opens the event stream, whose
//! `endpoint` event names where to POST messages; the server's messages arrive as `message`
//! events on the stream.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_sink::Sink;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::http::uri::{Parts, PathAndQuery};
use hyper::{Method, Request, StatusCode, Uri};
use mcplex_protocol::Message;
use mcplex_transport::{ConnectionInfo, Error, Result, Transport};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, PollSender};

use super::error::{body_error_object, http_error, refusal, status_reason, unanswered};
use super::feed::{self, Feed, Reader, WeakFeed};
use super::options::Base;
use super::response::{BodyKind, Events, event_items, read_limited};
use super::{ClientError, ClientOptions, parse_url};

/// Messages queued toward the POST task; a full queue makes the writer wait.
const QUEUE: usize = 64;

/// Opens [`LegacySseTransport`]s to servers of the 2024-11-05 HTTP+SSE transport; the
/// transports of one client share its connection pool. Cheap to clone.
///
/// ```rust,no_run
/// use mcplex_core::client::{Client, ClientOptions as McpOptions};
/// use mcplex_protocol::ProtocolVersion;
/// use mcplex_sse::{ClientOptions, LegacySseClient};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = LegacySseClient::connect("http://127.0.0.1:8080", ClientOptions::default()).await?;
/// let options = McpOptions::default().with_protocol_version(ProtocolVersion::V2024_11_05);
/// let client = Client::connect(transport, options).await?;
/// println!("{} tools", client.list_tools().await?.len());
/// client.close().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct LegacySseClient {
    base: Arc<Base>,
}

impl LegacySseClient {
    /// A client with its own connection pool.
    pub fn new(options: ClientOptions) -> Self {
        Self {
            base: Base::new(options),
        }
    }

    /// Opens a connection on a client of its own (see [`open`](Self::open)).
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open).
    pub async fn connect(url: &str, options: ClientOptions) -> Result<LegacySseTransport> {
        Self::new(options).open(url).await
    }

    /// Opens a connection: `GET` of the event stream at `url` and a wait for its `endpoint`
    /// event, both within [`ClientOptions::connect_timeout`].
    ///
    /// `url` is the event stream's (`http://host:port/sse`), or the server's base URL
    /// (`http://host:port`, `http://host:port/`), which means `/sse` on it. The endpoint may be
    /// relative or absolute, but must be on the event stream's origin.
    ///
    /// # Errors
    ///
    /// [`Error::is_timeout`] after the connect timeout; [`Error::is_io`] when the server
    /// cannot be reached; otherwise a transport error whose source is a [`ClientError`]:
    /// [`InvalidUrl`](ClientError::InvalidUrl), [`InvalidHeader`](ClientError::InvalidHeader),
    /// [`Status`](ClientError::Status) when the server refuses the stream,
    /// [`NotEventStream`](ClientError::NotEventStream),
    /// [`NoEndpoint`](ClientError::NoEndpoint) or [`BadEndpoint`](ClientError::BadEndpoint).
    pub async fn open(&self, url: &str) -> Result<LegacySseTransport> {
        let url = stream_url(url)?;
        self.base.headers().map_err(ClientError::into_transport)?;
        let timeout = self.base.options.connect_timeout;
        let (events, early, endpoint) = tokio::time::timeout(timeout, self.handshake(&url))
            .await
            .map_err(|_| Error::timeout())??;

        let (feed, reader) = feed::channel();
        let stop = CancellationToken::new();
        let limit = self.base.options.max_message_bytes;
        tokio::spawn(read_events(
            events,
            early,
            feed.clone(),
            stop.clone(),
            limit,
        ));
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(post_messages(
            self.base.clone(),
            endpoint.clone(),
            rx,
            feed.downgrade(),
            stop,
        ));
        let mut info = ConnectionInfo::new("sse");
        if let Some(authority) = url.authority() {
            info.set_peer_addr(Some(authority.to_string()));
        }
        Ok(LegacySseTransport {
            reader,
            writer: LegacySseWriter {
                tx: PollSender::new(tx),
                task: Some(task),
            },
            info,
            endpoint,
        })
    }

    /// Opens the event stream and reads up to its `endpoint` event; returns the stream, the
    /// messages that came before the endpoint, and the endpoint.
    async fn handshake(&self, url: &Uri) -> Result<(Events, Vec<Result<Message>>, Uri)> {
        let mut request = Request::new(Full::new(Bytes::new()));
        *request.method_mut() = Method::GET;
        *request.uri_mut() = url.clone();
        let headers = request.headers_mut();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/event-stream"),
        );
        self.base.add_headers(headers);
        let response = self.base.http.request(request).await.map_err(http_error)?;
        let limit = self.base.options.max_message_bytes;
        let (parts, body) = response.into_parts();
        if parts.status != StatusCode::OK {
            let body = read_limited(body, &parts.headers, limit)
                .await
                .ok()
                .flatten();
            let error = body.as_deref().and_then(body_error_object);
            return Err(ClientError::Status {
                status: parts.status.as_u16(),
                error,
            }
            .into_transport());
        }
        if BodyKind::of(&parts.headers) != BodyKind::EventStream {
            return Err(ClientError::NotEventStream.into_transport());
        }
        let mut events = Events::new(body, limit);
        let mut early = Vec::new();
        loop {
            let event = events
                .next()
                .await
                .ok_or_else(|| ClientError::NoEndpoint.into_transport())??;
            if event.kind == "endpoint" {
                let endpoint = event
                    .data
                    .as_deref()
                    .and_then(|d| std::str::from_utf8(d).ok())
                    .and_then(|d| resolve(url, d.trim()))
                    .ok_or_else(|| ClientError::BadEndpoint.into_transport())?;
                return Ok((events, early, endpoint));
            }
            early.extend(event_items(&event, limit));
        }
    }
}

/// The event stream's URL: `url`, or `/sse` on it when it names no path.
fn stream_url(url: &str) -> Result<Uri> {
    let url = parse_url(url)?;
    if url.path() != "/" {
        return Ok(url);
    }
    let mut parts = url.into_parts();
    let query = parts
        .path_and_query
        .as_ref()
        .and_then(PathAndQuery::query)
        .map(|q| format!("/sse?{q}"))
        .unwrap_or_else(|| "/sse".to_owned());
    parts.path_and_query = Some(PathAndQuery::try_from(query).map_err(|_| invalid_url())?);
    Uri::from_parts(parts).map_err(|_| invalid_url())
}

fn invalid_url() -> Error {
    ClientError::InvalidUrl.into_transport()
}

/// The URL the `endpoint` event names, resolved against the event stream's URL; `None` when
/// it is invalid or on another origin.
fn resolve(base: &Uri, endpoint: &str) -> Option<Uri> {
    if endpoint.contains("://") {
        let uri: Uri = endpoint.parse().ok()?;
        let same_origin = uri.scheme() == base.scheme() && uri.authority() == base.authority();
        return same_origin.then_some(uri);
    }
    let path_and_query = if endpoint.starts_with('/') && !endpoint.starts_with("//") {
        endpoint.to_owned()
    } else if endpoint.starts_with("//") {
        return None;
    } else {
        let dir = base.path().rsplit_once('/').map_or("", |(dir, _)| dir);
        format!("{dir}/{endpoint}")
    };
    let mut parts = Parts::default();
    parts.scheme = base.scheme().cloned();
    parts.authority = base.authority().cloned();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

/// Feeds the stream's messages to the reader until the stream ends or the writer is done.
async fn read_events(
    mut events: Events,
    early: Vec<Result<Message>>,
    feed: Feed,
    stop: CancellationToken,
    limit: usize,
) {
    let pump = async {
        for item in early {
            feed.push(item).await;
        }
        while let Some(event) = events.next().await {
            match event {
                Ok(event) => {
                    for item in event_items(&event, limit) {
                        feed.push(item).await;
                    }
                }
                Err(e) => {
                    feed.push(Err(e)).await;
                    return;
                }
            }
        }
    };
    tokio::select! {
        biased;
        () = stop.cancelled() => {}
        () = feed.closed() => {}
        () = pump => {}
    }
}

/// POSTs the written messages one after another, in order; when the writer is done, ends the
/// event stream.
async fn post_messages(
    base: Arc<Base>,
    endpoint: Uri,
    mut rx: mpsc::Receiver<Message>,
    feed: WeakFeed,
    stop: CancellationToken,
) {
    while let Some(message) = rx.recv().await {
        if let Some(answer) = post(&base, &endpoint, &message).await
            && let Some(feed) = feed.upgrade()
        {
            feed.push(Ok(answer)).await;
        }
    }
    stop.cancel();
}

/// POSTs one message; returns the error its request gets when the server refused it.
async fn post(base: &Base, endpoint: &Uri, message: &Message) -> Option<Message> {
    let id = match message {
        Message::Request(req) => Some(&req.id),
        _ => None,
    };
    let mut request = Request::new(Full::new(Bytes::from(message.to_vec())));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = endpoint.clone();
    let headers = request.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    base.add_headers(headers);
    let limit = base.options.max_message_bytes;
    let response = match base.http.request(request).await {
        Ok(response) => response,
        Err(e) => {
            tracing::debug!(error = %http_error(e), "posting a message failed");
            return id.map(|id| unanswered(id.clone(), "the server could not be reached", None));
        }
    };
    let (parts, body) = response.into_parts();
    let body = read_limited(body, &parts.headers, limit)
        .await
        .ok()
        .flatten();
    if parts.status.is_success() {
        return None;
    }
    tracing::debug!(status = %parts.status, "a message was refused");
    if let Some(refused) = body.as_deref().and_then(|b| refusal(b, id)) {
        return Some(refused);
    }
    id.map(|id| unanswered(id.clone(), &status_reason(parts.status), Some(parts.status)))
}

/// A connection of the legacy HTTP+SSE transport (2024-11-05), as a [`Transport`].
///
/// Messages written are POSTed to the endpoint the server announced, one after another in
/// the order written (each answered `202`); the server's messages are read from the event
/// stream. A message the server refuses with a JSON-RPC error body passes that error on to
/// the reader (with the request's id when the server could not name it); a request refused
/// without one, or that cannot be delivered, gets a `-32603` error response from the
/// transport.
///
/// Closing the writer waits until the queued messages are posted, then ends the event stream,
/// which ends the connection on the server; the reader then ends. The reader also ends when
/// the server ends the stream.
#[derive(Debug)]
pub struct LegacySseTransport {
    reader: Reader,
    writer: LegacySseWriter,
    info: ConnectionInfo,
    endpoint: Uri,
}

impl LegacySseTransport {
    /// Where messages are POSTed, as the `endpoint` event named it (resolved).
    pub fn endpoint(&self) -> String {
        self.endpoint.to_string()
    }
}

impl Transport for LegacySseTransport {
    type Reader = Reader;
    type Writer = LegacySseWriter;

    fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    fn info_mut(&mut self) -> &mut ConnectionInfo {
        &mut self.info
    }

    fn split(self) -> (Reader, LegacySseWriter, ConnectionInfo) {
        (self.reader, self.writer, self.info)
    }
}

/// The outgoing half of a [`LegacySseTransport`]: a queue of messages for the task that POSTs
/// them (its capacity is the backpressure).
pub struct LegacySseWriter {
    tx: PollSender<Message>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for LegacySseWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegacySseWriter")
            .field("closed", &self.tx.is_closed())
            .finish_non_exhaustive()
    }
}

impl Sink<Message> for LegacySseWriter {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.tx.poll_reserve(cx).map_err(|_| Error::closed())
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<()> {
        self.tx.send_item(message).map_err(|_| Error::closed())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        if self.tx.is_closed() && self.task.is_some() {
            return Poll::Ready(Err(Error::closed()));
        }
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.tx.close();
        if let Some(task) = &mut self.task {
            let _ = ready!(Pin::new(task).poll(cx));
            self.task = None;
        }
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_resolve_on_the_stream_origin() {
        let base: Uri = "http://127.0.0.1:8080/mcp/sse".parse().unwrap();
        let at = |e: &str| resolve(&base, e).map(|u| u.to_string());
        assert_eq!(
            at("/messages?sessionId=ab").as_deref(),
            Some("http://127.0.0.1:8080/messages?sessionId=ab")
        );
        assert_eq!(
            at("messages?sessionId=ab").as_deref(),
            Some("http://127.0.0.1:8080/mcp/messages?sessionId=ab")
        );
        assert_eq!(
            at("http://127.0.0.1:8080/m?x=1").as_deref(),
            Some("http://127.0.0.1:8080/m?x=1")
        );
        assert_eq!(at("http://evil.example/m"), None);
        assert_eq!(at("//evil.example/m"), None);
    }

    #[test]
    fn base_urls_mean_sse() {
        let url = |u: &str| stream_url(u).map(|u| u.to_string()).ok();
        assert_eq!(
            url("http://127.0.0.1:1").as_deref(),
            Some("http://127.0.0.1:1/sse")
        );
        assert_eq!(
            url("http://127.0.0.1:1/").as_deref(),
            Some("http://127.0.0.1:1/sse")
        );
        assert_eq!(
            url("http://127.0.0.1:1/events").as_deref(),
            Some("http://127.0.0.1:1/events")
        );
        assert_eq!(url("127.0.0.1:1/sse"), None);
    }
}
