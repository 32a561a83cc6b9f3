//! [`Transport`] over any byte reader and writer, framed as newline-delimited JSON.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_sink::Sink;
use mcplex_protocol::{DecodeLimits, Message};
use pin_project_lite::pin_project;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::NdjsonCodec;
use crate::{ConnectionInfo, Error, Transport};

/// How much the writer buffers before `poll_ready` writes it out: large enough that a burst of
/// ordinary messages leaves in one write, small enough to bound memory per connection.
const WRITE_BUFFER_HIGH_WATER: usize = 64 * 1024;

/// A [`Transport`] that reads and writes newline-delimited JSON over a byte reader and a byte
/// writer: stdin and stdout, a child process's pipes, a Unix socket.
///
/// The name in its [`ConnectionInfo`] is `"ndjson"` until set with
/// [`with_name`](NdjsonTransport::with_name).
///
/// ```
/// use futures_util::{SinkExt, StreamExt};
/// use mcplex_protocol::Message;
/// use mcplex_transport::{NdjsonTransport, Transport};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (client_io, server_io) = tokio::io::duplex(4096);
/// let (server_read, server_write) = tokio::io::split(server_io);
/// let server = NdjsonTransport::new(server_read, server_write).with_name("stdio");
/// let (mut incoming, _outgoing, info) = server.split();
/// assert_eq!(info.transport(), "stdio");
///
/// let (_, mut client_write) = tokio::io::split(client_io);
/// tokio::io::AsyncWriteExt::write_all(
///     &mut client_write,
///     b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\nnot json\n",
/// )
/// .await
/// .unwrap();
///
/// let ping = incoming.next().await.unwrap().unwrap();
/// assert_eq!(ping.method().unwrap(), "ping");
/// let bad = incoming.next().await.unwrap().unwrap_err();
/// assert_eq!(bad.decode_error().unwrap().code().0, -32700);
/// # }
/// ```
#[derive(Debug)]
pub struct NdjsonTransport<R, W> {
    reader: R,
    writer: W,
    codec: NdjsonCodec,
    info: ConnectionInfo,
}

impl<R, W> NdjsonTransport<R, W> {
    /// A transport over a byte reader and a byte writer, with the default limits.
    pub fn new(reader: R, writer: W) -> Self {
        Self {
            reader,
            writer,
            codec: NdjsonCodec::new(),
            info: ConnectionInfo::new("ndjson"),
        }
    }

    /// Sets the transport name reported in [`ConnectionInfo::transport`].
    pub fn with_name(mut self, name: &'static str) -> Self {
        self.info.set_transport(name);
        self
    }

    /// Sets the longest line accepted, in bytes (default
    /// [`DEFAULT_MAX_MESSAGE_SIZE`](crate::DEFAULT_MAX_MESSAGE_SIZE)).
    pub fn with_max_line_len(mut self, max_line_len: usize) -> Self {
        self.codec = self.codec.with_max_line_len(max_line_len);
        self
    }

    /// Sets the limits applied when decoding a line.
    pub fn with_decode_limits(mut self, limits: DecodeLimits) -> Self {
        self.codec = self.codec.with_decode_limits(limits);
        self
    }

    /// Replaces the connection data, for example to set the peer address.
    pub fn with_info(mut self, info: ConnectionInfo) -> Self {
        self.info = info;
        self
    }
}

impl<R, W> Transport for NdjsonTransport<R, W>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Reader = NdjsonReader<R>;
    type Writer = NdjsonWriter<W>;

    fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    fn info_mut(&mut self) -> &mut ConnectionInfo {
        &mut self.info
    }

    fn split(self) -> (NdjsonReader<R>, NdjsonWriter<W>, ConnectionInfo) {
        let reader = NdjsonReader::new(self.reader, self.codec.clone());
        let writer = NdjsonWriter::new(self.writer, self.codec);
        (reader, writer, self.info)
    }
}

pin_project! {
    /// The reading half of an [`NdjsonTransport`]: a stream of messages decoded from lines.
    #[derive(Debug)]
    pub struct NdjsonReader<R> {
        #[pin]
        inner: FramedRead<R, NdjsonCodec>,
    }
}

impl<R: AsyncRead> NdjsonReader<R> {
    /// Decodes messages from a byte reader with the given codec.
    pub fn new(reader: R, codec: NdjsonCodec) -> Self {
        Self {
            inner: FramedRead::new(reader, codec),
        }
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        self.inner.get_ref()
    }

    /// The underlying reader; bytes it has already given up may be buffered and are lost.
    pub fn into_inner(self) -> R {
        self.inner.into_inner()
    }
}

impl<R: AsyncRead> Stream for NdjsonReader<R> {
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project()
            .inner
            .poll_next(cx)
            .map(|item| item.map(|res| res.unwrap_or_else(|e| Err(Error::io(e)))))
    }
}

pin_project! {
    /// The writing half of an [`NdjsonTransport`]: a sink that writes each message as a line.
    ///
    /// Messages are buffered until `poll_flush` (or until the buffer passes 64 KiB, when
    /// `poll_ready` writes it out), so a burst of messages followed by one flush is one write.
    #[derive(Debug)]
    pub struct NdjsonWriter<W> {
        #[pin]
        inner: FramedWrite<W, NdjsonCodec>,
    }
}

impl<W: AsyncWrite> NdjsonWriter<W> {
    /// Encodes messages onto a byte writer with the given codec.
    pub fn new(writer: W, codec: NdjsonCodec) -> Self {
        let mut inner = FramedWrite::new(writer, codec);
        inner.set_backpressure_boundary(WRITE_BUFFER_HIGH_WATER);
        Self { inner }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        self.inner.get_ref()
    }

    /// The underlying writer; buffered messages that were not flushed are lost.
    pub fn into_inner(self) -> W {
        self.inner.into_inner()
    }
}

impl<W: AsyncWrite> Sink<Message> for NdjsonWriter<W> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Sink::<Message>::poll_ready(self.project().inner, cx).map_err(Error::io)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        self.project().inner.start_send(message).map_err(Error::io)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Sink::<Message>::poll_flush(self.project().inner, cx).map_err(Error::io)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Sink::<Message>::poll_close(self.project().inner, cx).map_err(Error::io)
    }
}
