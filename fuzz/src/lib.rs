//! Properties the fuzz targets check, shared with the protocol crate's tests so that the seed
//! corpus runs as an ordinary test on the stable toolchain.

use mcplex_protocol::{DecodeLimits, ErrorCode, Incoming, decode, decode_incoming};

/// Decodes arbitrary bytes and checks the decoder's promises:
///
/// - it never panics, whatever the input;
/// - an error maps to `-32700` or `-32600` and renders as a JSON-RPC error response;
/// - a decoded message re-encodes to JSON that decodes to the same message.
pub fn decode_round_trip(data: &[u8]) {
    match decode(data) {
        Ok(message) => {
            let encoded = message.to_vec();
            let again = decode(&encoded).expect("an encoded message decodes");
            assert_eq!(again, message, "decode(encode(m)) == m");
        }
        Err(err) => {
            assert!(
                err.code() == ErrorCode::PARSE_ERROR || err.code() == ErrorCode::INVALID_REQUEST,
                "unexpected code {} for {err}",
                err.code()
            );
            let response = mcplex_protocol::Message::Error(err.to_response());
            assert!(decode(&response.to_vec()).is_ok(), "error responses decode");
        }
    }
    if let Ok(Incoming::Batch(items)) = decode_incoming(data, &DecodeLimits::DEFAULT) {
        assert!(!items.is_empty() && items.len() <= DecodeLimits::DEFAULT.max_batch_len);
    }
}
