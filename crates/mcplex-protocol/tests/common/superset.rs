//! Superset values: one builder per message type, with every member of every revision
//! populated, for shaping and validating.

use std::collections::BTreeMap;

use mcplex_protocol::ProtocolVersion as V;
use mcplex_protocol::model::*;
use serde_json::{Value, json};

pub(crate) fn extra_meta() -> Meta {
    let mut meta = Meta::new();
    meta.insert("com.example/trace".into(), json!("abc"));
    meta.insert(RELATED_TASK_KEY.into(), json!({"taskId": "task-1"}));
    meta
}

pub(crate) fn icons() -> Option<Vec<Icon>> {
    Some(vec![Icon {
        src: "https://example.com/icon.png".into(),
        mime_type: Some("image/png".into()),
        sizes: Some(vec!["48x48".into()]),
        theme: Some(IconTheme::Dark),
    }])
}

pub(crate) fn implementation() -> Implementation {
    Implementation {
        name: "example-server".into(),
        title: Some("Example Server".into()),
        version: "1.0.0".into(),
        description: Some("An example".into()),
        icons: icons(),
        website_url: Some("https://example.com".into()),
    }
}

pub(crate) fn result_meta() -> Option<ResultMeta> {
    Some(ResultMeta {
        server_info: Some(implementation()),
        subscription_id: None,
        other: extra_meta(),
    })
}

pub(crate) fn notification_meta() -> Option<NotificationMeta> {
    Some(NotificationMeta {
        subscription_id: Some("listen-1".into()),
        other: extra_meta(),
    })
}

pub(crate) fn request_meta() -> Option<RequestMeta> {
    Some(RequestMeta {
        protocol_version: Some("2026-07-28".into()),
        client_capabilities: Some(ClientCapabilities::default()),
        client_info: Some(implementation()),
        log_level: Some(LoggingLevel::Info),
        progress_token: Some("progress-1".into()),
        other: extra_meta(),
    })
}

pub(crate) fn annotations() -> Option<Annotations> {
    Some(Annotations {
        audience: Some(vec![Role::User, Role::Assistant]),
        priority: Some(0.5),
        last_modified: Some("2025-01-12T15:00:58Z".into()),
    })
}

pub(crate) const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
pub(crate) const WAV: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEARKwAAIhYAQACABAAZGF0YQAAAAA=";

pub(crate) fn text_resource() -> ResourceContents {
    ResourceContents::Text(TextResourceContents {
        uri: "file:///project/README.md".into(),
        mime_type: Some("text/markdown".into()),
        text: "# Example".into(),
        meta: Some(extra_meta()),
    })
}

pub(crate) fn blob_resource() -> ResourceContents {
    ResourceContents::Blob(BlobResourceContents {
        uri: "file:///project/logo.png".into(),
        mime_type: Some("image/png".into()),
        blob: PNG.into(),
        meta: Some(extra_meta()),
    })
}

pub(crate) fn resource_link() -> ResourceLink {
    ResourceLink {
        uri: "file:///project/src/main.rs".into(),
        name: "main.rs".into(),
        title: Some("Main".into()),
        description: Some("Entry point".into()),
        mime_type: Some("text/x-rust".into()),
        size: Some(1024),
        annotations: annotations(),
        icons: icons(),
        meta: Some(extra_meta()),
    }
}

/// One block of every kind.
pub(crate) fn all_content() -> Vec<Content> {
    vec![
        Content::Text(TextContent {
            text: "hello".into(),
            annotations: annotations(),
            meta: Some(extra_meta()),
        }),
        Content::Image(ImageContent {
            data: PNG.into(),
            mime_type: "image/png".into(),
            annotations: annotations(),
            meta: Some(extra_meta()),
        }),
        Content::Audio(AudioContent {
            data: WAV.into(),
            mime_type: "audio/wav".into(),
            annotations: annotations(),
            meta: Some(extra_meta()),
        }),
        Content::ResourceLink(resource_link()),
        Content::Resource(EmbeddedResource {
            resource: text_resource(),
            annotations: annotations(),
            meta: Some(extra_meta()),
        }),
        Content::Resource(EmbeddedResource {
            resource: blob_resource(),
            annotations: annotations(),
            meta: Some(extra_meta()),
        }),
    ]
}

pub(crate) fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(o) => o,
        _ => panic!("not an object"),
    }
}

pub(crate) fn tool() -> Tool {
    Tool {
        name: "get_weather".into(),
        title: Some("Weather".into()),
        description: Some("Current weather".into()),
        input_schema: object(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"]
        })),
        output_schema: Some(object(json!({
            "type": "object",
            "properties": {"temperature": {"type": "number"}},
            "required": ["temperature"]
        }))),
        annotations: Some(ToolAnnotations {
            title: Some("Weather".into()),
            read_only_hint: Some(true),
            destructive_hint: Some(false),
            idempotent_hint: Some(true),
            open_world_hint: Some(true),
        }),
        execution: Some(ToolExecution {
            task_support: Some(TaskSupport::Optional),
        }),
        icons: icons(),
        meta: Some(extra_meta()),
    }
}

/// A tool whose output is an array (allowed from 2026-07-28).
pub(crate) fn array_tool() -> Tool {
    Tool {
        output_schema: Some(object(
            json!({"type": "array", "items": {"type": "string"}}),
        )),
        ..Tool::new("list_names", Tool::empty_input_schema())
    }
}

pub(crate) fn list_tools() -> ListToolsResult {
    ListToolsResult {
        tools: vec![tool(), array_tool()],
        next_cursor: Some("next".into()),
        meta: result_meta(),
        result_type: Some(ResultType::Complete),
        ttl_ms: Some(60_000),
        cache_scope: Some(CacheScope::Public),
    }
}

pub(crate) fn call_tool() -> CallToolResult {
    CallToolResult {
        content: all_content(),
        structured_content: Some(json!({"temperature": 21.5})),
        is_error: Some(false),
        meta: result_meta(),
        result_type: Some(ResultType::Complete),
    }
}

/// A failed call with array structured content (an object is required before 2026-07-28).
pub(crate) fn call_tool_error() -> CallToolResult {
    CallToolResult {
        structured_content: Some(json!(["a", "b"])),
        meta: result_meta(),
        ..CallToolResult::error("it broke")
    }
}

pub(crate) fn resource() -> Resource {
    Resource {
        uri: "file:///project/README.md".into(),
        name: "README.md".into(),
        title: Some("Read me".into()),
        description: Some("Documentation".into()),
        mime_type: Some("text/markdown".into()),
        size: Some(9),
        annotations: annotations(),
        icons: icons(),
        meta: Some(extra_meta()),
    }
}

pub(crate) fn list_resources() -> ListResourcesResult {
    ListResourcesResult {
        resources: vec![resource()],
        next_cursor: Some("next".into()),
        meta: result_meta(),
        result_type: None,
        ttl_ms: None,
        cache_scope: None,
    }
}

pub(crate) fn list_resource_templates() -> ListResourceTemplatesResult {
    ListResourceTemplatesResult {
        resource_templates: vec![ResourceTemplate {
            uri_template: "file:///{path}".into(),
            name: "files".into(),
            title: Some("Files".into()),
            description: Some("Project files".into()),
            mime_type: Some("application/octet-stream".into()),
            annotations: annotations(),
            icons: icons(),
            meta: Some(extra_meta()),
        }],
        next_cursor: Some("next".into()),
        meta: result_meta(),
        result_type: Some(ResultType::Complete),
        ttl_ms: Some(0),
        cache_scope: Some(CacheScope::Private),
    }
}

pub(crate) fn read_resource() -> ReadResourceResult {
    ReadResourceResult {
        contents: vec![text_resource(), blob_resource()],
        meta: result_meta(),
        result_type: Some(ResultType::Complete),
        ttl_ms: Some(1000),
        cache_scope: Some(CacheScope::Public),
    }
}

pub(crate) fn list_prompts() -> ListPromptsResult {
    ListPromptsResult {
        prompts: vec![Prompt {
            name: "review".into(),
            title: Some("Review".into()),
            description: Some("Review code".into()),
            arguments: Some(vec![PromptArgument {
                name: "code".into(),
                title: Some("Code".into()),
                description: Some("The code".into()),
                required: Some(true),
            }]),
            icons: icons(),
            meta: Some(extra_meta()),
        }],
        next_cursor: Some("next".into()),
        meta: result_meta(),
        result_type: Some(ResultType::Complete),
        ttl_ms: Some(5),
        cache_scope: Some(CacheScope::Public),
    }
}

pub(crate) fn get_prompt() -> GetPromptResult {
    GetPromptResult {
        description: Some("Review code".into()),
        messages: all_content()
            .into_iter()
            .map(|c| PromptMessage::new(Role::User, c))
            .collect(),
        meta: result_meta(),
        result_type: Some(ResultType::Complete),
    }
}

pub(crate) fn complete() -> CompleteResult {
    CompleteResult {
        completion: Completion {
            values: vec!["python".into(), "pytorch".into()],
            total: Some(10),
            has_more: Some(true),
        },
        meta: result_meta(),
        result_type: Some(ResultType::Complete),
    }
}

pub(crate) fn empty() -> EmptyResult {
    EmptyResult {
        meta: result_meta(),
        result_type: None,
    }
}

pub(crate) fn capabilities() -> ServerCapabilities {
    let mut experimental = CapabilityMap::new();
    experimental.insert("com.example/feature".into(), JsonObject::new());
    let mut tasks_requests = JsonObject::new();
    tasks_requests.insert("tools".into(), json!({"call": {}}));
    ServerCapabilities {
        experimental: Some(experimental.clone()),
        logging: Some(JsonObject::new()),
        completions: Some(JsonObject::new()),
        prompts: Some(PromptsCapability {
            list_changed: Some(true),
        }),
        resources: Some(ResourcesCapability {
            subscribe: Some(true),
            list_changed: Some(true),
        }),
        tools: Some(ToolsCapability {
            list_changed: Some(true),
        }),
        tasks: Some(TasksCapability {
            list: Some(JsonObject::new()),
            cancel: Some(JsonObject::new()),
            requests: Some(tasks_requests),
        }),
        extensions: Some(experimental),
    }
}

pub(crate) fn initialize(v: V) -> InitializeResult {
    InitializeResult {
        protocol_version: v.as_str().into(),
        capabilities: capabilities(),
        server_info: implementation(),
        instructions: Some("Use the tools.".into()),
        meta: result_meta(),
        result_type: Some(ResultType::Complete),
    }
}

pub(crate) fn discover() -> DiscoverResult {
    DiscoverResult {
        supported_versions: V::all_strs().map(String::from).collect(),
        capabilities: capabilities(),
        instructions: Some("Use the tools.".into()),
        meta: result_meta(),
        result_type: None,
        ttl_ms: Some(3_600_000),
        cache_scope: Some(CacheScope::Public),
    }
}

pub(crate) fn client_capabilities() -> ClientCapabilities {
    ClientCapabilities {
        experimental: Some(CapabilityMap::new()),
        roots: Some(RootsCapability {
            list_changed: Some(true),
        }),
        sampling: Some(SamplingCapability {
            context: Some(JsonObject::new()),
            tools: Some(JsonObject::new()),
        }),
        elicitation: Some(ElicitationCapability {
            form: Some(JsonObject::new()),
            url: Some(JsonObject::new()),
        }),
        tasks: Some(TasksCapability::default()),
        extensions: Some(CapabilityMap::new()),
    }
}

pub(crate) fn sampling_blocks() -> Vec<SamplingContent> {
    vec![
        SamplingContent::Text(TextContent {
            text: "What is the weather?".into(),
            annotations: annotations(),
            meta: Some(extra_meta()),
        }),
        SamplingContent::Image(ImageContent {
            data: PNG.into(),
            mime_type: "image/png".into(),
            annotations: annotations(),
            meta: None,
        }),
        SamplingContent::Audio(AudioContent {
            data: WAV.into(),
            mime_type: "audio/wav".into(),
            annotations: None,
            meta: Some(extra_meta()),
        }),
        SamplingContent::ToolUse(ToolUseContent {
            id: "call-1".into(),
            name: "get_weather".into(),
            input: object(json!({"city": "Paris"})),
            meta: Some(extra_meta()),
        }),
        SamplingContent::ToolResult(ToolResultContent {
            tool_use_id: "call-1".into(),
            content: all_content(),
            structured_content: Some(json!({"temperature": 18})),
            is_error: Some(false),
            meta: Some(extra_meta()),
        }),
    ]
}

pub(crate) fn create_message() -> CreateMessageParams {
    CreateMessageParams {
        messages: vec![
            SamplingMessage {
                role: Role::User,
                content: SamplingMessageContent::Multiple(sampling_blocks()),
                meta: Some(extra_meta()),
            },
            SamplingMessage {
                role: Role::Assistant,
                content: SamplingMessageContent::Single(sampling_blocks().remove(3)),
                meta: None,
            },
        ],
        model_preferences: Some(ModelPreferences {
            hints: Some(vec![ModelHint {
                name: Some("claude".into()),
            }]),
            cost_priority: Some(0.3),
            speed_priority: Some(1.0),
            intelligence_priority: Some(0.0),
        }),
        system_prompt: Some("You are helpful.".into()),
        include_context: Some(IncludeContext::ThisServer),
        temperature: Some(0.7),
        max_tokens: 100,
        stop_sequences: Some(vec!["STOP".into()]),
        metadata: Some(object(json!({"provider": "x"}))),
        tools: Some(vec![tool()]),
        tool_choice: Some(ToolChoice {
            mode: Some(ToolChoiceMode::Auto),
        }),
        task: Some(TaskMetadata { ttl: Some(60_000) }),
        meta: request_meta(),
    }
}

pub(crate) fn elicit_schema() -> ElicitSchema {
    let option = |value: &str, title: &str| EnumOption {
        value: value.into(),
        title: title.into(),
    };
    let mut properties = BTreeMap::new();
    properties.insert(
        "name".into(),
        PrimitiveSchema::String(StringSchema {
            title: Some("Name".into()),
            description: Some("Your name".into()),
            min_length: Some(1),
            max_length: Some(50),
            format: Some(StringFormat::Email),
            default: Some("a@example.com".into()),
            ..StringSchema::default()
        }),
    );
    properties.insert(
        "age".into(),
        PrimitiveSchema::Number(NumberSchema {
            kind: NumberType::Integer,
            title: Some("Age".into()),
            description: Some("Your age".into()),
            minimum: Some(18.0),
            maximum: Some(130.0),
            default: Some(30.0),
        }),
    );
    properties.insert(
        "subscribe".into(),
        PrimitiveSchema::Boolean(BooleanSchema {
            title: Some("Subscribe".into()),
            description: Some("Get news".into()),
            default: Some(false),
            ..BooleanSchema::default()
        }),
    );
    let colors = || vec!["red".to_owned(), "green".to_owned()];
    let titled = || vec![option("#f00", "Red"), option("#0f0", "Green")];
    let choices = [
        EnumSchema::UntitledSingleSelect(UntitledSingleSelectEnumSchema {
            title: Some("Color".into()),
            description: Some("One color".into()),
            values: colors(),
            default: Some("red".into()),
            ..Default::default()
        }),
        EnumSchema::TitledSingleSelect(TitledSingleSelectEnumSchema {
            title: Some("Color".into()),
            description: Some("One color".into()),
            options: titled(),
            default: Some("#f00".into()),
            ..Default::default()
        }),
        EnumSchema::UntitledMultiSelect(UntitledMultiSelectEnumSchema {
            title: Some("Colors".into()),
            description: Some("Some colors".into()),
            min_items: Some(1),
            max_items: Some(2),
            items: UntitledEnumItems {
                values: colors(),
                ..Default::default()
            },
            default: Some(vec!["red".into()]),
            ..Default::default()
        }),
        EnumSchema::TitledMultiSelect(TitledMultiSelectEnumSchema {
            title: Some("Colors".into()),
            description: Some("Some colors".into()),
            min_items: Some(1),
            max_items: Some(2),
            items: TitledEnumItems { options: titled() },
            default: Some(vec!["#f00".into()]),
            ..Default::default()
        }),
        EnumSchema::LegacyTitled(LegacyTitledEnumSchema {
            title: Some("Color".into()),
            description: Some("One color".into()),
            values: colors(),
            enum_names: Some(vec!["Red".into(), "Green".into()]),
            default: Some("red".into()),
            ..Default::default()
        }),
    ];
    for (i, choice) in choices.into_iter().enumerate() {
        properties.insert(format!("choice{i}"), PrimitiveSchema::Enum(choice));
    }
    ElicitSchema {
        schema: Some("https://json-schema.org/draft/2020-12/schema".into()),
        required: Some(vec!["name".into()]),
        ..ElicitSchema::new(properties)
    }
}

pub(crate) fn elicit_form() -> ElicitParams {
    ElicitParams {
        mode: Some(ElicitMode::Form),
        task: Some(TaskMetadata { ttl: Some(1000) }),
        meta: request_meta(),
        ..ElicitParams::form("Who are you?", elicit_schema())
    }
}

pub(crate) fn elicit_url() -> ElicitParams {
    ElicitParams {
        elicitation_id: Some("elicit-1".into()),
        task: Some(TaskMetadata { ttl: None }),
        meta: request_meta(),
        ..ElicitParams::url("Sign in, please", "https://example.com/login")
    }
}

pub(crate) fn ping() -> RequestParams {
    RequestParams {
        meta: request_meta(),
    }
}

pub(crate) fn input_required() -> InputRequiredResult {
    let mut requests = InputRequests::new();
    requests.insert(
        "sample".into(),
        InputRequest::CreateMessage(create_message()),
    );
    requests.insert("form".into(), InputRequest::Elicit(elicit_form()));
    requests.insert("login".into(), InputRequest::Elicit(elicit_url()));
    requests.insert("roots".into(), InputRequest::ListRoots(Some(ping())));
    requests.insert("roots-bare".into(), InputRequest::ListRoots(None));
    InputRequiredResult {
        meta: result_meta(),
        ..InputRequiredResult::new(requests, Some("opaque-state".into()))
    }
}

pub(crate) fn subscriptions_listen() -> SubscriptionsListenResult {
    let mut result = SubscriptionsListenResult::new("listen-1".into());
    result.meta.server_info = Some(implementation());
    result.meta.other = extra_meta();
    result
}

pub(crate) fn filter() -> SubscriptionFilter {
    SubscriptionFilter {
        tools_list_changed: Some(true),
        prompts_list_changed: Some(true),
        resources_list_changed: Some(false),
        resource_subscriptions: Some(vec!["file:///project/config.json".into()]),
    }
}

pub(crate) fn task() -> Task {
    Task {
        task_id: "task-1".into(),
        status: TaskStatus::Working,
        status_message: Some("Working on it".into()),
        created_at: "2025-11-25T10:00:00Z".into(),
        last_updated_at: "2025-11-25T10:00:05Z".into(),
        ttl: None,
        poll_interval: Some(500),
    }
}

pub(crate) fn list_changed() -> NotificationParams {
    NotificationParams {
        meta: notification_meta(),
    }
}

pub(crate) fn task_id() -> TaskIdParams {
    TaskIdParams {
        task_id: "task-1".into(),
        meta: request_meta(),
    }
}
