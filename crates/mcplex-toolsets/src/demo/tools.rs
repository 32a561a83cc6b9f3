//! The stateless tools: `echo` and `add`.

use mcplex_core::protocol::model::ToolAnnotations;
use mcplex_core::{Context, Json, ServerBuilder, ToolDef};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The arguments of the echo tool.
#[derive(Debug, Deserialize, JsonSchema)]
struct EchoArgs {
    /// The text to return, unchanged.
    text: String,
}

/// The arguments of the add tool.
#[derive(Debug, Deserialize, JsonSchema)]
struct AddArgs {
    /// The first number.
    a: f64,
    /// The second number.
    b: f64,
}

/// The result of the add tool.
#[derive(Debug, Serialize, JsonSchema)]
struct Sum {
    /// The sum a + b.
    sum: f64,
}

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder.tool(echo()).tool(add())
}

fn echo() -> ToolDef {
    ToolDef::new(
        "echo",
        |_cx: Context, args: EchoArgs| async move { args.text },
    )
    .title("Echo")
    .description(
        "Returns the given text unchanged. Use it to check that the server is reachable \
             and that text survives the round trip.",
    )
    .annotations(read_only())
}

fn add() -> ToolDef {
    ToolDef::new("add", |_cx: Context, args: AddArgs| async move {
        Json(Sum {
            sum: args.a + args.b,
        })
    })
    .title("Add two numbers")
    .description(
        "Adds two numbers and returns {\"sum\": a + b} as structured output. Use it for exact \
         arithmetic instead of computing the sum yourself.",
    )
    .annotations(ToolAnnotations {
        idempotent_hint: Some(true),
        ..read_only()
    })
    .output::<Sum>()
}

/// Annotations of a tool that changes nothing and reaches nothing outside the server.
pub(super) fn read_only() -> ToolAnnotations {
    ToolAnnotations {
        read_only_hint: Some(true),
        open_world_hint: Some(false),
        ..ToolAnnotations::default()
    }
}

/// Annotations of a tool that changes the server's shared state, and nothing outside it.
pub(super) fn writes_shared_state() -> ToolAnnotations {
    ToolAnnotations {
        read_only_hint: Some(false),
        destructive_hint: Some(false),
        idempotent_hint: Some(false),
        open_world_hint: Some(false),
        ..ToolAnnotations::default()
    }
}
