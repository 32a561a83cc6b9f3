//! `ask_user`: asks the user a question through a multi round-trip request.
//!
//! The handler returns [`InputRequired`] with a form elicitation on its first call; core turns
//! that into an `input_required` result (2026-07-28) or a real `elicitation/create` request
//! (stateful revisions) and calls the handler again with the user's reply. The same code
//! serves both wires.

use std::collections::BTreeMap;

use mcplex_core::protocol::model::{
    CallToolResult, ElicitParams, ElicitSchema, ElicitValue, PrimitiveSchema, StringSchema,
};
use mcplex_core::{Context, HandlerError, InputRequired, ServerBuilder, ToolDef, ToolOutcome};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::tools::read_only;

/// The key of the elicitation, and the name of its one form field.
const ANSWER: &str = "answer";

/// The arguments of the ask_user tool.
#[derive(Debug, Deserialize, JsonSchema)]
struct AskArgs {
    /// The question to show the user. Default: "What is your name?".
    #[serde(default = "default_question")]
    question: String,
}

fn default_question() -> String {
    "What is your name?".to_owned()
}

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder.tool(
        ToolDef::new("ask_user", ask_user)
            .title("Ask the user")
            .description(
                "Asks the user a question through the client (elicitation) and returns \
                 \"You answered: <answer>\", or \"The user declined to answer.\" when the user \
                 declines or dismisses the question. Use it when you need information only the \
                 user has. The client must support elicitation.",
            )
            .annotations(read_only()),
    )
}

async fn ask_user(cx: Context, args: AskArgs) -> Result<ToolOutcome, HandlerError> {
    if cx.input().elicit(ANSWER).is_none() {
        // First round: ask. The state records what was asked; core hands it back (sealed on
        // the 2026-07-28 wire) with the reply.
        let ask = InputRequired::new()
            .elicit(ANSWER, ElicitParams::form(&args.question, answer_form()))
            .state(json!({ "question": args.question }));
        return Ok(ToolOutcome::InputRequired(ask));
    }
    let Some(content) = cx.input().accepted(ANSWER) else {
        // Declined or dismissed: an answer in its own right, not a failure.
        return Ok(done("The user declined to answer."));
    };
    let answer = content
        .get(ANSWER)
        .map(value_text)
        .ok_or_else(|| HandlerError::new("the user's reply has no answer field"))?;
    Ok(done(format!("You answered: {answer}")))
}

/// A form with one required string field, `answer`.
fn answer_form() -> ElicitSchema {
    let field = StringSchema {
        title: Some("Answer".to_owned()),
        description: Some("Your answer to the question".to_owned()),
        ..StringSchema::default()
    };
    ElicitSchema {
        required: Some(vec![ANSWER.to_owned()]),
        ..ElicitSchema::new(BTreeMap::from([(
            ANSWER.to_owned(),
            PrimitiveSchema::String(field),
        )]))
    }
}

/// A form value as text: strings as they are, anything else as JSON.
fn value_text(value: &ElicitValue) -> String {
    match value {
        ElicitValue::String(text) => text.clone(),
        other => serde_json::to_value(other)
            .map(|value| value.to_string())
            .unwrap_or_default(),
    }
}

fn done(text: impl Into<String>) -> ToolOutcome {
    ToolOutcome::complete(CallToolResult::text(text))
}
