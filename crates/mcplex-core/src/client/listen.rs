//! `subscriptions/listen` (2026-07-28): a stream of the notifications a client opted in to.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use mcplex_protocol::model::{
    SubscriptionFilter, SubscriptionsAcknowledgedParams, SubscriptionsListenParams,
};
use mcplex_protocol::{Method, Notification, Payload, RequestId, method};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::connection::PendingCall;
use super::{Client, Error};

/// An open `subscriptions/listen` stream, made by [`Client::listen`].
///
/// It yields the notifications tagged with its subscription id (the id of the listen
/// request), in order, and ends when the server closes the subscription or the connection
/// closes. Dropping it cancels the subscription (`notifications/cancelled`).
///
/// The notifications also reach [`Client::notifications`]. When the subscription's buffer
/// ([`queue_capacity`](super::ClientOptions::queue_capacity)) is full, further notifications
/// are dropped from the subscription, so that a slow reader never stalls the connection.
#[derive(Debug)]
pub struct Subscription {
    call: PendingCall,
    rx: mpsc::Receiver<Notification>,
    early: VecDeque<Notification>,
    acknowledged: SubscriptionFilter,
    /// Keeps the connection open while the subscription lives.
    _client: Client,
}

impl Client {
    /// Opens a `subscriptions/listen` stream (2026-07-28) and waits for the server's
    /// `notifications/subscriptions/acknowledged`.
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`] on stateful revisions (use [`subscribe`](Self::subscribe) and
    /// [`notifications`](Self::notifications) there); [`Error::Rpc`] when the server refuses;
    /// [`Error::Timeout`] when no acknowledgement arrives within the request timeout;
    /// [`Error::Decode`] for a malformed acknowledgement; [`Error::Closed`].
    pub async fn listen(&self, filter: SubscriptionFilter) -> Result<Subscription, Error> {
        if !self.is_stateless() {
            return Err(Error::Unavailable {
                method: method::SUBSCRIPTIONS_LISTEN,
                version: self.protocol_version(),
            });
        }
        let shared = self.shared();
        let (tx, mut rx) = mpsc::channel(shared.queue_capacity);
        let mut call = shared.register(Some(tx))?;
        call.set_cancel_reason("subscription closed");
        let params = SubscriptionsListenParams {
            notifications: filter,
            meta: None,
        };
        let params = Payload::from_serialize(&params).map_err(Error::Params)?;
        let params = shared
            .stamp
            .apply(Some(params), None)
            .map_err(Error::Params)?;
        let deadline = Some(Instant::now() + shared.request_timeout);
        call.send(
            Method::from_static(method::SUBSCRIPTIONS_LISTEN),
            params,
            None,
            deadline,
        )
        .await?;

        let mut early = VecDeque::new();
        loop {
            tokio::select! {
                biased;
                note = rx.recv() => match note {
                    Some(note) if note.method == method::SUBSCRIPTIONS_ACKNOWLEDGED => {
                        let ack: SubscriptionsAcknowledgedParams = match &note.params {
                            Some(params) => params.parse().map_err(Error::Decode)?,
                            None => SubscriptionsAcknowledgedParams::default(),
                        };
                        return Ok(Subscription {
                            call,
                            rx,
                            early,
                            acknowledged: ack.notifications,
                            _client: self.clone(),
                        });
                    }
                    Some(note) => early.push_back(note),
                    None => return Err(Error::Closed),
                },
                // A response before the acknowledgement: a refusal, or an early end.
                outcome = call.wait(None, deadline) => return Err(outcome.err().unwrap_or(Error::Closed)),
            }
        }
    }
}

impl Subscription {
    /// The subscription id: the id of the `subscriptions/listen` request, which tags every
    /// notification on the stream.
    pub fn id(&self) -> RequestId {
        self.call.id()
    }

    /// What the server agreed to send: the subset of the requested filter it supports.
    pub fn acknowledged(&self) -> &SubscriptionFilter {
        &self.acknowledged
    }

    /// The next notification; `None` once the subscription has ended.
    pub async fn recv(&mut self) -> Option<Notification> {
        if let Some(note) = self.early.pop_front() {
            return Some(note);
        }
        self.rx.recv().await
    }
}

impl Stream for Subscription {
    type Item = Notification;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Notification>> {
        if let Some(note) = self.early.pop_front() {
            return Poll::Ready(Some(note));
        }
        self.rx.poll_recv(cx)
    }
}
