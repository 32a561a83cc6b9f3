//! Measures the memory an HTTP server holds per idle Streamable HTTP session with its
//! standalone SSE stream open.
//!
//! ```text
//! cargo run --release -p mcplex-sse --example idle -- [SESSIONS] [--no-stream]
//! ```
//!
//! This process serves the demo toolset on a free loopback port and starts itself again as
//! the client process, which opens `SESSIONS` (default 10,000) connections and on each one runs
//! the 2025-11-25 handshake (`POST initialize`, which mints an `Mcp-Session-Id`, then
//! `POST notifications/initialized`) and opens the session's standalone stream (`GET`), which
//! it keeps open and idle (with `--no-stream`, it leaves the connection idle after the
//! handshake instead, for the share of the session alone; the server closes those connections
//! after its header read timeout, 10 s, well after the figure is taken). The server's resident memory is read before and after, so the
//! figure printed is the server side alone: the connection's task and buffers, the event
//! stream, the standalone stream's pump, and core's session state.
//!
//! The client speaks HTTP/1.1 directly over TCP, one connection per session. Each process needs
//! a file descriptor per session (`ulimit -n`).

use std::time::{Duration, Instant};

use mcplex_core::Limits;
use mcplex_sse::{Endpoint, SseOptions};
use mcplex_test::idle::{
    Error, hold_until_stdin_closes, report, rss, start_clients, stop_clients, summary,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Sessions opened at once by the client process: fewer than the listen backlog (128, as the
/// standard library's), so that no connection attempt waits for a SYN retransmit.
const PARALLEL: usize = 100;
/// Sessions opened and left behind before the baseline, so that lazily built state is not
/// counted.
const WARM: usize = 10;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let stream = !args.iter().any(|a| a == "--no-stream");
    if let Some(addr) = args.iter().find_map(|a| a.strip_prefix("--connect=")) {
        return clients(addr, count, stream).await;
    }

    let limits = Limits {
        max_sessions: count + WARM,
        ..Limits::default()
    };
    let server = mcplex_toolsets::demo().limits(limits).build();
    let endpoint = Endpoint::new(server, SseOptions::default());
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    tokio::spawn(endpoint.clone().serve(listener, std::future::pending()));

    let mut warm = Vec::new();
    for _ in 0..WARM {
        warm.push(open_session(&addr, stream).await?);
    }
    drop(warm);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss();

    let started = Instant::now();
    let mut args = vec![format!("--connect={addr}"), count.to_string()];
    if !stream {
        args.push("--no-stream".to_owned());
    }
    let child = start_clients(&args).await?;
    // Every GET has its response head, so every stream is open; the warm-up sessions stay.
    while endpoint.streamable_http().session_count() < count + WARM
        || (stream && endpoint.open_streams() < count)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let opened = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let what = if stream {
        "initialized Streamable HTTP sessions with an open standalone SSE stream"
    } else {
        "initialized Streamable HTTP sessions without a stream"
    };
    report(&summary(count, what, opened, before, rss()));

    stop_clients(child).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while endpoint.open_streams() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    report(&format!(
        "after the client process exited: {} streams open",
        endpoint.open_streams()
    ));
    Ok(())
}

/// The client process: opens `count` sessions, says `ready`, waits for stdin to close.
async fn clients(addr: &str, count: usize, stream: bool) -> Result<(), Error> {
    let mut held = Vec::with_capacity(count);
    while held.len() < count {
        let batch = PARALLEL.min(count - held.len());
        let mut tasks = Vec::with_capacity(batch);
        for _ in 0..batch {
            let addr = addr.to_owned();
            tasks.push(tokio::spawn(
                async move { open_session(&addr, stream).await },
            ));
        }
        for task in tasks {
            held.push(task.await??);
        }
    }
    hold_until_stdin_closes(held).await;
    Ok(())
}

/// Opens one session on a new connection and, with `stream`, leaves it reading the session's
/// standalone stream; returns the connection once the stream's response head has arrived.
async fn open_session(addr: &str, stream: bool) -> Result<TcpStream, Error> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let mut conn = BufReader::with_capacity(2048, tcp);
    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"idle","version":"1"}}}"#;
    let (status, session) = exchange(&mut conn, addr, "POST", None, init).await?;
    let session = session.ok_or("initialize returned no session id")?;
    if status != 200 {
        return Err(format!("initialize answered {status}").into());
    }
    let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    let (status, _) = exchange(&mut conn, addr, "POST", Some(&session), initialized).await?;
    if status != 202 {
        return Err(format!("notifications/initialized answered {status}").into());
    }
    if !stream {
        return Ok(conn.into_inner());
    }
    let request = format!(
        "GET /mcp HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nMcp-Session-Id: {session}\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n"
    );
    conn.get_mut().write_all(request.as_bytes()).await?;
    let head = read_head(&mut conn).await?;
    if head.status != 200 {
        return Err(format!("GET answered {}", head.status).into());
    }
    Ok(conn.into_inner())
}

/// Sends one request with a JSON body and reads the whole response; returns the status and
/// the `Mcp-Session-Id` header, if any.
async fn exchange(
    stream: &mut BufReader<TcpStream>,
    addr: &str,
    method: &str,
    session: Option<&str>,
    body: &str,
) -> Result<(u16, Option<String>), Error> {
    let mut request = format!(
        "{method} /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(session) = session {
        request.push_str(&format!(
            "Mcp-Session-Id: {session}\r\nMCP-Protocol-Version: 2025-11-25\r\n"
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.get_mut().write_all(request.as_bytes()).await?;
    let head = read_head(stream).await?;
    if head.chunked {
        return Err(format!("unexpected chunked answer to {method} ({})", head.status).into());
    }
    let mut body = vec![0; head.length];
    stream.read_exact(&mut body).await?;
    Ok((head.status, head.session))
}

/// What a response head says.
struct Head {
    status: u16,
    /// `Content-Length`, 0 when absent.
    length: usize,
    chunked: bool,
    /// `Mcp-Session-Id`.
    session: Option<String>,
}

/// Reads a response head.
async fn read_head(stream: &mut BufReader<TcpStream>) -> Result<Head, Error> {
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut head = Head {
        status,
        length: 0,
        chunked: false,
        session: None,
    };
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err("connection closed in the headers".into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            return Ok(head);
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                head.length = value.parse()?;
            } else if name.eq_ignore_ascii_case("mcp-session-id") {
                head.session = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                head.chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
    }
}
