//! The client side: spawning a child, talking to it, and stopping it.

use std::process::Stdio;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mcplex_protocol::{Message, Request};
use mcplex_stdio::{SpawnOptions, Stderr, spawn, spawn_with};
use mcplex_transport::Transport;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

fn ping(id: i64) -> Message {
    Message::Request(Request::new(id, "ping", &serde_json::json!({})).unwrap())
}

fn sleeper(grace: Duration) -> mcplex_stdio::ChildTransport {
    let mut command = Command::new("sleep");
    command.arg("30");
    spawn_with(command, SpawnOptions::default().with_grace(grace)).unwrap()
}

/// Whether a process with this id still exists (`kill -0`).
async fn alive(pid: u32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .await
        .unwrap()
        .success()
}

#[tokio::test]
async fn a_missing_program_is_a_spawn_error() {
    let err = spawn(Command::new("/nonexistent/mcplex-server")).unwrap_err();
    assert!(err.is_spawn());
    assert!(!err.is_process());
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn messages_round_trip_and_closing_the_writer_closes_stdin() {
    let child = spawn(Command::new("cat")).unwrap();
    let process = child.process().clone();
    assert!(process.id().is_some());
    assert_eq!(
        child.info().peer_addr(),
        Some(format!("pid {}", process.id().unwrap()).as_str())
    );
    let (mut reader, mut writer, _) = child.split();
    for id in 0..10 {
        writer.feed(ping(id)).await.unwrap();
    }
    writer.flush().await.unwrap();
    for id in 0..10 {
        assert_eq!(reader.next().await.unwrap().unwrap(), ping(id));
    }
    writer.close().await.unwrap();
    assert!(
        reader.next().await.is_none(),
        "cat's stdout ends after its stdin"
    );
    assert!(process.wait().await.unwrap().success());
    assert!(process.try_status().unwrap().unwrap().success());
}

#[tokio::test]
async fn close_stdin_from_the_process_handle() {
    let child = spawn(Command::new("cat")).unwrap();
    let process = child.process().clone();
    let (mut reader, mut writer, _) = child.split();
    process.close_stdin();
    assert!(reader.next().await.is_none());
    assert!(process.wait().await.unwrap().success());
    let err = writer.send(ping(1)).await.unwrap_err();
    assert!(err.is_closed(), "{err:?}");
}

#[tokio::test]
async fn shutdown_kills_a_child_that_ignores_stdin_after_the_grace_period() {
    let child = sleeper(Duration::from_millis(200));
    let start = Instant::now();
    let status = child.shutdown().await.unwrap();
    let took = start.elapsed();
    assert!(!status.success(), "sleep was killed: {status}");
    assert!(
        took >= Duration::from_millis(200),
        "killed before the grace period: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test]
async fn shutdown_of_a_child_that_exits_on_eof_is_clean() {
    let child = spawn(Command::new("cat")).unwrap();
    let start = Instant::now();
    assert!(child.shutdown().await.unwrap().success());
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn dropping_every_handle_stops_the_child() {
    let child = sleeper(Duration::from_millis(100));
    let pid = child.process().id().unwrap();
    assert!(alive(pid).await);
    drop(child);
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid).await {
        assert!(
            Instant::now() < deadline,
            "the child outlived its transport"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn kill_stops_the_child_at_once() {
    let child = sleeper(Duration::from_secs(30));
    let process = child.process().clone();
    process.kill();
    let status = tokio::time::timeout(Duration::from_secs(5), process.wait())
        .await
        .expect("killed in time")
        .unwrap();
    assert!(!status.success());
    drop(child);
}

#[tokio::test]
async fn piped_stderr_can_be_taken() {
    let mut command = Command::new("sh");
    command.args(["-c", "echo oops >&2"]);
    let mut child =
        spawn_with(command, SpawnOptions::default().with_stderr(Stderr::Piped)).unwrap();
    let mut stderr = child.take_stderr().expect("stderr is piped");
    assert!(child.take_stderr().is_none());
    let mut text = String::new();
    stderr.read_to_string(&mut text).await.unwrap();
    assert_eq!(text, "oops\n");
    assert!(child.shutdown().await.unwrap().success());
}

#[tokio::test]
async fn over_long_lines_from_the_child_are_errors_the_reader_survives() {
    let mut command = Command::new("sh");
    let long = "x".repeat(2000);
    command.args([
        "-c",
        &format!(
            r#"echo '{long}'; echo '{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{}}}}'"#
        ),
    ]);
    let child = spawn_with(command, SpawnOptions::default().with_max_line_len(1024)).unwrap();
    let (mut reader, _writer, _) = child.split();
    let err = reader.next().await.unwrap().unwrap_err();
    assert!(err.is_too_large(), "{err:?}");
    assert_eq!(reader.next().await.unwrap().unwrap(), ping(1));
    assert!(reader.next().await.is_none());
}

#[tokio::test]
async fn logged_stderr_does_not_disturb_the_protocol() {
    let mut command = Command::new("sh");
    command.args(["-c", "echo starting >&2; exec cat"]);
    let child = spawn_with(command, SpawnOptions::default().with_stderr(Stderr::Log)).unwrap();
    let process = child.process().clone();
    let (mut reader, mut writer, _) = child.split();
    writer.send(ping(7)).await.unwrap();
    assert_eq!(reader.next().await.unwrap().unwrap(), ping(7));
    drop((reader, writer));
    assert!(process.shutdown().await.unwrap().success());
}
