//! The harness of the `idle` examples, which measure the memory a server holds per idle
//! connection: the server process reads its own resident memory, starts itself again as the
//! client process that opens the connections, and reports one summary line that
//! `cargo xtask bench` reads.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

/// An error of the harness or of the example using it.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Resident memory of this process, in bytes (Linux; 0 elsewhere).
pub fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Prints a line of the report on stdout.
#[allow(clippy::print_stdout, reason = "the idle examples report on stdout")]
pub fn report(text: &str) {
    println!("{text}");
}

/// The summary line: `count` idle `what` (for example "initialized MCP connections") took the
/// server's resident memory from `before` to `after` bytes.
pub fn summary(count: usize, what: &str, opened: Duration, before: u64, after: u64) -> String {
    let per = after.saturating_sub(before) / count.max(1) as u64;
    format!(
        "{count} idle {what} opened in {opened:.2?}; server RSS {} MiB -> {} MiB: {per} bytes ({:.1} KiB) per connection",
        before / (1024 * 1024),
        after / (1024 * 1024),
        per as f64 / 1024.0
    )
}

/// Starts this executable again with `args` as the client process and waits until it says
/// `ready` (every connection is open). Closing its stdin ([`stop_clients`]) lets it exit.
///
/// # Errors
///
/// When the process cannot start or fails before it is ready.
pub async fn start_clients(args: &[String]) -> Result<Child, Error> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let ready = BufReader::new(stdout).lines().next_line().await?;
    if ready.as_deref() != Some("ready") {
        return Err(format!("the client process failed: {ready:?}").into());
    }
    Ok(child)
}

/// Closes the client process's stdin and waits for it to exit.
pub async fn stop_clients(mut child: Child) {
    drop(child.stdin.take());
    let _ = child.wait().await;
}

/// In the client process: says `ready`, then keeps `held` (the open connections) until stdin
/// closes.
pub async fn hold_until_stdin_closes<T>(held: Vec<T>) {
    report("ready");
    let mut buf = [0u8; 1];
    let _ = tokio::io::stdin().read(&mut buf).await;
    drop(held);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_the_line_the_bench_reads() {
        let line = summary(
            2,
            "initialized MCP connections",
            Duration::from_millis(1500),
            4 * 1024 * 1024,
            4 * 1024 * 1024 + 2 * 12_288,
        );
        assert_eq!(
            line,
            "2 idle initialized MCP connections opened in 1.50s; server RSS 4 MiB -> 4 MiB: \
             12288 bytes (12.0 KiB) per connection"
        );
    }
}
