//! Core dispatch: `tools/call` of an `echo` tool and `tools/list`, through the in-memory
//! transport (no serialization on the wire, so this isolates the server's own work).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::{SinkExt, StreamExt};
use mcplex_benches::{ECHO_TEXT, TOOLS_CALL_REQUEST, TOOLS_CALL_REQUEST_2026};
use mcplex_core::{Context, Server, ToolDef};
use mcplex_protocol::{Message, decode};
use mcplex_transport::Transport;
use mcplex_transport::memory::{MemoryReader, MemoryWriter, pair};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    text: String,
}

fn server() -> Server {
    Server::builder()
        .tool(ToolDef::new(
            "echo",
            |_cx: Context, a: EchoArgs| async move { a.text },
        ))
        .build()
}

/// A connected, initialized client end on a current-thread runtime.
fn connect(rt: &tokio::runtime::Runtime) -> (MemoryWriter, MemoryReader) {
    rt.block_on(async {
        let (server_end, client_end) = pair(1024);
        let server = server();
        tokio::spawn(async move { server.serve_connection(server_end).await });
        let (mut reader, mut writer, _) = client_end.split();
        let init = decode(br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#).unwrap();
        writer.send(init).await.unwrap();
        reader.next().await.unwrap().unwrap();
        let initialized = decode(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap();
        writer.send(initialized).await.unwrap();
        (writer, reader)
    })
}

fn round_trips(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut writer, mut reader) = connect(&rt);
    let mut group = c.benchmark_group("dispatch");
    for (name, input) in [
        ("tools_call_echo_2025_11_25", TOOLS_CALL_REQUEST),
        ("tools_call_echo_2026_07_28", TOOLS_CALL_REQUEST_2026),
        (
            "tools_list_2025_11_25",
            br#"{"jsonrpc":"2.0","id":42,"method":"tools/list"}"#.as_slice(),
        ),
    ] {
        let request = decode(input).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    writer.send(request.clone()).await.unwrap();
                    let reply = reader.next().await.unwrap().unwrap();
                    black_box(reply);
                })
            })
        });
    }
    // 64 requests in flight, as a pipelining client sends them.
    let request = decode(TOOLS_CALL_REQUEST).unwrap();
    group.bench_function("tools_call_echo_window_64", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let started = Instant::now();
                let mut remaining = iters;
                while remaining > 0 {
                    let batch = remaining.min(64);
                    for _ in 0..batch {
                        writer.feed(request.clone()).await.unwrap();
                    }
                    writer.flush().await.unwrap();
                    for _ in 0..batch {
                        let reply = reader.next().await.unwrap().unwrap();
                        if let Message::Response(r) = &reply {
                            assert!(r.result.get().contains(ECHO_TEXT));
                        }
                    }
                    remaining -= batch;
                }
                started.elapsed()
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3));
    targets = round_trips
}
criterion_main!(benches);
