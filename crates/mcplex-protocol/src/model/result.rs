//! What every result has: `resultType`, `_meta`, and caching hints on cacheable results.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::meta::{ResultMeta, shape_meta};
use crate::{ProtocolVersion, Shape};

/// The `resultType` of a result (2026-07-28; required there on every result).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum ResultType {
    /// `"complete"`: an ordinary, final result.
    #[default]
    Complete,
    /// `"input_required"`: an [`InputRequiredResult`](super::InputRequiredResult); the client
    /// answers its input requests and retries.
    InputRequired,
    /// A value this crate does not know, kept as sent.
    Other(String),
}

impl ResultType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Complete => "complete",
            Self::InputRequired => "input_required",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for ResultType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ResultType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResultType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = super::serde_util::Key::deserialize(deserializer)?.0;
        Ok(match &*s {
            "complete" => Self::Complete,
            "input_required" => Self::InputRequired,
            _ => Self::Other(s.into_owned()),
        })
    }
}

/// Who may cache a cacheable result (2026-07-28).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    /// Shared intermediaries may cache the result.
    Public,
    /// Only the requesting client may cache the result.
    #[default]
    Private,
}

/// A result with no members of its own (the answer to `ping`, `resources/subscribe`,
/// `logging/setLevel`, ...).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmptyResult {
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResultMeta>,
    /// `"complete"` (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl Shape for EmptyResult {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_result(
            &mut self.meta,
            &mut self.result_type,
            version,
            ResultType::Complete,
        );
    }
}

/// Results that carry caching hints on 2026-07-28: the list results, `resources/read` and
/// `server/discover`.
pub trait Cacheable {
    /// The `ttlMs` member: how long, in milliseconds, the result stays fresh.
    fn ttl_ms_mut(&mut self) -> &mut Option<u64>;

    /// The `cacheScope` member.
    fn cache_scope_mut(&mut self) -> &mut Option<CacheScope>;

    /// Sets both caching hints.
    fn set_cache(&mut self, ttl_ms: u64, scope: CacheScope) {
        *self.ttl_ms_mut() = Some(ttl_ms);
        *self.cache_scope_mut() = Some(scope);
    }
}

/// Implements [`Cacheable`] for result structs with `ttl_ms` and `cache_scope` members.
macro_rules! impl_cacheable {
    ($($ty:ty),*) => {$(
        impl $crate::model::Cacheable for $ty {
            fn ttl_ms_mut(&mut self) -> &mut Option<u64> {
                &mut self.ttl_ms
            }

            fn cache_scope_mut(&mut self) -> &mut Option<$crate::model::CacheScope> {
                &mut self.cache_scope
            }
        }
    )*};
}

pub(crate) use impl_cacheable;

/// Shapes the members every result has: `_meta`, and `resultType`, which 2026-07-28 requires
/// (filled with `fill` when absent) and older revisions do not know.
pub(crate) fn shape_result(
    meta: &mut Option<ResultMeta>,
    result_type: &mut Option<ResultType>,
    version: ProtocolVersion,
    fill: ResultType,
) {
    shape_meta(meta, version);
    if version.has_result_type() {
        result_type.get_or_insert(fill);
    } else {
        *result_type = None;
    }
}

/// Shapes the caching hints: 2026-07-28 requires them (absent hints become `ttlMs: 0` and
/// `cacheScope: "private"`, which tell a client not to reuse the result); older revisions do
/// not know them.
pub(crate) fn shape_cache(
    ttl_ms: &mut Option<u64>,
    cache_scope: &mut Option<CacheScope>,
    version: ProtocolVersion,
) {
    if version.has_caching() {
        ttl_ms.get_or_insert(0);
        cache_scope.get_or_insert(CacheScope::Private);
    } else {
        *ttl_ms = None;
        *cache_scope = None;
    }
}
