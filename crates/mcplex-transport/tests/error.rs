//! The error type: queries, fatality, messages and source chains.

use std::error::Error as _;
use std::io;

use mcplex_protocol::{DecodeErrorKind, ErrorCode, decode};
use mcplex_transport::Error;

#[derive(Debug)]
struct Custom;

impl std::fmt::Display for Custom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("custom fault")
    }
}

impl std::error::Error for Custom {}

fn queries(e: &Error) -> [bool; 6] {
    [
        e.is_closed(),
        e.is_io(),
        e.is_decode(),
        e.is_too_large(),
        e.is_timeout(),
        e.is_fatal(),
    ]
}

#[test]
fn each_constructor_answers_its_own_query() {
    let decode_error = decode(b"{").unwrap_err();
    let cases = [
        (Error::closed(), [true, false, false, false, false, true]),
        (
            Error::io(io::ErrorKind::PermissionDenied.into()),
            [false, true, false, false, false, true],
        ),
        (
            Error::decode(decode_error),
            [false, false, true, false, false, false],
        ),
        (
            Error::too_large(10),
            [false, false, false, true, false, false],
        ),
        (Error::timeout(), [false, false, false, false, true, true]),
        (
            Error::other(Custom),
            [false, false, false, false, false, true],
        ),
    ];
    for (error, expected) in cases {
        assert_eq!(queries(&error), expected, "{error:?}");
    }
}

#[test]
fn io_errors_that_mean_the_peer_left_are_closed() {
    for kind in [
        io::ErrorKind::BrokenPipe,
        io::ErrorKind::ConnectionReset,
        io::ErrorKind::ConnectionAborted,
        io::ErrorKind::UnexpectedEof,
    ] {
        let error = Error::from(io::Error::from(kind));
        assert!(error.is_io() && error.is_closed(), "{kind:?}");
    }
    assert!(!Error::io(io::ErrorKind::TimedOut.into()).is_closed());
}

#[test]
fn decode_errors_keep_code_and_id() {
    let error = Error::from(decode(br#"{"jsonrpc":"2.0","id":"x","method":1}"#).unwrap_err());
    let decode_error = error.decode_error().unwrap();
    assert_eq!(decode_error.kind(), DecodeErrorKind::BadMethod);
    assert_eq!(decode_error.code(), ErrorCode::INVALID_REQUEST);
    assert_eq!(decode_error.to_response().id, Some("x".into()));
    assert!(Error::closed().decode_error().is_none());
    assert!(Error::other(Custom).decode_error().is_none());
}

#[test]
fn messages_are_lowercase_without_a_period_and_sources_chain() {
    let cases = [
        (Error::closed(), "connection closed", None),
        (
            Error::io(io::Error::other("disk on fire")),
            "connection error",
            Some("disk on fire".to_owned()),
        ),
        (
            Error::decode(decode(b"[1").unwrap_err()),
            "invalid message",
            Some(decode(b"[1").unwrap_err().to_string()),
        ),
        (
            Error::too_large(4096),
            "message too large (limit is 4096 bytes)",
            None,
        ),
        (Error::timeout(), "operation timed out", None),
        (
            Error::other(Custom),
            "transport error",
            Some("custom fault".to_owned()),
        ),
    ];
    for (error, message, source) in cases {
        assert_eq!(error.to_string(), message);
        assert!(!message.ends_with('.'));
        assert_eq!(error.source().map(ToString::to_string), source);
    }
}

#[test]
fn debug_names_the_kind_and_the_source() {
    let debug = format!("{:?}", Error::other(Custom));
    assert!(debug.contains("Other"), "{debug}");
    assert!(debug.contains("Custom"), "{debug}");
}

#[test]
fn errors_are_send_sync_and_static() {
    fn check<T: Send + Sync + 'static + std::error::Error>() {}
    check::<Error>();
}
