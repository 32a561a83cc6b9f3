//! The process's standard input, read on a thread of its own.

use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

/// How much one read from stdin asks for.
const CHUNK: usize = 64 * 1024;

/// Chunks read ahead of the consumer: enough to keep the pipe drained, small enough to bound
/// memory (and to stop reading when the server falls behind).
const READ_AHEAD: usize = 4;

/// The process's standard input as an [`AsyncRead`].
///
/// Unlike [`tokio::io::stdin`], which reads on the runtime's blocking pool, this reads on a
/// detached thread of its own. A read that blocks on a terminal or an open pipe therefore
/// never holds up the runtime's shutdown: a server stopped by a signal exits at once even
/// though its stdin is still open.
///
/// Make one per process (see [`stdin`]): two readers would share the input unpredictably.
#[derive(Debug)]
pub struct Stdin {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
    done: bool,
}

/// Starts reading the process's standard input; see [`Stdin`].
///
/// # Panics
///
/// Panics if the operating system cannot start a thread.
pub fn stdin() -> Stdin {
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    std::thread::Builder::new()
        .name("mcplex-stdin".into())
        .spawn(move || read_loop(&tx))
        .expect("failed to start the stdin thread");
    Stdin {
        rx,
        chunk: Bytes::new(),
        done: false,
    }
}

fn read_loop(tx: &mpsc::Sender<io::Result<Bytes>>) {
    let mut input = io::stdin().lock();
    loop {
        let mut buf = vec![0; CHUNK];
        let item = match input.read(&mut buf) {
            Ok(0) => return, // end of input: dropping the sender ends the reader
            Ok(n) => {
                buf.truncate(n);
                Ok(Bytes::from(buf))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
        let failed = item.is_err();
        // The reader is gone (the server stopped): stop reading.
        if tx.blocking_send(item).is_err() || failed {
            return;
        }
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        while self.chunk.is_empty() {
            if self.done {
                return Poll::Ready(Ok(()));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(Ok(chunk))) => self.chunk = chunk,
                Poll::Ready(Some(Err(e))) => {
                    self.done = true;
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(None) => self.done = true,
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = self.chunk.len().min(buf.remaining());
        buf.put_slice(&self.chunk[..n]);
        self.chunk.advance(n);
        Poll::Ready(Ok(()))
    }
}
