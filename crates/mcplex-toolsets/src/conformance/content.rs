//! Tools that return fixed content of each type, and one that always fails.

use mcplex_core::protocol::model::{CallToolResult, Content, ResourceContents};
use mcplex_core::{Context, HandlerError, ServerBuilder, ToolDef};
use serde_json::json;

use super::{NoArgs, PNG_BASE64, WAV_BASE64, read_only};

/// The URI of the resource `test_embedded_resource` embeds.
const EMBEDDED_URI: &str = "test://embedded-resource";
/// The URI of the resource `test_multiple_content_types` embeds.
const MIXED_URI: &str = "test://mixed-content-resource";

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(fixed(
            "test_simple_text",
            "Returns one text block with a fixed sentence.",
            simple_text,
        ))
        .tool(fixed(
            "test_image_content",
            "Returns one image block: a 1x1 red pixel as a base64 PNG (image/png).",
            image,
        ))
        .tool(fixed(
            "test_audio_content",
            "Returns one audio block: ten milliseconds of a square wave as a base64 WAV \
             (audio/wav).",
            audio,
        ))
        .tool(fixed(
            "test_embedded_resource",
            "Returns one embedded resource block: the text/plain resource \
             test://embedded-resource.",
            embedded_resource,
        ))
        .tool(fixed(
            "test_multiple_content_types",
            "Returns three blocks: a text, a PNG image and the embedded application/json \
             resource test://mixed-content-resource.",
            mixed,
        ))
        .tool(
            ToolDef::new("test_error_handling", fail)
                .description(
                    "Always fails: the result has isError set and a text block saying why.",
                )
                .annotations(read_only()),
        )
}

/// A read-only tool without arguments that returns what `make` builds.
fn fixed(name: &str, description: &str, make: fn() -> CallToolResult) -> ToolDef {
    ToolDef::new(
        name,
        move |_cx: Context, _args: NoArgs| async move { make() },
    )
    .description(description)
    .annotations(read_only())
}

fn simple_text() -> CallToolResult {
    CallToolResult::text("Plain text from the conformance server.")
}

fn image() -> CallToolResult {
    CallToolResult::new(vec![Content::image(PNG_BASE64, "image/png")])
}

fn audio() -> CallToolResult {
    CallToolResult::new(vec![Content::audio(WAV_BASE64, "audio/wav")])
}

fn embedded_resource() -> CallToolResult {
    CallToolResult::new(vec![Content::resource(ResourceContents::text(
        EMBEDDED_URI,
        Some("text/plain".to_owned()),
        "Text of a resource embedded in a tool result.",
    ))])
}

fn mixed() -> CallToolResult {
    let data = json!({ "fixture": "mixed-content", "blocks": 3 });
    CallToolResult::new(vec![
        Content::text("Three kinds of content follow: this text, an image and a resource."),
        Content::image(PNG_BASE64, "image/png"),
        Content::resource(ResourceContents::text(
            MIXED_URI,
            Some("application/json".to_owned()),
            data.to_string(),
        )),
    ])
}

async fn fail(_cx: Context, _args: NoArgs) -> Result<CallToolResult, HandlerError> {
    Err(HandlerError::new(
        "test_error_handling failed on purpose: this tool always reports an error",
    ))
}
