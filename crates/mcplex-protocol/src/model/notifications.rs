//! Parameters of notifications: progress, cancellation and the list-changed family.

use serde::{Deserialize, Serialize};

use super::meta::{NotificationMeta, shape_meta};
use super::numbers::{serialize_f64, serialize_opt_f64};
use super::serde_util::keep_if;
use crate::{ProgressToken, ProtocolVersion, RequestId, Shape};

/// Parameters of notifications that have only `_meta`: `notifications/initialized` and the
/// `.../list_changed` notifications.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationParams {
    /// Metadata; on 2026-07-28 it names the `subscriptions/listen` stream.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<NotificationMeta>,
}

impl NotificationParams {
    /// Parameters tagging a `subscriptions/listen` stream (2026-07-28).
    pub fn for_subscription(id: impl Into<RequestId>) -> Self {
        Self {
            meta: Some(NotificationMeta::with_subscription_id(id)),
        }
    }
}

impl Shape for NotificationParams {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_meta(&mut self.meta, version);
    }
}

/// Parameters of `notifications/progress`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressParams {
    /// The token of the request the progress is for.
    pub progress_token: ProgressToken,
    /// Progress so far; increases with every notification.
    #[serde(serialize_with = "serialize_f64")]
    pub progress: f64,
    /// The total, if known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_f64"
    )]
    pub total: Option<f64>,
    /// A human-readable description of the progress (2025-03-26).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<NotificationMeta>,
}

impl ProgressParams {
    /// Progress without a total or a message.
    pub fn new(progress_token: ProgressToken, progress: f64) -> Self {
        Self {
            progress_token,
            progress,
            total: None,
            message: None,
            meta: None,
        }
    }
}

impl Shape for ProgressParams {
    fn shape(&mut self, version: ProtocolVersion) {
        keep_if(&mut self.message, version.has_progress_message());
        shape_meta(&mut self.meta, version);
    }
}

/// Parameters of `notifications/cancelled`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelledParams {
    /// The request being cancelled (required except when cancelling a task on 2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<NotificationMeta>,
}

impl CancelledParams {
    /// The cancellation of `request_id`.
    pub fn new(request_id: RequestId, reason: Option<String>) -> Self {
        Self {
            request_id: Some(request_id),
            reason,
            meta: None,
        }
    }
}

impl Shape for CancelledParams {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_meta(&mut self.meta, version);
    }
}
