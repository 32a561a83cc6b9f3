//! The process's standard input and output, read and written without blocking the runtime.
//!
//! When stdin or stdout is a pipe or a socket (how MCP clients start a server), it is driven
//! by the runtime's reactor in non-blocking mode: a read or a write is one system call on the
//! runtime's own thread, with no hand-off to another thread. Anything else (a terminal, a
//! file) falls back to a thread of its own for stdin and to tokio's blocking-pool stdout.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::FileTypeExt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::UnixStream;
use tokio::net::unix::pipe;
use tokio::sync::mpsc;

/// How much one read from stdin asks for.
const CHUNK: usize = 64 * 1024;

/// Chunks read ahead of the consumer: enough to keep the pipe drained, small enough to bound
/// memory (and to stop reading when the server falls behind).
const READ_AHEAD: usize = 4;

/// The process's standard input as an [`AsyncRead`].
///
/// A pipe or a socket is read through the runtime's reactor (the descriptor is switched to
/// non-blocking mode, as libuv does for the pipes of a Node.js process). Anything else — a
/// terminal, a file — is read on a detached thread of its own. Either way a pending read never
/// holds up the runtime's shutdown: a server stopped by a signal exits at once even though its
/// stdin is still open.
///
/// Make one per process (see [`stdin`]): two readers would share the input unpredictably. The
/// reactor needs a runtime with its IO driver enabled (`#[tokio::main]` and
/// `Builder::enable_all` do that).
#[derive(Debug)]
pub struct Stdin {
    inner: StdinInner,
}

#[derive(Debug)]
enum StdinInner {
    Pipe(pipe::Receiver),
    Socket(UnixStream),
    Thread {
        rx: mpsc::Receiver<io::Result<Bytes>>,
        chunk: Bytes,
        done: bool,
    },
}

/// Starts reading the process's standard input; see [`Stdin`].
///
/// # Panics
///
/// Panics if the operating system cannot start a thread (only when stdin is neither a pipe
/// nor a socket, or when called outside a tokio runtime).
pub fn stdin() -> Stdin {
    let inner = match reactor_io(&io::stdin()) {
        Some(Reactor::Pipe(file)) => pipe::Receiver::from_file(file).ok().map(StdinInner::Pipe),
        Some(Reactor::Socket(socket)) => UnixStream::from_std(socket).ok().map(StdinInner::Socket),
        None => None,
    };
    Stdin {
        inner: inner.unwrap_or_else(thread_reader),
    }
}

impl Stdin {
    /// How stdin is read: `"pipe"` or `"socket"` (by the reactor) or `"thread"`.
    pub fn kind(&self) -> &'static str {
        match self.inner {
            StdinInner::Pipe(_) => "pipe",
            StdinInner::Socket(_) => "socket",
            StdinInner::Thread { .. } => "thread",
        }
    }
}

fn thread_reader() -> StdinInner {
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    std::thread::Builder::new()
        .name("mcplex-stdin".into())
        .spawn(move || read_loop(&tx))
        .expect("failed to start the stdin thread");
    StdinInner::Thread {
        rx,
        chunk: Bytes::new(),
        done: false,
    }
}

fn read_loop(tx: &mpsc::Sender<io::Result<Bytes>>) {
    let mut input = io::stdin().lock();
    // One buffer for every read; each chunk is copied out at its own length.
    let mut buf = vec![0; CHUNK];
    loop {
        let item = match input.read(&mut buf) {
            Ok(0) => return, // end of input: dropping the sender ends the reader
            Ok(n) => Ok(Bytes::copy_from_slice(&buf[..n])),
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
        match &mut self.inner {
            StdinInner::Pipe(pipe) => Pin::new(pipe).poll_read(cx, buf),
            StdinInner::Socket(socket) => Pin::new(socket).poll_read(cx, buf),
            StdinInner::Thread { rx, chunk, done } => {
                while chunk.is_empty() {
                    if *done {
                        return Poll::Ready(Ok(()));
                    }
                    match rx.poll_recv(cx) {
                        Poll::Ready(Some(Ok(next))) => *chunk = next,
                        Poll::Ready(Some(Err(e))) => {
                            *done = true;
                            return Poll::Ready(Err(e));
                        }
                        Poll::Ready(None) => *done = true,
                        Poll::Pending => return Poll::Pending,
                    }
                }
                let n = chunk.len().min(buf.remaining());
                buf.put_slice(&chunk[..n]);
                chunk.advance(n);
                Poll::Ready(Ok(()))
            }
        }
    }
}

/// The process's standard output as an [`AsyncWrite`].
///
/// A pipe or a socket is written through the runtime's reactor in non-blocking mode; anything
/// else goes through [`tokio::io::Stdout`] (tokio's blocking pool). Make one per process (see
/// [`stdout`]).
#[derive(Debug)]
pub struct Stdout {
    inner: StdoutInner,
}

#[derive(Debug)]
enum StdoutInner {
    Pipe(pipe::Sender),
    Socket(UnixStream),
    Blocking(tokio::io::Stdout),
}

/// The process's standard output; see [`Stdout`].
pub fn stdout() -> Stdout {
    let inner = match reactor_io(&io::stdout()) {
        Some(Reactor::Pipe(file)) => pipe::Sender::from_file(file).ok().map(StdoutInner::Pipe),
        Some(Reactor::Socket(socket)) => UnixStream::from_std(socket).ok().map(StdoutInner::Socket),
        None => None,
    };
    Stdout {
        inner: inner.unwrap_or_else(|| StdoutInner::Blocking(tokio::io::stdout())),
    }
}

impl Stdout {
    /// How stdout is written: `"pipe"` or `"socket"` (by the reactor) or `"blocking"` (tokio's
    /// blocking pool).
    pub fn kind(&self) -> &'static str {
        match self.inner {
            StdoutInner::Pipe(_) => "pipe",
            StdoutInner::Socket(_) => "socket",
            StdoutInner::Blocking(_) => "blocking",
        }
    }
}

impl AsyncWrite for Stdout {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.inner {
            StdoutInner::Pipe(pipe) => Pin::new(pipe).poll_write(cx, buf),
            StdoutInner::Socket(socket) => Pin::new(socket).poll_write(cx, buf),
            StdoutInner::Blocking(stdout) => Pin::new(stdout).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            StdoutInner::Pipe(pipe) => Pin::new(pipe).poll_flush(cx),
            StdoutInner::Socket(socket) => Pin::new(socket).poll_flush(cx),
            StdoutInner::Blocking(stdout) => Pin::new(stdout).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            // Stdout stays open for the process's own last words (a final log line); only the
            // duplicate descriptor is closed when this is dropped.
            StdoutInner::Pipe(pipe) => Pin::new(pipe).poll_flush(cx),
            StdoutInner::Socket(socket) => Pin::new(socket).poll_flush(cx),
            StdoutInner::Blocking(stdout) => Pin::new(stdout).poll_shutdown(cx),
        }
    }
}

/// A standard stream the reactor can drive.
enum Reactor {
    Pipe(File),
    Socket(std::os::unix::net::UnixStream),
}

/// A duplicate of `stream`'s descriptor when it is a pipe or a socket and a tokio runtime is
/// running (the reactor needs one); `None` otherwise.
fn reactor_io(stream: &impl AsFd) -> Option<Reactor> {
    tokio::runtime::Handle::try_current().ok()?;
    let fd = stream.as_fd().try_clone_to_owned().ok()?;
    let file = File::from(fd);
    let kind = file.metadata().ok()?.file_type();
    if kind.is_fifo() {
        Some(Reactor::Pipe(file))
    } else if kind.is_socket() {
        // Reads and writes on any stream socket are plain `read`/`write` calls.
        let socket = std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(file));
        socket.set_nonblocking(true).ok()?;
        Some(Reactor::Socket(socket))
    } else {
        None
    }
}
