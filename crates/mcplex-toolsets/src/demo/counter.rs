//! The shared counter: the `demo://counter` resource and the `increment` tool, which notifies
//! the resource's subscribers.

use mcplex_core::{
    Context, HandlerError, ReadResult, ResourceDef, ServerBuilder, TemplateVars, ToolDef,
    text_contents,
};
use schemars::JsonSchema;
use serde::Deserialize;

use super::read_counter;
use super::tools::writes_shared_state;

/// The URI of the counter resource.
pub const COUNTER_URI: &str = "demo://counter";

/// The counter's key in the key-value store.
const KEY: &str = "demo:counter";

/// The arguments of the increment tool.
#[derive(Debug, Deserialize, JsonSchema)]
struct IncrementArgs {
    /// How much to add to the counter (negative to subtract). Default 1.
    #[serde(default = "default_by")]
    by: i64,
}

fn default_by() -> i64 {
    1
}

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .resource(
            ResourceDef::new(COUNTER_URI, "counter", read)
                .title("Shared counter")
                .description(
                    "The current value of the shared counter, as a decimal integer (0 until \
                     first incremented). Changed by the increment tool; subscribe to be told \
                     of changes.",
                )
                .mime_type("text/plain"),
        )
        .tool(
            ToolDef::new("increment", increment)
                .title("Increment the counter")
                .description(
                    "Adds `by` (default 1) to the shared counter atomically and returns \"counter \
                     is now N\". Subscribers of the demo://counter resource are notified. Use it \
                     to try resource subscriptions.",
                )
                .annotations(writes_shared_state()),
        )
}

async fn read(cx: Context, uri: String, _vars: TemplateVars) -> ReadResult {
    let value = read_counter(cx.kv().as_ref(), KEY).await?;
    Ok(text_contents(uri, value.to_string(), "text/plain"))
}

async fn increment(cx: Context, args: IncrementArgs) -> Result<String, HandlerError> {
    let value = cx.kv().incr(KEY, args.by).await?;
    super::notify_updated(&cx, COUNTER_URI).await;
    Ok(format!("counter is now {value}"))
}
