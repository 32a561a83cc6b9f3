//! Idle connections hold little and leave nothing behind: 500 initialized connections stay
//! open with a bounded memory cost each, and once they close the open-connection count and
//! the runtime's live tasks return to where they were, round after round.
//!
//! The 10,000-connection measurement lives in `examples/idle.rs`
//! (`cargo run --release -p mcplex-ws --example idle -- 10000`).

mod support;

use std::time::{Duration, Instant};

use mcplex_test::Peer;
use support::Harness;

const CONNECTIONS: usize = 500;

/// A generous cap on the memory one idle connection costs, client and server side together,
/// in a debug build.
const MAX_BYTES_PER_CONNECTION: u64 = 256 * 1024;

/// Resident memory of this process, in bytes (Linux only).
fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

async fn open(harness: &Harness) -> Vec<Peer> {
    let mut peers = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        peers.push(harness.peer().await);
    }
    peers
}

/// Closes half the peers with a close frame and drops the other half's sockets.
async fn close(peers: Vec<Peer>) {
    for (i, mut peer) in peers.into_iter().enumerate() {
        if i % 2 == 0 {
            peer.close().await;
        }
        drop(peer);
    }
}

async fn settle(harness: &Harness, tasks: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while harness.endpoint.open_connections() > 0 || alive_tasks() > tasks {
        assert!(
            Instant::now() < deadline,
            "{} connections and {} tasks (baseline {tasks}) left after closing",
            harness.endpoint.open_connections(),
            alive_tasks()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_cost_little_and_leave_nothing_behind() {
    let harness = Harness::demo().await;
    // Warm up: one connection, so that lazily built state is not counted.
    close(vec![harness.peer().await]).await;
    settle(&harness, usize::MAX).await;
    let tasks = alive_tasks();

    let mut after_rounds = Vec::new();
    for round in 0..2 {
        let before = rss();
        let peers = open(&harness).await;
        assert_eq!(harness.endpoint.open_connections(), CONNECTIONS);
        if let (Some(before), Some(after)) = (before, rss()) {
            let each = after.saturating_sub(before) / CONNECTIONS as u64;
            eprintln!("round {round}: {each} bytes per idle connection (client and server)");
            assert!(
                each < MAX_BYTES_PER_CONNECTION,
                "{each} bytes per idle connection"
            );
        }
        close(peers).await;
        settle(&harness, tasks).await;
        after_rounds.extend(rss());
    }
    if let [first, second] = after_rounds[..] {
        // Freed memory may stay with the allocator, but a second round reuses it.
        let growth = second.saturating_sub(first);
        assert!(
            growth < (CONNECTIONS as u64) * MAX_BYTES_PER_CONNECTION / 4,
            "memory grew by {growth} bytes from one round to the next"
        );
    }
    let accepted = harness.metric("mcplex_ws_connections_total ");
    assert_eq!(accepted, 2 * CONNECTIONS as u64 + 1);
    harness.stop().await;
}
