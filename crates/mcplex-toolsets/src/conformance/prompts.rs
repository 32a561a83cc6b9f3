//! Prompts: plain, with arguments (and their completion), with an embedded resource and with
//! an image.

use std::collections::BTreeMap;

use mcplex_core::protocol::model::{
    Content, ElicitParams, GetPromptResult, PromptMessage, ResourceContents, Role,
};
use mcplex_core::{Context, HandlerError, InputRequired, Outcome, PromptDef, ServerBuilder};

use super::PNG_BASE64;
use super::input::{form, string_field};

/// What completion offers for `arg1` and `arg2` of `test_prompt_with_arguments`.
const SUGGESTIONS: &[&str] = &["paris", "park", "party", "test", "testing"];

type Arguments = BTreeMap<String, String>;

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .prompt(
            PromptDef::new(
                "test_simple_prompt",
                |_cx: Context, _args: Arguments| async {
                    Ok(GetPromptResult::new(vec![PromptMessage::user_text(
                        "A fixed prompt without arguments.",
                    )]))
                },
            )
            .description("One user message, without arguments."),
        )
        .prompt(
            PromptDef::new("test_prompt_with_arguments", with_arguments)
                .description("One user message that quotes both arguments.")
                .argument("arg1", "The first value to quote", true)
                .argument("arg2", "The second value to quote", true)
                .complete("arg1", suggest)
                .complete("arg2", suggest),
        )
        .prompt(
            PromptDef::new("test_prompt_with_embedded_resource", with_resource)
                .description(
                    "Embeds the text resource named by resourceUri, then asks to process it.",
                )
                .argument("resourceUri", "The URI of the embedded resource", true),
        )
        .prompt(
            PromptDef::new(
                "test_prompt_with_image",
                |_cx: Context, _args: Arguments| async {
                    Ok(GetPromptResult::new(vec![
                        PromptMessage::new(Role::User, Content::image(PNG_BASE64, "image/png")),
                        PromptMessage::user_text("What colour is the pixel in this image?"),
                    ]))
                },
            )
            .description("A PNG image (one red pixel) and a question about it."),
        )
        .prompt(
            PromptDef::new("test_input_required_result_prompt", with_context).description(
                "One user message built around a context, which it asks the user for \
                 (elicitation under the key user_context).",
            ),
        )
}

async fn with_arguments(_cx: Context, args: Arguments) -> Result<GetPromptResult, HandlerError> {
    // The server checks required arguments before the handler runs.
    let arg1 = args.get("arg1").map(String::as_str).unwrap_or_default();
    let arg2 = args.get("arg2").map(String::as_str).unwrap_or_default();
    Ok(GetPromptResult::new(vec![PromptMessage::user_text(
        format!("The arguments were arg1={arg1:?} and arg2={arg2:?}."),
    )]))
}

async fn with_resource(_cx: Context, args: Arguments) -> Result<GetPromptResult, HandlerError> {
    let uri = args.get("resourceUri").cloned().unwrap_or_default();
    let resource = ResourceContents::text(
        uri,
        Some("text/plain".to_owned()),
        "Text of a resource embedded in a prompt.",
    );
    Ok(GetPromptResult::new(vec![
        PromptMessage::new(Role::User, Content::resource(resource)),
        PromptMessage::user_text("Summarize the resource above in one sentence."),
    ]))
}

async fn with_context(
    cx: Context,
    _args: Arguments,
) -> Result<Outcome<GetPromptResult>, HandlerError> {
    const KEY: &str = "user_context";
    if cx.input().elicit(KEY).is_none() {
        let question = "What context should the prompt use?";
        let form = form(vec![("context", string_field("The context of the prompt"))]);
        return Ok(Outcome::InputRequired(
            InputRequired::new().elicit(KEY, ElicitParams::form(question, form)),
        ));
    }
    let context = cx
        .input()
        .accepted(KEY)
        .and_then(|content| content.get("context"))
        .and_then(|value| serde_json::to_value(value).ok())
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| "no particular context".to_owned());
    Ok(Outcome::Complete(GetPromptResult::new(vec![
        PromptMessage::user_text(format!("Answer with this in mind: {context}.")),
    ])))
}

async fn suggest(
    _cx: Context,
    prefix: String,
    _context: BTreeMap<String, String>,
) -> Result<Vec<String>, HandlerError> {
    Ok(SUGGESTIONS
        .iter()
        .filter(|value| value.starts_with(prefix.as_str()))
        .map(|value| (*value).to_owned())
        .collect())
}
