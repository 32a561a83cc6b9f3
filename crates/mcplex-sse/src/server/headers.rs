//! The HTTP headers of MCP requests: content negotiation, protocol version, session id.

use axum::http::{HeaderMap, header};
use mcplex_protocol::ProtocolVersion;

/// `Mcp-Session-Id` (header names are case-insensitive).
pub(crate) const SESSION_ID: &str = "mcp-session-id";
/// `MCP-Protocol-Version`.
pub(crate) const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Mcp-Method` (2026-07-28).
pub(crate) const MCP_METHOD: &str = "mcp-method";
/// `Mcp-Name` (2026-07-28).
pub(crate) const MCP_NAME: &str = "mcp-name";
/// `Last-Event-ID`.
pub(crate) const LAST_EVENT_ID: &str = "last-event-id";

/// Which response media types the client accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Accept {
    pub(crate) json: bool,
    pub(crate) sse: bool,
}

impl Accept {
    /// Reads the `Accept` headers; none at all means anything is acceptable.
    pub(crate) fn parse(headers: &HeaderMap) -> Self {
        let mut values = headers.get_all(header::ACCEPT).iter().peekable();
        if values.peek().is_none() {
            return Self {
                json: true,
                sse: true,
            };
        }
        let mut accept = Self {
            json: false,
            sse: false,
        };
        for range in values
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
        {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .or_else(|| p.strip_prefix("Q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match media.as_str() {
                "*/*" => {
                    accept.json = true;
                    accept.sse = true;
                }
                "application/json" | "application/*" => accept.json = true,
                "text/event-stream" | "text/*" => accept.sse = true,
                _ => {}
            }
        }
        accept
    }

    /// Whether either response form is acceptable.
    pub(crate) fn any(self) -> bool {
        self.json || self.sse
    }
}

/// Whether the body is declared as JSON (`application/json`, parameters allowed).
pub(crate) fn is_json_content(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// The `MCP-Protocol-Version` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum VersionHeader {
    Absent,
    Known(ProtocolVersion),
    /// A value that names no supported revision (as sent, lossy for non-ASCII bytes).
    Unknown(String),
}

pub(crate) fn version_header(headers: &HeaderMap) -> VersionHeader {
    let Some(value) = headers.get(PROTOCOL_VERSION) else {
        return VersionHeader::Absent;
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    let trimmed = text.trim_matches([' ', '\t']);
    match ProtocolVersion::from_str_opt(trimmed) {
        Some(version) => VersionHeader::Known(version),
        None => VersionHeader::Unknown(trimmed.to_owned()),
    }
}

/// The `Mcp-Session-Id` header: `None` when absent, `Some(None)` when it is not visible ASCII
/// (no session can have such an id).
pub(crate) fn session_id(headers: &HeaderMap) -> Option<Option<&str>> {
    let value = headers.get(SESSION_ID)?;
    Some(
        value
            .to_str()
            .ok()
            .map(|v| v.trim_matches([' ', '\t']))
            .filter(|v| !v.is_empty() && v.bytes().all(|b| (0x21..=0x7e).contains(&b))),
    )
}

/// A header's value with optional whitespace around it removed; `Err` when it holds bytes
/// that are not visible ASCII, space or tab.
pub(crate) fn trimmed<'a>(headers: &'a HeaderMap, name: &str) -> Option<Result<&'a str, ()>> {
    let value = headers.get(name)?;
    Some(
        value
            .to_str()
            .map(|v| v.trim_matches([' ', '\t']))
            .map_err(|_| ()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> Accept {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        Accept::parse(&headers)
    }

    #[test]
    fn accept_ranges() {
        assert_eq!(
            accept("application/json, text/event-stream"),
            Accept {
                json: true,
                sse: true
            }
        );
        assert_eq!(
            accept("text/event-stream"),
            Accept {
                json: false,
                sse: true
            }
        );
        assert_eq!(
            accept("application/json;q=0.9"),
            Accept {
                json: true,
                sse: false
            }
        );
        assert_eq!(
            accept("*/*"),
            Accept {
                json: true,
                sse: true
            }
        );
        assert_eq!(
            accept("text/html"),
            Accept {
                json: false,
                sse: false
            }
        );
        assert_eq!(
            accept("application/json;q=0, text/*"),
            Accept {
                json: false,
                sse: true
            }
        );
        assert!(Accept::parse(&HeaderMap::new()).any());
    }

    #[test]
    fn content_type() {
        let mut headers = HeaderMap::new();
        assert!(!is_json_content(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert!(is_json_content(&headers));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!is_json_content(&headers));
    }
}
