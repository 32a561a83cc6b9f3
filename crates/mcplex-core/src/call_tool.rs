//! `tools/call`, including multi round-trip requests on both wires.

use std::panic::AssertUnwindSafe;
use std::pin::pin;

use futures_util::FutureExt;
use mcplex_protocol::model::{CallToolParams, CallToolResult};
use mcplex_protocol::{ErrorCode, ErrorObject, Payload, Request};
use tokio_util::sync::CancellationToken;

use crate::mrtr::{Outcome, Resolution};
use crate::router::{Peer, Wire};
use crate::tool::ToolOutcome;
use crate::{Context, Server, ToolDef};

impl Server {
    pub(crate) async fn call_tool(
        &self,
        req: &Request,
        p: CallToolParams,
        wire: Wire,
        peer: &Peer,
        cancel: CancellationToken,
    ) -> Result<Payload, ErrorObject> {
        let mut p = p;
        if let Some(arguments) = &p.arguments {
            if arguments.get() == "null" {
                p.arguments = None;
            } else if !arguments.is_object() {
                return Err(ErrorObject::invalid_params(
                    "tool arguments must be an object",
                ));
            }
        }
        let registry = self.registry();
        let tool = registry
            .tool(&p.name)
            .ok_or_else(|| ErrorObject::invalid_params(format!("unknown tool: {}", p.name)))?
            .clone();
        drop(registry);
        let shared = self.call_shared(req, &wire, p.meta.as_ref(), peer, cancel.clone());
        let version = wire.version();
        let arguments = p.arguments;
        let resolution = self
            .resolve_input(
                req,
                &wire,
                &shared,
                peer,
                &cancel,
                p.request_state.as_deref(),
                p.input_responses,
                |cx| {
                    let tool = tool.clone();
                    let arguments = arguments.clone();
                    async move {
                        Ok(match self.run_tool(&tool, cx, arguments).await? {
                            ToolOutcome::Complete(result) => Outcome::Complete(*result),
                            ToolOutcome::InputRequired(ask) => Outcome::InputRequired(ask),
                        })
                    }
                },
            )
            .await?;
        match resolution {
            Resolution::Complete(result) => self.finish(result, version),
            Resolution::Ask(result) => self.finish(*result, version),
            Resolution::Failed(message) => self.finish(CallToolResult::error(message), version),
        }
    }

    /// Runs a tool handler with the tool timeout, cancellation and panic containment.
    async fn run_tool(
        &self,
        tool: &ToolDef,
        cx: Context,
        arguments: Option<Payload>,
    ) -> Result<ToolOutcome, ErrorObject> {
        let cancel = cx.cancellation().clone();
        let name = &tool.tool().name;
        let mut call = pin!(AssertUnwindSafe(tool.handler().call(cx, arguments)).catch_unwind());
        let grace = self.inner.limits.cancel_grace;
        let outcome = tokio::select! {
            outcome = &mut call => outcome,
            () = tokio::time::sleep(self.inner.limits.tool_timeout) => {
                tracing::warn!(tool = %name, "tool call timed out");
                cancel.cancel();
                // The handler may notice the cancellation and clean up; its result is dropped.
                let _ = tokio::time::timeout(grace, &mut call).await;
                return Ok(ToolOutcome::complete(CallToolResult::error("tool call timed out")));
            }
            () = cancel.cancelled() => {
                // Give the handler a moment to observe the cancellation itself.
                match tokio::time::timeout(grace, &mut call).await {
                    Ok(outcome) => outcome,
                    Err(_) => return Err(cancelled()),
                }
            }
        };
        match outcome {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(error)) => match error.into_repr() {
                Ok(message) => Ok(ToolOutcome::complete(CallToolResult::error(message))),
                Err(error) => Err(error),
            },
            Err(_) => {
                tracing::error!(tool = %name, "tool handler panicked");
                Ok(ToolOutcome::complete(CallToolResult::error(
                    "the tool failed unexpectedly",
                )))
            }
        }
    }
}

pub(crate) fn cancelled() -> ErrorObject {
    ErrorObject::new(ErrorCode::SERVER_ERROR, "request cancelled")
}
