//! The fixture toolset: the one server every core and transport test talks to.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mcplex_core::{
    Context, HandlerError, ResourceDef, Server, ServerBuilder, ToolDef, text_contents,
};
use mcplex_protocol::model::Implementation;
use schemars::JsonSchema;
use serde::Deserialize;

/// The server name the fixture reports in `serverInfo`.
pub const NAME: &str = "mcplex-fixture";

/// The URI of the `counter` resource: its text is how many times it has been read,
/// counting this read (`"1"`, `"2"`, ...).
pub const COUNTER_URI: &str = "fixture://counter";

/// The URI of the resource whose text is how many `slow` calls are running right now; a
/// cancelled call stops counting once its handler has stopped.
pub const SLOW_RUNNING_URI: &str = "fixture://slow/running";

/// How long `slow` sleeps when the call names no `ms`: long enough that a test always
/// cancels it first.
const SLOW_DEFAULT_MS: u64 = 60_000;

/// Arguments of `echo`.
#[derive(Debug, Deserialize, JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

/// Arguments of `slow`.
#[derive(Debug, Deserialize, JsonSchema)]
struct SlowArgs {
    /// How long to sleep, in milliseconds (default 60,000).
    #[serde(default)]
    ms: Option<u64>,
}

/// Arguments of `notify`.
#[derive(Debug, Deserialize, JsonSchema)]
struct NotifyArgs {
    /// How many progress notifications to send (default 3).
    #[serde(default)]
    steps: Option<u32>,
}

/// The fixture toolset as a builder, for tests that change its limits or state backends
/// before building.
///
/// | kind | name | what it does |
/// |------|------|--------------|
/// | tool | `echo` | returns its `text` argument as a text result |
/// | tool | `slow` | reports progress `0` ("started") when asked for progress, then sleeps `ms` milliseconds (default 60 s) and returns `"done"`; cancellation stops it at once |
/// | tool | `notify` | sends `steps` progress notifications (default 3), `1/steps` … `steps/steps`, then returns `"notified N"` |
/// | resource | [`COUNTER_URI`] | how many times it has been read |
/// | resource | [`SLOW_RUNNING_URI`] | how many `slow` calls are running |
///
/// Every call to this function makes fresh state.
pub fn fixture() -> ServerBuilder {
    let running = Arc::new(AtomicU64::new(0));
    let reads = Arc::new(AtomicU64::new(0));
    let running_view = running.clone();
    Server::builder()
        .info(Implementation::new(NAME, env!("CARGO_PKG_VERSION")))
        .tool(
            ToolDef::new(
                "echo",
                |_cx: Context, args: EchoArgs| async move { args.text },
            )
            .description("Returns the text it is given."),
        )
        .tool(
            ToolDef::new("slow", move |cx: Context, args: SlowArgs| {
                slow(cx, args, running.clone())
            })
            .description("Sleeps, honouring cancellation."),
        )
        .tool(
            ToolDef::new("notify", |cx: Context, args: NotifyArgs| async move {
                let steps = args.steps.unwrap_or(3);
                for step in 1..=steps {
                    let message = format!("step {step}");
                    cx.progress(f64::from(step), Some(f64::from(steps)), Some(&message));
                }
                format!("notified {steps}")
            })
            .description("Sends progress notifications, then returns."),
        )
        .resource(
            ResourceDef::new(COUNTER_URI, "counter", move |_cx, uri: String, _vars| {
                let n = reads.fetch_add(1, Ordering::SeqCst) + 1;
                async move { Ok(text_contents(uri, n.to_string(), "text/plain")) }
            })
            .mime_type("text/plain"),
        )
        .resource(
            ResourceDef::new(
                SLOW_RUNNING_URI,
                "slow-running",
                move |_cx, uri: String, _vars| {
                    let n = running_view.load(Ordering::SeqCst);
                    async move { Ok(text_contents(uri, n.to_string(), "text/plain")) }
                },
            )
            .mime_type("text/plain"),
        )
}

/// The fixture toolset, built with the default limits.
pub fn fixture_server() -> Server {
    fixture().build()
}

/// Counts a running `slow` call until dropped, however the handler ends.
struct Running(Arc<AtomicU64>);

impl Running {
    fn start(counter: Arc<AtomicU64>) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(counter)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn slow(
    cx: Context,
    args: SlowArgs,
    running: Arc<AtomicU64>,
) -> Result<&'static str, HandlerError> {
    let _running = Running::start(running);
    cx.progress(0.0, None, Some("started"));
    let ms = args.ms.unwrap_or(SLOW_DEFAULT_MS);
    tokio::select! {
        () = tokio::time::sleep(Duration::from_millis(ms)) => Ok("done"),
        () = cx.cancellation().cancelled() => Err(HandlerError::new("cancelled")),
    }
}
