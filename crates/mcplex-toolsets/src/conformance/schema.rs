//! Tools with hand-written input schemas: JSON Schema 2020-12 keywords, and an argument
//! mirrored into an HTTP header.

use mcplex_core::protocol::Payload;
use mcplex_core::protocol::model::JsonObject;
use mcplex_core::{Context, HandlerError, ServerBuilder, ToolDef};
use serde_json::{Value, json};

use super::read_only;

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(
            ToolDef::raw(
                "json_schema_2020_12_tool",
                object(json_schema_2020_12()),
                echo,
            )
            .description(
                "Takes a contact (name, address, a contact method and a phone number or an \
                     email address) described with JSON Schema 2020-12: $schema, $defs with an \
                     $anchor, $ref, allOf/anyOf, if/then/else and additionalProperties. \
                     Returns the arguments it got.",
            )
            .annotations(read_only()),
        )
        .tool(
            ToolDef::raw("test_custom_header", object(custom_header()), echo)
                .description(
                    "Takes a region, which Streamable HTTP clients also send in the \
                     Mcp-Param-Region header (x-mcp-header). Returns the arguments it got.",
                )
                .annotations(read_only()),
        )
}

/// The input schema of `json_schema_2020_12_tool`.
fn json_schema_2020_12() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "$anchor": "addressDef",
                "type": "object",
                "properties": {
                    "street": { "type": "string" },
                    "city": { "type": "string" }
                }
            }
        },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
            "contactMethod": { "type": "string", "enum": ["phone", "email"] },
            "phone": { "type": "string" },
            "email": { "type": "string" }
        },
        "allOf": [{ "anyOf": [{ "required": ["phone"] }, { "required": ["email"] }] }],
        "if": {
            "properties": { "contactMethod": { "const": "phone" } },
            "required": ["contactMethod"]
        },
        "then": { "required": ["phone"] },
        "else": { "required": ["email"] },
        "additionalProperties": false
    })
}

/// The input schema of `test_custom_header`.
fn custom_header() -> Value {
    json!({
        "type": "object",
        "properties": {
            "region": {
                "type": "string",
                "description": "The region, also sent as the Mcp-Param-Region header",
                "x-mcp-header": "Region"
            }
        },
        "required": ["region"]
    })
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    }
}

/// Returns the arguments as JSON text.
async fn echo(_cx: Context, arguments: Option<Payload>) -> Result<String, HandlerError> {
    let arguments = match arguments {
        Some(raw) => raw.parse::<Value>()?,
        None => json!({}),
    };
    Ok(format!("Arguments: {arguments}"))
}
