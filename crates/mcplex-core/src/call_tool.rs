//! `tools/call`, including multi round-trip requests on both wires.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::Poll;

use futures_util::FutureExt;
use mcplex_protocol::model::{CallToolParams, CallToolResult, InputResponses};
use mcplex_protocol::{ErrorCode, ErrorObject, Payload, Request};
use tokio_util::sync::CancellationToken;

use crate::context::CallShared;
use crate::mrtr::{Outcome, Resolution};
use crate::router::{Peer, Wire};
use crate::tool::ToolOutcome;
use crate::{Context, Server, ToolDef};

impl Server {
    /// Calls a tool. The checks and lookups run (and fail) before the returned future is made, so that the
    /// future (part of every `tools/call` request's future) holds only what the call needs
    /// across its waits, not the whole params (async fn arguments live as long as the future).
    pub(crate) fn call_tool<'a>(
        &'a self,
        req: &'a Request,
        p: CallToolParams,
        wire: Wire,
        peer: &'a Arc<Peer>,
        cancel: CancellationToken,
    ) -> Result<impl Future<Output = Result<Payload, ErrorObject>> + Send + 'a, ErrorObject> {
        let (tool, shared, call) = self.prepare_call(req, p, &wire, peer, &cancel)?;
        Ok(async move {
            let version = wire.version();
            let arguments = call.arguments;
            let cancel = &cancel;
            let tool = &tool;
            let resolution = self
                .resolve_input(
                    req,
                    &wire,
                    &shared,
                    peer,
                    cancel,
                    call.request_state.as_deref(),
                    call.input_responses,
                    |cx| {
                        let arguments = arguments.clone();
                        async move {
                            Ok(match self.run_tool(tool, cx, arguments, cancel).await? {
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
        })
    }

    /// Checks the arguments, finds the tool and builds the request's shared context.
    fn prepare_call(
        &self,
        req: &Request,
        p: CallToolParams,
        wire: &Wire,
        peer: &Arc<Peer>,
        cancel: &CancellationToken,
    ) -> Result<(ToolDef, std::sync::Arc<CallShared>, Call), ErrorObject> {
        let mut arguments = p.arguments;
        if let Some(raw) = &arguments {
            if raw.get() == "null" {
                arguments = None;
            } else if !raw.is_object() {
                return Err(ErrorObject::invalid_params(
                    "tool arguments must be an object",
                ));
            }
        }
        let tool = self
            .registry()
            .tool(&p.name)
            .ok_or_else(|| ErrorObject::invalid_params(format!("unknown tool: {}", p.name)))?
            .clone();
        let shared = self.call_shared(req, wire, p.meta.as_ref(), peer, cancel.clone());
        let call = Call {
            arguments,
            request_state: p.request_state,
            input_responses: p.input_responses,
        };
        Ok((tool, shared, call))
    }

    /// Runs a tool handler with the tool timeout, cancellation and panic containment.
    async fn run_tool(
        &self,
        tool: &ToolDef,
        cx: Context,
        arguments: Option<Payload>,
        cancel: &CancellationToken,
    ) -> Result<ToolOutcome, ErrorObject> {
        let name = &tool.tool().name;
        let mut call = AssertUnwindSafe(tool.handler().call(cx, arguments)).catch_unwind();
        // A handler that completes at once needs no timer: poll it before arming one. The
        // waiting path lives in its own boxed future, so that this one (part of every
        // request's future) stays small.
        let first = std::future::poll_fn(|task| Poll::Ready(call.poll_unpin(task))).await;
        let outcome = match first {
            Poll::Ready(outcome) => outcome,
            Poll::Pending => match Box::pin(self.wait_tool(name, call, cancel)).await {
                Waited::Done(outcome) => outcome,
                Waited::TimedOut => {
                    return Ok(ToolOutcome::complete(CallToolResult::error(
                        "tool call timed out",
                    )));
                }
                Waited::Cancelled => return Err(cancelled()),
            },
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

    /// Waits for a tool handler that did not complete at once, under the tool timeout and the
    /// request's cancellation.
    async fn wait_tool<F: Future + Unpin>(
        &self,
        name: &str,
        mut call: F,
        cancel: &CancellationToken,
    ) -> Waited<F::Output> {
        let grace = self.inner.limits.cancel_grace;
        tokio::select! {
            outcome = &mut call => Waited::Done(outcome),
            () = tokio::time::sleep(self.inner.limits.tool_timeout) => {
                tracing::warn!(tool = %name, "tool call timed out");
                cancel.cancel();
                // The handler may notice the cancellation and clean up; its result is dropped.
                let _ = tokio::time::timeout(grace, &mut call).await;
                Waited::TimedOut
            }
            () = cancel.cancelled() => {
                // Give the handler a moment to observe the cancellation itself.
                match tokio::time::timeout(grace, &mut call).await {
                    Ok(outcome) => Waited::Done(outcome),
                    Err(_) => Waited::Cancelled,
                }
            }
        }
    }
}

/// How waiting for a tool handler ended.
enum Waited<T> {
    /// The handler completed (perhaps after observing a cancellation).
    Done(T),
    /// The tool timeout fired first.
    TimedOut,
    /// The request was cancelled and the handler did not finish within the grace period.
    Cancelled,
}

/// What a `tools/call` keeps of its params while it runs.
struct Call {
    arguments: Option<Payload>,
    request_state: Option<String>,
    input_responses: Option<InputResponses>,
}

pub(crate) fn cancelled() -> ErrorObject {
    ErrorObject::new(ErrorCode::SERVER_ERROR, "request cancelled")
}
