//! The reader and writer tasks of a connection.

use std::sync::Arc;
use std::time::Duration;

use futures_core::Stream;
use futures_util::{Sink, SinkExt, StreamExt};
use mcplex_protocol::Message;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::connection::{Outbound, Shared};

/// How long a writer may take to close when the last client handle is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Starts the reader and writer tasks; returns the reader's handle.
pub(super) fn spawn<R, W>(
    shared: &Arc<Shared>,
    reader: R,
    writer: W,
    rx: mpsc::Receiver<Outbound>,
) -> JoinHandle<()>
where
    R: Stream<Item = Result<Message, mcplex_transport::Error>> + Send + Unpin + 'static,
    W: Sink<Message, Error = mcplex_transport::Error> + Send + Unpin + 'static,
{
    tokio::spawn(write_loop(Arc::clone(shared), writer, rx));
    tokio::spawn(read_loop(Arc::clone(shared), reader))
}

async fn read_loop<R>(shared: Arc<Shared>, mut reader: R)
where
    R: Stream<Item = Result<Message, mcplex_transport::Error>> + Unpin,
{
    loop {
        let item = tokio::select! {
            biased;
            () = shared.shutdown.cancelled() => break,
            item = reader.next() => item,
        };
        match item {
            Some(Ok(message)) => shared.dispatch(message),
            Some(Err(e)) => {
                if let Some(decode) = e.decode_error() {
                    tracing::warn!(error = %decode, "undecodable message from the server");
                    shared.enqueue_nowait(Message::Error(decode.to_response()));
                } else if e.is_fatal() {
                    tracing::debug!(error = %e, "connection failed");
                    break;
                } else {
                    tracing::warn!(error = %e, "message from the server skipped");
                }
            }
            None => break,
        }
    }
    shared.close_all();
}

/// Why the writer loop stopped.
enum Stop {
    /// The connection is over (every client handle dropped, or the reader ended).
    Shutdown,
    /// Writing failed.
    Failed(mcplex_transport::Error),
    /// [`Outbound::Close`]: close cleanly and report.
    Close(oneshot::Sender<Result<(), mcplex_transport::Error>>),
}

async fn write_loop<W>(shared: Arc<Shared>, mut writer: W, mut rx: mpsc::Receiver<Outbound>)
where
    W: Sink<Message, Error = mcplex_transport::Error> + Unpin,
{
    let stop = tokio::select! {
        biased;
        () = shared.shutdown.cancelled() => Stop::Shutdown,
        stop = write_batches(&mut writer, &mut rx) => stop,
    };
    match stop {
        Stop::Shutdown => {
            let _ = tokio::time::timeout(CLOSE_GRACE, writer.close()).await;
        }
        Stop::Failed(e) => tracing::debug!(error = %e, "writing to the server failed"),
        Stop::Close(reply) => {
            let _ = reply.send(writer.close().await);
        }
    }
    drop(rx);
    shared.close_all();
}

/// Writes queued messages, flushing whenever the queue runs empty so that pipelined
/// requests leave in one write.
async fn write_batches<W>(writer: &mut W, rx: &mut mpsc::Receiver<Outbound>) -> Stop
where
    W: Sink<Message, Error = mcplex_transport::Error> + Unpin,
{
    while let Some(mut item) = rx.recv().await {
        loop {
            match item {
                Outbound::Message(message) => {
                    if let Err(e) = writer.feed(message).await {
                        return Stop::Failed(e);
                    }
                }
                Outbound::Close(reply) => return Stop::Close(reply),
            }
            match rx.try_recv() {
                Ok(next) => item = next,
                Err(_) => break,
            }
        }
        if let Err(e) = writer.flush().await {
            return Stop::Failed(e);
        }
    }
    Stop::Shutdown
}
