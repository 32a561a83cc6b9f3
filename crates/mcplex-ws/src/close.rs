//! WebSocket close codes and close frames, without the WebSocket library's types.

use std::fmt;

/// The status code of a WebSocket close frame (RFC 6455 §7.4).
///
/// The constants are the codes this crate sends; any other code a peer sends is kept as it is.
///
/// | constant | code | when this crate sends it |
/// |----------|------|--------------------------|
/// | [`NORMAL`](CloseCode::NORMAL) | 1000 | the connection is done (a client closing, a server answering a client's close) |
/// | [`GOING_AWAY`](CloseCode::GOING_AWAY) | 1001 | the server shuts down, or the peer stopped answering pings |
/// | [`PROTOCOL_ERROR`](CloseCode::PROTOCOL_ERROR) | 1002 | the peer broke the WebSocket framing rules |
/// | [`UNSUPPORTED_DATA`](CloseCode::UNSUPPORTED_DATA) | 1003 | a binary frame: MCP messages travel in text frames |
/// | [`INVALID_PAYLOAD`](CloseCode::INVALID_PAYLOAD) | 1007 | a text frame that is not valid UTF-8 |
/// | [`MESSAGE_TOO_BIG`](CloseCode::MESSAGE_TOO_BIG) | 1009 | a message over the size limit (4 MiB by default) |
/// | [`TRY_AGAIN_LATER`](CloseCode::TRY_AGAIN_LATER) | 1013 | the peer reads too slowly: its outbound queue overflowed |
///
/// ```
/// use mcplex_ws::CloseCode;
///
/// assert_eq!(CloseCode::MESSAGE_TOO_BIG.as_u16(), 1009);
/// assert_eq!(CloseCode::new(1013), CloseCode::TRY_AGAIN_LATER);
/// assert_eq!(CloseCode::TRY_AGAIN_LATER.to_string(), "1013");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(u16);

impl CloseCode {
    /// 1000: normal closure.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: the endpoint is going away (server shutdown, dead peer).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: a WebSocket protocol error.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: data of a type the endpoint does not accept (binary frames here).
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1007: a text message that is not valid UTF-8.
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a message that violates the endpoint's policy.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1011: an unexpected condition in the endpoint.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1013: try again later (the peer fell too far behind).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);

    /// The close code with this number.
    pub const fn new(code: u16) -> Self {
        CloseCode(code)
    }

    /// The number.
    pub const fn as_u16(self) -> u16 {
        self.0
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> u16 {
        code.0
    }
}

/// A close frame received from the peer: its code and its reason text.
///
/// ```
/// use mcplex_ws::{CloseCode, CloseFrame};
///
/// let frame = CloseFrame::new(CloseCode::GOING_AWAY, "server shutting down");
/// assert_eq!(frame.code(), CloseCode::GOING_AWAY);
/// assert_eq!(frame.reason(), "server shutting down");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseFrame {
    code: CloseCode,
    reason: String,
}

impl CloseFrame {
    /// A close frame with `code` and `reason`.
    pub fn new(code: CloseCode, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
        }
    }

    /// The close code.
    pub fn code(&self) -> CloseCode {
        self.code
    }

    /// The reason text, possibly empty.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for CloseFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reason.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{} ({})", self.code, self.reason)
        }
    }
}
