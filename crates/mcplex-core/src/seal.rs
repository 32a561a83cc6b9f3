//! Sealing of multi round-trip request state (`requestState`).
//!
//! On the 2026-07-28 wire a handler that needs input from the client answers "input required"
//! with a state value, and the client sends that state back verbatim when it retries the
//! request. The client must not be able to read-modify it, hand it to another principal, attach
//! it to a different request, or keep it forever. A [`Sealer`] turns the state into an opaque,
//! expiring token whose MAC binds it to the principal and to a digest of the original request
//! ([`Binding`]), and checks all of that when the token comes back.
//!
//! # Token format
//!
//! ```text
//! token   = b64(payload) "." b64(mac)                   b64: URL-safe base64, no padding
//! payload = version (1 byte, 1) ‖ expiry (u64 BE, Unix ms) ‖ state JSON
//! mac     = HMAC-SHA256(key, "mcplex-request-state" ‖ version ‖ expiry
//!                            ‖ principal ‖ request digest (32 bytes) ‖ state JSON)
//! principal = 0x00 (none) | 0x01 ‖ length (u64 BE) ‖ UTF-8 bytes
//! ```
//!
//! The state is signed, not encrypted: the client can read it, so it must hold nothing the
//! client may not see. The principal and the request digest are not in the token, only in the
//! MAC, so a token presented by another principal or with another request fails as
//! [`SealError::BadSignature`], indistinguishable from a forgery. Tokens longer than
//! [`Sealer::MAX_TOKEN_LEN`] are rejected as [`SealError::Malformed`] without further work.
//!
//! Instances that serve the same clients share the key (`--state-secret-file`), so any of them
//! can open a token another sealed.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use mcplex_core::seal::{Binding, Sealer};
//! use serde_json::json;
//!
//! let sealer = Sealer::new(&[7; 32]).unwrap();
//! let params = json!({ "name": "book_flight", "arguments": { "to": "LIS" } });
//! let binding = Binding {
//!     principal: Some("alice"),
//!     request_digest: Binding::digest_request("tools/call", &params),
//! };
//! let now = SystemTime::now();
//! let token = sealer.seal(&json!({ "step": 2 }), &binding, Duration::from_secs(600), now);
//! assert_eq!(sealer.open(&token, &binding, now).unwrap(), json!({ "step": 2 }));
//!
//! let mallory = Binding { principal: Some("mallory"), ..binding };
//! assert!(sealer.open(&token, &mallory, now).is_err());
//! ```

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
const MAC_CONTEXT: &[u8] = b"mcplex-request-state";
const DIGEST_CONTEXT: &[u8] = b"mcplex-request-digest";
const MAC_LEN: usize = 32;
/// Version byte and expiry.
const HEADER_LEN: usize = 1 + 8;
/// Top-level params fields that carry the round trip itself and are left out of the digest.
const MRTR_FIELDS: [&str; 3] = ["_meta", "inputResponses", "requestState"];

/// Why a token could not be opened, or a key was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The token is not one this format produces: wrong shape, bad base64, unknown version,
    /// or too long.
    #[error("malformed request state")]
    Malformed,
    /// The MAC does not match: the token was altered, sealed with another key, or presented by
    /// another principal or with another request.
    #[error("request state signature mismatch")]
    BadSignature,
    /// The token is authentic but its expiry has passed.
    #[error("request state expired")]
    Expired,
    /// The key given to [`Sealer::new`] is shorter than [`Sealer::MIN_KEY_LEN`] bytes.
    #[error("request state key too short")]
    KeyTooShort,
}

/// What a sealed state is bound to: who may present it, and with which request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding<'a> {
    /// The subject of the authenticated principal, or `None` when unauthenticated.
    pub principal: Option<&'a str>,
    /// The digest of the request the state belongs to, from [`Binding::digest_request`].
    pub request_digest: [u8; 32],
}

impl Binding<'_> {
    /// A SHA-256 digest of a request: its method and its params in a canonical JSON form
    /// (object keys sorted by their UTF-8 bytes, no whitespace), leaving out the top-level
    /// fields that change between round trips (`_meta`, `inputResponses`, `requestState`).
    ///
    /// The same request yields the same digest whatever the key order or whitespace of the
    /// JSON it arrived in; any other change of method or params changes the digest.
    pub fn digest_request(method: &str, params: &Value) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(DIGEST_CONTEXT);
        hasher.update(len_prefix(method.len()));
        hasher.update(method.as_bytes());
        hasher.update(canonical_json(params, &MRTR_FIELDS));
        hasher.finalize().into()
    }
}

/// Seals request state into tokens and opens them again.
///
/// The key never appears in `Debug` output.
#[derive(Clone)]
pub struct Sealer {
    /// HMAC keyed once; cloned per token.
    mac: HmacSha256,
}

impl Sealer {
    /// The shortest key [`Sealer::new`] accepts, in bytes.
    pub const MIN_KEY_LEN: usize = 32;
    /// The longest token [`Sealer::open`] reads, in bytes (64 KiB). [`Sealer::seal`] does not
    /// check it; states that large do not survive the round trip.
    pub const MAX_TOKEN_LEN: usize = 64 * 1024;

    /// A sealer with a shared key of at least [`MIN_KEY_LEN`](Self::MIN_KEY_LEN) bytes
    /// (typically read from `--state-secret-file`, the same on every instance).
    pub fn new(key: &[u8]) -> Result<Self, SealError> {
        if key.len() < Self::MIN_KEY_LEN {
            return Err(SealError::KeyTooShort);
        }
        let mac = HmacSha256::new_from_slice(key).map_err(|_| SealError::KeyTooShort)?;
        Ok(Self { mac })
    }

    /// A sealer with a fresh 32-byte key from the operating system's random number generator,
    /// for a single instance (tokens do not survive a restart).
    ///
    /// # Panics
    ///
    /// If the operating system's random number generator fails.
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the operating system random number generator failed");
        Self {
            mac: HmacSha256::new_from_slice(&key).expect("HMAC accepts keys of any length"),
        }
    }

    /// Seals `state` for `binding`, valid until `now + ttl`.
    pub fn seal(
        &self,
        state: &Value,
        binding: &Binding<'_>,
        ttl: Duration,
        now: SystemTime,
    ) -> String {
        let expiry =
            unix_ms(now).saturating_add(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        let state = state.to_string();
        let mut payload = Vec::with_capacity(HEADER_LEN + state.len());
        payload.push(VERSION);
        payload.extend_from_slice(&expiry.to_be_bytes());
        payload.extend_from_slice(state.as_bytes());
        let tag = self.mac_for(&payload, binding).finalize().into_bytes();
        let mut token = URL_SAFE_NO_PAD.encode(&payload);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut token);
        token
    }

    /// Opens a token sealed for `binding`, checking its MAC and then its expiry against `now`.
    pub fn open(
        &self,
        token: &str,
        binding: &Binding<'_>,
        now: SystemTime,
    ) -> Result<Value, SealError> {
        if token.len() > Self::MAX_TOKEN_LEN {
            return Err(SealError::Malformed);
        }
        let (payload, tag) = token.split_once('.').ok_or(SealError::Malformed)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| SealError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| SealError::Malformed)?;
        if payload.len() < HEADER_LEN || payload[0] != VERSION || tag.len() != MAC_LEN {
            return Err(SealError::Malformed);
        }
        self.mac_for(&payload, binding)
            .verify_slice(&tag)
            .map_err(|_| SealError::BadSignature)?;
        let (header, state) = payload.split_at(HEADER_LEN);
        let mut expiry = [0u8; 8];
        expiry.copy_from_slice(&header[1..]);
        if unix_ms(now) >= u64::from_be_bytes(expiry) {
            return Err(SealError::Expired);
        }
        serde_json::from_slice(state).map_err(|_| SealError::Malformed)
    }

    /// The MAC over `payload` (version ‖ expiry ‖ state) and `binding`, not yet finalized.
    fn mac_for(&self, payload: &[u8], binding: &Binding<'_>) -> HmacSha256 {
        let (header, state) = payload.split_at(HEADER_LEN.min(payload.len()));
        let mut mac = self.mac.clone();
        mac.update(MAC_CONTEXT);
        mac.update(header);
        match binding.principal {
            None => mac.update(&[0]),
            Some(principal) => {
                mac.update(&[1]);
                mac.update(&len_prefix(principal.len()));
                mac.update(principal.as_bytes());
            }
        }
        mac.update(&binding.request_digest);
        mac.update(state);
        mac
    }
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer").finish_non_exhaustive()
    }
}

fn len_prefix(len: usize) -> [u8; 8] {
    u64::try_from(len).unwrap_or(u64::MAX).to_be_bytes()
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Writes `value` as canonical JSON: no whitespace, object keys sorted by their UTF-8 bytes,
/// strings with a fixed escaping, numbers as `serde_json` prints them. Top-level object keys
/// in `skip` are left out. Iterative, so deep nesting cannot overflow the stack.
fn canonical_json(value: &Value, skip: &[&str]) -> Vec<u8> {
    enum Item<'a> {
        Value(&'a Value),
        Key(&'a str),
        Byte(u8),
    }
    let mut out = Vec::new();
    let mut stack = vec![Item::Value(value)];
    let mut top = true;
    while let Some(item) = stack.pop() {
        let value = match item {
            Item::Byte(b) => {
                out.push(b);
                continue;
            }
            Item::Key(key) => {
                write_str(&mut out, key);
                out.push(b':');
                continue;
            }
            Item::Value(value) => value,
        };
        let skip = if std::mem::take(&mut top) { skip } else { &[] };
        match value {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::String(s) => write_str(&mut out, s),
            Value::Array(items) => {
                out.push(b'[');
                stack.push(Item::Byte(b']'));
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push(Item::Value(item));
                    if i > 0 {
                        stack.push(Item::Byte(b','));
                    }
                }
            }
            Value::Object(map) => {
                let mut entries: Vec<_> = map
                    .iter()
                    .filter(|(key, _)| !skip.contains(&key.as_str()))
                    .collect();
                entries.sort_unstable_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
                out.push(b'{');
                stack.push(Item::Byte(b'}'));
                for (i, (key, value)) in entries.into_iter().enumerate().rev() {
                    stack.push(Item::Value(value));
                    stack.push(Item::Key(key));
                    if i > 0 {
                        stack.push(Item::Byte(b','));
                    }
                }
            }
        }
    }
    out
}

/// A JSON string literal: `"` and `\` escaped, control characters as `\u00XX`, the rest as
/// UTF-8.
fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x00..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::canonical_json;

    fn canonical(value: &serde_json::Value) -> String {
        String::from_utf8(canonical_json(value, &["skip"])).unwrap()
    }

    #[test]
    fn sorts_keys_at_every_level_and_skips_only_top_level() {
        let value = json!({ "b": [1, { "z": null, "a": true }], "a": "x", "skip": 1,
            "n": { "skip": 2 } });
        assert_eq!(
            canonical(&value),
            r#"{"a":"x","b":[1,{"a":true,"z":null}],"n":{"skip":2}}"#
        );
    }

    #[test]
    fn escapes_strings() {
        assert_eq!(
            canonical(&json!("a\"b\\c\n\u{1}é")),
            r#""a\"b\\c\u000a\u0001é""#
        );
        assert_eq!(canonical(&json!({ "k\"": [] })), r#"{"k\"":[]}"#);
    }

    #[test]
    fn scalars_and_empty_containers() {
        assert_eq!(
            canonical(&json!([null, false, -1.5, 10, {}, []])),
            "[null,false,-1.5,10,{},[]]"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut value = json!(0);
        for _ in 0..100_000 {
            value = serde_json::Value::Array(vec![value]);
        }
        let out = canonical_json(&value, &[]);
        assert_eq!(out.len(), 200_001);
        // Dropping a deep `Value` recurses; take it apart iteratively.
        while let serde_json::Value::Array(mut items) = value {
            value = items.pop().unwrap_or_default();
        }
    }
}
