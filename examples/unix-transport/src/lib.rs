//! MCP over Unix-domain sockets: an example of a transport written as a crate of its own,
//! on the mcplex transport contract alone.
//!
//! Each connection carries newline-delimited JSON, one JSON-RPC message per line, both ways —
//! the framing of the stdio transport, reused from `mcplex-transport` as
//! [`NdjsonTransport`]. This crate only adds what is specific to Unix sockets: binding,
//! accepting, connecting, and naming the connection `"unix"` with the peer's path.
//!
//! Nothing in `mcplex-core` knows about it: any server serves its connections with
//! `Server::serve_connection`, and any client connects with `Client::connect`. Its tests run
//! the shared transport suite from `mcplex-test` (see `docs/extending.md`).
//!
//! # Which crate should I depend on?
//!
//! This crate depends on `mcplex-transport` and `mcplex-protocol` only, as every transport
//! crate should; servers add `mcplex-core`. It is an example: copy it to start a transport of
//! your own.
//!
//! # Example
//!
//! ```rust
//! use mcplex_core::client::{Client, ClientOptions};
//! use mcplex_example_unix::{Listener, connect};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = std::env::temp_dir().join(format!("mcplex-unix-doc-{}.sock", std::process::id()));
//! let listener = Listener::bind(&path)?;
//! let server = mcplex_core::Server::builder().build();
//! tokio::spawn(async move {
//!     while let Ok(transport) = listener.accept().await {
//!         let server = server.clone();
//!         tokio::spawn(async move { server.serve_connection(transport).await });
//!     }
//! });
//!
//! let client = Client::connect(connect(&path).await?, ClientOptions::default()).await?;
//! assert_eq!(client.connection_info().transport(), "unix");
//! client.close().await?;
//! # std::fs::remove_file(&path)?;
//! # Ok(())
//! # }
//! ```

use std::io;
use std::path::{Path, PathBuf};

use mcplex_transport::{ConnectionInfo, NdjsonTransport};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};

/// One Unix-socket connection as a [`Transport`](mcplex_transport::Transport): newline-delimited
/// JSON over the two halves of the stream, named `"unix"`.
pub type UnixTransport = NdjsonTransport<OwnedReadHalf, OwnedWriteHalf>;

/// A Unix stream as a transport, with the default line limit (4 MiB; change it with
/// [`NdjsonTransport::with_max_line_len`]).
pub fn transport(stream: UnixStream) -> UnixTransport {
    let peer = stream
        .peer_addr()
        .ok()
        .and_then(|addr| addr.as_pathname().map(|path| path.display().to_string()));
    let (read, write) = stream.into_split();
    let mut info = ConnectionInfo::new("unix");
    info.set_peer_addr(peer);
    NdjsonTransport::new(read, write).with_info(info)
}

/// Connects to the server listening at `path`.
///
/// # Errors
///
/// When the socket cannot be connected to.
pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixTransport> {
    UnixStream::connect(path).await.map(transport)
}

/// A listening Unix socket that yields transports.
#[derive(Debug)]
pub struct Listener {
    inner: UnixListener,
    path: PathBuf,
}

impl Listener {
    /// Listens at `path`, which must not exist yet.
    ///
    /// # Errors
    ///
    /// When the socket cannot be created (the path exists, the directory is missing).
    pub fn bind(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let inner = UnixListener::bind(&path)?;
        Ok(Self { inner, path })
    }

    /// The path the socket listens at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the next connection.
    ///
    /// # Errors
    ///
    /// When accepting fails.
    pub async fn accept(&self) -> io::Result<UnixTransport> {
        let (stream, _) = self.inner.accept().await?;
        Ok(transport(stream))
    }
}
