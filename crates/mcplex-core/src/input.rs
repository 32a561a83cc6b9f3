//! Asking the client for input: the one way a handler does it, on every wire.

use std::collections::BTreeMap;

use mcplex_protocol::model::{
    CreateMessageParams, ElicitAction, ElicitParams, ElicitResult, ElicitValue, InputRequest,
    InputRequests, InputResponse, InputResponses,
};
use serde_json::Value;

/// A handler's request for client input: elicitation, sampling or the client's roots.
///
/// Return it from a handler (tool, prompt or resource) when it needs something from the
/// client. On the 2026-07-28 wire the server answers with an `input_required` result carrying
/// the requests and a sealed copy of [`InputRequired::state`]; on stateful wires it sends the
/// requests to the client itself. Either way the handler is then called again with the answers
/// available through [`Context::input`](crate::Context::input) and the state through
/// [`Context::state`](crate::Context::state) — the same handler code serves both.
///
/// ```
/// use mcplex_core::InputRequired;
/// use mcplex_protocol::model::ElicitParams;
///
/// let ask = InputRequired::new()
///     .elicit("name", ElicitParams::form("What is your name?", Default::default()))
///     .state(serde_json::json!({ "step": 1 }));
/// assert_eq!(ask.requests().len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputRequired {
    requests: InputRequests,
    state: Option<Value>,
}

impl InputRequired {
    /// No requests yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an elicitation (ask the user) under `key`.
    pub fn elicit(mut self, key: impl Into<String>, params: ElicitParams) -> Self {
        self.requests
            .insert(key.into(), InputRequest::Elicit(params));
        self
    }

    /// Adds a sampling request (ask the client's model) under `key`.
    pub fn sample(mut self, key: impl Into<String>, params: CreateMessageParams) -> Self {
        self.requests
            .insert(key.into(), InputRequest::CreateMessage(params));
        self
    }

    /// Asks for the client's roots under `key`.
    pub fn roots(mut self, key: impl Into<String>) -> Self {
        self.requests
            .insert(key.into(), InputRequest::ListRoots(None));
        self
    }

    /// State handed back to the handler on the next call (sealed on the 2026-07-28 wire, so
    /// the client can neither read-protect nor alter it: keep secrets out).
    pub fn state(mut self, state: Value) -> Self {
        self.state = Some(state);
        self
    }

    /// The requests, by key.
    pub fn requests(&self) -> &InputRequests {
        &self.requests
    }

    /// The state value.
    pub fn state_value(&self) -> Option<&Value> {
        self.state.as_ref()
    }

    pub(crate) fn into_parts(self) -> (InputRequests, Option<Value>) {
        (self.requests, self.state)
    }
}

/// The client's answers to an earlier [`InputRequired`], by key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Input {
    responses: InputResponses,
}

impl Input {
    pub(crate) fn new(responses: InputResponses) -> Self {
        Self { responses }
    }

    /// Whether no answers are present (the first call of a request).
    pub fn is_empty(&self) -> bool {
        self.responses.is_empty()
    }

    /// The answer under `key`.
    pub fn get(&self, key: &str) -> Option<&InputResponse> {
        self.responses.get(key)
    }

    /// The elicitation answer under `key`.
    pub fn elicit(&self, key: &str) -> Option<&ElicitResult> {
        match self.responses.get(key)? {
            InputResponse::Elicit(r) => Some(r),
            _ => None,
        }
    }

    /// The accepted elicitation content under `key`, when the user accepted.
    pub fn accepted(&self, key: &str) -> Option<&BTreeMap<String, ElicitValue>> {
        let r = self.elicit(key)?;
        match r.action {
            ElicitAction::Accept => r.content.as_ref(),
            _ => None,
        }
    }

    /// All answers.
    pub fn responses(&self) -> &InputResponses {
        &self.responses
    }
}
