//! The client side: a server running in a child process, spoken to over its stdin and stdout.

use std::io;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_sink::Sink;
use mcplex_protocol::{DecodeLimits, Message};
use mcplex_transport::ndjson::{NdjsonReader, NdjsonWriter};
use mcplex_transport::{ConnectionInfo, DEFAULT_MAX_MESSAGE_SIZE, NdjsonCodec, Transport};
use tokio::io::{AsyncBufReadExt, AsyncWrite, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};
use tokio::sync::{Notify, watch};

use crate::{Error, Result};

/// What happens to the child's standard error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stderr {
    /// The child writes to this process's stderr (the default).
    #[default]
    Inherit,
    /// The child's stderr is discarded.
    Null,
    /// The child's stderr is a pipe; take it with [`ChildTransport::take_stderr`].
    Piped,
    /// Each line the child writes to stderr becomes a `tracing` event at `INFO` level, with
    /// target `mcplex_stdio::stderr` and the child's process id.
    Log,
}

/// How [`spawn_with`] starts a child and frames its messages.
///
/// ```
/// use std::time::Duration;
/// use mcplex_stdio::{SpawnOptions, Stderr};
///
/// let options = SpawnOptions::default()
///     .with_stderr(Stderr::Log)
///     .with_grace(Duration::from_millis(500));
/// assert_eq!(options.grace(), Duration::from_millis(500));
/// ```
#[derive(Clone, Debug)]
pub struct SpawnOptions {
    grace: Duration,
    stderr: Stderr,
    max_line_len: usize,
    decode: DecodeLimits,
}

impl Default for SpawnOptions {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(2),
            stderr: Stderr::Inherit,
            max_line_len: DEFAULT_MAX_MESSAGE_SIZE,
            decode: DecodeLimits::DEFAULT,
        }
    }
}

impl SpawnOptions {
    /// Sets how long a child may take to exit after its stdin is closed before it is killed
    /// (default 2 s).
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Sets what happens to the child's stderr (default [`Stderr::Inherit`]).
    pub fn with_stderr(mut self, stderr: Stderr) -> Self {
        self.stderr = stderr;
        self
    }

    /// Sets the longest line accepted from the child, in bytes (default 4 MiB).
    pub fn with_max_line_len(mut self, max_line_len: usize) -> Self {
        self.max_line_len = max_line_len;
        self
    }

    /// Sets the limits applied when decoding a line from the child.
    pub fn with_decode_limits(mut self, limits: DecodeLimits) -> Self {
        self.decode = limits;
        self
    }

    /// How long a child may take to exit after its stdin is closed.
    pub fn grace(&self) -> Duration {
        self.grace
    }

    /// What happens to the child's stderr.
    pub fn stderr(&self) -> Stderr {
        self.stderr
    }
}

/// Starts `command` as a child process and connects to it over its stdin and stdout, with
/// the default [`SpawnOptions`].
///
/// Must be called from within a tokio runtime. The child is stopped when the connection is
/// dropped (see [`ChildTransport`]).
///
/// # Errors
///
/// [`Error::is_spawn`] when the process cannot be started.
pub fn spawn(command: impl Into<Command>) -> Result<ChildTransport> {
    spawn_with(command, SpawnOptions::default())
}

/// [`spawn`] with options.
///
/// # Errors
///
/// As [`spawn`].
pub fn spawn_with(command: impl Into<Command>, options: SpawnOptions) -> Result<ChildTransport> {
    let mut command = command.into();
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(match options.stderr {
            Stderr::Inherit => Stdio::inherit(),
            Stderr::Null => Stdio::null(),
            Stderr::Piped | Stderr::Log => Stdio::piped(),
        })
        .kill_on_drop(true);
    let mut child = command.spawn().map_err(Error::spawn)?;
    let pid = child.id();
    let (stdin, stdout) = match (child.stdin.take(), child.stdout.take()) {
        (Some(stdin), Some(stdout)) => (stdin, stdout),
        _ => {
            return Err(Error::spawn(io::Error::other(
                "the child has no stdio pipes",
            )));
        }
    };
    let mut stderr = child.stderr.take();
    if options.stderr == Stderr::Log
        && let Some(stderr) = stderr.take()
    {
        tokio::spawn(log_stderr(stderr, pid));
    }

    let stdin = Arc::new(Mutex::new(Some(stdin)));
    let process = Process::start(child, stdin.clone(), options.grace);
    let codec = NdjsonCodec::new()
        .with_max_line_len(options.max_line_len)
        .with_decode_limits(options.decode);
    let mut info = ConnectionInfo::new("stdio");
    if let Some(pid) = pid {
        info.set_peer_addr(Some(format!("pid {pid}")));
    }
    Ok(ChildTransport {
        reader: ChildReader {
            inner: NdjsonReader::new(stdout, codec.clone()),
            _process: process.clone(),
        },
        writer: ChildWriter {
            inner: NdjsonWriter::new(SharedStdin(stdin), codec),
            _process: process.clone(),
        },
        info,
        process,
        stderr,
    })
}

async fn log_stderr(stderr: ChildStderr, pid: Option<u32>) {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::info!(target: "mcplex_stdio::stderr", pid, "{line}");
    }
}

/// A connection to an MCP server running in a child process: newline-delimited JSON over the
/// child's stdin and stdout, named `"stdio"`, with the child's process id as peer address.
///
/// The child stays alive while the transport, either of its halves or a [`Process`] handle
/// exists. Then its stdin is closed (which asks an MCP server to exit), it gets the grace
/// period of [`SpawnOptions`] to exit, and is killed if it has not. If the tokio runtime
/// shuts down first, the child is killed at once.
///
/// ```no_run
/// use mcplex_core::client::{Client, ClientOptions};
/// use tokio::process::Command;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let mut command = Command::new("mcplex-stdio-server");
/// command.arg("--toolset").arg("demo");
/// let transport = mcplex_stdio::spawn(command)?;
/// let process = transport.process().clone();
///
/// let client = Client::connect(transport, ClientOptions::default()).await?;
/// let tools = client.list_tools().await?;
/// println!("{} tools", tools.len());
/// client.close().await?; // closes the child's stdin
/// let status = process.shutdown().await?; // waits for the exit, kills after the grace period
/// println!("server exited: {status}");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ChildTransport {
    reader: ChildReader,
    writer: ChildWriter,
    info: ConnectionInfo,
    process: Process,
    stderr: Option<ChildStderr>,
}

impl ChildTransport {
    /// The child process; clone the handle to wait for it or stop it after the transport is
    /// split.
    pub fn process(&self) -> &Process {
        &self.process
    }

    /// The child's stderr, when spawned with [`Stderr::Piped`] (once).
    pub fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.stderr.take()
    }

    /// Closes the connection and stops the child: see [`Process::shutdown`].
    ///
    /// # Errors
    ///
    /// [`Error::is_process`] when the exit status cannot be read.
    pub async fn shutdown(self) -> Result<ExitStatus> {
        let process = self.process.clone();
        drop(self);
        process.shutdown().await
    }
}

impl Transport for ChildTransport {
    type Reader = ChildReader;
    type Writer = ChildWriter;

    fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    fn info_mut(&mut self) -> &mut ConnectionInfo {
        &mut self.info
    }

    fn split(self) -> (ChildReader, ChildWriter, ConnectionInfo) {
        (self.reader, self.writer, self.info)
    }
}

/// The reading half of a [`ChildTransport`]: messages decoded from the child's stdout.
#[derive(Debug)]
pub struct ChildReader {
    inner: NdjsonReader<ChildStdout>,
    _process: Process,
}

impl Stream for ChildReader {
    type Item = Result<Message, mcplex_transport::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

/// The writing half of a [`ChildTransport`]: messages written as lines to the child's stdin.
/// Closing it closes the child's stdin.
#[derive(Debug)]
pub struct ChildWriter {
    inner: NdjsonWriter<SharedStdin>,
    _process: Process,
}

impl Sink<Message> for ChildWriter {
    type Error = mcplex_transport::Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.inner).poll_ready(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), Self::Error> {
        Pin::new(&mut self.inner).start_send(message)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

type StdinSlot = Arc<Mutex<Option<ChildStdin>>>;

fn lock(slot: &StdinSlot) -> MutexGuard<'_, Option<ChildStdin>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The child's stdin, shared with the [`Process`] handle so that either can close it.
/// Shutting it down or dropping it closes the pipe (tokio's `ChildStdin` only flushes on
/// shutdown).
#[derive(Debug)]
struct SharedStdin(StdinSlot);

impl Drop for SharedStdin {
    fn drop(&mut self) {
        lock(&self.0).take();
    }
}

fn stdin_closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the child's stdin is closed")
}

impl AsyncWrite for SharedStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match lock(&self.0).as_mut() {
            Some(stdin) => Pin::new(stdin).poll_write(cx, buf),
            None => Poll::Ready(Err(stdin_closed())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match lock(&self.0).as_mut() {
            Some(stdin) => Pin::new(stdin).poll_flush(cx),
            None => Poll::Ready(Err(stdin_closed())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut slot = lock(&self.0);
        if let Some(stdin) = slot.as_mut() {
            std::task::ready!(Pin::new(stdin).poll_flush(cx))?;
        }
        *slot = None;
        Poll::Ready(Ok(()))
    }
}

/// A handle on the child process of a [`ChildTransport`]; clones refer to the same process.
///
/// A task owns the child and records its exit. When the transport, its halves and every
/// handle are gone, that task closes the child's stdin, waits the grace period and kills
/// the child if it is still running.
#[derive(Clone, Debug)]
pub struct Process {
    inner: Arc<ProcessInner>,
    status: watch::Receiver<Option<Exit>>,
}

#[derive(Debug)]
struct ProcessInner {
    pid: Option<u32>,
    grace: Duration,
    stdin: StdinSlot,
    kill: Notify,
}

/// How the child ended, as recorded by the reaper task (`io::Error` is not `Clone`).
type Exit = Result<ExitStatus, (io::ErrorKind, String)>;

impl Process {
    fn start(child: Child, stdin: StdinSlot, grace: Duration) -> Self {
        let inner = Arc::new(ProcessInner {
            pid: child.id(),
            grace,
            stdin,
            kill: Notify::new(),
        });
        let (tx, status) = watch::channel(None);
        tokio::spawn(reap(child, tx, inner.clone()));
        Self { inner, status }
    }

    /// The child's process id.
    pub fn id(&self) -> Option<u32> {
        self.inner.pid
    }

    /// Closes the child's stdin, which tells an MCP server that the client is done. Writes
    /// through the transport fail from then on.
    pub fn close_stdin(&self) {
        lock(&self.inner.stdin).take();
    }

    /// Kills the child (it exits without a chance to clean up).
    pub fn kill(&self) {
        self.inner.kill.notify_one();
    }

    /// The child's exit status, if it has exited.
    pub fn try_status(&self) -> Option<Result<ExitStatus>> {
        self.status.borrow().clone().map(exit_result)
    }

    /// Waits for the child to exit.
    ///
    /// # Errors
    ///
    /// [`Error::is_process`] when the exit status cannot be read, or the runtime is shutting
    /// down.
    pub async fn wait(&self) -> Result<ExitStatus> {
        let mut status = self.status.clone();
        match status.wait_for(Option::is_some).await {
            Ok(exit) => match exit.clone() {
                Some(exit) => exit_result(exit),
                None => Err(Error::process(io::Error::other("no exit status recorded"))),
            },
            Err(_) => Err(Error::process(io::Error::other(
                "the child process was abandoned when its runtime shut down",
            ))),
        }
    }

    /// Stops the child the way the MCP stdio transport asks: closes its stdin, waits up to the
    /// grace period for it to exit, then kills it.
    ///
    /// # Errors
    ///
    /// As [`wait`](Process::wait).
    pub async fn shutdown(&self) -> Result<ExitStatus> {
        self.close_stdin();
        if let Ok(status) = tokio::time::timeout(self.inner.grace, self.wait()).await {
            return status;
        }
        tracing::debug!(
            pid = self.inner.pid,
            "child did not exit in time; killing it"
        );
        self.kill();
        self.wait().await
    }
}

fn exit_result(exit: Exit) -> Result<ExitStatus> {
    exit.map_err(|(kind, message)| Error::process(io::Error::new(kind, message)))
}

/// Owns the child until it exits: on its own, when killed, or after the last handle is gone
/// (then with the grace period).
async fn reap(mut child: Child, tx: watch::Sender<Option<Exit>>, inner: Arc<ProcessInner>) {
    let status = tokio::select! {
        status = child.wait() => status,
        () = inner.kill.notified() => kill(&mut child).await,
        () = tx.closed() => {
            lock(&inner.stdin).take();
            match tokio::time::timeout(inner.grace, child.wait()).await {
                Ok(status) => status,
                Err(_) => {
                    tracing::debug!(pid = inner.pid, "abandoned child did not exit in time; killing it");
                    kill(&mut child).await
                }
            }
        }
    };
    tracing::debug!(pid = inner.pid, ?status, "child exited");
    tx.send_replace(Some(status.map_err(|e| (e.kind(), e.to_string()))));
}

async fn kill(child: &mut Child) -> io::Result<ExitStatus> {
    match child.kill().await {
        // Already exited (the kill raced the exit): read the status.
        Ok(()) | Err(_) => child.wait().await,
    }
}
