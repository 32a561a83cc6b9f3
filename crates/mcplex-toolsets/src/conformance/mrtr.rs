//! Multi round-trip request tools: each asks for input under fixed keys, and some hand out
//! state that must come back with the answers.
//!
//! A tool asks again for whatever is still missing, so a retry with the wrong keys gets a new
//! request rather than an error, and answers under keys it did not ask for are ignored.

use mcplex_core::protocol::model::{
    BooleanSchema, ClientCapabilities, ElicitParams, InputResponse, PrimitiveSchema,
};
use mcplex_core::{Context, HandlerError, InputRequired, ServerBuilder, ToolDef, ToolOutcome};
use serde_json::{Value, json};

use super::NoArgs;
use super::input::{
    complete, describe_elicitation, form, sampled_text, sampling_request, string_field,
};

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(tool(
            "test_input_required_result_elicitation",
            "Asks for the user's name under the key user_name (elicitation), then answers \
             \"Hello, <name>!\".",
            |cx| async move { ask_name(&cx) },
        ))
        .tool(tool(
            "test_input_required_result_sampling",
            "Asks the client's model \"What is the capital of France?\" under the key \
             capital_question (sampling), then returns the model's answer.",
            |cx| async move { ask_capital(&cx) },
        ))
        .tool(tool(
            "test_input_required_result_list_roots",
            "Asks for the client's roots under the key client_roots (roots/list), then lists \
             them.",
            |cx| async move { ask_roots(&cx) },
        ))
        .tool(tool(
            "test_input_required_result_request_state",
            "Asks the user to confirm under the key confirm and hands out request state; the \
             retry must bring the state back unaltered, and the answer then starts with \
             \"state-ok\".",
            |cx| async move { request_state(&cx) },
        ))
        .tool(tool(
            "test_input_required_result_multiple_inputs",
            "Asks for three things at once: user_name (elicitation), greeting (sampling) and \
             client_roots (roots/list), with request state; completes once all three are \
             answered.",
            |cx| async move { multiple_inputs(&cx) },
        ))
        .tool(tool(
            "test_input_required_result_multi_round",
            "Asks twice: step1 (a name), then step2 (a favourite colour), with new request \
             state each round; completes after the second answer.",
            |cx| async move { multi_round(&cx) },
        ))
        .tool(tool(
            "test_input_required_result_tampered_state",
            "Asks the user to confirm under the key confirm and hands out request state; a \
             retry whose state was altered is rejected.",
            |cx| async move { tampered_state(&cx) },
        ))
        .tool(tool(
            "test_input_required_result_capabilities",
            "Asks for every kind of input the client declared it supports (sampling, \
             elicitation, roots) and nothing else, then lists the answers.",
            |cx| async move { capabilities(&cx) },
        ))
        .tool(tool(
            "test_missing_capability",
            "Needs the client's model (sampling) whether or not the client declared the \
             sampling capability; a client without it gets an error naming the capability.",
            |cx| async move { missing_capability(&cx) },
        ))
        .tool(tool(
            "test_streaming_elicitation",
            "Asks the user for a word under the key word (elicitation), then repeats it.",
            |cx| async move { streaming_elicitation(&cx) },
        ))
}

type Outcome = Result<ToolOutcome, HandlerError>;

/// A tool without arguments.
fn tool<F, Fut>(name: &str, description: &str, handler: F) -> ToolDef
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    ToolDef::new(name, move |cx: Context, _args: NoArgs| handler(cx)).description(description)
}

fn ask(request: InputRequired) -> Outcome {
    Ok(ToolOutcome::InputRequired(request))
}

/// An elicitation with one required string field.
fn text_question(message: &str, field: &str) -> ElicitParams {
    ElicitParams::form(message, form(vec![(field, string_field(message))]))
}

/// An elicitation with one required boolean field, `ok`.
fn confirmation() -> ElicitParams {
    let field = PrimitiveSchema::Boolean(BooleanSchema {
        description: Some("Whether to go ahead".to_owned()),
        ..BooleanSchema::default()
    });
    ElicitParams::form("Please confirm", form(vec![("ok", field)]))
}

/// The accepted string field `field` of the elicitation answer under `key`.
fn accepted_text(cx: &Context, key: &str, field: &str) -> Option<String> {
    let content = cx.input().accepted(key)?;
    let value = serde_json::to_value(content.get(field)?).ok()?;
    Some(match value {
        Value::String(text) => text,
        other => other.to_string(),
    })
}

fn ask_name(cx: &Context) -> Outcome {
    match cx.input().elicit("user_name") {
        None => {
            ask(InputRequired::new()
                .elicit("user_name", text_question("What is your name?", "name")))
        }
        Some(_) => {
            let name = accepted_text(cx, "user_name", "name");
            Ok(complete(match name {
                Some(name) => format!("Hello, {name}!"),
                None => "Hello, whoever you are!".to_owned(),
            }))
        }
    }
}

fn ask_capital(cx: &Context) -> Outcome {
    match cx.input().get("capital_question") {
        None => ask(InputRequired::new().sample(
            "capital_question",
            sampling_request("What is the capital of France?", 100),
        )),
        Some(answer) => Ok(complete(sampled_text(answer)?)),
    }
}

fn ask_roots(cx: &Context) -> Outcome {
    match cx.input().get("client_roots") {
        None => ask(InputRequired::new().roots("client_roots")),
        Some(answer) => Ok(complete(format!("Client roots: {}", roots_text(answer)?))),
    }
}

/// The URIs of a roots answer, comma-separated.
fn roots_text(answer: &InputResponse) -> Result<String, HandlerError> {
    let InputResponse::ListRoots(list) = answer else {
        return Err(HandlerError::invalid_params(
            "expected the answer to a roots/list request",
        ));
    };
    let uris: Vec<&str> = list.roots.iter().map(|root| root.uri.as_str()).collect();
    Ok(if uris.is_empty() {
        "none".to_owned()
    } else {
        uris.join(", ")
    })
}

/// The state `test_input_required_result_request_state` hands out.
fn expected_state() -> Value {
    json!({ "tool": "test_input_required_result_request_state", "round": 1 })
}

fn request_state(cx: &Context) -> Outcome {
    let Some(answer) = cx.input().elicit("confirm") else {
        return ask(InputRequired::new()
            .elicit("confirm", confirmation())
            .state(expected_state()));
    };
    if cx.state() != Some(&expected_state()) {
        return Err(HandlerError::invalid_params(
            "the request state is missing or not the one this tool handed out",
        ));
    }
    Ok(complete(format!(
        "state-ok: the request state came back intact; {}",
        describe_elicitation(answer)
    )))
}

fn multiple_inputs(cx: &Context) -> Outcome {
    let input = cx.input();
    let mut missing = InputRequired::new();
    if input.elicit("user_name").is_none() {
        missing = missing.elicit("user_name", text_question("What is your name?", "name"));
    }
    if input.get("greeting").is_none() {
        missing = missing.sample("greeting", sampling_request("Write a short greeting.", 50));
    }
    if input.get("client_roots").is_none() {
        missing = missing.roots("client_roots");
    }
    if !missing.requests().is_empty() {
        // The state records that the tool is collecting answers; it carries nothing secret.
        return ask(
            missing.state(json!({ "collecting": ["user_name", "greeting", "client_roots"] }))
        );
    }
    let name = accepted_text(cx, "user_name", "name").unwrap_or_else(|| "(declined)".to_owned());
    let greeting = sampled_text(input.get("greeting").expect("checked above"))?;
    let roots = roots_text(input.get("client_roots").expect("checked above"))?;
    Ok(complete(format!(
        "Name: {name}; greeting: {greeting}; roots: {roots}"
    )))
}

fn multi_round(cx: &Context) -> Outcome {
    let round = cx
        .state()
        .and_then(|state| state.get("round"))
        .and_then(Value::as_u64);
    match round {
        Some(2) if cx.input().elicit("step2").is_some() => {
            let name = cx
                .state()
                .and_then(|state| state.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("someone");
            let colour =
                accepted_text(cx, "step2", "color").unwrap_or_else(|| "no colour".to_owned());
            Ok(complete(format!("{name} likes {colour}.")))
        }
        Some(1) if cx.input().elicit("step1").is_some() => {
            let name = accepted_text(cx, "step1", "name").unwrap_or_else(|| "someone".to_owned());
            ask(InputRequired::new()
                .elicit(
                    "step2",
                    text_question("Step 2: what is your favourite colour?", "color"),
                )
                .state(json!({ "round": 2, "name": name })))
        }
        Some(2) => ask(InputRequired::new()
            .elicit(
                "step2",
                text_question("Step 2: what is your favourite colour?", "color"),
            )
            .state(cx.state().cloned().unwrap_or_default())),
        _ => ask(InputRequired::new()
            .elicit("step1", text_question("Step 1: what is your name?", "name"))
            .state(json!({ "round": 1 }))),
    }
}

fn tampered_state(cx: &Context) -> Outcome {
    let expected = json!({ "tool": "test_input_required_result_tampered_state" });
    match cx.input().elicit("confirm") {
        Some(answer) if cx.state() == Some(&expected) => Ok(complete(format!(
            "The request state was intact; {}",
            describe_elicitation(answer)
        ))),
        Some(_) => Err(HandlerError::invalid_params(
            "the request state is missing or not the one this tool handed out",
        )),
        None => ask(InputRequired::new()
            .elicit("confirm", confirmation())
            .state(expected)),
    }
}

fn capabilities(cx: &Context) -> Outcome {
    let ClientCapabilities {
        sampling,
        elicitation,
        roots,
        ..
    } = cx.client_capabilities();
    let input = cx.input();
    let mut missing = InputRequired::new();
    if sampling.is_some() && input.get("model").is_none() {
        missing = missing.sample("model", sampling_request("Say hello.", 20));
    }
    if elicitation.is_some() && input.elicit("user").is_none() {
        missing = missing.elicit("user", text_question("What is your name?", "name"));
    }
    if roots.is_some() && input.get("roots").is_none() {
        missing = missing.roots("roots");
    }
    if !missing.requests().is_empty() {
        return ask(missing);
    }
    let mut answered: Vec<&str> = input.responses().keys().map(String::as_str).collect();
    answered.retain(|key| ["model", "user", "roots"].contains(key));
    Ok(complete(if answered.is_empty() {
        "The client declared no capability to ask with.".to_owned()
    } else {
        format!("Answered: {}", answered.join(", "))
    }))
}

fn missing_capability(cx: &Context) -> Outcome {
    match cx.input().get("model") {
        None => ask(InputRequired::new().sample("model", sampling_request("Say hello.", 20))),
        Some(answer) => Ok(complete(format!("Model answer: {}", sampled_text(answer)?))),
    }
}

fn streaming_elicitation(cx: &Context) -> Outcome {
    match cx.input().elicit("word") {
        None => ask(InputRequired::new().elicit("word", text_question("Say a word.", "word"))),
        Some(answer) => Ok(complete(match accepted_text(cx, "word", "word") {
            Some(word) => format!("You said: {word}"),
            None => format!("No word: {}", describe_elicitation(answer)),
        })),
    }
}
