//! Sampling: `sampling/createMessage`, messages, sampling-only content and model preferences.

use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::meta::{JsonObject, Meta, RequestMeta, ResultMeta, shape_meta, shape_plain_meta};
use super::numbers::serialize_opt_f64;
use super::serde_util::keep_if;
use super::{AudioContent, Content, ImageContent, Role, TaskMetadata, TextContent, Tool};
use crate::{ProtocolVersion, Shape};

/// A content block of a sampling message (`SamplingMessageContentBlock` in the schema).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SamplingContent {
    /// `"text"`.
    Text(TextContent),
    /// `"image"`.
    Image(ImageContent),
    /// `"audio"` (2025-03-26).
    Audio(AudioContent),
    /// `"tool_use"`: the model calls a tool (2025-11-25).
    ToolUse(ToolUseContent),
    /// `"tool_result"`: the result of a tool call (2025-11-25).
    ToolResult(ToolResultContent),
}

impl SamplingContent {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(TextContent::new(text))
    }

    /// A plain-text rendering of the block, for revisions that cannot carry it.
    fn describe(&self) -> String {
        match self {
            Self::Text(t) => t.text.clone(),
            Self::Image(i) => format!("[image content ({})]", i.mime_type),
            Self::Audio(a) => format!("[audio content ({})]", a.mime_type),
            Self::ToolUse(t) => t.to_text().text,
            Self::ToolResult(t) => t.to_text().text,
        }
    }
}

impl Shape for SamplingContent {
    fn shape(&mut self, version: ProtocolVersion) {
        match self {
            Self::ToolUse(t) if !version.has_sampling_tools() => *self = Self::Text(t.to_text()),
            Self::ToolResult(t) if !version.has_sampling_tools() => {
                *self = Self::Text(t.to_text());
            }
            Self::Audio(a) if !version.has_audio() => *self = Self::Text(a.to_text()),
            _ => {}
        }
        match self {
            Self::Text(c) => {
                c.annotations.shape(version);
                shape_plain_meta(&mut c.meta, version);
            }
            Self::Image(c) => {
                c.annotations.shape(version);
                shape_plain_meta(&mut c.meta, version);
            }
            Self::Audio(c) => {
                c.annotations.shape(version);
                shape_plain_meta(&mut c.meta, version);
            }
            Self::ToolUse(c) => shape_plain_meta(&mut c.meta, version),
            Self::ToolResult(c) => {
                c.content.shape(version);
                if !version.allows_any_json_schema()
                    && c.structured_content
                        .as_ref()
                        .is_some_and(|v| !v.is_object())
                {
                    c.structured_content = None;
                }
                shape_plain_meta(&mut c.meta, version);
            }
        }
    }
}

/// The content of a sampling message or result: one block, or (2025-11-25) several.
#[derive(Clone, Debug, PartialEq)]
pub enum SamplingMessageContent {
    /// One block.
    Single(SamplingContent),
    /// Several blocks (2025-11-25).
    Multiple(Vec<SamplingContent>),
}

impl SamplingMessageContent {
    /// The blocks.
    pub fn blocks(&self) -> &[SamplingContent] {
        match self {
            Self::Single(block) => std::slice::from_ref(block),
            Self::Multiple(blocks) => blocks,
        }
    }

    /// The blocks, owned.
    pub fn into_blocks(self) -> Vec<SamplingContent> {
        match self {
            Self::Single(block) => vec![block],
            Self::Multiple(blocks) => blocks,
        }
    }

    /// Shapes the blocks; revisions before 2025-11-25 take one block only, so several are
    /// merged into one text block.
    fn shape_merging(&mut self, version: ProtocolVersion) {
        if let Self::Multiple(blocks) = self
            && !version.has_sampling_tools()
        {
            let merged = if blocks.len() == 1 {
                blocks.remove(0)
            } else {
                let text: Vec<String> = blocks.iter().map(SamplingContent::describe).collect();
                SamplingContent::text(text.join("\n\n"))
            };
            *self = Self::Single(merged);
        }
        match self {
            Self::Single(block) => block.shape(version),
            Self::Multiple(blocks) => blocks.shape(version),
        }
    }
}

impl From<SamplingContent> for SamplingMessageContent {
    fn from(block: SamplingContent) -> Self {
        Self::Single(block)
    }
}

impl Serialize for SamplingMessageContent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Single(block) => block.serialize(serializer),
            Self::Multiple(blocks) => blocks.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SamplingMessageContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContentVisitor;

        impl<'de> Visitor<'de> for ContentVisitor {
            type Value = SamplingMessageContent;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a content block or an array of content blocks")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                SamplingContent::deserialize(MapAccessDeserializer::new(map))
                    .map(SamplingMessageContent::Single)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq))
                    .map(SamplingMessageContent::Multiple)
            }
        }

        deserializer.deserialize_any(ContentVisitor)
    }
}

/// A tool call requested by the model (2025-11-25).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolUseContent {
    /// The id that the matching [`ToolResultContent`] refers to.
    pub id: String,
    /// The tool.
    pub name: String,
    /// The arguments.
    pub input: JsonObject,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl ToolUseContent {
    /// A text block describing the call, for revisions without tool use in sampling.
    pub fn to_text(&self) -> TextContent {
        TextContent::new(format!(
            "[tool call {}] {}({})",
            self.id,
            self.name,
            Value::Object(self.input.clone())
        ))
    }
}

/// The result of a tool call, given back to the model (2025-11-25).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolResultContent {
    /// The id of the [`ToolUseContent`] this answers.
    pub tool_use_id: String,
    /// The unstructured result.
    pub content: Vec<Content>,
    /// The structured result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the call failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl ToolResultContent {
    /// A text block describing the result, for revisions without tool use in sampling.
    pub fn to_text(&self) -> TextContent {
        let mut text = format!("[tool result for {}]", self.tool_use_id);
        if self.is_error == Some(true) {
            text.push_str(" (error)");
        }
        for block in &self.content {
            text.push('\n');
            match block {
                Content::Text(t) => text.push_str(&t.text),
                Content::Image(i) => text.push_str(&format!("[image content ({})]", i.mime_type)),
                Content::Audio(a) => text.push_str(&format!("[audio content ({})]", a.mime_type)),
                Content::ResourceLink(l) => text.push_str(&l.to_text().text),
                Content::Resource(r) => {
                    text.push_str(&format!("[embedded resource {}]", r.resource.uri()));
                }
            }
        }
        TextContent::new(text)
    }
}

/// A message in a sampling conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SamplingMessage {
    /// Who says it.
    pub role: Role,
    /// What is said.
    pub content: SamplingMessageContent,
    /// Metadata (2025-11-25).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl SamplingMessage {
    /// A text message from the user.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: SamplingContent::text(text).into(),
            meta: None,
        }
    }
}

impl Shape for SamplingMessage {
    fn shape(&mut self, version: ProtocolVersion) {
        self.content.shape_merging(version);
        // `_meta` on sampling messages arrived with tool use in sampling (2025-11-25).
        keep_if(&mut self.meta, version.has_sampling_tools());
        shape_plain_meta(&mut self.meta, version);
    }
}

/// A hint for model selection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelHint {
    /// A full or partial model name, such as `"claude-3-5-sonnet"` or `"sonnet"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The server's preferences for model selection; priorities range from 0 to 1.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelPreferences {
    /// Model name hints, in order of preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<ModelHint>>,
    /// How much cost matters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_f64"
    )]
    pub cost_priority: Option<f64>,
    /// How much speed matters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_f64"
    )]
    pub speed_priority: Option<f64>,
    /// How much capability matters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_f64"
    )]
    pub intelligence_priority: Option<f64>,
}

/// Which servers' context to include in a sampling request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncludeContext {
    /// `"none"`.
    None,
    /// `"thisServer"` (deprecated).
    ThisServer,
    /// `"allServers"` (deprecated).
    AllServers,
}

/// How the model may use the tools of a sampling request (2025-11-25).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolChoice {
    /// The mode; `auto` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ToolChoiceMode>,
}

/// Whether the model must, may or must not call tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoiceMode {
    /// The model decides.
    Auto,
    /// The model must call a tool.
    Required,
    /// The model must not call a tool.
    None,
}

/// Parameters of `sampling/createMessage`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageParams {
    /// The conversation.
    pub messages: Vec<SamplingMessage>,
    /// Preferences for model selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_preferences: Option<ModelPreferences>,
    /// A system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// Which servers' context to include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_context: Option<IncludeContext>,
    /// The sampling temperature.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_f64"
    )]
    pub temperature: Option<f64>,
    /// The most tokens to sample.
    pub max_tokens: u64,
    /// Sequences that stop sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<Vec<String>>,
    /// Provider-specific metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Tools the model may call (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    /// How the model may use the tools (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Run the request as a task (2025-11-25, experimental tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Metadata (not on 2026-07-28, where this is an input request).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
}

impl Shape for CreateMessageParams {
    fn shape(&mut self, version: ProtocolVersion) {
        if !version.has_sampling_tools()
            && self
                .messages
                .iter()
                .any(|m| matches!(m.content, SamplingMessageContent::Multiple(_)))
        {
            // One block per message: split multi-block messages, keeping the role.
            let messages = std::mem::take(&mut self.messages);
            for message in messages {
                let role = message.role;
                for block in message.content.into_blocks() {
                    self.messages.push(SamplingMessage {
                        role,
                        content: SamplingMessageContent::Single(block),
                        meta: None,
                    });
                }
            }
        }
        self.messages.shape(version);
        keep_if(&mut self.tools, version.has_sampling_tools());
        keep_if(&mut self.tool_choice, version.has_sampling_tools());
        self.tools.shape(version);
        keep_if(&mut self.task, version.has_tasks());
        if version.has_mrtr() {
            self.meta = None;
        }
        shape_meta(&mut self.meta, version);
    }
}

/// The client's answer to `sampling/createMessage`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageResult {
    /// Who said it (the assistant).
    pub role: Role,
    /// What was said.
    pub content: SamplingMessageContent,
    /// The model that produced it.
    pub model: String,
    /// Why sampling stopped: `"endTurn"`, `"stopSequence"`, `"maxTokens"`, `"toolUse"`, or
    /// another value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// Metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResultMeta>,
}

impl Shape for CreateMessageResult {
    fn shape(&mut self, version: ProtocolVersion) {
        self.content.shape_merging(version);
        shape_meta(&mut self.meta, version);
    }
}
