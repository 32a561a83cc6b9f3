//! Tools that change the tool and prompt lists at run time, so that clients are told.
//!
//! Each call registers a fresh generation of `test_dynamic_tool` or `test_dynamic_prompt`
//! (replacing the previous one); core announces the change to every instance, and from there
//! to `subscriptions/listen` streams and stateful sessions.

use std::collections::BTreeMap;

use mcplex_core::protocol::model::{GetPromptResult, PromptMessage};
use mcplex_core::{Context, HandlerError, PromptDef, ServerBuilder, ToolDef};

use super::{NoArgs, read_only};

/// The key-value store key counting tool list changes.
const TOOL_CHANGES: &str = "conformance:tool-changes";
/// ... prompt list changes.
const PROMPT_CHANGES: &str = "conformance:prompt-changes";

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(
            ToolDef::new("test_trigger_tool_change", change_tools).description(
                "Registers a new generation of the tool test_dynamic_tool, which changes the \
                 tool list: clients are sent notifications/tools/list_changed.",
            ),
        )
        .tool(
            ToolDef::new("test_trigger_prompt_change", change_prompts).description(
                "Registers a new generation of the prompt test_dynamic_prompt, which changes \
                 the prompt list: clients are sent notifications/prompts/list_changed.",
            ),
        )
}

async fn change_tools(cx: Context, _args: NoArgs) -> Result<String, HandlerError> {
    let generation = cx.kv().incr(TOOL_CHANGES, 1).await?;
    let tool = ToolDef::new(
        "test_dynamic_tool",
        move |_cx: Context, _args: NoArgs| async move {
            format!("test_dynamic_tool generation {generation}")
        },
    )
    .description(format!(
        "Registered by test_trigger_tool_change (generation {generation}); returns its \
         generation."
    ))
    .annotations(read_only());
    cx.server().add_tool(tool).await?;
    Ok(format!(
        "The tool list changed: test_dynamic_tool is at generation {generation}."
    ))
}

async fn change_prompts(cx: Context, _args: NoArgs) -> Result<String, HandlerError> {
    let generation = cx.kv().incr(PROMPT_CHANGES, 1).await?;
    let prompt = PromptDef::new(
        "test_dynamic_prompt",
        move |_cx: Context, _arguments: BTreeMap<String, String>| async move {
            Ok(GetPromptResult::new(vec![PromptMessage::user_text(
                format!("test_dynamic_prompt generation {generation}"),
            )]))
        },
    )
    .description(format!(
        "Registered by test_trigger_prompt_change (generation {generation})."
    ));
    cx.server().add_prompt(prompt).await?;
    Ok(format!(
        "The prompt list changed: test_dynamic_prompt is at generation {generation}."
    ))
}
