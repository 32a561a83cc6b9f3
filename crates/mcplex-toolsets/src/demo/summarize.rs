//! The `summarize` prompt, with completion of its `style` argument.

use std::collections::BTreeMap;

use mcplex_core::protocol::model::{GetPromptResult, PromptMessage};
use mcplex_core::{Context, HandlerError, PromptDef, ServerBuilder};

/// The styles, in the order completion lists them; the first is the default.
const STYLES: &[&str] = &["brief", "bullet-points", "detailed"];

const DEFAULT_STYLE: &str = "brief";

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder.prompt(
        PromptDef::new("summarize", summarize)
            .title("Summarize a text")
            .description(
                "Asks the model to summarize a text in a brief, detailed or bullet-points style.",
            )
            .argument("text", "The text to summarize", true)
            .argument(
                "style",
                "How to summarize: \"brief\" (the default), \"detailed\" or \"bullet-points\"",
                false,
            )
            .complete("style", complete_style),
    )
}

async fn summarize(
    _cx: Context,
    arguments: BTreeMap<String, String>,
) -> Result<GetPromptResult, HandlerError> {
    // The server checks required arguments before the handler runs.
    let text = arguments
        .get("text")
        .map(String::as_str)
        .unwrap_or_default();
    let style = arguments
        .get("style")
        .map(String::as_str)
        .unwrap_or(DEFAULT_STYLE);
    if !STYLES.contains(&style) {
        return Err(HandlerError::invalid_params(format!(
            "unknown style {style:?}: use one of {}",
            STYLES.join(", ")
        )));
    }
    let message = format!("Summarize the following text in a {style} style:\n\n{text}");
    Ok(GetPromptResult {
        description: Some(format!("A {style} summary")),
        ..GetPromptResult::new(vec![PromptMessage::user_text(message)])
    })
}

async fn complete_style(
    _cx: Context,
    prefix: String,
    _context: BTreeMap<String, String>,
) -> Result<Vec<String>, HandlerError> {
    Ok(STYLES
        .iter()
        .filter(|style| style.starts_with(prefix.as_str()))
        .map(|style| (*style).to_owned())
        .collect())
}
