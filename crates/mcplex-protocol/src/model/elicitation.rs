//! Elicitation: asking the user for input through the client (`elicitation/create`).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Number;

use super::meta::{NotificationMeta, RequestMeta, ResultMeta, shape_meta};
use super::serde_util::keep_if;
use super::{ElicitSchema, TaskMetadata};
use crate::{ProtocolVersion, Shape};

/// How the client collects the input (2025-11-25).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitMode {
    /// The client shows a form built from `requestedSchema`.
    Form,
    /// The client sends the user to `url`, out of band.
    Url,
}

/// Parameters of `elicitation/create`: form mode (2025-06-18) or URL mode (2025-11-25).
///
/// The two modes share one struct, as on the wire: a form request has `requestedSchema`, a
/// URL request has `mode: "url"` and `url`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitParams {
    /// The mode; form when absent (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ElicitMode>,
    /// What to tell the user.
    pub message: String,
    /// The form (form mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_schema: Option<ElicitSchema>,
    /// Where to send the user (URL mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The id `notifications/elicitation/complete` refers to (URL mode, 2025-11-25 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation_id: Option<String>,
    /// Run the request as a task (2025-11-25, experimental tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Metadata (not on 2026-07-28, where this is an input request).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
}

impl ElicitParams {
    /// A form-mode request.
    pub fn form(message: impl Into<String>, schema: ElicitSchema) -> Self {
        Self {
            message: message.into(),
            requested_schema: Some(schema),
            ..Self::default()
        }
    }

    /// A URL-mode request (2025-11-25).
    pub fn url(message: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            mode: Some(ElicitMode::Url),
            message: message.into(),
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// Whether this is a URL-mode request.
    pub fn is_url(&self) -> bool {
        self.mode == Some(ElicitMode::Url)
    }
}

impl Shape for ElicitParams {
    /// Before 2025-11-25 there is no `mode` (form only; a URL-mode request cannot be
    /// expressed and is left for the caller not to send).
    fn shape(&mut self, version: ProtocolVersion) {
        if !version.has_url_elicitation() && self.mode == Some(ElicitMode::Form) {
            self.mode = None;
        }
        keep_if(&mut self.elicitation_id, version.has_elicitation_id());
        keep_if(&mut self.task, version.has_tasks());
        if let Some(schema) = &mut self.requested_schema {
            schema.shape(version);
        }
        if version.has_mrtr() {
            self.meta = None;
        }
        shape_meta(&mut self.meta, version);
    }
}

/// What the user did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// Submitted (form mode: `content` holds the input) or consented (URL mode).
    Accept,
    /// Declined explicitly.
    Decline,
    /// Dismissed without choosing.
    Cancel,
}

/// The value of one form field in an [`ElicitResult`].
#[derive(Clone, Debug, PartialEq)]
pub enum ElicitValue {
    /// A string.
    String(String),
    /// A number.
    Number(Number),
    /// A boolean.
    Bool(bool),
    /// Several strings: a multi-select (2025-11-25).
    Strings(Vec<String>),
}

impl Serialize for ElicitValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::String(s) => serializer.serialize_str(s),
            Self::Number(n) => n.serialize(serializer),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Strings(v) => v.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ElicitValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;

        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = ElicitValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number, boolean or array of strings")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ElicitValue, E> {
                Ok(ElicitValue::String(v.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ElicitValue, E> {
                Ok(ElicitValue::String(v))
            }

            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ElicitValue, E> {
                Ok(ElicitValue::Bool(v))
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ElicitValue, E> {
                Ok(ElicitValue::Number(v.into()))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ElicitValue, E> {
                Ok(ElicitValue::Number(v.into()))
            }

            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ElicitValue, E> {
                Number::from_f64(v)
                    .map(ElicitValue::Number)
                    .ok_or_else(|| E::custom("not a finite number"))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ElicitValue, A::Error> {
                let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(v) = seq.next_element()? {
                    values.push(v);
                }
                Ok(ElicitValue::Strings(values))
            }
        }

        deserializer.deserialize_any(ValueVisitor)
    }
}

/// The client's answer to `elicitation/create`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitResult {
    /// What the user did.
    pub action: ElicitAction,
    /// The submitted form, by field name (form mode, `accept` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<BTreeMap<String, ElicitValue>>,
    /// Metadata (2025-06-18 and 2025-11-25).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResultMeta>,
}

impl ElicitResult {
    /// A result with an action and no content.
    pub fn new(action: ElicitAction) -> Self {
        Self {
            action,
            content: None,
            meta: None,
        }
    }
}

impl Shape for ElicitResult {
    fn shape(&mut self, version: ProtocolVersion) {
        if version.has_mrtr() {
            // On 2026-07-28 this is an input response, which has no `_meta`.
            self.meta = None;
        }
        shape_meta(&mut self.meta, version);
    }
}

/// Parameters of `notifications/elicitation/complete` (2025-11-25): a URL-mode elicitation
/// finished.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitationCompleteParams {
    /// The `elicitationId` of the request.
    pub elicitation_id: String,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<NotificationMeta>,
}

impl Shape for ElicitationCompleteParams {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_meta(&mut self.meta, version);
    }
}
