//! Building, finding and spawning the workspace binaries.

use std::collections::HashMap;
use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};

use mcplex_core::Server;
use mcplex_stdio::{ChildTransport, SpawnOptions, Stderr};
use mcplex_transport::memory::{self, MemoryTransport};
use serde_json::Value;

use crate::peer::{Connected, RawConnection};

/// The binary that serves the fixture toolset over stdio (`--max-message-bytes N` sets the
/// line limit).
pub const FIXTURE_STDIO_BIN: &str = "mcplex-fixture-stdio";

/// The stdio server binary.
pub const STDIO_SERVER_BIN: &str = "mcplex-stdio-server";

/// Set to a directory to use the binaries in it as they are, without building them (for
/// runs from a prebuilt archive).
pub const BIN_DIR_ENV: &str = "MCPLEX_BIN_DIR";

/// The path of the workspace binary `name` from the package of the same name, built with
/// the profile of the running test (see [`bin_path_in`]).
///
/// # Panics
///
/// Panics if the build fails.
pub fn bin_path(name: &str) -> PathBuf {
    let package = match name {
        FIXTURE_STDIO_BIN => "mcplex-test",
        other => other,
    };
    bin_path_in(package, name)
}

/// The path of binary `bin` of workspace package `package`.
///
/// Once per test process and binary, runs `cargo build -p <package> --bin <bin>` with the
/// profile the running test was built with (so a stale binary is never used; when it is up
/// to date this is quick), honouring `CARGO_TARGET_DIR`, and takes the path cargo reports.
/// With [`BIN_DIR_ENV`] set, uses the binary in that directory without building.
///
/// # Panics
///
/// Panics if the build fails or reports no executable.
pub fn bin_path_in(package: &str, bin: &str) -> PathBuf {
    if let Some(dir) = env::var_os(BIN_DIR_ENV) {
        return Path::new(&dir).join(format!("{bin}{}", env::consts::EXE_SUFFIX));
    }
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    // Builds run one at a time: they would wait for cargo's lock on the target dir anyway.
    let mut built = built.lock().unwrap_or_else(PoisonError::into_inner);
    built
        .entry(format!("{package}/{bin}"))
        .or_insert_with(|| build(package, bin))
        .clone()
}

fn build(package: &str, bin: &str) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .arg("build")
        .arg("--quiet")
        .arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .args(["--profile", &profile(), "-p", package, "--bin", bin])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build {bin}: {e}"));
    assert!(
        output.status.success(),
        "building {bin} failed ({}); see the compiler output above",
        output.status
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == bin)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo built {bin} but reported no executable"))
}

/// The cargo profile the running test binary was built with, read from where it lives
/// (`target/<profile dir>/deps/`): `dev` for `debug`, else the directory name.
fn profile() -> String {
    let exe = env::current_exe().ok();
    let dir = exe
        .as_deref()
        .and_then(Path::parent)
        .filter(|deps| deps.ends_with("deps"))
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .and_then(|name| name.to_str());
    match dir {
        Some("debug") | None => "dev".to_owned(),
        Some(name) => name.to_owned(),
    }
}

/// A command that runs workspace binary `bin` (built by [`bin_path`]) with `args`.
pub fn command(bin: &str, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(bin_path(bin));
    command.args(args);
    command
}

/// Spawns the stdio server binary with `args` and connects to it; its stderr goes to the
/// test's stderr.
///
/// # Panics
///
/// Panics if the binary cannot be built or started. Must run inside a tokio runtime.
pub fn spawn_stdio_server(args: &[&str]) -> ChildTransport {
    spawn_stdio(STDIO_SERVER_BIN, args).connection
}

/// Spawns stdio binary `bin` with `args` and connects to it; `served` is the process's exit,
/// which must be a success.
///
/// # Panics
///
/// Panics if the binary cannot be built or started. Must run inside a tokio runtime.
pub fn spawn_stdio(bin: &str, args: &[&str]) -> Connected<ChildTransport> {
    let options = SpawnOptions::default().with_stderr(Stderr::Inherit);
    let transport = mcplex_stdio::spawn_with(command(bin, args), options)
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let process = transport.process().clone();
    Connected::new(transport, async move {
        let status = process.wait().await.expect("waiting for the server failed");
        assert!(status.success(), "the server exited with {status}");
    })
}

/// Spawns stdio binary `bin` with `args` and connects to its raw pipes, to send it input
/// that is not a message.
///
/// # Panics
///
/// As [`spawn_stdio`].
pub fn spawn_stdio_raw(bin: &str, args: &[&str]) -> Connected<RawConnection> {
    let mut command = command(bin, args);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    Connected::new(RawConnection::ndjson(stdout, stdin), async move {
        let status = child.wait().await.expect("waiting for the server failed");
        assert!(status.success(), "the server exited with {status}");
    })
}

/// The fixture toolset served over stdio by a child process.
///
/// # Panics
///
/// As [`spawn_stdio`].
pub fn spawn_fixture_stdio() -> Connected<ChildTransport> {
    spawn_stdio(FIXTURE_STDIO_BIN, &[])
}

/// `server` served in this process over an in-memory pair; `served` is the serving task,
/// which must end without error.
///
/// Must run inside a tokio runtime.
pub fn serve_memory(server: Server) -> Connected<MemoryTransport> {
    let (client, server_end) = memory::pair(64);
    let task = tokio::spawn(async move { server.serve_connection(server_end).await });
    Connected::new(client, async move {
        task.await
            .expect("the serving task panicked")
            .expect("serving the connection failed");
    })
}
