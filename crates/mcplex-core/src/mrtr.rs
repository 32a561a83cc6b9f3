//! Multi round-trip requests on both wires: the one way a handler asks the client for input.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::join_all;
use mcplex_protocol::model::{
    ClientCapabilities, CreateMessageResult, ElicitMode, ElicitParams, ElicitResult,
    GetPromptResult, InputRequest, InputRequiredResult, InputResponse, InputResponses,
    ListRootsResult, ReadResourceResult,
};
use mcplex_protocol::{ErrorObject, Payload, Request, Shape, method};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::context::CallShared;
use crate::input::Input;
use crate::router::{Peer, Wire};
use crate::seal::{Binding, Sealer};
use crate::session::Session;
use crate::{Context, InputRequired, Server};

/// What a prompt or resource handler produced: its result, or a request for client input.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome<T> {
    /// The request is complete.
    Complete(T),
    /// The request needs input from the client first.
    InputRequired(InputRequired),
}

/// Converts a handler's return value into an [`Outcome`]: the result type itself, an
/// [`Outcome`], or an [`InputRequired`].
pub trait IntoOutcome<T> {
    /// Converts `self`.
    fn into_outcome(self) -> Outcome<T>;
}

impl<T> IntoOutcome<T> for Outcome<T> {
    fn into_outcome(self) -> Outcome<T> {
        self
    }
}

impl<T> IntoOutcome<T> for InputRequired {
    fn into_outcome(self) -> Outcome<T> {
        Outcome::InputRequired(self)
    }
}

impl IntoOutcome<GetPromptResult> for GetPromptResult {
    fn into_outcome(self) -> Outcome<GetPromptResult> {
        Outcome::Complete(self)
    }
}

impl IntoOutcome<ReadResourceResult> for ReadResourceResult {
    fn into_outcome(self) -> Outcome<ReadResourceResult> {
        Outcome::Complete(self)
    }
}

/// How a request that may ask for input ended.
pub(crate) enum Resolution<T> {
    /// The handler completed.
    Complete(T),
    /// 2026-07-28: the client must retry with the answers (already sealed).
    Ask(Box<InputRequiredResult>),
    /// Stateful wires: the input could not be obtained; the message says why.
    Failed(String),
}

impl Server {
    /// Runs `invoke` (one round of a handler) until it completes, asking the client for input
    /// the way the wire requires.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn resolve_input<T, F, Fut>(
        &self,
        req: &Request,
        wire: &Wire,
        shared: &Arc<CallShared>,
        peer: &Arc<Peer>,
        cancel: &CancellationToken,
        request_state: Option<&str>,
        input_responses: Option<InputResponses>,
        mut invoke: F,
    ) -> Result<Resolution<T>, ErrorObject>
    where
        F: FnMut(Context) -> Fut,
        Fut: Future<Output = Result<Outcome<T>, ErrorObject>>,
    {
        match wire {
            Wire::Stateless { .. } => {
                // The digest hashes the whole request: computed only when a seal is opened
                // or made, never for a request that completes without asking for input.
                let binding = || Binding {
                    principal: peer.principal.as_ref().map(|p| p.subject()),
                    request_digest: Self::binding_digest(req),
                };
                let sealer = &self.inner.sealer;
                let state = match request_state {
                    Some(token) => {
                        let binding = binding();
                        Some(sealer.open(token, &binding, Self::now()).map_err(|e| {
                            ErrorObject::invalid_params(format!("invalid requestState: {e}"))
                        })?)
                    }
                    None => None,
                };
                let input = Input::new(input_responses.unwrap_or_default());
                match invoke(Context::new(shared.clone(), input, state)).await? {
                    Outcome::Complete(result) => Ok(Resolution::Complete(result)),
                    Outcome::InputRequired(ask) => {
                        if let Some(missing) =
                            missing_capabilities(&ask, &shared.client_capabilities)
                        {
                            return Err(ErrorObject::missing_required_client_capability(missing));
                        }
                        let (requests, state) = ask.into_parts();
                        let binding = binding();
                        let token = sealer.seal(
                            &state.unwrap_or(Value::Null),
                            &binding,
                            self.inner.limits.request_state_ttl,
                            Self::now(),
                        );
                        if token.len() > Sealer::MAX_TOKEN_LEN {
                            return Err(ErrorObject::internal(
                                "the handler's request state is too large to send",
                            ));
                        }
                        Ok(Resolution::Ask(Box::new(InputRequiredResult::new(
                            requests,
                            Some(token),
                        ))))
                    }
                }
            }
            Wire::Stateful(session) => {
                let mut input = Input::default();
                let mut state = None;
                for _ in 0..=self.inner.limits.max_input_rounds {
                    let ask = match invoke(Context::new(shared.clone(), input, state)).await? {
                        Outcome::Complete(result) => return Ok(Resolution::Complete(result)),
                        Outcome::InputRequired(ask) => ask,
                    };
                    if missing_capabilities(&ask, &session.client_capabilities).is_some() {
                        return Ok(Resolution::Failed(
                            "this request needs input the client cannot provide \
                             (it did not declare the capability)"
                                .into(),
                        ));
                    }
                    let (requests, next_state) = ask.into_parts();
                    // Boxed: only requests that ask for input pay for this future's size.
                    match Box::pin(self.ask_client(session, peer, requests, cancel)).await {
                        Ok(responses) => input = Input::new(responses),
                        Err(e) => {
                            return Ok(Resolution::Failed(format!(
                                "the client did not provide the requested input: {}",
                                e.message
                            )));
                        }
                    }
                    state = next_state;
                }
                Ok(Resolution::Failed(
                    "the handler asked for input too many times".into(),
                ))
            }
        }
    }

    /// Sends input requests to the client as server-to-client requests and collects answers.
    async fn ask_client(
        &self,
        session: &Arc<Session>,
        peer: &Arc<Peer>,
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
