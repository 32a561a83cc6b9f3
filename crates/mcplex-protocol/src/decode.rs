//! The envelope decoder: bytes to [`Message`] with typed errors.
//!
//! Decoding reads `jsonrpc`, `id` and `method` eagerly and keeps `params` and `result` as raw
//! JSON ([`Payload`]) until a handler asks for its type. Every failure is a [`DecodeError`] that
//! maps to `-32700` (parse error) or `-32600` (invalid request) and carries the request id when
//! one could be read.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::{ErrorCode, ErrorObject, ErrorResponse, Message, Method, Notification, Payload};
use crate::{Request, RequestId, Response};

/// The highest nesting depth [`DecodeLimits::max_depth`] may be set to; larger values are
/// clamped so that decoding can never exhaust a thread's stack.
pub const MAX_DEPTH_CEILING: usize = 256;

/// Limits applied while decoding untrusted input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeLimits {
    /// The deepest nesting of arrays and objects accepted, counting the message object itself
    /// as 1. Default 128; values above [`MAX_DEPTH_CEILING`] are clamped.
    pub max_depth: usize,
    /// The most messages a batch may hold. Default 256.
    pub max_batch_len: usize,
}

impl DecodeLimits {
    /// The defaults: depth 128, batches of up to 256 messages.
    pub const DEFAULT: DecodeLimits = DecodeLimits {
        max_depth: 128,
        max_batch_len: 256,
    };

    fn depth(&self) -> usize {
        self.max_depth.min(MAX_DEPTH_CEILING)
    }
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a message could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The bytes are not valid UTF-8 (`-32700`).
    InvalidUtf8,
    /// The text is not valid JSON: truncated, trailing characters, bad tokens (`-32700`).
    Syntax,
    /// Arrays and objects are nested deeper than the limit (`-32700`).
    TooDeep,
    /// Valid JSON that is not an object, such as `null` or `5` (`-32600`).
    NotAnObject,
    /// A JSON array where a single message is required (`-32600`).
    BatchNotAllowed,
    /// An empty batch, `[]` (`-32600`).
    EmptyBatch,
    /// A batch with more messages than the limit (`-32600`).
    BatchTooLarge,
    /// `jsonrpc` is missing or is not `"2.0"` (`-32600`).
    BadVersion,
    /// The `id` is not a string or an integer, or is missing where required (`-32600`).
    BadId,
    /// The `method` is not a string (`-32600`).
    BadMethod,
    /// The `params` are not an object (`-32600`).
    BadParams,
    /// The `error` member is not a JSON-RPC error object (`-32600`).
    BadError,
    /// The members do not form a request, notification or response: none of `method`,
    /// `result` and `error`, more than one of them, or a duplicated member (`-32600`).
    NotAMessage,
}

impl DecodeErrorKind {
    /// The JSON-RPC error code this kind maps to.
    pub const fn code(self) -> ErrorCode {
        match self {
            Self::InvalidUtf8 | Self::Syntax | Self::TooDeep => ErrorCode::PARSE_ERROR,
            _ => ErrorCode::INVALID_REQUEST,
        }
    }

    const fn describe(self) -> &'static str {
        match self {
            Self::InvalidUtf8 => "invalid UTF-8",
            Self::Syntax => "invalid JSON",
            Self::TooDeep => "JSON nested too deeply",
            Self::NotAnObject => "message is not a JSON object",
            Self::BatchNotAllowed => "batches are not allowed",
            Self::EmptyBatch => "empty batch",
            Self::BatchTooLarge => "batch too large",
            Self::BadVersion => "jsonrpc must be \"2.0\"",
            Self::BadId => "id must be a string or an integer",
            Self::BadMethod => "method must be a string",
            Self::BadParams => "params must be an object",
            Self::BadError => "error must be an object with an integer code and a string message",
            Self::NotAMessage => "not a request, notification or response",
        }
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A message that could not be decoded.
///
/// ```
/// use mcplex_protocol::{decode, DecodeErrorKind, ErrorCode};
///
/// let err = decode(br#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#).unwrap_err();
/// assert_eq!(err.kind(), DecodeErrorKind::BadVersion);
/// assert_eq!(err.code(), ErrorCode::INVALID_REQUEST);
/// assert_eq!(err.id(), Some(&7.into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
pub struct DecodeError {
    kind: DecodeErrorKind,
    id: Option<RequestId>,
    detail: Option<Box<str>>,
}

impl DecodeError {
    fn new(kind: DecodeErrorKind) -> Self {
        Self {
            kind,
            id: None,
            detail: None,
        }
    }

    fn with_id(mut self, id: Option<RequestId>) -> Self {
        self.id = id;
        self
    }

    fn with_detail(mut self, detail: impl fmt::Display) -> Self {
        self.detail = Some(detail.to_string().into_boxed_str());
        self
    }

    /// Why decoding failed.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// The JSON-RPC error code to answer with.
    pub fn code(&self) -> ErrorCode {
        self.kind.code()
    }

    /// The request id, when one could be read.
    pub fn id(&self) -> Option<&RequestId> {
        self.id.as_ref()
    }

    /// The error object to send to the peer.
    pub fn to_error_object(&self) -> ErrorObject {
        ErrorObject::new(self.code(), self.to_string())
    }

    /// The error response to send to the peer (`id: null` when no id could be read).
    pub fn to_response(&self) -> ErrorResponse {
        ErrorResponse::new(self.id.clone(), self.to_error_object())
    }
}

/// What a transport received: one message or a batch.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// A single message.
    Single(Message),
    /// A batch; each element decoded on its own, in order.
    Batch(Vec<Result<Message, DecodeError>>),
}

/// Decodes one message with the default limits. A JSON array is rejected with
/// [`DecodeErrorKind::BatchNotAllowed`]; use [`decode_incoming`] where batches are allowed.
///
/// # Errors
///
/// Returns a [`DecodeError`] for anything that is not exactly one valid JSON-RPC message.
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    decode_with(bytes, &DecodeLimits::DEFAULT)
}

/// Decodes one message with the given limits.
///
/// # Errors
///
/// Returns a [`DecodeError`] for anything that is not exactly one valid JSON-RPC message.
pub fn decode_with(bytes: &[u8], limits: &DecodeLimits) -> Result<Message, DecodeError> {
    decode_str_with(utf8(bytes)?, limits)
}

/// Decodes one message from text with the given limits.
///
/// # Errors
///
/// Returns a [`DecodeError`] for anything that is not exactly one valid JSON-RPC message.
pub fn decode_str_with(text: &str, limits: &DecodeLimits) -> Result<Message, DecodeError> {
    check_depth(text.as_bytes(), limits.depth())?;
    match first_byte(text) {
        Some(b'[') => Err(classify_non_message(text, DecodeErrorKind::BatchNotAllowed)),
        _ => decode_checked(text),
    }
}

/// Decodes one message or a batch with the given limits.
///
/// # Errors
///
/// Returns a [`DecodeError`] when the input as a whole is unusable (bad UTF-8 or JSON, an empty
/// or over-long batch, or a single value that is not a message). Errors in individual batch
/// elements are reported in [`Incoming::Batch`].
pub fn decode_incoming(bytes: &[u8], limits: &DecodeLimits) -> Result<Incoming, DecodeError> {
    let text = utf8(bytes)?;
    check_depth(text.as_bytes(), limits.depth())?;
    if first_byte(text) != Some(b'[') {
        return decode_checked(text).map(Incoming::Single);
    }
    let elements: Vec<&RawValue> = parse_unbounded(text)
        .map_err(|e| DecodeError::new(DecodeErrorKind::Syntax).with_detail(e))?;
    if elements.is_empty() {
        return Err(DecodeError::new(DecodeErrorKind::EmptyBatch));
    }
    if elements.len() > limits.max_batch_len {
        return Err(DecodeError::new(DecodeErrorKind::BatchTooLarge));
    }
    Ok(Incoming::Batch(
        elements
            .into_iter()
            .map(|e| decode_checked(e.get()))
            .collect(),
    ))
}

fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|e| {
        DecodeError::new(DecodeErrorKind::InvalidUtf8)
            .with_detail(format_args!("at byte {}", e.valid_up_to()))
    })
}

fn first_byte(text: &str) -> Option<u8> {
    text.bytes().find(|b| !b.is_ascii_whitespace())
}

/// Decodes text whose nesting depth has already been checked.
fn decode_checked(text: &str) -> Result<Message, DecodeError> {
    match parse_unbounded::<RawEnvelope<'_>>(text) {
        Ok(raw) => raw.into_message(),
        Err(e) if e.is_data() => Err(classify_non_message(text, DecodeErrorKind::NotAnObject)),
        Err(e) => Err(DecodeError::new(DecodeErrorKind::Syntax).with_detail(e)),
    }
}

/// The input was rejected for its shape; report a syntax error instead if it is not valid JSON
/// at all (only the error path pays for this second look).
fn classify_non_message(text: &str, kind: DecodeErrorKind) -> DecodeError {
    match parse_unbounded::<IgnoredAny>(text) {
        Ok(_) => DecodeError::new(kind),
        Err(e) => DecodeError::new(DecodeErrorKind::Syntax).with_detail(e),
    }
}

/// Parses text whose depth is bounded by [`MAX_DEPTH_CEILING`], without serde_json's own
/// recursion limit (which would cap the configurable limit at 127).
fn parse_unbounded<'a, T: Deserialize<'a>>(text: &'a str) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Parses JSON text held by a [`Payload`]. Payloads are either produced by [`decode`] (depth at
/// most [`MAX_DEPTH_CEILING`]) or by serde_json (depth at most 127), so this is stack-safe.
pub(crate) fn from_str_bounded<'a, T: Deserialize<'a>>(text: &'a str) -> serde_json::Result<T> {
    parse_unbounded(text)
}

/// Rejects input whose arrays and objects nest deeper than `max` before any recursive parsing.
fn check_depth(bytes: &[u8], max: usize) -> Result<(), DecodeError> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            b'"' => i = skip_string(bytes, i),
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Err(DecodeError::new(DecodeErrorKind::TooDeep)
                        .with_detail(format_args!("limit is {max}")));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The index just past the string whose body starts at `i`, honouring escapes (the end of the
/// input for an unterminated string: the parser reports it). Most strings of a message are
/// short, so the first bytes are looked at one by one; a long string is searched with `memchr`.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    const SHORT: usize = 24;
    let short_end = bytes.len().min(i + SHORT);
    while i < short_end {
        match bytes[i] {
            b'"' => return i + 1,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    loop {
        let Some(rest) = bytes.get(i..) else {
            return bytes.len();
        };
        match memchr::memchr2(b'"', b'\\', rest) {
            Some(off) if rest[off] == b'\\' => i += off + 2,
            Some(off) => return i + off + 1,
            None => return bytes.len(),
        }
    }
}

#[derive(Default)]
pub(crate) struct RawEnvelope<'a> {
    jsonrpc: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    method: Option<&'a RawValue>,
    params: Option<&'a RawValue>,
    result: Option<&'a RawValue>,
    error: Option<&'a RawValue>,
    duplicate: bool,
}

enum Key {
    Jsonrpc,
    Id,
    Method,
    Params,
    Result,
    Error,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = Key;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "jsonrpc" => Key::Jsonrpc,
                    "id" => Key::Id,
                    "method" => Key::Method,
                    "params" => Key::Params,
                    "result" => Key::Result,
                    "error" => Key::Error,
                    _ => Key::Other,
                })
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for RawEnvelope<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor;

        impl<'de> Visitor<'de> for EnvelopeVisitor {
            type Value = RawEnvelope<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON-RPC message object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut env = RawEnvelope::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let slot = match key {
                        Key::Jsonrpc => &mut env.jsonrpc,
                        Key::Id => &mut env.id,
                        Key::Method => &mut env.method,
                        Key::Params => &mut env.params,
                        Key::Result => &mut env.result,
                        Key::Error => &mut env.error,
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    let value = map.next_value::<&'de RawValue>()?;
                    env.duplicate |= slot.is_some();
                    *slot = Some(value);
                }
                Ok(env)
            }
        }

        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

enum IdField {
    Absent,
    Null,
    Valid(RequestId),
    Invalid,
}

impl IdField {
    fn read(raw: Option<&RawValue>) -> Self {
        let Some(raw) = raw else {
            return Self::Absent;
        };
        let text = raw.get();
        if text == "null" {
            return Self::Null;
        }
        match serde_json::from_str::<RequestId>(text) {
            Ok(id) => Self::Valid(id),
            Err(_) => Self::Invalid,
        }
    }

    fn id(&self) -> Option<RequestId> {
        match self {
            Self::Valid(id) => Some(id.clone()),
            _ => None,
        }
    }
}

impl RawEnvelope<'_> {
    pub(crate) fn into_message(self) -> Result<Message, DecodeError> {
        let id = IdField::read(self.id);
        let fail = |kind| Err(DecodeError::new(kind).with_id(id.id()));

        if self.duplicate {
            return fail(DecodeErrorKind::NotAMessage)
                .map_err(|e| e.with_detail("duplicate member"));
        }
        match self.jsonrpc.map(RawValue::get) {
            Some("\"2.0\"") => {}
            Some(other) if serde_json::from_str::<String>(other).is_ok_and(|v| v == "2.0") => {}
            _ => return fail(DecodeErrorKind::BadVersion),
        }

        if let Some(method) = self.method {
            if self.result.is_some() || self.error.is_some() {
                return fail(DecodeErrorKind::NotAMessage);
            }
            let Some(method) = read_method(method) else {
                return fail(DecodeErrorKind::BadMethod);
            };
            let params = match self.params {
                None => None,
                Some(raw) if raw.get() == "null" => None,
                Some(raw) if raw.get().starts_with('{') => Some(Payload::from_raw(raw.to_owned())),
                Some(_) => return fail(DecodeErrorKind::BadParams),
            };
            return match id {
                IdField::Absent => Ok(Message::Notification(Notification { method, params })),
                IdField::Valid(id) => Ok(Message::Request(Request { id, method, params })),
                IdField::Null | IdField::Invalid => fail(DecodeErrorKind::BadId),
            };
        }

        match (self.result, self.error) {
            (Some(result), None) => match id {
                IdField::Valid(id) => Ok(Message::Response(Response {
                    id,
                    result: Payload::from_raw(result.to_owned()),
                })),
                _ => fail(DecodeErrorKind::BadId),
            },
            (None, Some(error)) => {
                let error = match serde_json::from_str::<ErrorObject>(error.get()) {
                    Ok(error) => error,
                    Err(_) => return fail(DecodeErrorKind::BadError),
                };
                match id {
                    IdField::Valid(id) => Ok(Message::Error(ErrorResponse::new(Some(id), error))),
                    IdField::Absent | IdField::Null => {
                        Ok(Message::Error(ErrorResponse::new(None, error)))
                    }
                    IdField::Invalid => fail(DecodeErrorKind::BadId),
                }
            }
            _ => fail(DecodeErrorKind::NotAMessage),
        }
    }
}

fn read_method(raw: &RawValue) -> Option<Method> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Method::new(inner));
    }
    serde_json::from_str::<String>(text)
        .ok()
        .map(|s| Method::new(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_scan_skips_brackets_in_strings() {
        let text = br#"{"a":"[[[[[[[[[[\"[[[[","b":[1]}"#;
        assert!(check_depth(text, 2).is_ok());
        assert!(check_depth(text, 1).is_err());
    }

    #[test]
    fn depth_scan_survives_trailing_escape() {
        assert!(check_depth(br#"{"a":"\"#, 4).is_ok());
        assert!(check_depth(b"\"", 4).is_ok());
    }
}
