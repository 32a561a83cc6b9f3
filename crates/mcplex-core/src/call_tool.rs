//! `tools/call`, including multi round-trip requests on both wires.

use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::future::join_all;
use mcplex_protocol::model::{
    CallToolParams, CallToolResult, ClientCapabilities, CreateMessageResult, ElicitMode,
    ElicitParams, ElicitResult, InputRequest, InputRequiredResult, InputResponse, InputResponses,
    ListRootsResult,
};
use mcplex_protocol::{ErrorCode, ErrorObject, Payload, Request, Shape, method};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::input::Input;
use crate::router::{Peer, Wire};
use crate::seal::Binding;
use crate::session::Session;
use crate::tool::ToolOutcome;
use crate::{Context, InputRequired, Server, ToolDef};

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
        match &wire {
            Wire::Stateless { .. } => {
                let principal = peer.principal.as_ref().map(|p| p.subject());
                let digest = Self::binding_digest(req);
                let binding = Binding {
                    principal,
                    request_digest: digest,
                };
                let state = match &p.request_state {
                    Some(token) => Some(
                        self.inner
                            .sealer
                            .open(token, &binding, Self::now())
                            .map_err(|e| {
                                ErrorObject::invalid_params(format!("invalid requestState: {e}"))
                            })?,
                    ),
                    None => None,
                };
                let input = Input::new(p.input_responses.unwrap_or_default());
                let cx = Context::new(shared.clone(), input, state);
                match self.run_tool(&tool, cx, p.arguments).await? {
                    ToolOutcome::Complete(result) => self.finish(*result, version),
                    ToolOutcome::InputRequired(ask) => {
                        let caps = &shared.client_capabilities;
                        if let Some(missing) = missing_capabilities(&ask, caps) {
                            return Err(ErrorObject::missing_required_client_capability(missing));
                        }
                        let (requests, state) = ask.into_parts();
                        let token = self.inner.sealer.seal(
                            &state.unwrap_or(Value::Null),
                            &binding,
                            self.inner.limits.request_state_ttl,
                            Self::now(),
                        );
                        if token.len() > crate::seal::Sealer::MAX_TOKEN_LEN {
                            return Err(ErrorObject::internal(
                                "the tool's request state is too large to send",
                            ));
                        }
                        let result = InputRequiredResult::new(requests, Some(token));
                        self.finish(result, version)
                    }
                }
            }
            Wire::Stateful(session) => {
                let mut input = Input::default();
                let mut state = None;
                for _ in 0..=self.inner.limits.max_input_rounds {
                    let cx = Context::new(shared.clone(), input, state);
                    let ask = match self.run_tool(&tool, cx, p.arguments.clone()).await? {
                        ToolOutcome::Complete(result) => return self.finish(*result, version),
                        ToolOutcome::InputRequired(ask) => ask,
                    };
                    if missing_capabilities(&ask, &session.client_capabilities).is_some() {
                        let result = CallToolResult::error(
                            "this tool needs input the client cannot provide \
                             (it did not declare the capability)",
                        );
                        return self.finish(result, version);
                    }
                    let (requests, next_state) = ask.into_parts();
                    match self.ask_client(session, peer, requests, &cancel).await {
                        Ok(responses) => input = Input::new(responses),
                        Err(e) => {
                            let result = CallToolResult::error(format!(
                                "the client did not provide the requested input: {}",
                                e.message
                            ));
                            return self.finish(result, version);
                        }
                    }
                    state = next_state;
                }
                self.finish(
                    CallToolResult::error("the tool asked for input too many times"),
                    version,
                )
            }
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
        let name = tool.tool().name.clone();
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

    /// Sends input requests to the client as server-to-client requests and collects answers.
    async fn ask_client(
        &self,
        session: &Arc<Session>,
        peer: &Peer,
        requests: mcplex_protocol::model::InputRequests,
        cancel: &CancellationToken,
    ) -> Result<InputResponses, ErrorObject> {
        let version = session.version;
        let timeout = self.inner.limits.input_timeout;
        let asks = requests.into_iter().map(|(key, request)| async move {
            let (method, params) = match request {
                InputRequest::Elicit(mut p) => {
                    p.shape(version);
                    (method::ELICITATION_CREATE, Payload::from_serialize(&p).ok())
                }
                InputRequest::CreateMessage(mut p) => {
                    p.shape(version);
                    (
                        method::SAMPLING_CREATE_MESSAGE,
                        Payload::from_serialize(&p).ok(),
                    )
                }
                InputRequest::ListRoots(_) => (method::ROOTS_LIST, None),
            };
            let answer = session
                .request(&peer.outbound, method, params, timeout, cancel)
                .await?;
            let response = match method {
                method::ELICITATION_CREATE => {
                    answer.parse::<ElicitResult>().map(InputResponse::Elicit)
                }
                method::SAMPLING_CREATE_MESSAGE => answer
                    .parse::<CreateMessageResult>()
                    .map(InputResponse::CreateMessage),
                _ => answer
                    .parse::<ListRootsResult>()
                    .map(InputResponse::ListRoots),
            }
            .map_err(|e| ErrorObject::invalid_params(format!("invalid answer to {method}: {e}")))?;
            Ok::<_, ErrorObject>((key, response))
        });
        join_all(asks).await.into_iter().collect()
    }
}

/// The capabilities the input requests need that the client did not declare, as the
/// `requiredCapabilities` value of a `-32021` error.
fn missing_capabilities(ask: &InputRequired, caps: &ClientCapabilities) -> Option<Value> {
    let mut missing = serde_json::Map::new();
    for request in ask.requests().values() {
        match request {
            InputRequest::Elicit(p) if !supports_elicitation(caps, p) => {
                // Name the mode only when the client has elicitation but not this mode.
                let needed = match (&caps.elicitation, p.mode) {
                    (None, _) => json!({}),
                    (Some(_), Some(ElicitMode::Url)) => json!({ "url": {} }),
                    (Some(_), _) => json!({ "form": {} }),
                };
                missing.insert("elicitation".into(), needed);
            }
            InputRequest::CreateMessage(_) if caps.sampling.is_none() => {
                missing.insert("sampling".into(), json!({}));
            }
            InputRequest::ListRoots(_) if caps.roots.is_none() => {
                missing.insert("roots".into(), json!({}));
            }
            _ => {}
        }
    }
    (!missing.is_empty()).then_some(Value::Object(missing))
}

/// Whether the client declared the elicitation mode a request uses; a bare `elicitation: {}`
/// means form mode only.
fn supports_elicitation(caps: &ClientCapabilities, params: &ElicitParams) -> bool {
    let Some(elicitation) = &caps.elicitation else {
        return false;
    };
    let declared_none = elicitation.form.is_none() && elicitation.url.is_none();
    match params.mode {
        Some(ElicitMode::Url) => elicitation.url.is_some(),
        _ => elicitation.form.is_some() || declared_none,
    }
}

pub(crate) fn cancelled() -> ErrorObject {
    ErrorObject::new(ErrorCode::SERVER_ERROR, "request cancelled")
}
