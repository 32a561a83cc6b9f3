//! The MCP message model: one superset of every revision.
//!
//! Each schema type of the 2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25 and 2026-07-28
//! revisions is one Rust type holding the union of its members; members that only some
//! revisions define are `Option`s whose documentation names the revision that introduced
//! them. Names follow Rust habits: request parameters are `XxxParams`, results `XxxResult`,
//! the `ContentBlock` union is [`Content`].
//!
//! Outgoing server-to-client messages are reduced to what the negotiated revision knows with
//! [`Shape`](crate::Shape) before they are serialized.
//!
//! ```
//! use mcplex_protocol::model::{Content, ListToolsResult, Tool};
//! use mcplex_protocol::{ProtocolVersion, Shape};
//!
//! let mut tool = Tool::new("echo", Tool::empty_input_schema());
//! tool.title = Some("Echo".into());
//! let mut list = ListToolsResult::new(vec![tool]);
//!
//! let mut old = list.clone();
//! old.shape(ProtocolVersion::V2025_03_26);
//! assert_eq!(
//!     serde_json::to_string(&old).unwrap(),
//!     r#"{"tools":[{"name":"echo","inputSchema":{"type":"object"}}]}"#
//! );
//!
//! list.shape(ProtocolVersion::V2026_07_28);
//! assert_eq!(list.ttl_ms, Some(0));
//! # let _ = Content::text("");
//! ```

mod capabilities;
mod completion;
mod content;
mod elicit_schema;
mod elicitation;
mod errors;
mod lifecycle;
mod logging;
mod meta;
mod mrtr;
mod notifications;
mod numbers;
mod params;
mod prompts;
mod resources;
mod result;
mod roots;
mod sampling;
mod serde_util;
mod subscriptions;
mod tasks;
mod tools;

pub use capabilities::{
    CapabilityMap, ClientCapabilities, ElicitationCapability, PromptsCapability,
    ResourcesCapability, RootsCapability, SamplingCapability, ServerCapabilities, TasksCapability,
    ToolsCapability,
};
pub use completion::{
    CompleteArgument, CompleteContext, CompleteParams, CompleteResult, Completion, PromptReference,
    Reference, ResourceReference, ResourceTemplateReference,
};
pub use content::{
    Annotations, AudioContent, BlobResourceContents, Content, EmbeddedResource, ImageContent,
    ResourceContents, ResourceLink, Role, TextContent, TextResourceContents,
};
pub use elicit_schema::{
    ArrayType, BooleanSchema, BooleanType, ElicitSchema, EnumOption, EnumSchema,
    LegacyTitledEnumSchema, NumberSchema, NumberType, ObjectType, PrimitiveSchema, StringFormat,
    StringSchema, StringType, TitledEnumItems, TitledMultiSelectEnumSchema,
    TitledSingleSelectEnumSchema, UntitledEnumItems, UntitledMultiSelectEnumSchema,
    UntitledSingleSelectEnumSchema,
};
pub use elicitation::{
    ElicitAction, ElicitMode, ElicitParams, ElicitResult, ElicitValue, ElicitationCompleteParams,
};
pub use errors::{
    MissingRequiredClientCapabilityData, UnsupportedProtocolVersionData, UrlElicitationRequiredData,
};
pub use lifecycle::{
    DiscoverResult, Icon, IconTheme, Implementation, InitializeParams, InitializeResult,
};
pub use logging::{LoggingLevel, LoggingMessageParams, SetLevelParams, UnknownLevel};
pub use meta::{
    CLIENT_CAPABILITIES_KEY, CLIENT_INFO_KEY, JsonObject, LOG_LEVEL_KEY, Meta, NotificationMeta,
    PROGRESS_TOKEN_KEY, PROTOCOL_VERSION_KEY, RELATED_TASK_KEY, RequestMeta, ResultMeta,
    SERVER_INFO_KEY, SUBSCRIPTION_ID_KEY,
};
pub use mrtr::{InputRequest, InputRequests, InputRequiredResult, InputResponse, InputResponses};
pub use notifications::{CancelledParams, NotificationParams, ProgressParams};
pub use params::{PaginatedParams, RequestParams};
pub use prompts::{
    GetPromptParams, GetPromptResult, ListPromptsResult, Prompt, PromptArgument, PromptMessage,
};
pub use resources::{
    ListResourceTemplatesResult, ListResourcesResult, ReadResourceParams, ReadResourceResult,
    Resource, ResourceTemplate, ResourceUpdatedParams, SubscribeParams, UnsubscribeParams,
};
pub use result::{CacheScope, Cacheable, EmptyResult, ResultType};
pub use roots::{ListRootsResult, Root};
pub use sampling::{
    CreateMessageParams, CreateMessageResult, IncludeContext, ModelHint, ModelPreferences,
    SamplingContent, SamplingMessage, SamplingMessageContent, ToolChoice, ToolChoiceMode,
    ToolResultContent, ToolUseContent,
};
pub use subscriptions::{
    SubscriptionFilter, SubscriptionsAcknowledgedParams, SubscriptionsListenParams,
    SubscriptionsListenResult,
};
pub use tasks::{
    CancelTaskParams, CancelTaskResult, CreateTaskResult, GetTaskParams, GetTaskPayloadParams,
    GetTaskPayloadResult, GetTaskResult, ListTasksParams, ListTasksResult, RelatedTaskMetadata,
    Task, TaskIdParams, TaskMetadata, TaskStatus, TaskStatusParams, TaskSupport,
};
pub use tools::{
    CallToolParams, CallToolResult, ListToolsResult, Tool, ToolAnnotations, ToolExecution,
};
