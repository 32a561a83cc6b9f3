//! Envelope decode, result encode and SSE framing for a typical `tools/call` exchange.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mcplex_benches::{ECHO_TEXT, TOOLS_CALL_REQUEST, TOOLS_CALL_REQUEST_2026};
use mcplex_protocol::model::{CallToolParams, CallToolResult};
use mcplex_protocol::{Message, ProtocolVersion, RequestId, Response, Shape, decode};
use std::hint::black_box;

fn decode_envelope(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    for (name, input) in [
        ("tools_call_envelope", TOOLS_CALL_REQUEST),
        ("tools_call_envelope_2026", TOOLS_CALL_REQUEST_2026),
    ] {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| b.iter(|| decode(black_box(input)).unwrap()));
    }
    group.bench_function("tools_call_envelope_and_params", |b| {
        b.iter(|| {
            let Message::Request(req) = decode(black_box(TOOLS_CALL_REQUEST)).unwrap() else {
                unreachable!()
            };
            let params: CallToolParams = req.params_as().unwrap();
            black_box(params);
        })
    });
    group.finish();
}

fn encode_result(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    for version in [ProtocolVersion::V2025_11_25, ProtocolVersion::V2026_07_28] {
        group.bench_function(format!("tools_call_result_{version}"), |b| {
            let mut buf = Vec::with_capacity(256);
            b.iter(|| {
                let mut result = CallToolResult::text(ECHO_TEXT);
                result.shape(version);
                let msg = Message::Response(Response::new(RequestId::Number(42), &result).unwrap());
                buf.clear();
                msg.encode_into(&mut buf);
                black_box(&buf);
            })
        });
    }
    group.finish();
}

fn sse_framing(c: &mut Criterion) {
    let mut group = c.benchmark_group("sse");
    let result = CallToolResult::text(ECHO_TEXT);
    let message = Message::Response(Response::new(RequestId::Number(42), &result).unwrap());
    group.bench_function("message_event", |b| {
        b.iter(|| black_box(mcplex_sse::message_event(black_box(&message), None)))
    });
    group.bench_function("message_event_with_id", |b| {
        b.iter(|| black_box(mcplex_sse::message_event(black_box(&message), Some("1:42"))))
    });
    group.finish();
}

criterion_group!(benches, decode_envelope, encode_result, sse_framing);
criterion_main!(benches);
