//! `_meta` objects.
//!
//! A `_meta` member may carry any key besides the ones the specification names. The request,
//! result and notification variants have typed members for the keys the protocol defines and
//! keep every other key in `other`, so nothing is lost when a message passes through.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::serde_util::Key;
use super::{ClientCapabilities, Implementation, LoggingLevel};
use crate::{ProgressToken, ProtocolVersion, RequestId, Shape};

/// A JSON object: any key to any JSON value.
pub type JsonObject = serde_json::Map<String, Value>;

/// A free-form `_meta` object (on content, tools, resources, prompts, roots, ...).
pub type Meta = JsonObject;

/// The `_meta` key naming the protocol revision of a request (2026-07-28).
pub const PROTOCOL_VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";
/// The `_meta` key holding the client capabilities of a request (2026-07-28).
pub const CLIENT_CAPABILITIES_KEY: &str = "io.modelcontextprotocol/clientCapabilities";
/// The `_meta` key identifying the client on a request (2026-07-28).
pub const CLIENT_INFO_KEY: &str = "io.modelcontextprotocol/clientInfo";
/// The `_meta` key setting the log level of a request (2026-07-28).
pub const LOG_LEVEL_KEY: &str = "io.modelcontextprotocol/logLevel";
/// The `_meta` key identifying the server on a result (2026-07-28).
pub const SERVER_INFO_KEY: &str = "io.modelcontextprotocol/serverInfo";
/// The `_meta` key tagging a `subscriptions/listen` result and its notifications (2026-07-28).
pub const SUBSCRIPTION_ID_KEY: &str = "io.modelcontextprotocol/subscriptionId";
/// The `_meta` key relating a message to a task (2025-11-25, experimental tasks).
pub const RELATED_TASK_KEY: &str = "io.modelcontextprotocol/related-task";
/// The `_meta` key carrying a progress token on a request.
pub const PROGRESS_TOKEN_KEY: &str = "progressToken";

macro_rules! meta_object {
    (
        $(#[$doc:meta])*
        $name:ident {
            $($(#[$fdoc:meta])* $field:ident: $ty:ty = $key:path,)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: Option<$ty>,)*
            /// Every other key, as sent.
            pub other: Meta,
        }

        impl $name {
            /// Whether no key is set.
            pub fn is_empty(&self) -> bool {
                $(self.$field.is_none() &&)* self.other.is_empty()
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let len = $(usize::from(self.$field.is_some()) +)* self.other.len();
                let mut map = serializer.serialize_map(Some(len))?;
                $(if let Some(value) = &self.$field {
                    map.serialize_entry($key, value)?;
                })*
                for (key, value) in &self.other {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct MetaVisitor;

                impl<'de> Visitor<'de> for MetaVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a _meta object")
                    }

                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        let mut meta = $name::default();
                        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                            match &*key {
                                $($key => meta.$field = Some(map.next_value()?),)*
                                _ => {
                                    let value: Value = map.next_value()?;
                                    meta.other.insert(key.into_owned(), value);
                                }
                            }
                        }
                        Ok(meta)
                    }
                }

                deserializer.deserialize_map(MetaVisitor)
            }
        }
    };
}

meta_object! {
    /// The `_meta` object of a request.
    ///
    /// On 2026-07-28 every request names its protocol revision and client capabilities here;
    /// on every revision it may carry a progress token.
    RequestMeta {
        /// `io.modelcontextprotocol/protocolVersion`: the revision of this request (2026-07-28).
        protocol_version: String = PROTOCOL_VERSION_KEY,
        /// `io.modelcontextprotocol/clientCapabilities`: what the client supports (2026-07-28).
        client_capabilities: ClientCapabilities = CLIENT_CAPABILITIES_KEY,
        /// `io.modelcontextprotocol/clientInfo`: who the client is (2026-07-28).
        client_info: Implementation = CLIENT_INFO_KEY,
        /// `io.modelcontextprotocol/logLevel`: the log level for this request (2026-07-28).
        log_level: LoggingLevel = LOG_LEVEL_KEY,
        /// `progressToken`: the token progress notifications for this request carry.
        progress_token: ProgressToken = PROGRESS_TOKEN_KEY,
    }
}

meta_object! {
    /// The `_meta` object of a result.
    ResultMeta {
        /// `io.modelcontextprotocol/serverInfo`: who the server is (2026-07-28).
        server_info: Implementation = SERVER_INFO_KEY,
        /// `io.modelcontextprotocol/subscriptionId`: the subscription a `subscriptions/listen`
        /// result closes (2026-07-28).
        subscription_id: RequestId = SUBSCRIPTION_ID_KEY,
    }
}

meta_object! {
    /// The `_meta` object of a notification.
    NotificationMeta {
        /// `io.modelcontextprotocol/subscriptionId`: the `subscriptions/listen` stream this
        /// notification belongs to (2026-07-28).
        subscription_id: RequestId = SUBSCRIPTION_ID_KEY,
    }
}

impl RequestMeta {
    /// A request `_meta` carrying only a progress token.
    pub fn with_progress_token(token: impl Into<ProgressToken>) -> Self {
        Self {
            progress_token: Some(token.into()),
            ..Self::default()
        }
    }
}

impl ResultMeta {
    /// A result `_meta` naming the server.
    pub fn with_server_info(server_info: Implementation) -> Self {
        Self {
            server_info: Some(server_info),
            ..Self::default()
        }
    }
}

impl NotificationMeta {
    /// A notification `_meta` tagging a `subscriptions/listen` stream.
    pub fn with_subscription_id(id: impl Into<RequestId>) -> Self {
        Self {
            subscription_id: Some(id.into()),
            ..Self::default()
        }
    }
}

/// Drops the keys of the experimental tasks feature on revisions that do not have it.
fn shape_other(other: &mut Meta, version: ProtocolVersion) {
    if !version.has_tasks() {
        other.remove(RELATED_TASK_KEY);
    }
}

impl Shape for RequestMeta {
    fn shape(&mut self, version: ProtocolVersion) {
        if !version.is_stateless() {
            self.protocol_version = None;
            self.client_capabilities = None;
            self.client_info = None;
            self.log_level = None;
        }
        if !version.has_meta_everywhere() {
            // Before 2025-06-18 a request `_meta` defines `progressToken` only.
            self.other.clear();
        }
        self.client_capabilities.shape(version);
        self.client_info.shape(version);
        shape_other(&mut self.other, version);
    }
}

impl Shape for ResultMeta {
    fn shape(&mut self, version: ProtocolVersion) {
        if !version.is_stateless() {
            self.server_info = None;
            self.subscription_id = None;
        }
        self.server_info.shape(version);
        shape_other(&mut self.other, version);
    }
}

impl Shape for NotificationMeta {
    fn shape(&mut self, version: ProtocolVersion) {
        if !version.has_subscriptions_listen() {
            self.subscription_id = None;
        }
        shape_other(&mut self.other, version);
    }
}

/// Shapes an optional typed `_meta`, removing it when shaping left it empty.
pub(crate) fn shape_meta<M: Shape + MetaObject>(meta: &mut Option<M>, version: ProtocolVersion) {
    if let Some(m) = meta {
        let was_empty = m.is_empty_object();
        m.shape(version);
        if !was_empty && m.is_empty_object() {
            *meta = None;
        }
    }
}

/// Shapes the free-form `_meta` of content, tools, resources, prompts and roots: revisions
/// before 2025-06-18 have none there.
pub(crate) fn shape_plain_meta(meta: &mut Option<Meta>, version: ProtocolVersion) {
    if !version.has_meta_everywhere() {
        *meta = None;
    } else if let Some(m) = meta {
        shape_other(m, version);
    }
}

/// Typed `_meta` objects.
pub(crate) trait MetaObject {
    fn is_empty_object(&self) -> bool;
}

impl MetaObject for RequestMeta {
    fn is_empty_object(&self) -> bool {
        self.is_empty()
    }
}

impl MetaObject for ResultMeta {
    fn is_empty_object(&self) -> bool {
        self.is_empty()
    }
}

impl MetaObject for NotificationMeta {
    fn is_empty_object(&self) -> bool {
        self.is_empty()
    }
}
