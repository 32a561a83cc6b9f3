//! Multi round-trip requests (2026-07-28): answering `input_required` results and retrying.

use futures_util::future::try_join_all;
use mcplex_protocol::model::{
    CallToolParams, GetPromptParams, InputRequests, InputRequiredResult, InputResponses,
    ReadResourceParams, ResultType,
};
use mcplex_protocol::{Payload, ProtocolVersion, Shape};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{CallOptions, Client, Error};

/// How many times a request is retried with answers before the client gives up with
/// [`Error::InputRequiredLoop`].
pub(super) const MAX_ROUNDS: usize = 8;

/// Parameters of the requests a server may answer with `input_required`.
pub(super) trait Retry: Serialize {
    /// Sets the answers and the echoed state for the retry.
    fn set_input(&mut self, responses: Option<InputResponses>, state: Option<String>);
}

macro_rules! impl_retry {
    ($($ty:ty),*) => {$(
        impl Retry for $ty {
            fn set_input(&mut self, responses: Option<InputResponses>, state: Option<String>) {
                self.input_responses = responses;
                self.request_state = state;
            }
        }
    )*};
}

impl_retry!(CallToolParams, GetPromptParams, ReadResourceParams);

impl Client {
    /// Sends `params`; on 2026-07-28, answers `input_required` results through the input
    /// handler and retries with the answers and the echoed `requestState`, up to
    /// [`MAX_ROUNDS`] times. Each retry is a new request with a new id.
    pub(super) async fn call_retrying<P: Retry, R: DeserializeOwned>(
        &self,
        method: &'static str,
        mut params: P,
        mut options: CallOptions,
    ) -> Result<R, Error> {
        let route = options
            .progress
            .take()
            .map(|tx| self.shared().route_progress(tx));
        let token = route.as_ref().map(|r| r.token());
        let mut rounds = 0;
        loop {
            let payload = Payload::from_serialize(&params).map_err(Error::Params)?;
            let result = self
                .send_request(method, Some(payload), &options, token)
                .await?;
            if !self.is_stateless() || !is_input_required(&result)? {
                return result.parse().map_err(Error::Decode);
            }
            if rounds == MAX_ROUNDS {
                return Err(Error::InputRequiredLoop { rounds });
            }
            rounds += 1;
            let interim: InputRequiredResult = result.parse().map_err(Error::Decode)?;
            let responses = self.answer_inputs(interim.input_requests).await?;
            params.set_input(responses, interim.request_state);
        }
    }

    /// Asks the input handler for every input request, concurrently.
    async fn answer_inputs(
        &self,
        requests: Option<InputRequests>,
    ) -> Result<Option<InputResponses>, Error> {
        let Some(requests) = requests.filter(|r| !r.is_empty()) else {
            return Ok(None);
        };
        let handler = self
            .shared()
            .input_handler
            .clone()
            .ok_or(Error::NoInputHandler)?;
        let answers = requests.into_iter().map(|(key, request)| {
            let answer = handler.handle(request);
            async move {
                let mut response = answer.await?;
                response.shape(ProtocolVersion::V2026_07_28);
                Ok((key, response))
            }
        });
        let answers = try_join_all(answers).await.map_err(Error::Input)?;
        Ok(Some(answers.into_iter().collect()))
    }
}

/// Whether a result is an `InputRequiredResult`.
fn is_input_required(result: &Payload) -> Result<bool, Error> {
    #[derive(Deserialize)]
    struct Peek {
        #[serde(rename = "resultType", default)]
        result_type: Option<ResultType>,
    }
    let peek: Peek = result.parse().map_err(Error::Decode)?;
    Ok(peek.result_type == Some(ResultType::InputRequired))
}
