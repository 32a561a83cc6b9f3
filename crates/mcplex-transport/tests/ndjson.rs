//! Newline-delimited JSON framing: decoding, limits, end of input and the writer.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::BytesMut;
use futures_util::{FutureExt, SinkExt, StreamExt};
use mcplex_protocol::{
    DecodeErrorKind, DecodeLimits, ErrorCode, Message, Notification, Payload, Request, RequestId,
};
use mcplex_transport::ndjson::{NdjsonReader, NdjsonWriter};
use mcplex_transport::{Error, NdjsonCodec, NdjsonTransport, Transport};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::codec::{Decoder, FramedRead};

/// An `AsyncRead` that hands out its input in chunks of a fixed size, pending (and waking
/// itself) before every chunk, like a slow pipe.
struct Chunked {
    data: Vec<u8>,
    pos: usize,
    chunk: usize,
    ready: bool,
}

impl Chunked {
    fn new(data: impl Into<Vec<u8>>, chunk: usize) -> Self {
        Self {
            data: data.into(),
            pos: 0,
            chunk,
            ready: false,
        }
    }
}

impl AsyncRead for Chunked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !std::mem::replace(&mut self.ready, false) {
            self.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let end = (self.pos + self.chunk)
            .min(self.data.len())
            .min(self.pos + buf.remaining());
        buf.put_slice(&self.data[self.pos..end]);
        self.pos = end;
        Poll::Ready(Ok(()))
    }
}

/// An `AsyncRead` that produces `prefix`, then `filler` bytes of `a`, then `suffix`, without
/// holding the filler in memory.
struct Generated {
    parts: Vec<(Vec<u8>, usize)>,
}

impl Generated {
    fn new(prefix: &[u8], filler: usize, suffix: &[u8]) -> Self {
        Self {
            parts: vec![
                (suffix.to_vec(), 0),
                (Vec::new(), filler),
                (prefix.to_vec(), 0),
            ],
        }
    }
}

impl AsyncRead for Generated {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        while let Some((bytes, filler)) = self.parts.last_mut() {
            if !bytes.is_empty() {
                let n = bytes.len().min(buf.remaining());
                buf.put_slice(&bytes[..n]);
                bytes.drain(..n);
                return Poll::Ready(Ok(()));
            }
            if *filler > 0 {
                let n = (*filler).min(buf.remaining()).min(64 * 1024);
                buf.put_slice(&vec![b'a'; n]);
                *filler -= n;
                return Poll::Ready(Ok(()));
            }
            self.parts.pop();
        }
        Poll::Ready(Ok(()))
    }
}

/// An `AsyncWrite` that records each write call separately.
#[derive(Clone, Default)]
struct Recorder {
    writes: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Recorder {
    fn writes(&self) -> Vec<Vec<u8>> {
        self.writes.lock().unwrap().clone()
    }

    fn output(&self) -> Vec<u8> {
        self.writes().concat()
    }
}

impl AsyncWrite for Recorder {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.writes.lock().unwrap().push(buf.to_vec());
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// An `AsyncRead` / `AsyncWrite` that fails every call with the given kind.
struct Failing(io::ErrorKind);

impl AsyncRead for Failing {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Err(self.0.into()))
    }
}

impl AsyncWrite for Failing {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(self.0.into()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Err(self.0.into()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Err(self.0.into()))
    }
}

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

fn ping(id: i64) -> Message {
    Message::Request(Request {
        id: RequestId::Number(id),
        method: "ping".into(),
        params: None,
    })
}

fn reader(input: impl Into<Vec<u8>>, chunk: usize) -> NdjsonReader<Chunked> {
    NdjsonReader::new(Chunked::new(input, chunk), NdjsonCodec::new())
}

async fn collect<R: AsyncRead>(reader: NdjsonReader<R>) -> Vec<Result<Message, Error>> {
    reader.collect().await
}

fn ok(items: Vec<Result<Message, Error>>) -> Vec<Message> {
    items.into_iter().map(|item| item.unwrap()).collect()
}

fn sample_messages() -> Vec<Message> {
    vec![
        ping(1),
        Message::Request(
            Request::new(
                "abc",
                "tools/call",
                &json!({"name": "echo", "arguments": {"text": "line\nbreak \u{2028} \"quoted\""}}),
            )
            .unwrap(),
        ),
        Message::Notification(
            Notification::new("notifications/progress", &json!({"progress": 1.5})).unwrap(),
        ),
        Message::Response(mcplex_protocol::Response::new(7.into(), &json!({"tools": []})).unwrap()),
    ]
}

fn encode_all(messages: &[Message]) -> Vec<u8> {
    let mut out = Vec::new();
    for message in messages {
        message.encode_into(&mut out);
        out.push(b'\n');
    }
    out
}

#[tokio::test]
async fn messages_split_across_any_read_boundary_decode() {
    let messages = sample_messages();
    let input = encode_all(&messages);
    for chunk in [1, 2, 3, 7, 64, 4096] {
        let items = collect(reader(input.clone(), chunk)).await;
        assert_eq!(ok(items), messages, "chunk size {chunk}");
    }
}

#[tokio::test]
async fn dropping_a_pending_next_loses_nothing() {
    let messages = sample_messages();
    let mut stream = reader(encode_all(&messages), 5);
    let mut got = Vec::new();
    // Every other poll is pending; each pending `next()` future is dropped and a new one made.
    while got.len() < messages.len() {
        if let Some(item) = stream.next().now_or_never() {
            got.push(item.unwrap().unwrap());
        }
    }
    assert_eq!(got, messages);
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn crlf_line_endings_are_accepted() {
    let input = format!("{PING}\r\n{PING}\r\n");
    assert_eq!(ok(collect(reader(input, 3)).await), vec![ping(1), ping(1)]);
}

#[tokio::test]
async fn blank_and_whitespace_lines_are_skipped() {
    let input = format!("\n\r\n   \t \n{PING}\n\n \r\n{PING}\n  \n");
    assert_eq!(ok(collect(reader(input, 1)).await), vec![ping(1), ping(1)]);
}

#[tokio::test]
async fn malformed_line_is_a_parse_error_and_reading_goes_on() {
    let input = format!("{{\"jsonrpc\":\"2.0\",\"id\":3,\n{PING}\n");
    let items = collect(reader(input, 4)).await;
    assert_eq!(items.len(), 2);
    let err = items[0].as_ref().unwrap_err();
    assert!(err.is_decode());
    assert!(!err.is_fatal());
    let decode = err.decode_error().unwrap();
    assert_eq!(decode.code(), ErrorCode::PARSE_ERROR);
    assert_eq!(decode.code().0, -32700);
    assert_eq!(decode.id(), None);
    assert_eq!(items[1].as_ref().unwrap(), &ping(1));
}

#[tokio::test]
async fn invalid_request_keeps_the_id_where_readable() {
    let input = concat!(
        r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
        "\n",
        r#"{"jsonrpc":"1.0","id":"abc","method":"ping"}"#,
        "\n",
        r#"{"jsonrpc":"2.0","id":9,"method":5}"#,
        "\n",
        "\"just a string\"\n",
        "[]\n",
    );
    let items = collect(reader(input, 16)).await;
    let errors: Vec<_> = items
        .iter()
        .map(|item| item.as_ref().unwrap_err().decode_error().unwrap())
        .collect();
    let kinds: Vec<_> = errors.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        [
            DecodeErrorKind::BadId,
            DecodeErrorKind::BadVersion,
            DecodeErrorKind::BadMethod,
            DecodeErrorKind::NotAnObject,
            DecodeErrorKind::BatchNotAllowed,
        ]
    );
    assert!(errors.iter().all(|e| e.code().0 == -32600));
    let ids: Vec<_> = errors.iter().map(|e| e.id().cloned()).collect();
    assert_eq!(ids, [None, Some("abc".into()), Some(9.into()), None, None]);
    let response = errors[1].to_response();
    assert_eq!(response.id, Some("abc".into()));
}

#[tokio::test]
async fn decode_limits_apply_to_each_line() {
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"x","params":{{"a":{}1{}}}}}"#,
        "[".repeat(10),
        "]".repeat(10)
    );
    let limits = DecodeLimits {
        max_depth: 4,
        ..DecodeLimits::DEFAULT
    };
    let codec = NdjsonCodec::new().with_decode_limits(limits);
    assert_eq!(codec.decode_limits(), &limits);
    let items: Vec<_> = NdjsonReader::new(Chunked::new(format!("{deep}\n{PING}\n"), 8), codec)
        .collect()
        .await;
    let err = items[0].as_ref().unwrap_err().decode_error().unwrap();
    assert_eq!(err.kind(), DecodeErrorKind::TooDeep);
    assert_eq!(items[1].as_ref().unwrap(), &ping(1));
}

#[tokio::test]
async fn over_limit_line_is_skipped_with_bounded_memory() {
    const LIMIT: usize = 1024 * 1024;
    let prefix =
        format!("{PING}\n{{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"x\",\"params\":{{\"a\":\"");
    let suffix = format!("\"}}}}\n{PING}\n");
    let source = Generated::new(prefix.as_bytes(), 10 * 1024 * 1024, suffix.as_bytes());
    let mut framed = FramedRead::new(source, NdjsonCodec::new().with_max_line_len(LIMIT));

    assert_eq!(framed.next().await.unwrap().unwrap().unwrap(), ping(1));
    let err = framed.next().await.unwrap().unwrap().unwrap_err();
    assert!(err.is_too_large());
    assert!(!err.is_fatal());
    assert_eq!(
        err.to_string(),
        format!("message too large (limit is {LIMIT} bytes)")
    );
    assert!(framed.read_buffer().capacity() <= 2 * LIMIT);

    assert_eq!(framed.next().await.unwrap().unwrap().unwrap(), ping(1));
    assert!(framed.read_buffer().capacity() <= 2 * LIMIT);
    assert!(framed.next().await.is_none());
}

#[tokio::test]
async fn line_length_limit_is_exact_and_ignores_the_terminator() {
    let line = PING.as_bytes();
    let exact = NdjsonCodec::new().with_max_line_len(line.len());
    let short = NdjsonCodec::new().with_max_line_len(line.len() - 1);
    let input = format!("{PING}\n{PING}\r\n{PING}");

    for chunk in [1, 5, 1000] {
        let items: Vec<_> = NdjsonReader::new(Chunked::new(input.clone(), chunk), exact.clone())
            .collect()
            .await;
        assert_eq!(ok(items), vec![ping(1); 3], "chunk size {chunk}");

        let items: Vec<_> = NdjsonReader::new(Chunked::new(input.clone(), chunk), short.clone())
            .collect()
            .await;
        assert_eq!(items.len(), 3, "chunk size {chunk}");
        assert!(
            items
                .iter()
                .all(|item| item.as_ref().unwrap_err().is_too_large())
        );
    }
}

#[tokio::test]
async fn over_limit_line_held_whole_in_the_buffer_is_skipped() {
    let input = format!("{}\n{PING}\n", "x".repeat(100));
    let codec = NdjsonCodec::new().with_max_line_len(50);
    let items: Vec<_> = NdjsonReader::new(Chunked::new(input, 10_000), codec)
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert!(items[0].as_ref().unwrap_err().is_too_large());
    assert_eq!(items[1].as_ref().unwrap(), &ping(1));
}

#[tokio::test]
async fn final_line_without_newline_is_decoded_at_eof() {
    let input = format!("{PING}\n{PING}");
    assert_eq!(ok(collect(reader(input, 3)).await), vec![ping(1), ping(1)]);
    assert_eq!(
        ok(collect(reader(format!("{PING}\r"), 3)).await),
        vec![ping(1)]
    );
    assert!(collect(reader("  \n \t", 3)).await.is_empty());
}

#[tokio::test]
async fn eof_mid_line_is_a_decode_error_then_the_end() {
    let input = format!("{PING}\n{{\"jsonrpc\":\"2.0\",\"id\":4,\"me");
    let items = collect(reader(input, 7)).await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap(), &ping(1));
    let err = items[1].as_ref().unwrap_err();
    assert_eq!(err.decode_error().unwrap().code(), ErrorCode::PARSE_ERROR);
}

#[tokio::test]
async fn eof_inside_an_over_limit_line_reports_it_once() {
    let codec = NdjsonCodec::new().with_max_line_len(8);
    let items: Vec<_> = NdjsonReader::new(Chunked::new("x".repeat(100), 3), codec.clone())
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap_err().is_too_large());

    // Shorter than the detection window: caught at end of input.
    let items: Vec<_> = NdjsonReader::new(Chunked::new("x".repeat(9), 3), codec)
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap_err().is_too_large());
}

#[test]
fn slowly_arriving_long_line_is_scanned_once() {
    // Half a megabyte fed one byte per call: a decoder that searched the whole buffer on each
    // call would do ~10^11 byte comparisons here.
    let mut codec = NdjsonCodec::new();
    let mut buf = BytesMut::new();
    let line = format!(
        r#"{{"jsonrpc":"2.0","method":"x","params":{{"a":"{}"}}}}"#,
        "a".repeat(512 * 1024)
    );
    for &byte in line.as_bytes() {
        buf.extend_from_slice(&[byte]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
    }
    buf.extend_from_slice(b"\n");
    let message = codec.decode(&mut buf).unwrap().unwrap().unwrap();
    assert_eq!(message.method().unwrap(), "x");
    assert!(buf.is_empty());
}

#[tokio::test]
async fn read_errors_are_fatal_and_end_the_stream() {
    let mut stream = NdjsonReader::new(Failing(io::ErrorKind::Other), NdjsonCodec::new());
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(err.is_io());
    assert!(err.is_fatal());
    assert!(!err.is_closed());
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn writer_writes_one_line_per_message() {
    let recorder = Recorder::default();
    let mut writer = NdjsonWriter::new(recorder.clone(), NdjsonCodec::new());
    let messages = sample_messages();
    for message in &messages {
        writer.send(message.clone()).await.unwrap();
    }
    assert_eq!(recorder.writes().len(), messages.len());
    for (write, message) in recorder.writes().iter().zip(&messages) {
        let mut expected = message.to_vec();
        expected.push(b'\n');
        assert_eq!(write, &expected);
    }
}

#[tokio::test]
async fn a_burst_of_feeds_and_one_flush_is_one_write() {
    let recorder = Recorder::default();
    let mut writer = NdjsonWriter::new(recorder.clone(), NdjsonCodec::new());
    let messages: Vec<_> = (0..100).map(ping).collect();
    for message in &messages {
        writer.feed(message.clone()).await.unwrap();
    }
    assert!(recorder.writes().is_empty());
    writer.flush().await.unwrap();
    assert_eq!(recorder.writes().len(), 1);
    assert_eq!(recorder.output(), encode_all(&messages));
}

#[tokio::test]
async fn encoded_messages_never_hold_a_raw_newline() {
    let pretty =
        Payload::from_json("{\n  \"text\": \"a\\nb\",\r\n  \"n\": [\n1,\n2\n]\n}").unwrap();
    let mut messages = sample_messages();
    messages.push(Message::Notification(Notification {
        method: "notifications/message".into(),
        params: Some(pretty.clone()),
    }));

    let recorder = Recorder::default();
    let mut writer = NdjsonWriter::new(recorder.clone(), NdjsonCodec::new());
    for message in &messages {
        writer.feed(message.clone()).await.unwrap();
    }
    writer.close().await.unwrap();
    let output = recorder.output();
    assert!(!output.contains(&b'\r'));
    assert_eq!(
        output.iter().filter(|&&b| b == b'\n').count(),
        messages.len()
    );

    let decoded = ok(collect(reader(output, 100)).await);
    assert_eq!(
        decoded[..messages.len() - 1],
        messages[..messages.len() - 1]
    );
    let Message::Notification(last) = decoded.last().unwrap() else {
        panic!("expected a notification");
    };
    let value: serde_json::Value = last.params.as_ref().unwrap().parse().unwrap();
    assert_eq!(value, pretty.parse::<serde_json::Value>().unwrap());
}

#[tokio::test]
async fn write_to_a_closed_pipe_is_a_closed_error() {
    let mut writer = NdjsonWriter::new(Failing(io::ErrorKind::BrokenPipe), NdjsonCodec::new());
    let err = writer.send(ping(1)).await.unwrap_err();
    assert!(err.is_io());
    assert!(err.is_closed());
    assert!(err.is_fatal());
}

#[tokio::test]
async fn transport_round_trip_over_a_duplex_pipe() {
    let (a, b) = tokio::io::duplex(64);
    let (a_read, a_write) = tokio::io::split(a);
    let (b_read, b_write) = tokio::io::split(b);
    let client = NdjsonTransport::new(a_read, a_write);
    let mut server = NdjsonTransport::new(b_read, b_write)
        .with_name("stdio")
        .with_max_line_len(1024);
    assert_eq!(client.info().transport(), "ndjson");
    server.info_mut().set_peer_addr(Some("pid 42".into()));

    let (mut client_in, mut client_out, _) = client.split();
    let (mut server_in, mut server_out, info) = server.split();
    assert_eq!(info.transport(), "stdio");
    assert_eq!(info.peer_addr(), Some("pid 42"));

    let messages = sample_messages();
    let echo = tokio::spawn(async move {
        while let Some(item) = server_in.next().await {
            server_out.feed(item.unwrap()).await.unwrap();
            server_out.flush().await.unwrap();
        }
        server_out.close().await.unwrap();
    });
    let send = {
        let messages = messages.clone();
        tokio::spawn(async move {
            for message in messages {
                client_out.feed(message).await.unwrap();
            }
            client_out.close().await.unwrap();
        })
    };
    let mut echoed = Vec::new();
    while let Some(item) = client_in.next().await {
        echoed.push(item.unwrap());
    }
    send.await.unwrap();
    echo.await.unwrap();
    assert_eq!(echoed, messages);
}
