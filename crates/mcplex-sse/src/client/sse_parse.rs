//! An incremental Server-Sent Events parser with a size limit on each event's data.
//!
//! Lines end with `\n`, `\r\n` or `\r` (also when a chunk boundary splits `\r\n`); `:` lines
//! are comments; `event`, `data`, `id` and `retry` are the fields; a blank line dispatches the
//! event. An event without data is not dispatched (its `id` still counts), and an unfinished
//! event at the end of the stream is dropped, as the SSE specification says.

use std::collections::VecDeque;
use std::time::Duration;

/// The UTF-8 byte order mark, which may open a stream.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Event {
    /// The event type; `message` when the event named none.
    pub(crate) kind: String,
    /// The data lines joined with `\n`, or `None` when they were longer than the limit.
    pub(crate) data: Option<Vec<u8>>,
    /// The stream's last event id after this event, if any was set.
    pub(crate) id: Option<String>,
}

impl Event {
    /// Whether this event carries a JSON-RPC message (`message`, the default type).
    pub(crate) fn is_message(&self) -> bool {
        self.kind == "message"
    }
}

/// Turns body chunks into [`Event`]s.
#[derive(Debug)]
pub(crate) struct SseParser {
    limit: usize,
    /// The line being read.
    line: Vec<u8>,
    /// The current line went over the limit: the rest of it is skipped.
    skipping: bool,
    /// The last chunk ended with `\r`: a `\n` first in the next one ends no line.
    after_cr: bool,
    /// The first line of the stream, where a byte order mark is dropped.
    at_start: bool,
    data: Vec<u8>,
    has_data: bool,
    oversize: bool,
    kind: Option<String>,
    last_id: Option<String>,
    retry: Option<Duration>,
    ready: VecDeque<Event>,
}

impl SseParser {
    /// A parser that refuses event data longer than `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            line: Vec::new(),
            skipping: false,
            after_cr: false,
            at_start: true,
            data: Vec::new(),
            has_data: false,
            oversize: false,
            kind: None,
            last_id: None,
            retry: None,
            ready: VecDeque::new(),
        }
    }

    /// The reconnection delay the server asked for with `retry`, if it did.
    pub(crate) fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// The last event id seen on the stream.
    pub(crate) fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The next complete event, if one is ready.
    pub(crate) fn next_event(&mut self) -> Option<Event> {
        self.ready.pop_front()
    }

    /// Feeds a chunk of the body.
    pub(crate) fn push(&mut self, mut chunk: &[u8]) {
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while let Some(end) = chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.extend_line(&chunk[..end]);
            self.end_line();
            let terminator = chunk[end];
            chunk = &chunk[end + 1..];
            if terminator == b'\r' {
                match chunk.first() {
                    Some(b'\n') => chunk = &chunk[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.extend_line(chunk);
    }

    fn extend_line(&mut self, bytes: &[u8]) {
        if self.skipping {
            return;
        }
        // A field name, a colon and a space may come before the data itself.
        if self.line.len() + bytes.len() > self.limit.saturating_add(16) {
            self.skipping = true;
            self.oversize = true;
            self.line.clear();
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn end_line(&mut self) {
        if std::mem::take(&mut self.skipping) {
            return;
        }
        let mut line = std::mem::take(&mut self.line);
        if std::mem::take(&mut self.at_start) && line.starts_with(BOM) {
            line.drain(..BOM.len());
        }
        if line.is_empty() {
            self.dispatch();
        } else {
            self.field(&line);
        }
        self.line = line;
        self.line.clear();
    }

    fn field(&mut self, line: &[u8]) {
        if line.first() == Some(&b':') {
            return; // a comment (keep-alive)
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"data" => {
                if self.oversize {
                    return;
                }
                let extra = usize::from(self.has_data);
                if self.data.len() + extra + value.len() > self.limit {
                    self.oversize = true;
                    self.data.clear();
                    return;
                }
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            b"event" => self.kind = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => {
                self.last_id = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(ms) = String::from_utf8_lossy(value).parse::<u64>() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self) {
        let kind = self.kind.take();
        let oversize = std::mem::take(&mut self.oversize);
        let has_data = std::mem::take(&mut self.has_data);
        let data = std::mem::take(&mut self.data);
        if !has_data && !oversize {
            return;
        }
        self.ready.push_back(Event {
            kind: kind
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "message".to_owned()),
            data: (!oversize).then_some(data),
            id: self.last_id.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(parser: &mut SseParser) -> Vec<Event> {
        std::iter::from_fn(|| parser.next_event()).collect()
    }

    fn text(event: &Event) -> &str {
        std::str::from_utf8(event.data.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn fields_comments_and_line_endings() {
        let mut p = SseParser::new(1024);
        p.push(b": keep-alive\n\nid: 7\nevent: message\ndata: {\"a\":1}\n\n");
        p.push(b"event: endpoint\r\ndata: /messages?x=1\r\n\r\n");
        p.push(b"data:one\rdata: two\r\r");
        let got = events(&mut p);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(text(&got[0]), "{\"a\":1}");
        assert_eq!(got[0].id.as_deref(), Some("7"));
        assert!(got[0].is_message());
        assert_eq!(got[1].kind, "endpoint");
        assert_eq!(text(&got[1]), "/messages?x=1");
        assert_eq!(text(&got[2]), "one\ntwo");
        assert_eq!(got[2].id.as_deref(), Some("7"), "the id carries over");
        assert_eq!(p.last_id(), Some("7"));
    }

    #[test]
    fn chunk_boundaries_anywhere() {
        let stream = b"\xEF\xBB\xBFretry: 250\nid: a\r\ndata: {\"x\":\"y\"}\r\n\r\ndata: 2\n\n";
        for split in 0..stream.len() {
            let mut p = SseParser::new(1024);
            p.push(&stream[..split]);
            p.push(&stream[split..]);
            let got = events(&mut p);
            assert_eq!(got.len(), 2, "split at {split}: {got:?}");
            assert_eq!(text(&got[0]), "{\"x\":\"y\"}", "split at {split}");
            assert_eq!(text(&got[1]), "2", "split at {split}");
            assert_eq!(p.retry(), Some(Duration::from_millis(250)));
        }
    }

    #[test]
    fn events_without_data_are_not_dispatched() {
        let mut p = SseParser::new(1024);
        p.push(b"id: 3\n\nevent: x\n\ndata\n\n");
        let got = events(&mut p);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(text(&got[0]), "");
        assert_eq!(got[0].id.as_deref(), Some("3"));
    }

    #[test]
    fn oversized_data_is_reported_and_skipped() {
        let mut p = SseParser::new(8);
        p.push(b"data: 0123456789abcdef\n\ndata: 0123\ndata: 4567\n\ndata: ok\n\n");
        let got = events(&mut p);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].data, None, "one long line");
        assert_eq!(got[1].data, None, "lines that add up");
        assert_eq!(text(&got[2]), "ok");

        // A line that never ends is not buffered past the limit.
        let mut p = SseParser::new(8);
        for _ in 0..1000 {
            p.push(b"data: xxxxxxxxxxxxxxxxxxxx");
        }
        assert!(p.line.len() <= 8 + 16);
        p.push(b"\n\ndata: ok\n\n");
        let got = events(&mut p);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].data, None);
        assert_eq!(text(&got[1]), "ok");
    }

    #[test]
    fn unfinished_event_is_not_dispatched() {
        let mut p = SseParser::new(64);
        p.push(b"data: half");
        assert!(p.next_event().is_none());
    }
}
