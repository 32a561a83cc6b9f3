//! Built-in notes behind the `notes://{name}` resource template, with completion of `name`.

use std::collections::BTreeMap;

use mcplex_core::protocol::ErrorObject;
use mcplex_core::{
    Context, HandlerError, ReadResult, ServerBuilder, TemplateDef, TemplateVars, text_contents,
};

/// The URI template of the notes.
pub const NOTES_TEMPLATE: &str = "notes://{name}";

const MIME: &str = "text/markdown";

/// The notes, sorted by name.
const NOTES: &[(&str, &str)] = &[
    (
        "roadmap",
        "# Roadmap\n\n\
         - Serve every MCP revision on stdio, Streamable HTTP and WebSocket.\n\
         - Scale out behind a load balancer with Redis.\n\
         - Put existing stdio servers behind HTTP with the bridge.\n",
    ),
    (
        "shopping",
        "# Shopping list\n\n- Coffee\n- Bread\n- Apples\n- Milk\n",
    ),
    (
        "welcome",
        "# Welcome\n\n\
         This is the mcplex demo server. Try the tools (echo, add, long_task, ask_user, \
         increment, post_message), read demo://counter and demo://board, and read other notes \
         as notes://{name}: roadmap and shopping.\n",
    ),
];

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder.resource_template(
        TemplateDef::new(NOTES_TEMPLATE, "notes", read)
            .description(
                "Short markdown notes by name: welcome, roadmap and shopping. Completion of \
                 `name` lists the names that start with what was typed.",
            )
            .mime_type(MIME)
            .complete("name", complete_name),
    )
}

async fn read(cx: Context, uri: String, vars: TemplateVars) -> ReadResult {
    let note = vars
        .get("name")
        .and_then(|name| NOTES.iter().find(|(n, _)| n == name));
    match note {
        Some((_, text)) => Ok(text_contents(uri, *text, MIME)),
        None => Err(HandlerError::protocol(ErrorObject::resource_not_found(
            cx.protocol_version(),
            &uri,
        ))),
    }
}

async fn complete_name(
    _cx: Context,
    prefix: String,
    _context: BTreeMap<String, String>,
) -> Result<Vec<String>, HandlerError> {
    Ok(NOTES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| name.starts_with(&prefix))
        .map(str::to_owned)
        .collect())
}
