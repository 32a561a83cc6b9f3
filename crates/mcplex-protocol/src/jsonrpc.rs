//! The JSON-RPC 2.0 envelope: ids, methods, raw payloads and the four message kinds.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::de::{self, DeserializeOwned, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::ErrorObject;
use crate::method;

/// A request id: a string or an integer (MCP forbids `null` and fractions).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

impl RequestId {
    /// The id as it appears in JSON, for logs and topic names.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => fmt::Debug::fmt(n, f),
            Self::String(s) => fmt::Debug::fmt(s, f),
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => fmt::Display::fmt(n, f),
            Self::String(s) => f.write_str(s),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        Self::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        Self::String(s.into())
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> Self {
        Self::String(s.into())
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => serializer.serialize_i64(*n),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;

        impl Visitor<'_> for IdVisitor {
            type Value = RequestId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or integer request id")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v)
                    .map(RequestId::Number)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(v.into()))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

/// A progress token: a string or an integer, like a [`RequestId`].
pub type ProgressToken = RequestId;

/// A method name.
///
/// Names the protocol defines are interned (no allocation when decoding them); other names are
/// kept as owned strings.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Method(Cow<'static, str>);

impl Method {
    /// A method from a static name.
    pub const fn from_static(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// A method from any name, interning the names the protocol defines.
    pub fn new(name: &str) -> Self {
        match method::intern(name) {
            Some(known) => Self(Cow::Borrowed(known)),
            None => Self(Cow::Owned(name.to_owned())),
        }
    }

    /// The method name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Method {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Method {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Method {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Method {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Method {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl Serialize for Method {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::new(&name))
    }
}

/// Raw, already validated JSON text: request params, a result, or any value kept undecoded until
/// a handler asks for its type.
///
/// A payload is either owned or shared; shared payloads (pre-serialized lists, fanout messages)
/// clone without copying.
#[derive(Clone)]
pub struct Payload(PayloadRepr);

#[derive(Clone)]
enum PayloadRepr {
    Owned(Box<RawValue>),
    Shared(Arc<RawValue>),
}

impl Payload {
    /// Wraps owned raw JSON.
    pub fn from_raw(raw: Box<RawValue>) -> Self {
        Self(PayloadRepr::Owned(raw))
    }

    /// Wraps shared raw JSON; clones of the payload share the text.
    pub fn from_shared(raw: Arc<RawValue>) -> Self {
        Self(PayloadRepr::Shared(raw))
    }

    /// Serializes a value into a payload.
    ///
    /// # Errors
    ///
    /// Fails when the value cannot be represented as JSON (for example a map with non-string
    /// keys).
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Self> {
        serde_json::value::to_raw_value(value).map(Self::from_raw)
    }

    /// Parses and validates JSON text into a payload.
    ///
    /// # Errors
    ///
    /// Fails when the text is not one JSON value.
    pub fn from_json(text: impl Into<String>) -> serde_json::Result<Self> {
        RawValue::from_string(text.into()).map(Self::from_raw)
    }

    /// An empty JSON object, `{}`.
    pub fn empty_object() -> Self {
        Self::from_raw(RawValue::from_string("{}".to_owned()).expect("valid JSON"))
    }

    /// Converts the payload into a shared one (cheap clones from then on).
    pub fn into_shared(self) -> Self {
        match self.0 {
            PayloadRepr::Owned(raw) => Self(PayloadRepr::Shared(Arc::from(raw))),
            shared => Self(shared),
        }
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.raw().get()
    }

    /// The JSON text as a [`RawValue`].
    pub fn raw(&self) -> &RawValue {
        match &self.0 {
            PayloadRepr::Owned(raw) => raw,
            PayloadRepr::Shared(raw) => raw,
        }
    }

    /// Decodes the payload into a typed value.
    ///
    /// # Errors
    ///
    /// Fails when the JSON does not have the shape of `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        crate::decode::from_str_bounded(self.get())
    }

    /// Decodes the payload into a value that borrows from it.
    ///
    /// # Errors
    ///
    /// Fails when the JSON does not have the shape of `T`.
    pub fn parse_borrowed<'a, T: Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        crate::decode::from_str_bounded(self.get())
    }

    /// Whether the payload is a JSON object.
    pub fn is_object(&self) -> bool {
        self.get().trim_start().starts_with('{')
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Self::from_raw)
    }
}

/// A request: a method call that expects a response with the same id.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The request id.
    pub id: RequestId,
    /// The method name.
    pub method: Method,
    /// The parameters (always a JSON object when present), undecoded.
    pub params: Option<Payload>,
}

impl Request {
    /// A request with typed parameters.
    ///
    /// # Errors
    ///
    /// Fails when the parameters cannot be serialized.
    pub fn new<P: Serialize>(
        id: impl Into<RequestId>,
        method: impl Into<Method>,
        params: &P,
    ) -> serde_json::Result<Self> {
        Ok(Self {
            id: id.into(),
            method: method.into(),
            params: Some(Payload::from_serialize(params)?),
        })
    }

    /// Decodes the parameters; absent parameters decode as an empty object.
    ///
    /// # Errors
    ///
    /// Returns a `-32602` error object describing the mismatch.
    pub fn params_as<T: DeserializeOwned>(&self) -> Result<T, ErrorObject> {
        params_as(self.params.as_ref())
    }
}

/// A notification: a method call without an id and without a response.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// The method name.
    pub method: Method,
    /// The parameters (always a JSON object when present), undecoded.
    pub params: Option<Payload>,
}

impl Notification {
    /// A notification with typed parameters.
    ///
    /// # Errors
    ///
    /// Fails when the parameters cannot be serialized.
    pub fn new<P: Serialize>(method: impl Into<Method>, params: &P) -> serde_json::Result<Self> {
        Ok(Self {
            method: method.into(),
            params: Some(Payload::from_serialize(params)?),
        })
    }

    /// Decodes the parameters; absent parameters decode as an empty object.
    ///
    /// # Errors
    ///
    /// Returns a `-32602` error object describing the mismatch.
    pub fn params_as<T: DeserializeOwned>(&self) -> Result<T, ErrorObject> {
        params_as(self.params.as_ref())
    }
}

fn params_as<T: DeserializeOwned>(params: Option<&Payload>) -> Result<T, ErrorObject> {
    let result = match params {
        Some(p) => p.parse(),
        None => crate::decode::from_str_bounded("{}"),
    };
    result.map_err(|e| ErrorObject::invalid_params(format!("invalid params: {e}")))
}

/// A successful response.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The id of the request this answers.
    pub id: RequestId,
    /// The result, undecoded.
    pub result: Payload,
}

impl Response {
    /// A response with a typed result.
    ///
    /// # Errors
    ///
    /// Fails when the result cannot be serialized.
    pub fn new<R: Serialize>(id: RequestId, result: &R) -> serde_json::Result<Self> {
        Ok(Self {
            id,
            result: Payload::from_serialize(result)?,
        })
    }

    /// Decodes the result.
    ///
    /// # Errors
    ///
    /// Fails when the result does not have the shape of `T`.
    pub fn result_as<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        self.result.parse()
    }
}

/// An error response.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorResponse {
    /// The id of the request this answers; `None` (sent as `null`) when it could not be read.
    pub id: Option<RequestId>,
    /// The error.
    pub error: ErrorObject,
}

impl ErrorResponse {
    /// An error response.
    pub fn new(id: Option<RequestId>, error: ErrorObject) -> Self {
        Self { id, error }
    }
}

/// One JSON-RPC 2.0 message.
///
/// Decode with [`crate::decode`]; encode with [`Message::to_vec`] / [`Message::encode_into`] or
/// through `serde`.
///
/// ```
/// use mcplex_protocol::{decode, Message};
///
/// let msg = decode(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#).unwrap();
/// let Message::Request(req) = &msg else { panic!() };
/// assert_eq!(req.method, "tools/list");
/// assert_eq!(msg.to_vec(), br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A notification.
    Notification(Notification),
    /// A successful response.
    Response(Response),
    /// An error response.
    Error(ErrorResponse),
}

impl Message {
    /// The method, for requests and notifications.
    pub fn method(&self) -> Option<&Method> {
        match self {
            Self::Request(r) => Some(&r.method),
            Self::Notification(n) => Some(&n.method),
            Self::Response(_) | Self::Error(_) => None,
        }
    }

    /// The id, for requests and responses.
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            Self::Request(r) => Some(&r.id),
            Self::Response(r) => Some(&r.id),
            Self::Error(e) => e.id.as_ref(),
            Self::Notification(_) => None,
        }
    }

    /// Whether this is a response or an error response.
    pub fn is_response(&self) -> bool {
        matches!(self, Self::Response(_) | Self::Error(_))
    }

    /// Appends the JSON encoding of the message to `buf`.
    pub fn encode_into(&self, buf: &mut Vec<u8>) {
        // Serializing a `Message` cannot fail: every member is already valid JSON or a plain
        // value, and writing to a `Vec` does not fail.
        serde_json::to_writer(buf, self).expect("message encoding is infallible");
    }

    /// The JSON encoding of the message.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(128);
        self.encode_into(&mut buf);
        buf
    }

    /// The JSON encoding of the message as a string.
    pub fn to_json_string(&self) -> String {
        String::from_utf8(self.to_vec()).expect("serde_json writes UTF-8")
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Self {
        Self::Request(r)
    }
}

impl From<Notification> for Message {
    fn from(n: Notification) -> Self {
        Self::Notification(n)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Self {
        Self::Response(r)
    }
}

impl From<ErrorResponse> for Message {
    fn from(e: ErrorResponse) -> Self {
        Self::Error(e)
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Request(r) => {
                let len = 3 + usize::from(r.params.is_some());
                let mut s = serializer.serialize_struct("Request", len)?;
                s.serialize_field("jsonrpc", "2.0")?;
                s.serialize_field("id", &r.id)?;
                s.serialize_field("method", &r.method)?;
                if let Some(params) = &r.params {
                    s.serialize_field("params", params)?;
                }
                s.end()
            }
            Self::Notification(n) => {
                let len = 2 + usize::from(n.params.is_some());
                let mut s = serializer.serialize_struct("Notification", len)?;
                s.serialize_field("jsonrpc", "2.0")?;
                s.serialize_field("method", &n.method)?;
                if let Some(params) = &n.params {
                    s.serialize_field("params", params)?;
                }
                s.end()
            }
            Self::Response(r) => {
                let mut s = serializer.serialize_struct("Response", 3)?;
                s.serialize_field("jsonrpc", "2.0")?;
                s.serialize_field("id", &r.id)?;
                s.serialize_field("result", &r.result)?;
                s.end()
            }
            Self::Error(e) => {
                let mut s = serializer.serialize_struct("ErrorResponse", 3)?;
                s.serialize_field("jsonrpc", "2.0")?;
                s.serialize_field("id", &e.id)?;
                s.serialize_field("error", &e.error)?;
                s.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Message {
    /// Deserializes one message with the same rules as [`crate::decode`], except the depth
    /// limit, which only [`crate::decode`] applies.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = crate::decode::RawEnvelope::deserialize(deserializer)?;
        raw.into_message().map_err(de::Error::custom)
    }
}
