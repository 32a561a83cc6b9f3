//! The server side of the opening handshake, as pure functions: is this a WebSocket upgrade,
//! which subprotocol is selected, and why a request is refused.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use mcplex_protocol::ProtocolVersion;

use crate::guard::Violation;

/// The subprotocol an MCP client offers and the server selects.
pub const SUBPROTOCOL: &str = "mcp";

/// The prefix of a subprotocol offer naming a protocol revision: `mcp.version.2025-11-25`.
pub const VERSION_PREFIX: &str = "mcp.version.";

/// The prefix of a subprotocol offer carrying a bearer token (`mcp.auth.<token>`), for browser
/// clients that cannot set an `Authorization` header. Reserved: it is never selected and its
/// token is ignored.
pub const AUTH_PREFIX: &str = "mcp.auth.";

/// What the opening handshake settled, attached to every served connection's
/// [`ConnectionInfo`](mcplex_transport::ConnectionInfo) extensions (and to the server's
/// request contexts through them).
///
/// ```
/// use mcplex_ws::Negotiated;
///
/// let negotiated = Negotiated::default();
/// assert_eq!(negotiated.subprotocol, None);
/// assert_eq!(negotiated.revision, None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Negotiated {
    /// The selected subprotocol: `Some("mcp")`, or `None` when the client offered none and
    /// [`WsOptions::allow_no_subprotocol`](crate::WsOptions::allow_no_subprotocol) let it in.
    pub subprotocol: Option<&'static str>,
    /// The revision the client offered as `mcp.version.<revision>`, if any. The protocol
    /// itself still negotiates the revision (`initialize`, or `_meta` on 2026-07-28); this is
    /// what the client announced up front.
    pub revision: Option<ProtocolVersion>,
}

/// Why an upgrade request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Origin,
    Host,
    NotUpgrade,
    WebSocketVersion,
    NoSubprotocol,
    UnknownRevision,
}

impl Refusal {
    pub(crate) const ALL: [Refusal; 6] = [
        Self::Origin,
        Self::Host,
        Self::NotUpgrade,
        Self::WebSocketVersion,
        Self::NoSubprotocol,
        Self::UnknownRevision,
    ];

    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::Origin | Self::Host => StatusCode::FORBIDDEN,
            Self::NotUpgrade | Self::WebSocketVersion => StatusCode::UPGRADE_REQUIRED,
            Self::NoSubprotocol | Self::UnknownRevision => StatusCode::BAD_REQUEST,
        }
    }

    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Origin => "forbidden: origin not allowed\n",
            Self::Host => "forbidden: host not allowed\n",
            Self::NotUpgrade => "this endpoint speaks WebSocket: send a GET upgrade request\n",
            Self::WebSocketVersion => "unsupported WebSocket version: use 13\n",
            Self::NoSubprotocol => "missing subprotocol: offer `mcp` in Sec-WebSocket-Protocol\n",
            Self::UnknownRevision => "unsupported protocol revision in `mcp.version.<revision>`\n",
        }
    }

    /// The metrics label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Origin => "origin",
            Self::Host => "host",
            Self::NotUpgrade => "not_upgrade",
            Self::WebSocketVersion => "websocket_version",
            Self::NoSubprotocol => "no_subprotocol",
            Self::UnknownRevision => "unknown_revision",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl From<Violation> for Refusal {
    fn from(violation: Violation) -> Self {
        match violation {
            Violation::Origin => Self::Origin,
            Violation::Host => Self::Host,
        }
    }
}

/// Checks that a request is a WebSocket upgrade (RFC 6455 §4.2.1) and returns its
/// `Sec-WebSocket-Key`.
pub(crate) fn upgrade_key<'a>(
    method: &Method,
    headers: &'a HeaderMap,
) -> Result<&'a HeaderValue, Refusal> {
    let has_token = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|value| {
            value.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    if method != Method::GET
        || !has_token(header::CONNECTION, "upgrade")
        || !has_token(header::UPGRADE, "websocket")
    {
        return Err(Refusal::NotUpgrade);
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v.as_bytes() != b"13")
    {
        return Err(Refusal::WebSocketVersion);
    }
    headers
        .get(header::SEC_WEBSOCKET_KEY)
        .filter(|key| !key.is_empty())
        .ok_or(Refusal::NotUpgrade)
}

/// Selects the subprotocol from the `Sec-WebSocket-Protocol` offers.
///
/// `mcp` is selected when offered. `mcp.version.<revision>` records the first offered revision
/// this server knows; offering only unknown revisions is refused. `mcp.auth.<token>` and other
/// offers are ignored. Without `mcp`, the request is refused unless `allow_none` is set.
pub(crate) fn negotiate(headers: &HeaderMap, allow_none: bool) -> Result<Negotiated, Refusal> {
    let mut mcp = false;
    let mut revision = None;
    let mut unknown_revision = false;
    let offers = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim);
    for offer in offers {
        if offer == SUBPROTOCOL {
            mcp = true;
        } else if let Some(name) = offer.strip_prefix(VERSION_PREFIX) {
            match ProtocolVersion::from_str_opt(name) {
                Some(known) => {
                    revision.get_or_insert(known);
                }
                None => unknown_revision = true,
            }
        }
    }
    if unknown_revision && revision.is_none() {
        return Err(Refusal::UnknownRevision);
    }
    if !mcp && !allow_none {
        return Err(Refusal::NoSubprotocol);
    }
    Ok(Negotiated {
        subprotocol: mcp.then_some(SUBPROTOCOL),
        revision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn selects_mcp_and_records_the_revision() {
        let got = negotiate(&offers("mcp, mcp.version.2025-06-18, mcp.auth.abc"), false);
        assert_eq!(
            got,
            Ok(Negotiated {
                subprotocol: Some("mcp"),
                revision: Some(ProtocolVersion::V2025_06_18),
            })
        );
        let got = negotiate(
            &offers("mcp.version.1999-01-01, mcp.version.2026-07-28, mcp"),
            false,
        );
        assert_eq!(got.unwrap().revision, Some(ProtocolVersion::V2026_07_28));
    }

    #[test]
    fn refusals() {
        assert_eq!(
            negotiate(&HeaderMap::new(), false),
            Err(Refusal::NoSubprotocol)
        );
        assert_eq!(
            negotiate(&offers("graphql-ws"), false),
            Err(Refusal::NoSubprotocol)
        );
        assert_eq!(
            negotiate(&offers("mcp, mcp.version.1999-01-01"), false),
            Err(Refusal::UnknownRevision)
        );
        assert_eq!(
            negotiate(&HeaderMap::new(), true),
            Ok(Negotiated::default())
        );
    }

    #[test]
    fn upgrade_requests() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            upgrade_key(&Method::GET, &headers),
            Err(Refusal::NotUpgrade)
        );
        headers.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, Upgrade"),
        );
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        assert_eq!(
            upgrade_key(&Method::GET, &headers),
            Err(Refusal::WebSocketVersion)
        );
        headers.insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        headers.insert(
            header::SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        );
        assert!(upgrade_key(&Method::GET, &headers).is_ok());
        assert_eq!(
            upgrade_key(&Method::POST, &headers),
            Err(Refusal::NotUpgrade)
        );
    }
}
