//! The binary's command line: help, version, usage errors, toolsets, log format and signals.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use mcplex_protocol::ProtocolVersion;
use mcplex_test::Peer;
use serde_json::Value;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mcplex-stdio-server");

async fn output(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .stdin(Stdio::null())
        .env_remove("RUST_LOG");
    for (key, value) in env {
        command.env(key, value);
    }
    tokio::time::timeout(Duration::from_secs(10), command.output())
        .await
        .expect("the binary exits")
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn help_prints_the_usage_on_stdout() {
    let out = output(&["--help"], &[]).await;
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Usage: mcplex-stdio-server"), "{stdout}");
    for flag in [
        "--toolset",
        "--config",
        "--log-format",
        "--max-message-bytes",
        "--tool-timeout",
        "--max-in-flight",
    ] {
        assert!(stdout.contains(flag), "usage lacks {flag}");
    }
}

#[tokio::test]
async fn version_prints_the_version() {
    let out = output(&["--version"], &[]).await;
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        format!("mcplex-stdio-server {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn an_unknown_flag_prints_the_usage_on_stderr_and_exits_2() {
    let out = output(&["--bogus"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "stdout must stay clean");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unknown option `--bogus`"), "{stderr}");
    assert!(stderr.contains("Usage: mcplex-stdio-server"), "{stderr}");
}

#[tokio::test]
async fn an_invalid_variable_exits_2() {
    let out = output(&[], &[("MCPLEX_MAX_IN_FLIGHT", "lots")]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("MCPLEX_MAX_IN_FLIGHT"));
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn the_conformance_toolset_is_accepted_or_reported_missing() {
    let out = output(&["--toolset", "conformance"], &[]).await;
    if out.status.success() {
        return; // part of this build: it served until stdin (null) ended
    }
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("toolset not available: conformance"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn json_log_format_writes_json_lines_to_stderr() {
    let out = output(&[], &[("MCPLEX_LOG_FORMAT", "json"), ("RUST_LOG", "debug")]).await;
    assert!(
        out.status.success(),
        "stdin is null: the server exits at once"
    );
    assert!(
        out.stdout.is_empty(),
        "no input, no output: {}",
        text(&out.stdout)
    );
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(value["level"].is_string(), "{line}");
    }
}

#[tokio::test]
async fn the_config_file_is_read() {
    let path = std::env::temp_dir().join(format!(
        "mcplex-stdio-server-cli-{}.toml",
        std::process::id()
    ));
    std::fs::write(&path, "log_format = \"json\"\n").unwrap();
    let out = output(&["--config", path.to_str().unwrap()], &[]).await;
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.lines().all(|l| l.starts_with('{')), "{stderr}");
}

#[tokio::test]
async fn sigterm_stops_the_server_with_stdin_still_open() {
    // A call in flight is cancelled once the grace period is over.
    let mut command = Command::new(BIN);
    command.args(["--shutdown-grace", "0.2"]);
    let transport = mcplex_stdio::spawn(command).unwrap();
    let process = transport.process().clone();
    let pid = process.id().unwrap();
    let mut peer = Peer::new(transport);
    peer.initialize(ProtocolVersion::V2025_11_25).await;
    peer.send(mcplex_test::request(
        2,
        "tools/call",
        serde_json::json!({ "name": "long_task", "arguments": { "steps": 100, "delay_ms": 1000 } }),
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let start = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await
        .unwrap();
    assert!(kill.success());
    let status = tokio::time::timeout(Duration::from_secs(5), process.wait())
        .await
        .expect("the server stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
    let took = start.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}");
    drop(peer);
}

#[tokio::test]
async fn sigterm_lets_calls_in_flight_finish() {
    let transport = mcplex_stdio::spawn(Command::new(BIN)).unwrap();
    let process = transport.process().clone();
    let pid = process.id().unwrap();
    let mut peer = Peer::new(transport);
    peer.initialize(ProtocolVersion::V2025_11_25).await;
    peer.send(mcplex_test::request(
        2,
        "tools/call",
        serde_json::json!({ "name": "long_task", "arguments": { "steps": 3, "delay_ms": 100 } }),
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let kill = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await
        .unwrap();
    assert!(kill.success());
    let response: serde_json::Value =
        serde_json::from_slice(&peer.response(2).await.to_vec()).unwrap();
    assert_eq!(
        response["result"]["content"][0]["text"], "completed 3 steps",
        "{response}"
    );
    let status = tokio::time::timeout(Duration::from_secs(5), process.wait())
        .await
        .expect("the server stops after the call finished")
        .unwrap();
    assert!(status.success(), "{status}");
}

/// Two requests, an initialize and a ping, as the client writes them.
const TWO_REQUESTS: &str = concat!(
    r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
    "\n",
    r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
    "\n",
);

/// The ids of the response lines in `output`, in order.
fn response_ids(output: &str) -> Vec<i64> {
    output
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("a JSON line");
            assert!(value.get("result").is_some(), "{line}");
            value["id"].as_i64().expect("an integer id")
        })
        .collect()
}

#[tokio::test]
async fn stdin_and_stdout_that_are_files_are_served() {
    // Neither is a pipe or a socket: stdin is read on its own thread, stdout written through
    // the blocking pool.
    let dir = std::env::temp_dir().join(format!("mcplex-stdio-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.jsonl");
    let output = dir.join("out.jsonl");
    std::fs::write(&input, TWO_REQUESTS).unwrap();
    let mut child = Command::new(BIN)
        .stdin(std::fs::File::open(&input).unwrap())
        .stdout(std::fs::File::create(&output).unwrap())
        .stderr(Stdio::piped())
        .env("RUST_LOG", "mcplex_stdio=debug")
        .spawn()
        .unwrap();
    let mut log = String::new();
    let mut stderr = child.stderr.take().unwrap();
    tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut log)
        .await
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server exits at the end of its input")
        .unwrap();
    assert!(status.success(), "{status}");
    let written = std::fs::read_to_string(&output).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(response_ids(&written), [1, 2]);
    assert!(
        log.contains("stdin=\"thread\" stdout=\"blocking\""),
        "{log}"
    );
}

#[tokio::test]
async fn stdin_and_stdout_that_are_one_socket_are_served() {
    // Some clients (libuv, so Node.js) hand a child a socket rather than pipes.
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    let theirs_out = theirs.try_clone().unwrap();
    let mut child = Command::new(BIN)
        .stdin(std::os::fd::OwnedFd::from(theirs))
        .stdout(std::os::fd::OwnedFd::from(theirs_out))
        .stderr(Stdio::piped())
        .env("RUST_LOG", "mcplex_stdio=debug")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    ours.set_nonblocking(true).unwrap();
    let ours = tokio::net::UnixStream::from_std(ours).unwrap();
    let (read, mut write) = ours.into_split();
    write.write_all(TWO_REQUESTS.as_bytes()).await.unwrap();
    let mut lines = tokio::io::BufReader::new(read).lines();
    let mut received = String::new();
    for _ in 0..2 {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("a response")
            .unwrap()
            .expect("a line");
        received.push_str(&line);
        received.push('\n');
    }
    assert_eq!(response_ids(&received), [1, 2]);
    // Closing our side ends the server's input.
    write.shutdown().await.unwrap();
    drop(write);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server exits when its input ends")
        .unwrap();
    assert!(status.success(), "{status}");
    let mut log = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut tokio::io::BufReader::new(stderr), &mut log)
        .await
        .unwrap();
    assert!(log.contains("stdin=\"socket\" stdout=\"socket\""), "{log}");
}

#[tokio::test]
async fn stdin_and_stdout_that_are_pipes_are_driven_by_the_reactor() {
    let run = Command::new(BIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("RUST_LOG", "mcplex_stdio=debug")
        .spawn()
        .unwrap();
    let mut run = run;
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = run.stdin.take().unwrap();
        stdin.write_all(TWO_REQUESTS.as_bytes()).await.unwrap();
    }
    let run = tokio::time::timeout(Duration::from_secs(10), run.wait_with_output())
        .await
        .expect("the server exits at the end of its input")
        .unwrap();
    assert!(run.status.success(), "{}", run.status);
    assert_eq!(response_ids(&text(&run.stdout)), [1, 2]);
    let log = text(&run.stderr);
    assert!(log.contains("stdin=\"pipe\" stdout=\"pipe\""), "{log}");
}
