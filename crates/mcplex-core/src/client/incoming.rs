//! Requests from the server to the client (stateful revisions): `ping`, and elicitation,
//! sampling and roots through the [`InputHandler`](super::InputHandler).
//!
//! Each request is answered on a task of its own, so a slow answer (a user filling in a form)
//! never holds up the reader.

use std::sync::Arc;

use mcplex_protocol::model::InputRequest;
use mcplex_protocol::{
    ErrorObject, ErrorResponse, Message, Payload, Request, Response, Shape, method,
};

use super::connection::Shared;

/// Answers `request` on a new task; a `notifications/cancelled` naming it aborts the task.
pub(super) fn spawn(shared: &Arc<Shared>, request: Request) {
    let id = request.id.clone();
    // Holding the table while spawning keeps the task from finishing (and removing itself)
    // before it is in the table.
    let mut incoming = shared.incoming();
    let task_shared = Arc::clone(shared);
    let task = tokio::spawn(async move {
        let id = request.id.clone();
        let reply = match answer(&task_shared, request).await {
            Ok(result) => Message::Response(Response { id, result }),
            Err(error) => Message::Error(ErrorResponse::new(Some(id), error)),
        };
        if let Some(id) = reply.id() {
            task_shared.incoming().remove(id);
        }
        let _ = task_shared.enqueue(reply).await;
    });
    incoming.insert(id, task.abort_handle());
}

async fn answer(shared: &Shared, request: Request) -> Result<Payload, ErrorObject> {
    let input = match request.method.as_str() {
        method::PING => return Ok(Payload::empty_object()),
        method::ELICITATION_CREATE => InputRequest::Elicit(request.params_as()?),
        method::SAMPLING_CREATE_MESSAGE => InputRequest::CreateMessage(request.params_as()?),
        method::ROOTS_LIST => InputRequest::ListRoots(
            request
                .params
                .is_some()
                .then(|| request.params_as())
                .transpose()?,
        ),
        other => return Err(ErrorObject::method_not_found(other)),
    };
    let Some(handler) = &shared.input_handler else {
        return Err(ErrorObject::method_not_found(&request.method));
    };
    let mut response = handler.handle(input).await?;
    response.shape(shared.version());
    Payload::from_serialize(&response)
        .map_err(|e| ErrorObject::internal(format!("could not encode the answer: {e}")))
}
