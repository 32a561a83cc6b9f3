//! Tools that ask the client for input within one call: sampling and elicitation forms.
//!
//! Each returns [`InputRequired`] on its first round and reports the client's answer on the
//! next; core sends the request to the client (stateful revisions) or answers `input_required`
//! (2026-07-28).

use std::collections::BTreeMap;

use mcplex_core::protocol::model::{
    BooleanSchema, CallToolResult, CreateMessageParams, CreateMessageResult, ElicitParams,
    ElicitResult, ElicitSchema, EnumOption, EnumSchema, InputResponse, LegacyTitledEnumSchema,
    NumberSchema, NumberType, PrimitiveSchema, SamplingContent, SamplingMessage, StringSchema,
    TitledEnumItems, TitledMultiSelectEnumSchema, TitledSingleSelectEnumSchema, UntitledEnumItems,
    UntitledMultiSelectEnumSchema, UntitledSingleSelectEnumSchema,
};
use mcplex_core::{Context, HandlerError, InputRequired, ServerBuilder, ToolDef, ToolOutcome};
use schemars::JsonSchema;
use serde::Deserialize;

use super::{NoArgs, read_only};

/// The key every tool here asks under.
const KEY: &str = "answer";

/// The arguments of test_sampling.
#[derive(Debug, Deserialize, JsonSchema)]
struct SamplingArgs {
    /// The prompt to send to the client's model.
    prompt: String,
}

/// The arguments of test_elicitation.
#[derive(Debug, Deserialize, JsonSchema)]
struct ElicitationArgs {
    /// The message to show the user.
    message: String,
}

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(
            ToolDef::new("test_sampling", sampling)
                .description(
                    "Asks the client's model to answer `prompt` (sampling/createMessage, at \
                     most 100 tokens) and returns \"Model answer: <text>\". The client must \
                     support sampling.",
                )
                .annotations(read_only()),
        )
        .tool(
            ToolDef::new("test_elicitation", elicitation)
                .description(
                    "Shows the user `message` with a form asking for a username and an email \
                     address (elicitation/create) and returns what the user did and entered. \
                     The client must support elicitation.",
                )
                .annotations(read_only()),
        )
        .tool(
            ToolDef::new("test_elicitation_sep1034_defaults", |cx, _: NoArgs| {
                form_tool(cx, "Please check these details.", defaults_form())
            })
            .description(
                "Asks the user to confirm a form whose fields carry defaults: name (string, \
                 \"John Doe\"), age (integer, 30), score (number, 95.5), status (one of active, \
                 inactive, pending; \"active\") and verified (boolean, true).",
            )
            .annotations(read_only()),
        )
        .tool(
            ToolDef::new("test_elicitation_sep1330_enums", |cx, _: NoArgs| {
                form_tool(cx, "Please make your choices.", enums_form())
            })
            .description(
                "Asks the user to fill in a form with every kind of choice field: untitled and \
                 titled single-select, legacy enumNames, untitled and titled multi-select.",
            )
            .annotations(read_only()),
        )
}

async fn sampling(cx: Context, args: SamplingArgs) -> Result<ToolOutcome, HandlerError> {
    let Some(answer) = cx.input().get(KEY) else {
        let ask = InputRequired::new().sample(KEY, sampling_request(&args.prompt, 100));
        return Ok(ToolOutcome::InputRequired(ask));
    };
    let text = sampled_text(answer)?;
    Ok(complete(format!("Model answer: {text}")))
}

async fn elicitation(cx: Context, args: ElicitationArgs) -> Result<ToolOutcome, HandlerError> {
    form_tool(cx, &args.message, contact_form()).await
}

/// Asks the user to fill in `form` under [`KEY`], then reports the answer.
async fn form_tool(
    cx: Context,
    message: &str,
    form: ElicitSchema,
) -> Result<ToolOutcome, HandlerError> {
    match cx.input().elicit(KEY) {
        None => Ok(ToolOutcome::InputRequired(
            InputRequired::new().elicit(KEY, ElicitParams::form(message, form)),
        )),
        Some(result) => Ok(complete(format!(
            "The user answered: {}",
            describe_elicitation(result)
        ))),
    }
}

/// A sampling request with one user message.
pub(super) fn sampling_request(prompt: &str, max_tokens: u64) -> CreateMessageParams {
    CreateMessageParams {
        messages: vec![SamplingMessage::user_text(prompt)],
        max_tokens,
        ..CreateMessageParams::default()
    }
}

/// The text of a sampling answer; an error when the answer is something else.
pub(super) fn sampled_text(answer: &InputResponse) -> Result<String, HandlerError> {
    let InputResponse::CreateMessage(CreateMessageResult { content, .. }) = answer else {
        return Err(HandlerError::invalid_params(
            "expected the answer to a sampling request",
        ));
    };
    let texts: Vec<&str> = content
        .blocks()
        .iter()
        .filter_map(|block| match block {
            SamplingContent::Text(text) => Some(text.text.as_str()),
            _ => None,
        })
        .collect();
    Ok(texts.join(" "))
}

/// `action=<action>, content=<json>` for an elicitation answer.
pub(super) fn describe_elicitation(result: &ElicitResult) -> String {
    let action = serde_json::to_value(result.action)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    let content = serde_json::to_string(&result.content).unwrap_or_default();
    format!("action={action}, content={content}")
}

pub(super) fn complete(text: impl Into<String>) -> ToolOutcome {
    ToolOutcome::complete(CallToolResult::text(text))
}

/// A required string field.
pub(super) fn string_field(description: &str) -> PrimitiveSchema {
    PrimitiveSchema::String(StringSchema {
        description: Some(description.to_owned()),
        ..StringSchema::default()
    })
}

/// A form of the given fields, all of them required.
pub(super) fn form(fields: Vec<(&str, PrimitiveSchema)>) -> ElicitSchema {
    let required = fields.iter().map(|(name, _)| (*name).to_owned()).collect();
    let properties: BTreeMap<String, PrimitiveSchema> = fields
        .into_iter()
        .map(|(name, schema)| (name.to_owned(), schema))
        .collect();
    ElicitSchema {
        required: Some(required),
        ..ElicitSchema::new(properties)
    }
}

/// The form of test_elicitation: a username and an email address.
fn contact_form() -> ElicitSchema {
    form(vec![
        ("username", string_field("Your username")),
        ("email", string_field("Your email address")),
    ])
}

/// A form with a default for each primitive field type (SEP-1034).
fn defaults_form() -> ElicitSchema {
    let properties = BTreeMap::from([
        (
            "name".to_owned(),
            PrimitiveSchema::String(StringSchema {
                description: Some("Full name".to_owned()),
                default: Some("John Doe".to_owned()),
                ..StringSchema::default()
            }),
        ),
        (
            "age".to_owned(),
            PrimitiveSchema::Number(NumberSchema {
                kind: NumberType::Integer,
                description: Some("Age in years".to_owned()),
                default: Some(30.0),
                ..NumberSchema::default()
            }),
        ),
        (
            "score".to_owned(),
            PrimitiveSchema::Number(NumberSchema {
                description: Some("A score".to_owned()),
                default: Some(95.5),
                ..NumberSchema::default()
            }),
        ),
        (
            "status".to_owned(),
            PrimitiveSchema::Enum(EnumSchema::UntitledSingleSelect(
                UntitledSingleSelectEnumSchema {
                    description: Some("Account status".to_owned()),
                    values: strings(&["active", "inactive", "pending"]),
                    default: Some("active".to_owned()),
                    ..UntitledSingleSelectEnumSchema::default()
                },
            )),
        ),
        (
            "verified".to_owned(),
            PrimitiveSchema::Boolean(BooleanSchema {
                description: Some("Whether the account is verified".to_owned()),
                default: Some(true),
                ..BooleanSchema::default()
            }),
        ),
    ]);
    ElicitSchema::new(properties)
}

/// A form with each kind of choice field (SEP-1330).
fn enums_form() -> ElicitSchema {
    let properties = BTreeMap::from([
        (
            "untitledSingle".to_owned(),
            PrimitiveSchema::Enum(EnumSchema::UntitledSingleSelect(
                UntitledSingleSelectEnumSchema {
                    description: Some("Pick one option".to_owned()),
                    values: strings(&["option1", "option2", "option3"]),
                    ..UntitledSingleSelectEnumSchema::default()
                },
            )),
        ),
        (
            "titledSingle".to_owned(),
            PrimitiveSchema::Enum(EnumSchema::TitledSingleSelect(
                TitledSingleSelectEnumSchema {
                    description: Some("Pick one titled option".to_owned()),
                    options: options(&[("value1", "Value one"), ("value2", "Value two")]),
                    ..TitledSingleSelectEnumSchema::default()
                },
            )),
        ),
        (
            "legacyEnum".to_owned(),
            PrimitiveSchema::Enum(EnumSchema::LegacyTitled(LegacyTitledEnumSchema {
                description: Some("Pick one (display names in enumNames)".to_owned()),
                values: strings(&["opt1", "opt2", "opt3"]),
                enum_names: Some(strings(&["First", "Second", "Third"])),
                ..LegacyTitledEnumSchema::default()
            })),
        ),
        (
            "untitledMulti".to_owned(),
            PrimitiveSchema::Enum(EnumSchema::UntitledMultiSelect(
                UntitledMultiSelectEnumSchema {
                    description: Some("Pick any options".to_owned()),
                    items: UntitledEnumItems {
                        values: strings(&["option1", "option2", "option3"]),
                        ..UntitledEnumItems::default()
                    },
                    ..UntitledMultiSelectEnumSchema::default()
                },
            )),
        ),
        (
            "titledMulti".to_owned(),
            PrimitiveSchema::Enum(EnumSchema::TitledMultiSelect(TitledMultiSelectEnumSchema {
                description: Some("Pick any titled options".to_owned()),
                items: TitledEnumItems {
                    options: options(&[("value1", "Choice one"), ("value2", "Choice two")]),
                },
                ..TitledMultiSelectEnumSchema::default()
            })),
        ),
    ]);
    ElicitSchema::new(properties)
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

fn options(pairs: &[(&str, &str)]) -> Vec<EnumOption> {
    pairs
        .iter()
        .map(|(value, title)| EnumOption {
            value: (*value).to_owned(),
            title: (*title).to_owned(),
        })
        .collect()
}
