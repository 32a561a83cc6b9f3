//! Origin and Host validation of upgrade requests, against cross-site WebSocket hijacking and
//! DNS rebinding. Pure: headers in, a verdict out.

use std::sync::atomic::{AtomicU8, Ordering};

use axum::http::{HeaderMap, Uri, header};

/// The names a loopback server answers to by default.
const LOOPBACK_NAMES: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

const UNKNOWN: u8 = 0;
const LOOPBACK: u8 = 1;
const PUBLIC: u8 = 2;

/// What the guard found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Violation {
    Origin,
    Host,
}

/// The configured allow lists, and whether the server listens on a non-loopback address
/// (which relaxes the defaults).
#[derive(Debug)]
pub(crate) struct Guard {
    origins: Option<Vec<String>>,
    hosts: Option<Vec<String>>,
    bound: AtomicU8,
}

impl Guard {
    pub(crate) fn new(origins: Option<&[String]>, hosts: Option<&[String]>) -> Self {
        let normalize = |list: &[String]| {
            list.iter()
                .map(|s| s.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Self {
            origins: origins.map(normalize),
            hosts: hosts.map(normalize),
            bound: AtomicU8::new(UNKNOWN),
        }
    }

    /// Records whether the server listens on a loopback address.
    pub(crate) fn set_loopback(&self, loopback: bool) {
        let bound = if loopback { LOOPBACK } else { PUBLIC };
        self.bound.store(bound, Ordering::Relaxed);
    }

    fn public(&self) -> bool {
        self.bound.load(Ordering::Relaxed) == PUBLIC
    }

    /// Checks the `Host` (or the URI's authority) and the `Origin` of a request.
    pub(crate) fn check(&self, headers: &HeaderMap, uri: &Uri) -> Result<(), Violation> {
        let host = match headers.get(header::HOST) {
            Some(value) => value.to_str().ok(),
            None => uri.authority().map(|a| a.as_str()),
        };
        match &self.hosts {
            Some(list) if list.iter().any(|h| h == "*") => {}
            None if self.public() => {}
            list => {
                let host = host.ok_or(Violation::Host)?.to_ascii_lowercase();
                let allowed = match list {
                    Some(list) => host_listed(&host, list),
                    None => LOOPBACK_NAMES.contains(&host_name(&host)),
                };
                if !allowed {
                    return Err(Violation::Host);
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
                    .map_err(|_| Violation::Origin)?
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
                    Err(Violation::Origin)
                }
            }
        }
    }
}

/// Whether `host` (`name[:port]`, lowercase) matches an entry: by name, or exactly when the
/// entry has a port.
fn host_listed(host: &str, list: &[String]) -> bool {
    let name = host_name(host);
    list.iter().any(|allowed| {
        if host_name(allowed).len() == allowed.len() {
            allowed == name
        } else {
            allowed == host
        }
    })
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

/// Whether an origin (`scheme://host[:port]`, lowercase) is a loopback one.
fn loopback_origin(origin: &str) -> bool {
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    LOOPBACK_NAMES.contains(&host_name(rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        headers
    }

    #[test]
    fn loopback_defaults() {
        let guard = Guard::new(None, None);
        let uri = Uri::from_static("/ws");
        assert_eq!(guard.check(&headers("127.0.0.1:8081", None), &uri), Ok(()));
        assert_eq!(
            guard.check(
                &headers("localhost:8081", Some("http://localhost:3000")),
                &uri
            ),
            Ok(())
        );
        assert_eq!(
            guard.check(&headers("localhost", Some("https://evil.example")), &uri),
            Err(Violation::Origin)
        );
        assert_eq!(
            guard.check(&headers("evil.example", None), &uri),
            Err(Violation::Host)
        );
        guard.set_loopback(false);
        assert_eq!(
            guard.check(&headers("mcp.example.com", Some("https://a.example")), &uri),
            Ok(())
        );
    }

    #[test]
    fn allow_lists() {
        let origins = ["https://app.example.com/".to_owned()];
        let hosts = ["mcp.example.com".to_owned(), "other:8443".to_owned()];
        let guard = Guard::new(Some(&origins), Some(&hosts));
        let uri = Uri::from_static("/ws");
        let check = |host, origin| guard.check(&headers(host, origin), &uri);
        assert_eq!(
            check("mcp.example.com:443", Some("https://app.example.com")),
            Ok(())
        );
        assert_eq!(check("other:8443", None), Ok(()));
        assert_eq!(check("other:80", None), Err(Violation::Host));
        assert_eq!(
            check("mcp.example.com", Some("http://localhost")),
            Err(Violation::Origin)
        );
    }

    #[test]
    fn names() {
        assert_eq!(host_name("[::1]:80"), "[::1]");
        assert_eq!(host_name("example.com"), "example.com");
        assert!(loopback_origin("http://[::1]:9"));
        assert!(!loopback_origin("http://localhost.evil.example"));
        assert!(!loopback_origin("null"));
    }
}
