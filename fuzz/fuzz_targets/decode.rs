#![no_main]
//! Fuzzes the JSON-RPC envelope decoder: `cargo +nightly fuzz run decode fuzz/corpus/decode`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mcplex_fuzz::decode_round_trip(data);
});
