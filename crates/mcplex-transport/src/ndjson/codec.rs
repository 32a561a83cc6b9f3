//! The newline-delimited JSON codec.

use std::io;

use bytes::{Buf, BufMut, BytesMut};
use mcplex_protocol::{DecodeLimits, Message};
use tokio_util::codec::{Decoder, Encoder};

use crate::{DEFAULT_MAX_MESSAGE_SIZE, Error};

/// A [`tokio_util::codec`] codec for newline-delimited JSON-RPC messages.
///
/// # Decoding
///
/// Each line is one message. The decoder's item is `Result<Message, Error>` so that a bad line
/// does not end the stream (a `FramedRead` stops after its codec returns `Err`); the codec's
/// own error is only ever an I/O error from the reader.
///
/// - Lines end with `\n` or `\r\n`; blank and whitespace-only lines are skipped; a final line
///   without a newline is decoded at end of input.
/// - A line that does not decode yields `Err(e)` with [`Error::is_decode`] (and the JSON-RPC
///   code and request id in [`Error::decode_error`]); decoding goes on with the next line.
/// - A line longer than [`max_line_len`](NdjsonCodec::max_line_len) (not counting its line
///   terminator) yields one `Err(e)` with [`Error::is_too_large`] as soon as it is detected.
///   The rest of the line is discarded as it arrives, without being buffered, so memory stays
///   bounded by about the limit whatever the peer sends; decoding goes on with the next line.
/// - Newlines are searched with `memchr`, and the search resumes where it stopped when more
///   input arrives, so a long line is scanned once however slowly it arrives.
///
/// # Encoding
///
/// Each message is written as its compact JSON encoding followed by `\n`. JSON strings never
/// hold a raw newline (they are escaped), and raw newlines in the whitespace of pre-encoded
/// payloads are replaced by spaces, so each message is exactly one line.
#[derive(Clone, Debug)]
pub struct NdjsonCodec {
    max_line_len: usize,
    limits: DecodeLimits,
    /// How far the current line has been searched for a newline.
    scanned: usize,
    /// Whether the rest of an over-long line is being dropped.
    discarding: bool,
}

impl NdjsonCodec {
    /// A codec with lines of up to [`DEFAULT_MAX_MESSAGE_SIZE`] bytes and the default
    /// [`DecodeLimits`].
    pub fn new() -> Self {
        Self {
            max_line_len: DEFAULT_MAX_MESSAGE_SIZE,
            limits: DecodeLimits::DEFAULT,
            scanned: 0,
            discarding: false,
        }
    }

    /// Sets the longest line accepted, in bytes, not counting the line terminator.
    pub fn with_max_line_len(mut self, max_line_len: usize) -> Self {
        self.max_line_len = max_line_len;
        self
    }

    /// Sets the limits applied when decoding a line.
    pub fn with_decode_limits(mut self, limits: DecodeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The longest line accepted, in bytes, not counting the line terminator.
    pub fn max_line_len(&self) -> usize {
        self.max_line_len
    }

    /// The limits applied when decoding a line.
    pub fn decode_limits(&self) -> &DecodeLimits {
        &self.limits
    }

    /// How many bytes of a line without its newline may be buffered before the line is known
    /// to be too long: the limit plus a possible `\r`.
    fn window(&self) -> usize {
        self.max_line_len.saturating_add(1)
    }

    /// Decodes one line without its `\n`; `None` for a blank line.
    fn decode_line(&self, line: &[u8]) -> Option<Result<Message, Error>> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > self.max_line_len {
            return Some(Err(Error::too_large(self.max_line_len)));
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(mcplex_protocol::decode_with(line, &self.limits).map_err(Error::decode))
    }
}

impl Default for NdjsonCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder for NdjsonCodec {
    type Item = Result<Message, Error>;
    type Error = io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<Self::Item>> {
        loop {
            if self.discarding {
                match memchr::memchr(b'\n', buf) {
                    Some(pos) => {
                        buf.advance(pos + 1);
                        self.discarding = false;
                    }
                    None => {
                        buf.clear();
                        return Ok(None);
                    }
                }
            }

            // A line that fits has its newline within `window + 1` bytes.
            let end = buf.len().min(self.window().saturating_add(1));
            let start = self.scanned.min(end);
            match memchr::memchr(b'\n', &buf[start..end]) {
                Some(offset) => {
                    let pos = start + offset;
                    self.scanned = 0;
                    let item = self.decode_line(&buf[..pos]);
                    buf.advance(pos + 1);
                    match item {
                        Some(item) => return Ok(Some(item)),
                        None => continue,
                    }
                }
                None if end > self.window() => {
                    // No newline where one had to be: drop what was seen and the rest of the
                    // line as it arrives.
                    self.scanned = 0;
                    self.discarding = true;
                    buf.advance(end);
                    return Ok(Some(Err(Error::too_large(self.max_line_len))));
                }
                None => {
                    self.scanned = end;
                    return Ok(None);
                }
            }
        }
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> io::Result<Option<Self::Item>> {
        if let Some(item) = self.decode(buf)? {
            return Ok(Some(item));
        }
        // What is left is a final line without a newline, shorter than the window, or the
        // tail of an over-long line whose error was already reported.
        let item = if self.discarding {
            None
        } else {
            self.decode_line(buf)
        };
        buf.clear();
        self.scanned = 0;
        self.discarding = false;
        Ok(item)
    }
}

impl Encoder<&Message> for NdjsonCodec {
    type Error = io::Error;

    fn encode(&mut self, message: &Message, dst: &mut BytesMut) -> io::Result<()> {
        let start = dst.len();
        serde_json::to_writer(dst.writer(), message)?;
        // Pre-encoded payloads may hold newlines as whitespace; outside strings a newline is
        // only ever whitespace, and strings cannot hold raw control characters.
        let mut at = start;
        while let Some(offset) = memchr::memchr2(b'\n', b'\r', &dst[at..]) {
            dst[at + offset] = b' ';
            at += offset + 1;
        }
        dst.put_u8(b'\n');
        Ok(())
    }
}

impl Encoder<Message> for NdjsonCodec {
    type Error = io::Error;

    fn encode(&mut self, message: Message, dst: &mut BytesMut) -> io::Result<()> {
        self.encode(&message, dst)
    }
}
