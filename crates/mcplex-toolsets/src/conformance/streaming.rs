//! Tools that send notifications while they run: log messages and progress.

use std::time::Duration;

use mcplex_core::protocol::model::LoggingLevel;
use mcplex_core::{Context, HandlerError, ServerBuilder, ToolDef};

use super::{NoArgs, read_only};

/// The logger name on the log messages.
const LOGGER: &str = "conformance";

/// The pause between the notifications of one call.
const PAUSE: Duration = Duration::from_millis(50);

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(
            ToolDef::new("test_tool_with_logging", logging_with_pauses)
                .description(
                    "Sends three info-level log messages (notifications/message) about 50 ms \
                     apart while it runs, then returns a text block. Log messages below the \
                     level set with logging/setLevel (stateful revisions) or the request's log \
                     level (2026-07-28) are not sent.",
                )
                .annotations(read_only()),
        )
        .tool(
            ToolDef::new("test_logging_tool", logging_at_once)
                .description(
                    "Sends three info-level log messages at once, then returns a text block. On \
                     2026-07-28 a request without a log level in its _meta gets no log messages.",
                )
                .annotations(read_only()),
        )
        .tool(
            ToolDef::new("test_tool_with_progress", progress)
                .description(
                    "Reports progress 0, 50 and 100 of 100 about 50 ms apart when the request \
                     carries a progress token, then returns a text block.",
                )
                .annotations(read_only()),
        )
        .tool(
            ToolDef::new("test_reconnection", reconnection)
                .description(
                    "Logs that it started (info), then takes about 300 ms before it returns a \
                     text block, so that the response is a stream that a client can drop and \
                     resume with Last-Event-ID meanwhile.",
                )
                .annotations(read_only()),
        )
}

async fn logging_with_pauses(cx: Context, _args: NoArgs) -> Result<String, HandlerError> {
    let messages = [
        "test_tool_with_logging: started",
        "test_tool_with_logging: working",
        "test_tool_with_logging: finishing",
    ];
    for (i, message) in messages.into_iter().enumerate() {
        if i > 0 {
            pause(&cx).await?;
        }
        cx.log(LoggingLevel::Info, Some(LOGGER), message);
    }
    Ok("test_tool_with_logging sent three log messages.".to_owned())
}

async fn logging_at_once(cx: Context, _args: NoArgs) -> String {
    for n in 1..=3 {
        cx.log(
            LoggingLevel::Info,
            Some(LOGGER),
            format!("test_logging_tool: message {n} of 3"),
        );
    }
    "test_logging_tool logged three messages (if the request enabled logging).".to_owned()
}

async fn progress(cx: Context, _args: NoArgs) -> Result<String, HandlerError> {
    for (i, done) in [0.0, 50.0, 100.0].into_iter().enumerate() {
        if i > 0 {
            pause(&cx).await?;
        }
        cx.progress(done, Some(100.0), Some(&format!("{done} of 100")));
    }
    Ok("test_tool_with_progress reported 0, 50 and 100 of 100.".to_owned())
}

async fn reconnection(cx: Context, _args: NoArgs) -> Result<String, HandlerError> {
    // A notification before the result makes Streamable HTTP answer with an SSE stream.
    cx.log(
        LoggingLevel::Info,
        Some(LOGGER),
        "test_reconnection: started",
    );
    for _ in 0..6 {
        pause(&cx).await?;
    }
    Ok("test_reconnection finished.".to_owned())
}

/// Waits [`PAUSE`], or fails when the request is cancelled meanwhile.
async fn pause(cx: &Context) -> Result<(), HandlerError> {
    tokio::select! {
        () = tokio::time::sleep(PAUSE) => Ok(()),
        () = cx.cancellation().cancelled() => Err(HandlerError::new("the request was cancelled")),
    }
}
