//! Change notifications: resource updates and list changes, delivered from the [`Fanout`] to
//! stateful sessions and to `subscriptions/listen` streams (2026-07-28).
//!
//! [`Fanout`]: crate::state::Fanout

use futures_util::StreamExt;
use mcplex_protocol::model::{
    NotificationMeta, NotificationParams, ResourceUpdatedParams, SubscriptionFilter,
    SubscriptionsAcknowledgedParams, SubscriptionsListenParams, SubscriptionsListenResult,
};
use mcplex_protocol::{
    ErrorObject, ErrorResponse, Message, Notification, Payload, Request, RequestId, Response,
    Shape, method,
};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use crate::Server;
use crate::outbound::Outbound;
use crate::router::{Peer, Wire, params};
use crate::server::Event;
use crate::session::Session;
use crate::state::{Subscription, Topic};

impl Server {
    /// Subscribes to server events (before the client can observe the session, so no event
    /// published after that is missed).
    pub(crate) async fn subscribe_events(&self) -> Option<Subscription> {
        match self.inner.fanout.subscribe(&Topic::events()).await {
            Ok(events) => Some(events),
            Err(e) => {
                tracing::warn!(error = %e, "subscribing to server events failed");
                None
            }
        }
    }

    /// Forwards events to a stateful session until `closed` fires.
    pub(crate) async fn pump_session_events(
        &self,
        mut events: Subscription,
        session: &Session,
        outbound: &Outbound,
        closed: &CancellationToken,
    ) {
        loop {
            let bytes = tokio::select! {
                item = events.next() => match item {
                    Some(bytes) => bytes,
                    None => return,
                },
                () = closed.cancelled() => return,
            };
            let Ok(event) = serde_json::from_slice::<Event>(&bytes) else {
                continue;
            };
            let wanted = match &event {
                Event::ResourceUpdated { uri } => session.is_subscribed(uri),
                _ => true,
            };
            if wanted && let Some(n) = event_notification(&event, None, session.version) {
                outbound.notify(Message::Notification(n));
            }
        }
    }

    /// Serves `subscriptions/listen` (2026-07-28): acknowledges, then forwards matching events
    /// tagged with the subscription id until the client cancels or the server shuts down.
    pub(crate) async fn listen(
        &self,
        req: Request,
        peer: &Arc<Peer>,
        cancel: CancellationToken,
    ) -> Message {
        let id = req.id.clone();
        match self.listen_inner(req, peer, cancel).await {
            Ok(result) => Message::Response(Response { id, result }),
            Err(error) => Message::Error(ErrorResponse::new(Some(id), error)),
        }
    }

    async fn listen_inner(
        &self,
        req: Request,
        peer: &Arc<Peer>,
        cancel: CancellationToken,
    ) -> Result<Payload, ErrorObject> {
        let mut p: SubscriptionsListenParams = params(&req)?;
        let version = match self.wire(peer, p.meta.as_mut())? {
            Wire::Stateless { version, .. } => version,
            Wire::Stateful(_) => return Err(ErrorObject::method_not_found(&req.method)),
        };
        let filter = acknowledged(&p.notifications);
        // Subscribe before acknowledging, so nothing published after the acknowledgement is
        // missed.
        let mut events = self
            .inner
            .fanout
            .subscribe(&Topic::events())
            .await
            .map_err(|e| ErrorObject::internal(format!("subscriptions unavailable: {e}")))?;
        let ack = SubscriptionsAcknowledgedParams {
            notifications: filter.clone(),
            meta: Some(NotificationMeta::with_subscription_id(req.id.clone())),
        };
        let ack = Notification::new(method::SUBSCRIPTIONS_ACKNOWLEDGED, &ack)
            .map_err(|e| ErrorObject::internal(e.to_string()))?;
        peer.outbound.notify(Message::Notification(ack));
        let shutdown = self.inner.shutdown.clone();
        loop {
            let bytes = tokio::select! {
                item = events.next() => match item {
                    Some(bytes) => bytes,
                    None => break,
                },
                () = cancel.cancelled() => break,
                () = shutdown.cancelled() => break,
            };
            let Ok(event) = serde_json::from_slice::<Event>(&bytes) else {
                continue;
            };
            if matches(&filter, &event)
                && let Some(n) = event_notification(&event, Some(&req.id), version)
            {
                peer.outbound.notify(Message::Notification(n));
            }
        }
        self.finish_listen(SubscriptionsListenResult::new(req.id.clone()), version)
    }

    fn finish_listen(
        &self,
        mut result: SubscriptionsListenResult,
        version: mcplex_protocol::ProtocolVersion,
    ) -> Result<Payload, ErrorObject> {
        result.meta.server_info = Some(self.inner.info.clone());
        result.shape(version);
        Payload::from_serialize(&result).map_err(|e| ErrorObject::internal(e.to_string()))
    }
}

/// The part of a requested filter this server honours (all of it).
fn acknowledged(requested: &SubscriptionFilter) -> SubscriptionFilter {
    SubscriptionFilter {
        tools_list_changed: requested.tools_list_changed.filter(|&b| b),
        prompts_list_changed: requested.prompts_list_changed.filter(|&b| b),
        resources_list_changed: requested.resources_list_changed.filter(|&b| b),
        resource_subscriptions: requested
            .resource_subscriptions
            .clone()
            .filter(|uris| !uris.is_empty()),
    }
}

fn matches(filter: &SubscriptionFilter, event: &Event) -> bool {
    match event {
        Event::ResourceUpdated { uri } => filter
            .resource_subscriptions
            .as_ref()
            .is_some_and(|uris| uris.iter().any(|u| u == uri)),
        Event::ToolsChanged => filter.tools_list_changed == Some(true),
        Event::ResourcesChanged => filter.resources_list_changed == Some(true),
        Event::PromptsChanged => filter.prompts_list_changed == Some(true),
    }
}

/// The notification for an event, tagged with a subscription id on `subscriptions/listen`.
fn event_notification(
    event: &Event,
    subscription: Option<&RequestId>,
    version: mcplex_protocol::ProtocolVersion,
) -> Option<Notification> {
    let meta = subscription.map(|id| NotificationMeta::with_subscription_id(id.clone()));
    let list_changed = |method: &'static str| {
        let params = NotificationParams { meta: meta.clone() };
        match &params.meta {
            Some(_) => Notification::new(method, &params).ok(),
            None => Some(Notification {
                method: mcplex_protocol::Method::from_static(method),
                params: None,
            }),
        }
    };
    match event {
        Event::ResourceUpdated { uri } => {
            let mut params = ResourceUpdatedParams::new(uri.clone());
            params.meta = meta.clone();
            params.shape(version);
            Notification::new(method::RESOURCES_UPDATED, &params).ok()
        }
        Event::ToolsChanged => list_changed(method::TOOLS_LIST_CHANGED),
        Event::ResourcesChanged => list_changed(method::RESOURCES_LIST_CHANGED),
        Event::PromptsChanged => list_changed(method::PROMPTS_LIST_CHANGED),
    }
}
