//! [`ClientOptions`] and the HTTP client the transports share.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use mcplex_transport::DEFAULT_MAX_MESSAGE_SIZE;

use super::ClientError;

/// How the client transports connect and what they accept. Every field has a documented
/// default ([`ClientOptions::default`]).
///
/// ```
/// use std::time::Duration;
/// use mcplex_sse::ClientOptions;
///
/// let options = ClientOptions {
///     headers: vec![("authorization".into(), "Bearer abc".into())],
///     connect_timeout: Duration::from_secs(3),
///     ..ClientOptions::default()
/// };
/// assert_eq!(options.max_message_bytes, 4 * 1024 * 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    /// Extra headers sent with every request (`Authorization`, ...). Default none.
    pub headers: Vec<(String, String)>,
    /// Largest message accepted from the server, in bytes: a JSON response body or the data
    /// of one event. Larger ones are skipped and reported as
    /// [`too large`](mcplex_transport::Error::is_too_large). Default 4 MiB.
    pub max_message_bytes: usize,
    /// Longest wait for a TCP connection, and for the legacy transport also for its event
    /// stream and `endpoint` event. Default 10 s.
    pub connect_timeout: Duration,
    /// How long an idle keep-alive connection stays in the pool. Default 60 s.
    pub pool_idle_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            headers: Vec::new(),
            max_message_bytes: DEFAULT_MAX_MESSAGE_SIZE,
            connect_timeout: Duration::from_secs(10),
            pool_idle_timeout: Duration::from_secs(60),
        }
    }
}

/// The pooled HTTP/1.1 client.
pub(crate) type Http = Client<HttpConnector, Full<Bytes>>;

/// What every transport made by one client shares: the connection pool and the options.
#[derive(Debug)]
pub(crate) struct Base {
    pub(crate) http: Http,
    pub(crate) options: ClientOptions,
    /// [`ClientOptions::headers`], checked; `Err` when one is not a valid header.
    headers: Result<HeaderMap, ()>,
}

impl Base {
    pub(crate) fn new(options: ClientOptions) -> Arc<Self> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(options.connect_timeout));
        let http = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(options.pool_idle_timeout)
            .build(connector);
        let headers = options
            .headers
            .iter()
            .map(|(name, value)| {
                let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| ())?;
                let value = HeaderValue::from_str(value).map_err(|_| ())?;
                Ok((name, value))
            })
            .collect();
        Arc::new(Self {
            http,
            options,
            headers,
        })
    }

    /// The extra headers, or why they cannot be sent.
    pub(crate) fn headers(&self) -> Result<&HeaderMap, ClientError> {
        self.headers
            .as_ref()
            .map_err(|()| ClientError::InvalidHeader)
    }

    /// Adds the extra headers to a request's headers (checked when the transport was opened).
    pub(crate) fn add_headers(&self, headers: &mut HeaderMap) {
        if let Ok(extra) = &self.headers {
            for (name, value) in extra {
                headers.append(name, value.clone());
            }
        }
    }
}
