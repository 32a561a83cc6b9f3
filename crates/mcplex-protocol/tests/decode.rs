//! The envelope decoder against malformed and hostile input, and the fuzz seed corpus.

use mcplex_protocol::{
    DecodeErrorKind as Kind, DecodeLimits, ErrorCode, Incoming, MAX_DEPTH_CEILING, Message,
    RequestId, decode, decode_incoming, decode_with,
};

#[allow(unreachable_pub)] // `pub` in the fuzz crate, private here
#[path = "../../../fuzz/src/lib.rs"]
mod fuzz_checks;

/// Decodes `input` and asserts the error kind, the JSON-RPC code it maps to and the id kept.
#[track_caller]
fn rejects(input: &[u8], kind: Kind, id: Option<RequestId>) {
    let err = decode(input).expect_err("input must be rejected");
    assert_eq!(
        err.kind(),
        kind,
        "kind for {}",
        String::from_utf8_lossy(input)
    );
    let code = match kind {
        Kind::InvalidUtf8 | Kind::Syntax | Kind::TooDeep => ErrorCode::PARSE_ERROR,
        _ => ErrorCode::INVALID_REQUEST,
    };
    assert_eq!(err.code(), code);
    assert_eq!(err.id(), id.as_ref());
    let response = Message::Error(err.to_response());
    let json: serde_json::Value = serde_json::from_slice(&response.to_vec()).unwrap();
    assert_eq!(json["error"]["code"], code.as_i32());
    match &id {
        None => assert!(json["id"].is_null()),
        Some(id) => assert_eq!(json["id"], serde_json::to_value(id).unwrap()),
    }
}

#[test]
fn malformed_json_is_a_parse_error() {
    rejects(
        br#"{"jsonrpc":"2.0","id":1,"method":"ping""#,
        Kind::Syntax,
        None,
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#,
        Kind::Syntax,
        None,
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":1,"method":"ping"}{}"#,
        Kind::Syntax,
        None,
    );
    rejects(b"", Kind::Syntax, None);
    rejects(b"{", Kind::Syntax, None);
    rejects(b"nul", Kind::Syntax, None);
    rejects(b"5 x", Kind::Syntax, None);
    rejects(b"[1,", Kind::Syntax, None);
    rejects(br#"{"jsonrpc":"2.0","id":"\"#, Kind::Syntax, None);
    rejects(b"{'jsonrpc':'2.0'}", Kind::Syntax, None);
}

#[test]
fn invalid_utf8_is_a_parse_error() {
    rejects(
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffng\"}",
        Kind::InvalidUtf8,
        None,
    );
    rejects(b"\xc3\x28", Kind::InvalidUtf8, None);
}

#[test]
fn valid_json_that_is_not_a_message_is_an_invalid_request() {
    rejects(b"null", Kind::NotAnObject, None);
    rejects(b"5", Kind::NotAnObject, None);
    rejects(br#""tools/list""#, Kind::NotAnObject, None);
    rejects(b"true", Kind::NotAnObject, None);
    rejects(b"[]", Kind::BatchNotAllowed, None);
    rejects(
        br#"[{"jsonrpc":"2.0","method":"x"}]"#,
        Kind::BatchNotAllowed,
        None,
    );
    rejects(b"{}", Kind::BadVersion, None);
}

#[test]
fn bad_members_keep_the_id_when_it_can_be_read() {
    rejects(
        br#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#,
        Kind::BadId,
        None,
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
        Kind::BadId,
        None,
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
        Kind::BadId,
        None,
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
        Kind::BadId,
        None,
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
        Kind::BadId,
        None,
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":18446744073709551616,"method":"ping"}"#,
        Kind::BadId,
        None,
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":1,"method":5}"#,
        Kind::BadMethod,
        Some(1.into()),
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":"a","method":null}"#,
        Kind::BadMethod,
        Some("a".into()),
    );
    rejects(
        br#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
        Kind::BadVersion,
        Some(1.into()),
    );
    rejects(
        br#"{"jsonrpc":2.0,"id":1,"method":"ping"}"#,
        Kind::BadVersion,
        Some(1.into()),
    );
    rejects(
        br#"{"id":1,"method":"ping"}"#,
        Kind::BadVersion,
        Some(1.into()),
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":3,"method":"ping","params":[1,2]}"#,
        Kind::BadParams,
        Some(3.into()),
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":3,"method":"ping","params":"x"}"#,
        Kind::BadParams,
        Some(3.into()),
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":4,"result":{},"error":{"code":1,"message":"x"}}"#,
        Kind::NotAMessage,
        Some(4.into()),
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":4,"method":"x","result":{}}"#,
        Kind::NotAMessage,
        Some(4.into()),
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":5}"#,
        Kind::NotAMessage,
        Some(5.into()),
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":6,"id":7,"method":"ping"}"#,
        Kind::NotAMessage,
        Some(7.into()),
    );
    rejects(
        br#"{"jsonrpc":"2.0","id":8,"error":{"code":"x","message":"m"}}"#,
        Kind::BadError,
        Some(8.into()),
    );
    rejects(br#"{"jsonrpc":"2.0","result":{}}"#, Kind::BadId, None);
}

#[test]
fn well_formed_messages_decode() {
    let Message::Request(req) = decode(
        br#" {"method":"tools\/call","params":{"name":"echo"},"id":"x","jsonrpc":"2.0","extra":[1,{"a":2}]} "#,
    )
    .unwrap() else {
        panic!("expected a request")
    };
    assert_eq!(req.id, RequestId::from("x"));
    assert_eq!(req.method, "tools/call");
    assert_eq!(req.params.unwrap().get(), r#"{"name":"echo"}"#);

    let Message::Notification(n) =
        decode(br#"{"jsonrpc":"2.0","method":"notifications/initialized","params":null}"#).unwrap()
    else {
        panic!("expected a notification")
    };
    assert!(n.params.is_none());

    let Message::Response(r) = decode(br#"{"jsonrpc":"2.0","id":-3,"result":{"x":1}}"#).unwrap()
    else {
        panic!("expected a response")
    };
    assert_eq!(r.id, RequestId::Number(-3));

    let Message::Error(e) = decode(
        br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad","data":{"at":3}}}"#,
    )
    .unwrap() else {
        panic!("expected an error response")
    };
    assert_eq!(e.id, None);
    assert_eq!(e.error.code, ErrorCode::PARSE_ERROR);
}

#[test]
fn encoding_is_canonical() {
    let input = br#"{"params":{"a" : 1},"method":"m","id":9,"jsonrpc":"2.0"}"#;
    let msg = decode(input).unwrap();
    assert_eq!(
        msg.to_json_string(),
        r#"{"jsonrpc":"2.0","id":9,"method":"m","params":{"a" : 1}}"#
    );
    assert_eq!(decode(&msg.to_vec()).unwrap(), msg);
}

#[test]
fn deep_nesting_is_rejected_without_overflowing_the_stack() {
    let n = 100_000;
    let arrays = format!("{}{}", "[".repeat(n), "]".repeat(n));
    rejects(arrays.as_bytes(), Kind::TooDeep, None);

    let objects = format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
    rejects(objects.as_bytes(), Kind::TooDeep, None);

    let in_params = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"x","params":{{"a":{}{}}}}}"#,
        "[".repeat(n),
        "]".repeat(n)
    );
    rejects(in_params.as_bytes(), Kind::TooDeep, None);

    rejects("[".repeat(n).as_bytes(), Kind::TooDeep, None);

    // Batches are checked the same way.
    let err = decode_incoming(arrays.as_bytes(), &DecodeLimits::DEFAULT).unwrap_err();
    assert_eq!(err.kind(), Kind::TooDeep);
}

/// A request whose params nest `depth` levels in total, counting the message object.
fn nested_request(depth: usize) -> String {
    let inner = depth - 2; // the message object and the params object
    format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"x","params":{{"a":{}{}}}}}"#,
        "[".repeat(inner),
        "]".repeat(inner)
    )
}

#[test]
fn depth_limit_is_exact_and_configurable() {
    assert!(decode(nested_request(128).as_bytes()).is_ok());
    assert_eq!(
        decode(nested_request(129).as_bytes()).unwrap_err().kind(),
        Kind::TooDeep
    );

    let tight = DecodeLimits {
        max_depth: 4,
        ..DecodeLimits::DEFAULT
    };
    assert!(decode_with(nested_request(4).as_bytes(), &tight).is_ok());
    assert!(decode_with(nested_request(5).as_bytes(), &tight).is_err());

    // Above serde_json's own recursion limit, the configured limit still rules.
    let loose = DecodeLimits {
        max_depth: 200,
        ..DecodeLimits::DEFAULT
    };
    let msg = decode_with(nested_request(200).as_bytes(), &loose).unwrap();
    let Message::Request(req) = msg else {
        panic!("expected a request")
    };
    let params: serde_json::Value = req.params_as().unwrap();
    assert!(params["a"].is_array());

    // The limit cannot be raised past the ceiling.
    let huge = DecodeLimits {
        max_depth: usize::MAX,
        ..DecodeLimits::DEFAULT
    };
    assert_eq!(
        decode_with(nested_request(MAX_DEPTH_CEILING + 1).as_bytes(), &huge)
            .unwrap_err()
            .kind(),
        Kind::TooDeep
    );
}

#[test]
fn deep_payloads_decode_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let limits = DecodeLimits {
                max_depth: MAX_DEPTH_CEILING,
                ..DecodeLimits::DEFAULT
            };
            let Message::Request(req) =
                decode_with(nested_request(MAX_DEPTH_CEILING).as_bytes(), &limits).unwrap()
            else {
                panic!("expected a request")
            };
            let params: serde_json::Value = req.params_as().unwrap();
            assert!(params.is_object());
        })
        .unwrap();
    handle
        .join()
        .expect("decoding at the ceiling must fit a quarter of a tokio worker stack");
}

#[test]
fn ten_megabytes_of_whitespace_is_a_parse_error() {
    let ws = vec![b' '; 10 * 1024 * 1024];
    rejects(&ws, Kind::Syntax, None);

    let mut padded = ws.clone();
    padded.extend_from_slice(br#"{"jsonrpc":"2.0","method":"x"}"#);
    padded.extend_from_slice(&ws);
    assert!(matches!(decode(&padded), Ok(Message::Notification(_))));
}

#[test]
fn batches_decode_element_by_element() {
    let input =
        br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}, 5, {"jsonrpc":"1.0","id":2,"method":"x"}]"#;
    let Incoming::Batch(items) = decode_incoming(input, &DecodeLimits::DEFAULT).unwrap() else {
        panic!("expected a batch")
    };
    assert_eq!(items.len(), 3);
    assert!(matches!(items[0], Ok(Message::Request(_))));
    assert_eq!(items[1].as_ref().unwrap_err().kind(), Kind::NotAnObject);
    let third = items[2].as_ref().unwrap_err();
    assert_eq!(third.kind(), Kind::BadVersion);
    assert_eq!(third.id(), Some(&RequestId::Number(2)));

    let empty = decode_incoming(b" [ ] ", &DecodeLimits::DEFAULT).unwrap_err();
    assert_eq!(empty.kind(), Kind::EmptyBatch);
    assert_eq!(empty.code(), ErrorCode::INVALID_REQUEST);

    let many = format!("[{}]", vec!["{}"; 300].join(","));
    let err = decode_incoming(many.as_bytes(), &DecodeLimits::DEFAULT).unwrap_err();
    assert_eq!(err.kind(), Kind::BatchTooLarge);

    let single = decode_incoming(br#"{"jsonrpc":"2.0","method":"x"}"#, &DecodeLimits::DEFAULT);
    assert!(matches!(single, Ok(Incoming::Single(_))));
}

#[test]
fn fuzz_seed_corpus_holds_the_decoder_properties() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/decode");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the fuzz seed corpus exists") {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        fuzz_checks::decode_round_trip(&data);
        count += 1;
    }
    assert!(count >= 20, "seed corpus has only {count} files");
}
