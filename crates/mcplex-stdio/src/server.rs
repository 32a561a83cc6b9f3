//! The server side: serve the process's stdin and stdout as one connection.

use mcplex_core::Server;
use mcplex_protocol::DecodeLimits;
use mcplex_transport::NdjsonTransport;

use crate::{Error, Result, Stdin, Stdout, stdin, stdout};

/// The server side of stdio: newline-delimited JSON over the process's stdin and stdout,
/// named `"stdio"`.
pub type StdioTransport = NdjsonTransport<Stdin, Stdout>;

/// How the server side reads its input.
///
/// Unset fields come from the server's [`Limits`](mcplex_core::Limits):
/// [`max_message_bytes`](mcplex_core::Limits::max_message_bytes) (4 MiB by default) and the
/// [`decode`](mcplex_core::Limits::decode) limits.
///
/// ```
/// use mcplex_stdio::StdioOptions;
///
/// let options = StdioOptions::default().with_max_line_len(1024 * 1024);
/// assert_eq!(options.max_line_len(), Some(1024 * 1024));
/// ```
#[derive(Clone, Debug, Default)]
pub struct StdioOptions {
    max_line_len: Option<usize>,
    decode: Option<DecodeLimits>,
}

impl StdioOptions {
    /// Sets the longest line accepted, in bytes. A longer line is answered with a JSON-RPC
    /// error line (`id: null`) and skipped; the connection goes on.
    pub fn with_max_line_len(mut self, max_line_len: usize) -> Self {
        self.max_line_len = Some(max_line_len);
        self
    }

    /// Sets the nesting-depth and batch limits applied when decoding a line.
    pub fn with_decode_limits(mut self, limits: DecodeLimits) -> Self {
        self.decode = Some(limits);
        self
    }

    /// The longest line accepted, when set.
    pub fn max_line_len(&self) -> Option<usize> {
        self.max_line_len
    }

    /// The decode limits, when set.
    pub fn decode_limits(&self) -> Option<&DecodeLimits> {
        self.decode.as_ref()
    }
}

/// The process's stdin and stdout as a [`Transport`](mcplex_transport::Transport), for code
/// that drives the connection itself (a proxy, a custom loop). Most servers call [`serve`].
///
/// Call it once per process: see [`Stdin`]. Like every tokio socket or pipe, it needs a runtime
/// with its IO driver enabled (`#[tokio::main]` and `Builder::enable_all` do that).
pub fn transport(server: &Server, options: &StdioOptions) -> StdioTransport {
    let limits = server.limits();
    let (input, output) = (stdin(), stdout());
    tracing::debug!(
        stdin = input.kind(),
        stdout = output.kind(),
        "stdio streams"
    );
    NdjsonTransport::new(input, output)
        .with_name("stdio")
        .with_max_line_len(options.max_line_len.unwrap_or(limits.max_message_bytes))
        .with_decode_limits(options.decode.unwrap_or(limits.decode))
}

/// Serves the process's stdin and stdout as one MCP connection, with the server's limits.
///
/// Returns when stdin ends (the client closed it or exited), when the server
/// [shuts down](Server::shutdown), or when writing to stdout fails. Requests still running
/// at that point are cancelled, so the process can exit at once.
///
/// Stdout carries the protocol and nothing else: log to stderr (the `mcplex-stdio-server`
/// binary sends all of its logs there) and never print to stdout from a handler.
///
/// # Errors
///
/// [`Error::is_serve`] when the connection fails for a reason other than a clean end of
/// input.
pub async fn serve(server: Server) -> Result<()> {
    serve_with(server, StdioOptions::default()).await
}

/// [`serve`] with options.
///
/// # Errors
///
/// As [`serve`].
pub async fn serve_with(server: Server, options: StdioOptions) -> Result<()> {
    let transport = transport(&server, &options);
    tracing::debug!("serving stdio");
    server
        .serve_connection(transport)
        .await
        .map_err(Error::serve)
}
