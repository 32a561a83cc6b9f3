//! Multi round-trip requests (2026-07-28): a server that needs input from the client returns
//! an [`InputRequiredResult`] with input requests; the client retries the original request with
//! the [`InputResponses`].

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::meta::ResultMeta;
use super::result::{ResultType, shape_result};
use super::{
    CreateMessageParams, CreateMessageResult, ElicitParams, ElicitResult, ListRootsResult,
    RequestParams,
};
use crate::{ProtocolVersion, Shape, method};

/// A request for input embedded in an [`InputRequiredResult`]: the method and parameters of
/// what, on stateful revisions, would be a server-to-client request.
#[derive(Clone, Debug, PartialEq)]
pub enum InputRequest {
    /// `sampling/createMessage`.
    CreateMessage(CreateMessageParams),
    /// `elicitation/create`.
    Elicit(ElicitParams),
    /// `roots/list`; its parameters are optional.
    ListRoots(Option<RequestParams>),
}

impl InputRequest {
    /// The method name.
    pub fn method(&self) -> &'static str {
        match self {
            Self::CreateMessage(_) => method::SAMPLING_CREATE_MESSAGE,
            Self::Elicit(_) => method::ELICITATION_CREATE,
            Self::ListRoots(_) => method::ROOTS_LIST,
        }
    }
}

impl Serialize for InputRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let has_params = !matches!(self, Self::ListRoots(None));
        let mut map = serializer.serialize_map(Some(1 + usize::from(has_params)))?;
        map.serialize_entry("method", self.method())?;
        match self {
            Self::CreateMessage(p) => map.serialize_entry("params", p)?,
            Self::Elicit(p) => map.serialize_entry("params", p)?,
            Self::ListRoots(Some(p)) => map.serialize_entry("params", p)?,
            Self::ListRoots(None) => {}
        }
        map.end()
    }
}

#[derive(Deserialize)]
struct AnyInputRequest {
    method: String,
    #[serde(default)]
    params: Option<Value>,
}

impl<'de> Deserialize<'de> for InputRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;

        let AnyInputRequest { method, params } = AnyInputRequest::deserialize(deserializer)?;
        let required = |params: Option<Value>| {
            params.ok_or_else(|| D::Error::custom(format!("{method}: missing params")))
        };
        match method.as_str() {
            method::SAMPLING_CREATE_MESSAGE => serde_json::from_value(required(params)?)
                .map(Self::CreateMessage)
                .map_err(D::Error::custom),
            method::ELICITATION_CREATE => serde_json::from_value(required(params)?)
                .map(Self::Elicit)
                .map_err(D::Error::custom),
            method::ROOTS_LIST => params
                .map(serde_json::from_value)
                .transpose()
                .map(Self::ListRoots)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "unknown input request method {other:?}"
            ))),
        }
    }
}

impl Shape for InputRequest {
    fn shape(&mut self, version: ProtocolVersion) {
        match self {
            Self::CreateMessage(p) => p.shape(version),
            Self::Elicit(p) => p.shape(version),
            Self::ListRoots(p) => p.shape(version),
        }
    }
}

/// The client's answer to one [`InputRequest`].
#[derive(Clone, Debug, PartialEq)]
pub enum InputResponse {
    /// The answer to `sampling/createMessage`.
    CreateMessage(CreateMessageResult),
    /// The answer to `elicitation/create`.
    Elicit(ElicitResult),
    /// The answer to `roots/list`.
    ListRoots(ListRootsResult),
}

impl Serialize for InputResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::CreateMessage(r) => r.serialize(serializer),
            Self::Elicit(r) => r.serialize(serializer),
            Self::ListRoots(r) => r.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for InputResponse {
    /// Decides the kind by the members present: `action` (elicitation), `roots` (roots), else
    /// a sampling result.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;

        let value = Value::deserialize(deserializer)?;
        let parsed = if value.get("action").is_some() {
            serde_json::from_value(value).map(Self::Elicit)
        } else if value.get("roots").is_some() {
            serde_json::from_value(value).map(Self::ListRoots)
        } else {
            serde_json::from_value(value).map(Self::CreateMessage)
        };
        parsed.map_err(D::Error::custom)
    }
}

impl Shape for InputResponse {
    fn shape(&mut self, version: ProtocolVersion) {
        match self {
            Self::CreateMessage(r) => r.shape(version),
            Self::Elicit(r) => r.shape(version),
            Self::ListRoots(r) => r.shape(version),
        }
    }
}

/// Input requests by key; the client answers each under the same key.
pub type InputRequests = BTreeMap<String, InputRequest>;

/// Answers to input requests, by the keys of the requests.
pub type InputResponses = BTreeMap<String, InputResponse>;

/// The interim result of a request that needs input from the client (2026-07-28).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputRequiredResult {
    /// What the server needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
    /// Opaque state the client echoes back on the retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResultMeta>,
    /// `"input_required"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl InputRequiredResult {
    /// A result asking for `requests`, with optional state to echo back.
    pub fn new(requests: InputRequests, request_state: Option<String>) -> Self {
        Self {
            input_requests: Some(requests),
            request_state,
            meta: None,
            result_type: Some(ResultType::InputRequired),
        }
    }
}

impl Shape for InputRequiredResult {
    fn shape(&mut self, version: ProtocolVersion) {
        if let Some(requests) = &mut self.input_requests {
            for request in requests.values_mut() {
                request.shape(version);
            }
        }
        shape_result(
            &mut self.meta,
            &mut self.result_type,
            version,
            ResultType::InputRequired,
        );
    }
}
