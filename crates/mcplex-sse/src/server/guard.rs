//! Origin and Host validation, against DNS rebinding and cross-site requests.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use futures_util::future::Either;
use mcplex_protocol::{ErrorCode, ErrorObject};
use tower::{Layer, Service};

use super::{Shared, reply};

/// The names a loopback server answers to by default.
const LOOPBACK_NAMES: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Origin,
    Host,
}

impl Refusal {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Origin => "forbidden: origin not allowed",
            Self::Host => "forbidden: host not allowed",
        }
    }
}

/// The configured allow lists, and whether the server is known to listen on a non-loopback
/// address (which relaxes the defaults).
#[derive(Debug)]
pub(crate) struct Guard {
    origins: Option<Vec<String>>,
    hosts: Option<Vec<String>>,
    /// 0: unknown (treated as loopback), 1: loopback, 2: not loopback.
    bound: AtomicU8,
}

impl Guard {
    pub(crate) fn new(origins: Option<Vec<String>>, hosts: Option<Vec<String>>) -> Self {
        let normalize = |list: Vec<String>| {
            list.into_iter()
                .map(|s| s.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Self {
            origins: origins.map(normalize),
            hosts: hosts.map(normalize),
            bound: AtomicU8::new(0),
        }
    }

    /// Records the address the server listens on.
    pub(crate) fn set_loopback(&self, loopback: bool) {
        self.bound
            .store(if loopback { 1 } else { 2 }, Ordering::Relaxed);
    }

    fn public(&self) -> bool {
        self.bound.load(Ordering::Relaxed) == 2
    }

    /// Checks the `Host` and `Origin` of a request (without allocating: it runs on every one).
    pub(crate) fn check(&self, headers: &HeaderMap, uri: &Uri) -> Result<(), Refusal> {
        match &self.hosts {
            Some(list) if list.iter().any(|h| h == "*") => {}
            None if self.public() => {}
            list => {
                let host = match headers.get(header::HOST) {
                    Some(value) => value.to_str().ok(),
                    None => uri.authority().map(|a| a.as_str()),
                };
                let Some(host) = host else {
                    return Err(Refusal::Host);
                };
                let names = list.as_deref().unwrap_or_default();
                if !host_allowed(host, names, list.is_none()) {
                    return Err(Refusal::Host);
                }
            }
        }
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Ok(());
        };
        match &self.origins {
            Some(list) if list.iter().any(|o| o == "*") => Ok(()),
            None if self.public() => Ok(()),
            list => {
                let origin = origin
                    .to_str()
                    .map_err(|_| Refusal::Origin)?
                    .trim()
                    .trim_end_matches('/')
                    .to_ascii_lowercase();
                let allowed = match list {
                    Some(list) => list.contains(&origin),
                    None => loopback_origin(&origin),
                };
                if allowed {
                    Ok(())
                } else {
                    Err(Refusal::Origin)
                }
            }
        }
    }
}

/// Whether `host` (`name[:port]`, any case) is allowed by `list` (lowercase), or by the
/// loopback names when `loopback_default` is set.
fn host_allowed(host: &str, list: &[String], loopback_default: bool) -> bool {
    let name = host_name(host);
    if loopback_default {
        return LOOPBACK_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name));
    }
    list.iter().any(|allowed| {
        if has_port(allowed) {
            allowed.eq_ignore_ascii_case(host)
        } else {
            allowed.eq_ignore_ascii_case(name)
        }
    })
}

/// Applies the [`Guard`] to every route: a refused request is answered `403` before routing.
///
/// A plain layer rather than `axum::middleware::from_fn`, which boxes the rest of the chain's
/// future on every request.
#[derive(Clone)]
pub(crate) struct GuardLayer(Arc<Shared>);

impl GuardLayer {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self(shared)
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = GuardService<S>;

    fn layer(&self, inner: S) -> GuardService<S> {
        GuardService {
            inner,
            shared: self.0.clone(),
        }
    }
}

/// The service [`GuardLayer`] wraps around a route.
#[derive(Clone)]
pub(crate) struct GuardService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request> for GuardService<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.shared.guard.check(request.headers(), request.uri()) {
            Ok(()) => Either::Right(self.inner.call(request)),
            Err(refusal) => {
                tracing::debug!(reason = refusal.message(), "refused a request");
                Either::Left(ready(Ok(reply::rpc_error(
                    StatusCode::FORBIDDEN,
                    None,
                    ErrorObject::new(ErrorCode::SERVER_ERROR, refusal.message()),
                ))))
            }
        }
    }
}

/// The name part of `name[:port]` (IPv6 literals keep their brackets).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

fn has_port(host: &str) -> bool {
    host_name(host).len() != host.len()
}

/// Whether an origin (`scheme://host[:port]`, lowercase) is a loopback one.
fn loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    LOOPBACK_NAMES.contains(&host_name(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert_eq!(host_name("localhost:8080"), "localhost");
        assert_eq!(host_name("[::1]:80"), "[::1]");
        assert_eq!(host_name("[::1]"), "[::1]");
        assert_eq!(host_name("example.com"), "example.com");
        assert!(has_port("example.com:1"));
        assert!(!has_port("example.com"));
    }

    #[test]
    fn loopback_origins() {
        assert!(loopback_origin("http://localhost:3000"));
        assert!(loopback_origin("https://127.0.0.1"));
        assert!(loopback_origin("http://[::1]:9"));
        assert!(!loopback_origin("http://evil.example.com"));
        assert!(!loopback_origin("http://localhost.evil.example.com"));
        assert!(!loopback_origin("null"));
    }

    #[test]
    fn allow_lists() {
        let list = vec!["mcp.example.com".to_owned(), "other:8443".to_owned()];
        assert!(host_allowed("mcp.example.com:443", &list, false));
        assert!(host_allowed("other:8443", &list, false));
        assert!(!host_allowed("other:80", &list, false));
        assert!(!host_allowed("evil.example.com", &list, false));
        assert!(host_allowed("127.0.0.1:1", &[], true));
        // Host names compare without regard to case.
        assert!(host_allowed("MCP.Example.com:443", &list, false));
        assert!(host_allowed("LocalHost:8080", &[], true));
        assert!(!host_allowed("LocalHost.evil:8080", &[], true));
    }
}
