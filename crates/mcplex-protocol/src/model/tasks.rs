//! The experimental tasks feature of 2025-11-25: durable, pollable request execution.
//! (2026-07-28 moved tasks to an extension.)

use serde::{Deserialize, Serialize};

use super::meta::{NotificationMeta, RequestMeta, ResultMeta, shape_meta};
use super::result::{ResultType, shape_result};
use crate::{ProtocolVersion, Shape};

/// The state of a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Running.
    Working,
    /// Waiting for input from the requester.
    InputRequired,
    /// Finished successfully.
    Completed,
    /// Finished with an error.
    Failed,
    /// Cancelled.
    Cancelled,
}

/// Whether a tool can run as a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskSupport {
    /// Never (the default).
    Forbidden,
    /// When the caller asks.
    Optional,
    /// Always.
    Required,
}

/// Asks for a request to run as a task (the `task` member of request parameters).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskMetadata {
    /// How long to keep the task after creation, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
}

/// Relates a message to a task (`io.modelcontextprotocol/related-task` in `_meta`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTaskMetadata {
    /// The task.
    pub task_id: String,
}

/// A task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task id.
    pub task_id: String,
    /// The state.
    pub status: TaskStatus,
    /// A human-readable description of the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// When the task was created (ISO 8601).
    pub created_at: String,
    /// When the task last changed (ISO 8601).
    pub last_updated_at: String,
    /// How long the task is kept after creation, in milliseconds; `null` for unlimited.
    pub ttl: Option<u64>,
    /// The suggested polling interval, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
}

/// The result of a request that was augmented with a task: the task that now runs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskResult {
    /// The task.
    pub task: Task,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResultMeta>,
    /// `"complete"` (never sent: tasks are not part of 2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl Shape for CreateTaskResult {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_result(
            &mut self.meta,
            &mut self.result_type,
            version,
            ResultType::Complete,
        );
    }
}

/// Parameters of `tasks/get`, `tasks/result` and `tasks/cancel`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskIdParams {
    /// The task.
    pub task_id: String,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
}

impl Shape for TaskIdParams {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_meta(&mut self.meta, version);
    }
}

/// Parameters of `tasks/get`.
pub type GetTaskParams = TaskIdParams;
/// Parameters of `tasks/result`.
pub type GetTaskPayloadParams = TaskIdParams;
/// Parameters of `tasks/cancel`.
pub type CancelTaskParams = TaskIdParams;
/// Parameters of `tasks/list`.
pub type ListTasksParams = super::PaginatedParams;

/// The result of `tasks/get` and `tasks/cancel`: the task's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskResult {
    /// The task id.
    pub task_id: String,
    /// The state.
    pub status: TaskStatus,
    /// A human-readable description of the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// When the task was created (ISO 8601).
    pub created_at: String,
    /// When the task last changed (ISO 8601).
    pub last_updated_at: String,
    /// How long the task is kept after creation, in milliseconds; `null` for unlimited.
    pub ttl: Option<u64>,
    /// The suggested polling interval, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResultMeta>,
    /// `"complete"` (never sent: tasks are not part of 2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

/// The result of `tasks/cancel`: the same as [`GetTaskResult`].
pub type CancelTaskResult = GetTaskResult;

impl From<Task> for GetTaskResult {
    fn from(task: Task) -> Self {
        Self {
            task_id: task.task_id,
            status: task.status,
            status_message: task.status_message,
            created_at: task.created_at,
            last_updated_at: task.last_updated_at,
            ttl: task.ttl,
            poll_interval: task.poll_interval,
            meta: None,
            result_type: None,
        }
    }
}

impl Shape for GetTaskResult {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_result(
            &mut self.meta,
            &mut self.result_type,
            version,
            ResultType::Complete,
        );
    }
}

/// The result of `tasks/result`: the result of the request the task ran, whatever its type.
pub type GetTaskPayloadResult = super::JsonObject;

/// The result of `tasks/list`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTasksResult {
    /// The tasks.
    pub tasks: Vec<Task>,
    /// The cursor of the next page, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResultMeta>,
    /// `"complete"` (never sent: tasks are not part of 2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl Shape for ListTasksResult {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_result(
            &mut self.meta,
            &mut self.result_type,
            version,
            ResultType::Complete,
        );
    }
}

/// Parameters of `notifications/tasks/status`: the task's new state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStatusParams {
    /// The task id.
    pub task_id: String,
    /// The state.
    pub status: TaskStatus,
    /// A human-readable description of the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// When the task was created (ISO 8601).
    pub created_at: String,
    /// When the task last changed (ISO 8601).
    pub last_updated_at: String,
    /// How long the task is kept after creation, in milliseconds; `null` for unlimited.
    pub ttl: Option<u64>,
    /// The suggested polling interval, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<NotificationMeta>,
}

impl From<Task> for TaskStatusParams {
    fn from(task: Task) -> Self {
        Self {
            task_id: task.task_id,
            status: task.status,
            status_message: task.status_message,
            created_at: task.created_at,
            last_updated_at: task.last_updated_at,
            ttl: task.ttl,
            poll_interval: task.poll_interval,
            meta: None,
        }
    }
}

impl Shape for TaskStatusParams {
    fn shape(&mut self, version: ProtocolVersion) {
        shape_meta(&mut self.meta, version);
    }
}
