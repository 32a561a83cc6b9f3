//! Resources: a text, a binary and a watchable resource, and a template with completion.

use std::collections::BTreeMap;

use mcplex_core::protocol::ErrorObject;
use mcplex_core::protocol::model::{ReadResourceResult, ResourceContents};
use mcplex_core::{
    Context, HandlerError, ReadResult, ResourceDef, ServerBuilder, TemplateDef, TemplateVars,
    text_contents,
};
use serde_json::json;

use super::PNG_BASE64;

/// The text resource.
const STATIC_TEXT: &str = "test://static-text";
/// The binary resource.
const STATIC_BINARY: &str = "test://static-binary";
/// The resource clients subscribe to.
const WATCHED: &str = "test://watched-resource";
/// The template.
const TEMPLATE: &str = "test://template/{id}/data";

/// The ids completion offers for the template.
const IDS: &[&str] = &["100", "123", "200", "42"];

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .resource(
            ResourceDef::new(
                STATIC_TEXT,
                "static-text",
                |_cx, uri: String, _vars| async move {
                    Ok(text_contents(
                        uri,
                        "Static text from the conformance server.",
                        "text/plain",
                    ))
                },
            )
            .description("A fixed text/plain resource.")
            .mime_type("text/plain"),
        )
        .resource(
            ResourceDef::new(
                STATIC_BINARY,
                "static-binary",
                |_cx, uri: String, _vars| async move {
                    Ok(ReadResourceResult::new(vec![ResourceContents::blob(
                        uri,
                        Some("image/png".to_owned()),
                        PNG_BASE64,
                    )]))
                },
            )
            .description("A fixed binary resource: a 1x1 red pixel as a PNG (base64 blob).")
            .mime_type("image/png"),
        )
        .resource(
            ResourceDef::new(
                WATCHED,
                "watched-resource",
                |_cx, uri: String, _vars| async move {
                    Ok(text_contents(
                        uri,
                        "A resource to subscribe to; it does not change on its own.",
                        "text/plain",
                    ))
                },
            )
            .description("A text/plain resource that clients may subscribe to.")
            .mime_type("text/plain"),
        )
        .resource_template(
            TemplateDef::new(TEMPLATE, "template-data", read_template)
                .description(
                    "JSON data for any id: {\"id\": <id>, \"fromTemplate\": true, \"text\": ...}. \
                     Completion of `id` suggests a few ids.",
                )
                .mime_type("application/json")
                .complete("id", complete_id),
        )
}

async fn read_template(cx: Context, uri: String, vars: TemplateVars) -> ReadResult {
    let Some(id) = vars.get("id") else {
        return Err(HandlerError::protocol(ErrorObject::resource_not_found(
            cx.protocol_version(),
            &uri,
        )));
    };
    let data = json!({ "id": id, "fromTemplate": true, "text": format!("Data for id {id}") });
    Ok(text_contents(uri, data.to_string(), "application/json"))
}

async fn complete_id(
    _cx: Context,
    prefix: String,
    _context: BTreeMap<String, String>,
) -> Result<Vec<String>, HandlerError> {
    Ok(IDS
        .iter()
        .filter(|id| id.starts_with(prefix.as_str()))
        .map(|id| (*id).to_owned())
        .collect())
}
