//! HTTP/1.1 pieces shared by the HTTP load modes: starting the server under test, and reading
//! one response straight off a TCP connection (no client library in the measured path).

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// Starts `command` and waits for its `... listening on <addr>` line on stderr; returns the
/// child (killed when dropped), its pid and the address. The rest of stderr is drained.
pub(super) async fn start_server(command: &[String]) -> anyhow::Result<(Child, u32, String)> {
    let (program, args) = command.split_first().context("empty server command")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let pid = child.id().context("server exited at once")?;
    let mut stderr = BufReader::new(child.stderr.take().context("stderr")?).lines();
    let addr = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), stderr.next_line())
            .await
            .context("the server did not get ready")??
            .context("the server exited before it was ready")?;
        if let Some((_, addr)) = line.split_once("listening on ") {
            break addr.trim().to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
    Ok((child, pid, addr))
}

/// The head of a response: what the load modes look at.
#[derive(Debug, Default)]
pub(super) struct Head {
    /// The status code.
    pub(super) status: u16,
    /// `Content-Length`, if given.
    pub(super) length: Option<usize>,
    /// Whether the body is chunked.
    pub(super) chunked: bool,
    /// `Mcp-Session-Id`, if given.
    pub(super) session: Option<String>,
}

/// Reads a status line and headers, using `line` as scratch space.
pub(super) async fn read_head(
    stream: &mut BufReader<TcpStream>,
    line: &mut String,
) -> anyhow::Result<Head> {
    line.clear();
    stream.read_line(line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {line:?}"))?;
    let mut head = Head {
        status,
        ..Head::default()
    };
    loop {
        line.clear();
        if stream.read_line(line).await? == 0 {
            bail!("connection closed in the headers");
        }
        let header = line.trim_end();
        if header.is_empty() {
            return Ok(head);
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            head.length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            head.chunked = value.eq_ignore_ascii_case("chunked");
        } else if name.eq_ignore_ascii_case("mcp-session-id") {
            head.session = Some(value.to_owned());
        }
    }
}

/// Reads one chunk of a chunked body and appends it to `out`; `false` at the last chunk
/// (whose trailer line is consumed too).
pub(super) async fn read_chunk(
    stream: &mut BufReader<TcpStream>,
    line: &mut String,
    out: &mut Vec<u8>,
) -> anyhow::Result<bool> {
    line.clear();
    if stream.read_line(line).await? == 0 {
        bail!("connection closed in a chunked body");
    }
    let size = usize::from_str_radix(line.trim(), 16).context("bad chunk size")?;
    if size == 0 {
        line.clear();
        stream.read_line(line).await?;
        return Ok(false);
    }
    let start = out.len();
    out.resize(start + size, 0);
    stream.read_exact(&mut out[start..]).await?;
    let mut crlf = [0u8; 2];
    stream.read_exact(&mut crlf).await?;
    Ok(true)
}

/// Reads one whole response into `body` (cleared first); returns its head.
pub(super) async fn read_response(
    stream: &mut BufReader<TcpStream>,
    line: &mut String,
    body: &mut Vec<u8>,
) -> anyhow::Result<Head> {
    let head = read_head(stream, line).await?;
    body.clear();
    if head.chunked {
        while read_chunk(stream, line, body).await? {}
    } else if let Some(length) = head.length {
        body.resize(length, 0);
        stream.read_exact(body).await?;
    }
    Ok(head)
}
