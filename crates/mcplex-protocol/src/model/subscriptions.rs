//! `subscriptions/listen` (2026-07-28): one long-lived stream of opted-in change
//! notifications.

use serde::{Deserialize, Serialize};

use super::meta::{NotificationMeta, RequestMeta, ResultMeta, shape_meta};
use super::result::{ResultType, shape_result};
use crate::{ProtocolVersion, RequestId, Shape};

/// The notifications a client opts in to (and a server acknowledges).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilter {
    /// `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_list_changed: Option<bool>,
    /// `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts_list_changed: Option<bool>,
    /// `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_list_changed: Option<bool>,
    /// `notifications/resources/updated` for these resource URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_subscriptions: Option<Vec<String>>,
}

/// Parameters of `subscriptions/listen`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsListenParams {
    /// What to listen for.
    pub notifications: SubscriptionFilter,
    /// Metadata (required on 2026-07-28).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
}

/// The result that closes a `subscriptions/listen` stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsListenResult {
    /// Metadata; `io.modelcontextprotocol/subscriptionId` is required.
    #[serde(rename = "_meta")]
    pub meta: ResultMeta,
    /// `"complete"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl SubscriptionsListenResult {
    /// The result closing the subscription `id` (the id of the `subscriptions/listen`
    /// request).
    pub fn new(id: RequestId) -> Self {
        Self {
            meta: ResultMeta {
                subscription_id: Some(id),
                ..ResultMeta::default()
            },
            result_type: None,
        }
    }
}

impl Shape for SubscriptionsListenResult {
    fn shape(&mut self, version: ProtocolVersion) {
        let mut meta = Some(std::mem::take(&mut self.meta));
        shape_result(
            &mut meta,
            &mut self.result_type,
            version,
            ResultType::Complete,
        );
        self.meta = meta.unwrap_or_default();
    }
}

/// Parameters of `notifications/subscriptions/acknowledged`, the first message on a
/// `subscriptions/listen` stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsAcknowledgedParams {
    /// The notifications the server will send on the stream.
    pub notifications: SubscriptionFilter,
    /// Metadata; names the subscription.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<NotificationMeta>,
}

impl Shape for SubscriptionsAcknowledgedParams {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_meta(&mut self.meta, version);
    }
}
