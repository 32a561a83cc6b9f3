//! Protocol revisions and what each one has.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A revision of the Model Context Protocol.
///
/// Revisions are ordered by date, so `a < b` means `a` is older. The predicates tell what a
/// revision has on the wire; outgoing messages are shaped with them (see [`crate::Shape`]).
///
/// ```
/// use mcplex_protocol::ProtocolVersion;
///
/// let v: ProtocolVersion = "2025-06-18".parse().unwrap();
/// assert!(v.has_structured_content());
/// assert!(!v.is_stateless());
/// assert!(v < ProtocolVersion::LATEST);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// `2024-11-05`: the first revision; HTTP+SSE transport.
    V2024_11_05,
    /// `2025-03-26`: Streamable HTTP, batching, audio, tool annotations, completions capability.
    V2025_03_26,
    /// `2025-06-18`: structured tool output, elicitation, resource links, titles; no batching.
    V2025_06_18,
    /// `2025-11-25`: icons, URL elicitation, sampling with tools, experimental tasks.
    V2025_11_25,
    /// `2026-07-28`: the stateless wire; `server/discover`, `subscriptions/listen`, multi
    /// round-trip requests, `resultType` and caching fields.
    V2026_07_28,
}

/// The error returned when a string names no known revision.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown protocol version")]
pub struct UnknownVersion(());

impl ProtocolVersion {
    /// Every supported revision, oldest first.
    pub const ALL: [ProtocolVersion; 5] = [
        Self::V2024_11_05,
        Self::V2025_03_26,
        Self::V2025_06_18,
        Self::V2025_11_25,
        Self::V2026_07_28,
    ];

    /// The newest supported revision.
    pub const LATEST: ProtocolVersion = Self::V2026_07_28;

    /// The newest revision that uses the `initialize` handshake and sessions.
    pub const LATEST_STATEFUL: ProtocolVersion = Self::V2025_11_25;

    /// The revision string, for example `"2025-06-18"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V2024_11_05 => "2024-11-05",
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
        }
    }

    /// Parses a revision string; `None` if it names no supported revision.
    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The revision strings of [`ProtocolVersion::ALL`], oldest first.
    pub fn all_strs() -> impl Iterator<Item = &'static str> {
        Self::ALL.into_iter().map(Self::as_str)
    }

    /// Stateless wire: no `initialize`, no sessions; every request carries its version and client
    /// capabilities in `_meta`.
    pub const fn is_stateless(self) -> bool {
        matches!(self, Self::V2026_07_28)
    }

    /// The `initialize` / `notifications/initialized` handshake.
    pub const fn has_initialize(self) -> bool {
        !self.is_stateless()
    }

    /// `server/discover`.
    pub const fn has_discover(self) -> bool {
        self.is_stateless()
    }

    /// JSON-RPC batches (arrays of messages) are allowed.
    pub const fn allows_batching(self) -> bool {
        matches!(self, Self::V2025_03_26)
    }

    /// `ping` requests.
    pub const fn has_ping(self) -> bool {
        !self.is_stateless()
    }

    /// `logging/setLevel`; later revisions set the level per request in `_meta`.
    pub const fn has_set_level(self) -> bool {
        !self.is_stateless()
    }

    /// `resources/subscribe` and `resources/unsubscribe`.
    pub const fn has_resource_subscribe(self) -> bool {
        !self.is_stateless()
    }

    /// `subscriptions/listen` and `notifications/subscriptions/acknowledged`.
    pub const fn has_subscriptions_listen(self) -> bool {
        self.is_stateless()
    }

    /// Server-to-client requests (`sampling/createMessage`, `elicitation/create`, `roots/list`,
    /// `ping`) sent on the session.
    pub const fn has_server_requests(self) -> bool {
        !self.is_stateless()
    }

    /// `notifications/roots/list_changed` from the client.
    pub const fn has_roots_list_changed(self) -> bool {
        !self.is_stateless()
    }

    /// Multi round-trip requests: `InputRequiredResult`, `inputResponses`, `requestState`.
    pub const fn has_mrtr(self) -> bool {
        self.is_stateless()
    }

    /// The required `resultType` member on every result.
    pub const fn has_result_type(self) -> bool {
        self.is_stateless()
    }

    /// `ttlMs` and `cacheScope` on cacheable results.
    pub const fn has_caching(self) -> bool {
        self.is_stateless()
    }

    /// `Mcp-Method` / `Mcp-Name` request headers on Streamable HTTP.
    pub const fn has_method_headers(self) -> bool {
        self.is_stateless()
    }

    /// `MCP-Protocol-Version` header on every Streamable HTTP request after initialization.
    pub const fn has_version_header(self) -> bool {
        matches!(
            self,
            Self::V2025_06_18 | Self::V2025_11_25 | Self::V2026_07_28
        )
    }

    /// Streamable HTTP (older clients use the HTTP+SSE transport).
    pub const fn has_streamable_http(self) -> bool {
        !matches!(self, Self::V2024_11_05)
    }

    /// SSE event ids and `Last-Event-ID` resumption on Streamable HTTP.
    pub const fn has_resumability(self) -> bool {
        matches!(
            self,
            Self::V2025_03_26 | Self::V2025_06_18 | Self::V2025_11_25
        )
    }

    /// Audio content blocks.
    pub const fn has_audio(self) -> bool {
        !matches!(self, Self::V2024_11_05)
    }

    /// Tool annotations (`readOnlyHint`, `destructiveHint`, ...) and content `annotations` in
    /// their current form.
    pub const fn has_tool_annotations(self) -> bool {
        !matches!(self, Self::V2024_11_05)
    }

    /// The `completions` server capability.
    pub const fn has_completions_capability(self) -> bool {
        !matches!(self, Self::V2024_11_05)
    }

    /// The `message` member of progress notifications.
    pub const fn has_progress_message(self) -> bool {
        !matches!(self, Self::V2024_11_05)
    }

    /// `structuredContent` on tool results and `outputSchema` on tools.
    pub const fn has_structured_content(self) -> bool {
        matches!(
            self,
            Self::V2025_06_18 | Self::V2025_11_25 | Self::V2026_07_28
        )
    }

    /// `resource_link` content blocks.
    pub const fn has_resource_links(self) -> bool {
        self.has_structured_content()
    }

    /// Human-readable `title` members (tools, prompts, resources, implementations).
    pub const fn has_titles(self) -> bool {
        self.has_structured_content()
    }

    /// `_meta` on content, resources, tools and prompts (not only on results).
    pub const fn has_meta_everywhere(self) -> bool {
        self.has_structured_content()
    }

    /// Form-mode elicitation (`elicitation/create` with a requested schema).
    pub const fn has_elicitation(self) -> bool {
        self.has_structured_content()
    }

    /// URL-mode elicitation and the `mode` member.
    pub const fn has_url_elicitation(self) -> bool {
        matches!(self, Self::V2025_11_25 | Self::V2026_07_28)
    }

    /// Icons on tools, prompts, resources and implementations; `websiteUrl` on implementations.
    pub const fn has_icons(self) -> bool {
        self.has_url_elicitation()
    }

    /// Tool use inside sampling (`tools`, `toolChoice`, `tool_use` / `tool_result` content).
    pub const fn has_sampling_tools(self) -> bool {
        self.has_url_elicitation()
    }

    /// The experimental tasks feature of 2025-11-25 (moved to an extension afterwards).
    pub const fn has_tasks(self) -> bool {
        matches!(self, Self::V2025_11_25)
    }

    /// `extensions` in client and server capabilities.
    pub const fn has_extensions(self) -> bool {
        self.is_stateless()
    }

    /// `lastModified` in annotations.
    pub const fn has_annotation_last_modified(self) -> bool {
        self.has_structured_content()
    }

    /// The 2025-11-25 elicitation schemas: titled and multi-select enums, `default` on string,
    /// number and enum fields, `$schema` on the requested schema.
    pub const fn has_enum_schema_variants(self) -> bool {
        self.has_url_elicitation()
    }

    /// `elicitationId` on URL-mode elicitations and `notifications/elicitation/complete`
    /// (2025-11-25 only; 2026-07-28 correlates through `requestState`).
    pub const fn has_elicitation_id(self) -> bool {
        matches!(self, Self::V2025_11_25)
    }

    /// Tool `inputSchema`/`outputSchema` may use any JSON Schema 2020-12 keywords and
    /// `structuredContent` may be any JSON value (before 2026-07-28 the output schema and the
    /// structured content are objects).
    pub const fn allows_any_json_schema(self) -> bool {
        self.is_stateless()
    }

    /// A missing resource is `-32002` before 2026-07-28 and `-32602` from it on.
    pub const fn resource_not_found_code(self) -> crate::ErrorCode {
        if self.is_stateless() {
            crate::ErrorCode::INVALID_PARAMS
        } else {
            crate::ErrorCode::RESOURCE_NOT_FOUND
        }
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProtocolVersion {
    type Err = UnknownVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_str_opt(s).ok_or(UnknownVersion(()))
    }
}

impl Serialize for ProtocolVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProtocolVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::from_str_opt(&s).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&s), &"an MCP revision")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_and_round_trips() {
        for pair in ProtocolVersion::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
        }
        for v in ProtocolVersion::ALL {
            assert_eq!(v.as_str().parse::<ProtocolVersion>().unwrap(), v);
        }
        assert!("2025-01-01".parse::<ProtocolVersion>().is_err());
    }
}
