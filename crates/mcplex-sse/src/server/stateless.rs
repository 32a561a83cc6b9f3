//! The 2026-07-28 request checks: `_meta` fields and the `MCP-Protocol-Version`, `Mcp-Method`
//! and `Mcp-Name` headers against the body.

use std::borrow::Cow;
use std::fmt;

use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use mcplex_protocol::{ErrorCode, ErrorObject, ProtocolVersion, Request, method};
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::headers::{MCP_METHOD, MCP_NAME, trimmed};

/// `_meta` key of the request's protocol version.
const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key of the client capabilities.
const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";

/// The params members the checks read, borrowed from the body without decoding the rest.
#[derive(Default, Deserialize)]
struct RawProbe<'a> {
    #[serde(rename = "_meta", borrow, default)]
    meta: RawMeta<'a>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow)]
    uri: Option<&'a RawValue>,
    #[serde(rename = "taskId", borrow)]
    task_id: Option<&'a RawValue>,
    #[serde(borrow)]
    arguments: Option<&'a RawValue>,
}

/// The `_meta` members the checks read, in the same pass as the rest of the params. A `_meta`
/// that is not an object reads as empty (the checks then reject it for lacking the protocol
/// version) rather than failing the whole probe.
#[derive(Default)]
struct RawMeta<'a> {
    version: Option<&'a RawValue>,
    capabilities: Option<&'a RawValue>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawMeta<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MetaVisitor(std::marker::PhantomData))
    }
}

struct MetaVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for MetaVisitor<'a> {
    type Value = RawMeta<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a _meta object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut meta = RawMeta::default();
        while let Some(key) = map.next_key::<MetaKey>()? {
            match key {
                MetaKey::Version => meta.version = Some(map.next_value::<&'de RawValue>()?),
                MetaKey::Capabilities => {
                    meta.capabilities = Some(map.next_value::<&'de RawValue>()?);
                }
                MetaKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(meta)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(RawMeta::default())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(RawMeta::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(RawMeta::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(RawMeta::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(RawMeta::default())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(RawMeta::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(RawMeta::default())
    }
}

/// A `_meta` member name the checks care about.
enum MetaKey {
    Version,
    Capabilities,
    Other,
}

impl<'de> Deserialize<'de> for MetaKey {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = MetaKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<MetaKey, E> {
                Ok(match v {
                    META_VERSION => MetaKey::Version,
                    META_CAPABILITIES => MetaKey::Capabilities,
                    _ => MetaKey::Other,
                })
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// What the checks need from a request's params, read without decoding the rest (and without
/// copying strings that need no unescaping).
#[derive(Debug, Default)]
pub(crate) struct Probe<'a> {
    /// The `_meta` protocol version, when it is a string.
    version: Option<Cow<'a, str>>,
    /// Whether `_meta` carries client capabilities as an object.
    capabilities: bool,
    name: Option<Cow<'a, str>>,
    uri: Option<Cow<'a, str>>,
    task_id: Option<Cow<'a, str>>,
    pub(crate) arguments: Option<&'a RawValue>,
}

/// A JSON string member as text; `None` when absent or not a string.
fn string(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let raw = raw?.get();
    if raw.starts_with('"') {
        serde_json::from_str(raw).ok()
    } else {
        None
    }
}

impl<'a> Probe<'a> {
    /// Reads the params of `req`; params that do not fit give an empty probe (core answers
    /// them with `-32602`).
    pub(crate) fn of(req: &'a Request) -> Self {
        let raw: RawProbe<'a> = req
            .params
            .as_ref()
            .and_then(|p| serde_json::from_str(p.get()).ok())
            .unwrap_or_default();
        let meta = raw.meta;
        Self {
            version: string(meta.version),
            capabilities: meta.capabilities.is_some_and(|c| c.get().starts_with('{')),
            name: string(raw.name),
            uri: string(raw.uri),
            task_id: string(raw.task_id),
            arguments: raw.arguments,
        }
    }

    /// The protocol version named in `_meta`, when it is a string.
    pub(crate) fn meta_version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether `_meta` names the stateless revision.
    pub(crate) fn names_stateless(&self) -> bool {
        self.meta_version()
            .and_then(ProtocolVersion::from_str_opt)
            .is_some_and(ProtocolVersion::is_stateless)
    }

    /// The body value `Mcp-Name` mirrors for `method`: the field it comes from and its value
    /// (when it is a string).
    fn name_source(&self, method_name: &str) -> Option<(&'static str, Option<&str>)> {
        match method_name {
            method::TOOLS_CALL | method::PROMPTS_GET => Some(("params.name", self.name.as_deref())),
            method::RESOURCES_READ => Some(("params.uri", self.uri.as_deref())),
            method::TASKS_GET | method::TASKS_CANCEL | "tasks/update" => {
                Some(("params.taskId", self.task_id.as_deref()))
            }
            _ => None,
        }
    }

    /// The tool, prompt or resource a request names, for logs.
    pub(crate) fn target(&self) -> Option<&str> {
        self.name.as_deref().or(self.uri.as_deref())
    }
}

/// A rejected request: the status and the error to answer with.
pub(crate) type Rejection = (StatusCode, ErrorObject);

fn mismatch(message: String) -> Rejection {
    (
        StatusCode::BAD_REQUEST,
        ErrorObject::new(ErrorCode::HEADER_MISMATCH, message),
    )
}

/// Checks a request on the stateless wire: the `_meta` fields every request must carry, and
/// the standard headers against the body.
pub(crate) fn validate(
    headers: &HeaderMap,
    header_version: Option<ProtocolVersion>,
    req: &Request,
    probe: &Probe<'_>,
) -> Result<(), Rejection> {
    let Some(header_version) = header_version else {
        return Err(mismatch(
            "header MCP-Protocol-Version is required on this protocol version".to_owned(),
        ));
    };
    let Some(meta_version) = probe.meta_version() else {
        return Err((
            StatusCode::BAD_REQUEST,
            ErrorObject::invalid_params(format!("_meta must carry {META_VERSION}")),
        ));
    };
    if !probe.capabilities {
        return Err((
            StatusCode::BAD_REQUEST,
            ErrorObject::invalid_params(format!("_meta must carry {META_CAPABILITIES}")),
        ));
    }
    if meta_version != header_version.as_str() {
        return Err(mismatch(format!(
            "header MCP-Protocol-Version value '{}' does not match body value '{meta_version}'",
            header_version.as_str()
        )));
    }
    if !has_method(header_version, &req.method) {
        return Err((
            StatusCode::NOT_FOUND,
            ErrorObject::method_not_found(&req.method),
        ));
    }
    match trimmed(headers, MCP_METHOD) {
        None => return Err(mismatch("header Mcp-Method is required".to_owned())),
        Some(Ok(value)) if value == req.method.as_str() => {}
        Some(_) => {
            return Err((
                StatusCode::BAD_REQUEST,
                ErrorObject::header_mismatch("Mcp-Method"),
            ));
        }
    }
    if let Some((field, Some(body))) = probe.name_source(&req.method) {
        match trimmed(headers, MCP_NAME) {
            None => {
                return Err(mismatch(format!(
                    "header Mcp-Name is required when the body has {field}"
                )));
            }
            Some(Ok(value)) => match decode_value(value) {
                Some(decoded) if decoded == body => {}
                Some(_) => {
                    return Err((
                        StatusCode::BAD_REQUEST,
                        ErrorObject::header_mismatch("Mcp-Name"),
                    ));
                }
                None => return Err(mismatch("header Mcp-Name is not valid Base64".to_owned())),
            },
            Some(Err(())) => {
                return Err(mismatch(
                    "header Mcp-Name holds characters that are not allowed".to_owned(),
                ));
            }
        }
    }
    Ok(())
}

/// Whether `version` has the client request `name` at all (methods of the stateful
/// revisions are answered `-32601` before their params are looked at).
fn has_method(version: ProtocolVersion, name: &str) -> bool {
    match name {
        method::INITIALIZE => version.has_initialize(),
        method::PING => version.has_ping(),
        method::LOGGING_SET_LEVEL => version.has_set_level(),
        method::RESOURCES_SUBSCRIBE | method::RESOURCES_UNSUBSCRIBE => {
            version.has_resource_subscribe()
        }
        _ => true,
    }
}

/// A header value with the Base64 sentinel (`=?base64?...?=`) decoded; `None` when the
/// sentinel holds invalid Base64 or non-UTF-8 bytes.
pub(crate) fn decode_value(value: &str) -> Option<String> {
    match value
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        Some(encoded) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?;
            String::from_utf8(bytes).ok()
        }
        None => Some(value.to_owned()),
    }
}

/// The HTTP status of an error answer on the stateless wire.
pub(crate) fn error_status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        ErrorCode::HEADER_MISMATCH
        | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        | ErrorCode::UNSUPPORTED_PROTOCOL_VERSION
        | ErrorCode::PARSE_ERROR
        | ErrorCode::INVALID_REQUEST => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_sentinel() {
        assert_eq!(decode_value("plain").as_deref(), Some("plain"));
        assert_eq!(
            decode_value("=?base64?SGVsbG8=?=").as_deref(),
            Some("Hello")
        );
        assert_eq!(decode_value("=?base64?SGVsbG8?="), None);
        assert_eq!(decode_value("=?base64?SGVs!!!bG8=?="), None);
        assert_eq!(
            decode_value("=?base64?SGVsbG8=").as_deref(),
            Some("=?base64?SGVsbG8=")
        );
    }
}
