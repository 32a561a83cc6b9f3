//! Sealing and opening of multi round-trip request state.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcplex_core::seal::{Binding, SealError, Sealer};
use serde_json::{Value, json};

const TTL: Duration = Duration::from_secs(600);

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn sealer() -> Sealer {
    Sealer::new(b"0123456789abcdef0123456789abcdef").unwrap()
}

fn params() -> Value {
    json!({ "name": "book_flight", "arguments": { "to": "LIS", "seats": 2 } })
}

fn binding(principal: Option<&str>) -> Binding<'_> {
    Binding {
        principal,
        request_digest: Binding::digest_request("tools/call", &params()),
    }
}

fn state() -> Value {
    json!({ "step": 2, "answers": ["yes", null], "nested": { "é": 1.5 } })
}

#[test]
fn round_trip() {
    let sealer = sealer();
    let binding = binding(Some("alice"));
    let token = sealer.seal(&state(), &binding, TTL, now());
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    );
    assert_eq!(sealer.open(&token, &binding, now()), Ok(state()));
    let just_before = now() + TTL - Duration::from_millis(1);
    assert_eq!(sealer.open(&token, &binding, just_before), Ok(state()));

    // Without a principal too, and with a random key.
    let anon = self::binding(None);
    let sealer = Sealer::random();
    let token = sealer.seal(&json!(null), &anon, TTL, now());
    assert_eq!(sealer.open(&token, &anon, now()), Ok(json!(null)));
}

#[test]
fn every_modified_byte_is_rejected() {
    let sealer = sealer();
    let binding = binding(Some("alice"));
    let token = sealer.seal(&state(), &binding, TTL, now());
    let bytes = token.as_bytes();
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x20, 0x80] {
            let mut modified = bytes.to_vec();
            modified[i] ^= flip;
            let Ok(modified) = String::from_utf8(modified) else {
                continue;
            };
            let result = sealer.open(&modified, &binding, now());
            assert!(result.is_err(), "byte {i} ^ {flip:#x} accepted");
        }
        // Truncated and extended tokens too.
        assert!(sealer.open(&token[..i], &binding, now()).is_err());
    }
    assert!(sealer.open(&format!("{token}A"), &binding, now()).is_err());
    assert!(sealer.open(&format!("A{token}"), &binding, now()).is_err());
}

#[test]
fn expired() {
    let sealer = sealer();
    let binding = binding(Some("alice"));
    let token = sealer.seal(&state(), &binding, TTL, now());
    assert_eq!(
        sealer.open(&token, &binding, now() + TTL),
        Err(SealError::Expired)
    );
    let later = now() + Duration::from_secs(86_400);
    assert_eq!(
        sealer.open(&token, &binding, later),
        Err(SealError::Expired)
    );
    let zero = sealer.seal(&state(), &binding, Duration::ZERO, now());
    assert_eq!(sealer.open(&zero, &binding, now()), Err(SealError::Expired));
    // A huge TTL saturates rather than wrapping around.
    let forever = sealer.seal(&state(), &binding, Duration::MAX, now());
    assert_eq!(sealer.open(&forever, &binding, later), Ok(state()));
}

#[test]
fn bound_to_principal() {
    let sealer = sealer();
    let token = sealer.seal(&state(), &binding(Some("alice")), TTL, now());
    for other in [Some("bob"), Some("alic"), Some("alice "), Some(""), None] {
        let result = sealer.open(&token, &binding(other), now());
        assert_eq!(result, Err(SealError::BadSignature), "{other:?}");
    }
    let anon = sealer.seal(&state(), &binding(None), TTL, now());
    assert_eq!(
        sealer.open(&anon, &binding(Some("")), now()),
        Err(SealError::BadSignature)
    );
}

#[test]
fn bound_to_request() {
    let sealer = sealer();
    let token = sealer.seal(&state(), &binding(Some("alice")), TTL, now());
    let other_args = json!({ "name": "book_flight", "arguments": { "to": "OPO", "seats": 2 } });
    for digest in [
        Binding::digest_request("tools/call", &other_args),
        Binding::digest_request("prompts/get", &params()),
    ] {
        let other = Binding {
            principal: Some("alice"),
            request_digest: digest,
        };
        assert_eq!(
            sealer.open(&token, &other, now()),
            Err(SealError::BadSignature)
        );
    }
}

#[test]
fn other_key_is_a_bad_signature() {
    let binding = binding(Some("alice"));
    let token = sealer().seal(&state(), &binding, TTL, now());
    let other = Sealer::new(&[0x42; 64]).unwrap();
    assert_eq!(
        other.open(&token, &binding, now()),
        Err(SealError::BadSignature)
    );
}

#[test]
fn garbage_is_malformed() {
    let sealer = sealer();
    let binding = binding(Some("alice"));
    let token = sealer.seal(&state(), &binding, TTL, now());
    let (payload, mac) = token.split_once('.').unwrap();
    let huge = "A".repeat(Sealer::MAX_TOKEN_LEN + 1);
    let huge_valid_looking = format!("{}.{mac}", "A".repeat(Sealer::MAX_TOKEN_LEN));
    for garbage in [
        "",
        ".",
        "..",
        "no-dot-here",
        "!!!.???",
        "AAAA.AAAA",
        "AQ.AAAA",
        payload,
        &format!("{payload}.{mac}.{mac}"),
        &format!("{payload}="),
        &format!("{payload}.{mac}=="),
        &format!("{payload}.AAAA"),
        &format!(".{mac}"),
        // Version 2 with a valid-looking body.
        &format!("Ag{}.{mac}", &payload[2..]),
        "é.é",
        &huge,
        &huge_valid_looking,
    ] {
        let result = sealer.open(garbage, &binding, now());
        assert_eq!(result, Err(SealError::Malformed), "{garbage:.40?}");
    }
}

#[test]
fn key_too_short() {
    assert_eq!(Sealer::new(&[]).unwrap_err(), SealError::KeyTooShort);
    assert_eq!(Sealer::new(&[1; 31]).unwrap_err(), SealError::KeyTooShort);
    assert!(Sealer::new(&[1; Sealer::MIN_KEY_LEN]).is_ok());
    assert!(Sealer::new(&[1; 200]).is_ok());
}

#[test]
fn debug_hides_the_key() {
    let debug = format!("{:?}", Sealer::new(&[0xab; 32]).unwrap());
    assert!(!debug.contains("ab") && !debug.contains("171"), "{debug}");
}

#[test]
fn digest_is_canonical() {
    let a = json!({ "name": "t", "arguments": { "x": 1, "y": [1, { "b": 2, "a": 1 }] } });
    let b: Value = serde_json::from_str(
        r#"{ "arguments": { "y": [1, { "a": 1, "b": 2 }], "x": 1 }, "name": "t" }"#,
    )
    .unwrap();
    let digest = |v: &Value| Binding::digest_request("tools/call", v);
    assert_eq!(digest(&a), digest(&b));

    // The round-trip fields at the top level are ignored.
    let mut retry = a.clone();
    retry["_meta"] = json!({ "progressToken": 7 });
    retry["requestState"] = json!("token");
    retry["inputResponses"] = json!({ "r1": { "action": "accept" } });
    assert_eq!(digest(&a), digest(&retry));

    // Everything else counts, including same-named fields deeper down.
    let mut nested = a.clone();
    nested["arguments"]["_meta"] = json!(1);
    for different in [
        json!({ "name": "t", "arguments": { "x": 2, "y": [1, { "b": 2, "a": 1 }] } }),
        json!({ "name": "t", "arguments": { "x": 1, "y": [{ "b": 2, "a": 1 }, 1] } }),
        json!({ "name": "t", "arguments": { "x": "1", "y": [1, { "b": 2, "a": 1 }] } }),
        json!({ "name": "u", "arguments": { "x": 1, "y": [1, { "b": 2, "a": 1 }] } }),
        json!({ "name": "t" }),
        json!(null),
        nested,
    ] {
        assert_ne!(digest(&a), digest(&different), "{different}");
    }
    assert_ne!(
        Binding::digest_request("tools/call", &a),
        Binding::digest_request("tools/cal", &a)
    );
    // Method and params cannot trade bytes.
    assert_ne!(
        Binding::digest_request("a", &json!("bc")),
        Binding::digest_request("ab", &json!("c"))
    );
}
