//! `long_task`, which reports progress and honours cancellation, and `task_stats`, which makes
//! its runs observable.

use std::time::Duration;

use mcplex_core::{Context, HandlerError, Json, ServerBuilder, ToolDef};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::read_counter;
use super::tools::read_only;

/// The key-value store key counting `long_task` runs that started.
const STARTED: &str = "demo:long_task:started";
/// ... that completed.
const COMPLETED: &str = "demo:long_task:completed";
/// ... that were cancelled.
const CANCELLED: &str = "demo:long_task:cancelled";

const MAX_STEPS: i64 = 1000;
const MAX_DELAY_MS: i64 = 10_000;

/// The arguments of the long_task tool.
#[derive(Debug, Deserialize, JsonSchema)]
struct LongTaskArgs {
    /// How many steps to run, from 1 to 1000. A progress notification follows each step.
    #[serde(default = "default_steps")]
    #[schemars(range(min = 1, max = 1000))]
    steps: i64,
    /// How long each step takes, in milliseconds, from 0 to 10000.
    #[serde(default = "default_delay_ms")]
    #[schemars(range(min = 0, max = 10000))]
    delay_ms: i64,
}

fn default_steps() -> i64 {
    5
}

fn default_delay_ms() -> i64 {
    100
}

/// The task_stats tool takes no arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

/// How many long_task runs started, completed and were cancelled.
#[derive(Debug, Serialize, JsonSchema)]
struct TaskStats {
    /// Runs that started (with valid arguments).
    started: i64,
    /// Runs that finished every step.
    completed: i64,
    /// Runs that noticed their request was cancelled and stopped early.
    cancelled: i64,
}

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder.tool(long_task()).tool(task_stats())
}

fn long_task() -> ToolDef {
    ToolDef::new("long_task", run_long_task)
        .title("Long-running task")
        .description(
            "Simulates slow work: runs `steps` steps (default 5) of `delay_ms` milliseconds each \
         (default 100) and sends a progress notification after each step when the request asks \
         for progress. Cancelling the request stops it early. Returns \"completed N steps\". Use \
         it to try progress reporting and cancellation; task_stats shows the outcome of past runs.",
        )
        .annotations(read_only())
}

async fn run_long_task(cx: Context, args: LongTaskArgs) -> Result<String, HandlerError> {
    let LongTaskArgs { steps, delay_ms } = args;
    if !(1..=MAX_STEPS).contains(&steps) {
        return Err(HandlerError::new(format!(
            "steps must be between 1 and {MAX_STEPS}, got {steps}"
        )));
    }
    if !(0..=MAX_DELAY_MS).contains(&delay_ms) {
        return Err(HandlerError::new(format!(
            "delay_ms must be between 0 and {MAX_DELAY_MS}, got {delay_ms}"
        )));
    }
    let delay = Duration::from_millis(delay_ms.unsigned_abs());
    let kv = cx.kv();
    kv.incr(STARTED, 1).await?;
    for step in 1..=steps {
        tokio::select! {
            biased;
            () = cx.cancellation().cancelled() => {
                kv.incr(CANCELLED, 1).await?;
                return Ok(format!("cancelled after {} of {steps} steps", step - 1));
            }
            () = tokio::time::sleep(delay) => {}
        }
        cx.progress(
            step as f64,
            Some(steps as f64),
            Some(&format!("step {step} of {steps}")),
        );
    }
    kv.incr(COMPLETED, 1).await?;
    Ok(format!("completed {steps} steps"))
}

fn task_stats() -> ToolDef {
    ToolDef::new("task_stats", |cx: Context, _args: NoArgs| async move {
        let kv = cx.kv();
        Ok::<_, HandlerError>(Json(TaskStats {
            started: read_counter(kv.as_ref(), STARTED).await?,
            completed: read_counter(kv.as_ref(), COMPLETED).await?,
            cancelled: read_counter(kv.as_ref(), CANCELLED).await?,
        }))
    })
    .title("Long task statistics")
    .description(
        "Returns how many long_task runs started, completed and were cancelled, as \
         {\"started\": n, \"completed\": n, \"cancelled\": n}. Use it to confirm that a \
         cancellation reached the server.",
    )
    .annotations(read_only())
    .output::<TaskStats>()
}
