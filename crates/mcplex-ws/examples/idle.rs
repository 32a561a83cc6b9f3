//! Measures the memory a WebSocket server holds per idle connection.
//!
//! ```text
//! cargo run --release -p mcplex-ws --example idle -- [CONNECTIONS] [--bare]
//! ```
//!
//! This process serves the demo toolset on a free loopback port and starts itself again as
//! the client process, which opens `CONNECTIONS` (default 10,000) WebSocket connections, runs
//! the `initialize` handshake on each (unless `--bare`) and then keeps them idle. The server's
//! resident memory is read before and after, so the figure printed is the server side alone:
//! the endpoint's task, the WebSocket buffers, core's connection and session state.
//!
//! Each process needs a file descriptor per connection (`ulimit -n`).

use std::time::{Duration, Instant};

use mcplex_protocol::ProtocolVersion;
use mcplex_test::Peer;
use mcplex_test::idle::{
    Error, hold_until_stdin_closes, report, rss, start_clients, stop_clients, summary,
};
use mcplex_ws::{ClientOptions, Endpoint, WsOptions, connect};
use tokio::net::TcpListener;

/// Connections opened at once by the client process.
const PARALLEL: usize = 200;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bare = args.iter().any(|a| a == "--bare");
    let count: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
    if let Some(url) = args.iter().find(|a| a.starts_with("ws://")) {
        return clients(url, count, bare).await;
    }

    let endpoint = Endpoint::new(mcplex_toolsets::demo().build(), WsOptions::default());
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/ws", listener.local_addr()?);
    tokio::spawn(endpoint.clone().serve(listener, std::future::pending()));

    // Warm up with a few connections, so that lazily built state is not counted.
    let mut warm = Vec::new();
    for _ in 0..10 {
        warm.push(connect(&url, &ClientOptions::default()).await?);
    }
    drop(warm);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss();

    let started = Instant::now();
    let mut args = vec![url.clone(), count.to_string()];
    if bare {
        args.push("--bare".to_owned());
    }
    let child = start_clients(&args).await?;
    while endpoint.open_connections() < count {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let opened = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let what = if bare {
        "bare WebSocket connections"
    } else {
        "initialized MCP connections"
    };
    report(&summary(count, what, opened, before, rss()));

    stop_clients(child).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while endpoint.open_connections() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    report(&format!(
        "after the client process exited: {} connections open",
        endpoint.open_connections()
    ));
    Ok(())
}

/// The client process: opens `count` connections, says `ready`, waits for stdin to close.
async fn clients(url: &str, count: usize, bare: bool) -> Result<(), Error> {
    let options = ClientOptions::default().with_ping_interval(None);
    let mut held = Vec::with_capacity(count);
    let mut opened = 0;
    while opened < count {
        let batch = PARALLEL.min(count - opened);
        let mut tasks = Vec::with_capacity(batch);
        for _ in 0..batch {
            let url = url.to_owned();
            let options = options.clone();
            tasks.push(tokio::spawn(async move {
                let transport = connect(&url, &options).await?;
                let mut peer = Peer::new(transport);
                if !bare {
                    peer.initialize(ProtocolVersion::V2025_11_25).await;
                }
                Ok::<_, mcplex_ws::Error>(peer)
            }));
        }
        for task in tasks {
            held.push(task.await??);
        }
        opened += batch;
    }
    hold_until_stdin_closes(held).await;
    Ok(())
}
