//! `cargo xtask interop`: the official MCP clients drive scripted sessions against our servers
//! and assert on what comes back, not just on exit codes.
//!
//! The clients are installed into the git-ignored `.tools/` folder from the package registries,
//! each pinned in one place:
//!
//! | what | where | pinned in |
//! |------|-------|-----------|
//! | Node.js 22 (the npm package `node`) | `.tools/node22` | [`NODE_VERSION`] |
//! | the TypeScript SDK `@modelcontextprotocol/sdk` and `zod` | `.tools/interop-js` | `interop/ts/package.json` and its lock file |
//! | the Python SDK `mcp`, in a virtual environment | `.tools/py` | `interop/python/requirements.txt` |
//!
//! An install is skipped when a stamp in its folder says the pinned files have not changed since
//! the last successful install, so repeated runs only run the sessions. The sessions, one script
//! per client and transport, run against `mcplex-stdio-server --toolset demo`:
//!
//! - `interop/ts/stdio.mjs`: protocol 2025-11-25, the stateful initialize handshake;
//! - `interop/python/stdio.py`: protocol 2026-07-28, the stateless wire (`server/discover`,
//!   per-request `_meta`, `input_required` retries, `subscriptions/listen`);
//!
//! and against `mcplex-sse-server --toolset demo --bind 127.0.0.1:0`, which each script starts
//! itself (reading the address from the ready line) and stops at the end, with a second
//! connection calling `increment` so that the resource update crosses connections:
//!
//! - `interop/ts/http.mjs`: Streamable HTTP, stateful, protocol 2025-11-25; the update must
//!   come on the standalone GET stream;
//! - `interop/ts/legacy_sse.mjs`: the legacy HTTP+SSE transport (`GET /sse`, `POST /messages`);
//! - `interop/python/streamable_http.py`: Streamable HTTP on protocol 2026-07-28;
//!
//! and against `mcplex-ws-server --toolset demo --bind 127.0.0.1:0`, started the same way:
//!
//! - `interop/ts/ws.mjs`: the TypeScript checks through the SDK's `WebSocketClientTransport`,
//!   plus a push to a subscriber that sends nothing after another connection calls `increment`.
//!
//! The checks themselves live in `interop/ts/demo.mjs` and `interop/python/demo.py`, shared by
//! every transport's script.
//!
//! Each script prints one line per check and a summary line, and exits non-zero when a check
//! fails. Node resolves packages next to the script, so the TypeScript scripts are copied into
//! `.tools/interop-js` before they run.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::shell::{Cmd, Context, Step};

/// The Node.js release the TypeScript clients run on.
pub(crate) const NODE_VERSION: &str = "22.22.1";

/// Where Node.js is installed, relative to the repository root.
const NODE_DIR: &str = ".tools/node22";
/// Where the TypeScript SDK is installed and the TypeScript scripts run from.
const JS_DIR: &str = ".tools/interop-js";
/// The virtual environment with the Python SDK.
const PY_DIR: &str = ".tools/py";

/// The TypeScript client scripts and their pinned dependencies.
const TS_SOURCES: &str = "interop/ts";
/// The pinned Python requirements.
const PY_REQUIREMENTS: &str = "interop/python/requirements.txt";

/// The file in an install folder that records what was installed there.
const STAMP: &str = ".interop-stamp";

/// The server the sessions run against, and how it is started.
const STDIO_SERVER: &str = "mcplex-stdio-server";
const SERVER_ARGS: &[&str] = &["--toolset", "demo"];
/// The HTTP server of the Streamable HTTP and legacy SSE sessions; each script starts its own
/// on a free loopback port, reads the address from its ready line, and stops it at the end.
const SSE_SERVER: &str = "mcplex-sse-server";
const SSE_SERVER_ARGS: &[&str] = &["--toolset", "demo", "--bind", "127.0.0.1:0"];
/// The WebSocket server of the WebSocket session, started the same way.
const WS_SERVER: &str = "mcplex-ws-server";
const WS_SERVER_ARGS: &[&str] = &["--toolset", "demo", "--bind", "127.0.0.1:0"];

pub(crate) fn steps(ctx: &Context) -> Vec<Step> {
    let build = ctx
        .cargo("build")
        .args(["-p", STDIO_SERVER, "-p", SSE_SERVER, "-p", WS_SERVER])
        .locked(ctx);
    let server = target_dir(ctx).join("debug").join(STDIO_SERVER);
    let typescript = Cmd::new(&path_string(&node_binary(ctx)))
        .arg(path_string(&ctx.root.join(JS_DIR).join("stdio.mjs")))
        .arg(path_string(&server))
        .args(SERVER_ARGS.iter().copied());
    // -B: no __pycache__ next to the scripts in the repository.
    let python = Cmd::new(&path_string(&python_binary(ctx)))
        .arg("-B")
        .arg(path_string(&ctx.root.join("interop/python/stdio.py")))
        .arg(path_string(&server))
        .args(SERVER_ARGS.iter().copied());
    vec![
        Step::command("interop-build", build),
        Step::task("interop-node", node_install().to_string(), |ctx| {
            node22(ctx).map(drop)
        }),
        Step::task("interop-ts-sdk", ts_install().to_string(), install_ts_sdk),
        Step::task(
            "interop-python-sdk",
            format!("{}; {}", venv_create(), pip_install(ctx)),
            install_python_sdk,
        ),
        Step::task(
            "interop-typescript-stdio",
            typescript.to_string(),
            move |ctx| {
                copy_ts_scripts(ctx)?;
                typescript.run(ctx)
            },
        ),
        Step::command("interop-python-stdio", python),
        typescript_session(
            ctx,
            "interop-typescript-http",
            "http.mjs",
            SSE_SERVER,
            SSE_SERVER_ARGS,
        ),
        typescript_session(
            ctx,
            "interop-typescript-legacy-sse",
            "legacy_sse.mjs",
            SSE_SERVER,
            SSE_SERVER_ARGS,
        ),
        python_session(
            ctx,
            "interop-python-http",
            "streamable_http.py",
            SSE_SERVER,
            SSE_SERVER_ARGS,
        ),
        typescript_session(
            ctx,
            "interop-typescript-ws",
            "ws.mjs",
            WS_SERVER,
            WS_SERVER_ARGS,
        ),
    ]
}

/// A TypeScript session script from `interop/ts`; it starts `server args...` itself.
fn typescript_session(
    ctx: &Context,
    name: &'static str,
    script: &str,
    server: &str,
    args: &[&str],
) -> Step {
    let cmd = Cmd::new(&path_string(&node_binary(ctx)))
        .arg(path_string(&ctx.root.join(JS_DIR).join(script)))
        .arg(path_string(&target_dir(ctx).join("debug").join(server)))
        .args(args.iter().copied());
    Step::task(name, cmd.to_string(), move |ctx| {
        copy_ts_scripts(ctx)?;
        cmd.run(ctx)
    })
}

/// A Python session script from `interop/python`; it starts `server args...` itself.
fn python_session(
    ctx: &Context,
    name: &'static str,
    script: &str,
    server: &str,
    args: &[&str],
) -> Step {
    // -B: no __pycache__ next to the scripts in the repository.
    let cmd = Cmd::new(&path_string(&python_binary(ctx)))
        .arg("-B")
        .arg(path_string(&ctx.root.join("interop/python").join(script)))
        .arg(path_string(&target_dir(ctx).join("debug").join(server)))
        .args(args.iter().copied());
    Step::command(name, cmd)
}

/// Makes sure Node.js [`NODE_VERSION`] is installed in `.tools/node22` and returns the path of
/// its `node` binary.
pub(crate) fn node22(ctx: &Context) -> Result<PathBuf> {
    let node = node_binary(ctx);
    let expected = format!("v{NODE_VERSION}");
    let probe = Cmd::new(&path_string(&node)).arg("--version");
    let installed = || probe.read(ctx).is_ok_and(|out| out.trim() == expected);
    if installed() {
        eprintln!("Node.js {NODE_VERSION} is installed in {NODE_DIR}");
        return Ok(node);
    }
    require_npm(ctx)?;
    node_install().run(ctx).with_context(|| {
        format!("could not install Node.js {NODE_VERSION} (npm package `node`) into {NODE_DIR}")
    })?;
    if !installed() {
        bail!(
            "Node.js was installed into {NODE_DIR} but `{probe}` does not print {expected} \
             (the package's preinstall script fetches the binary; are npm install scripts off?)"
        );
    }
    Ok(node)
}

fn node_binary(ctx: &Context) -> PathBuf {
    ctx.root.join(NODE_DIR).join("node_modules/node/bin/node")
}

fn node_install() -> Cmd {
    Cmd::new("npm")
        .args(["install", "--prefix", NODE_DIR, "--save-exact"])
        .args(["--no-audit", "--no-fund"])
        .arg(format!("node@{NODE_VERSION}"))
}

fn ts_install() -> Cmd {
    Cmd::new("npm").args(["ci", "--prefix", JS_DIR, "--no-audit", "--no-fund"])
}

/// Installs the TypeScript SDK from `interop/ts/package.json` and its lock file, unless the
/// stamp says exactly those files were installed already.
fn install_ts_sdk(ctx: &Context) -> Result<()> {
    let sources = ctx.root.join(TS_SOURCES);
    let dir = ctx.root.join(JS_DIR);
    let files = ["package.json", "package-lock.json"];
    let mut pins = String::new();
    for file in files {
        pins.push_str(&read(&sources.join(file))?);
    }
    let sdk = dir.join("node_modules/@modelcontextprotocol/sdk/package.json");
    if sdk.is_file() && stamp_matches(&dir, &pins) {
        eprintln!(
            "the TypeScript SDK pinned in {TS_SOURCES}/package.json is installed in {JS_DIR}"
        );
        return Ok(());
    }
    require_npm(ctx)?;
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for file in files {
        copy(&sources.join(file), &dir.join(file))?;
    }
    ts_install()
        .run(ctx)
        .with_context(|| format!("could not install the TypeScript SDK into {JS_DIR}"))?;
    write_stamp(&dir, &pins)
}

/// Node resolves `@modelcontextprotocol/sdk` from the script's own folder upwards, so the
/// scripts run from the folder the SDK is installed in.
fn copy_ts_scripts(ctx: &Context) -> Result<()> {
    let sources = ctx.root.join(TS_SOURCES);
    let entries =
        fs::read_dir(&sources).with_context(|| format!("cannot read {}", sources.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "mjs") {
            let name = path.file_name().context("a script has no file name")?;
            copy(&path, &ctx.root.join(JS_DIR).join(name))?;
        }
    }
    Ok(())
}

fn python_binary(ctx: &Context) -> PathBuf {
    ctx.root.join(PY_DIR).join("bin/python")
}

fn venv_create() -> Cmd {
    Cmd::new("python3").args(["-m", "venv", PY_DIR])
}

fn pip_install(ctx: &Context) -> Cmd {
    Cmd::new(&path_string(&python_binary(ctx)))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--no-input", "--require-virtualenv", "-r", PY_REQUIREMENTS])
}

/// Creates the virtual environment and installs the pinned requirements into it, unless the
/// stamp says exactly those requirements were installed already.
fn install_python_sdk(ctx: &Context) -> Result<()> {
    let dir = ctx.root.join(PY_DIR);
    let pins = read(&ctx.root.join(PY_REQUIREMENTS))?;
    let python = python_binary(ctx);
    // The venv still runs and has the SDK (a new system Python can break a venv).
    let probe = Cmd::new(&path_string(&python))
        .args(["-c", "import importlib.metadata as m; m.version('mcp')"]);
    if stamp_matches(&dir, &pins) && probe.succeeds(ctx) {
        eprintln!("the Python SDK pinned in {PY_REQUIREMENTS} is installed in {PY_DIR}");
        return Ok(());
    }
    if !python.is_file() {
        let create = venv_create();
        create.run(ctx).with_context(|| {
            format!(
                "`{create}` failed; Python 3.10 or newer with the venv module is needed \
                 (on Debian: apt-get install python3-venv)"
            )
        })?;
    }
    pip_install(ctx)
        .run(ctx)
        .with_context(|| format!("could not install the Python SDK into {PY_DIR}"))?;
    write_stamp(&dir, &pins)
}

fn require_npm(ctx: &Context) -> Result<()> {
    let probe = Cmd::new("npm").arg("--version");
    if !probe.succeeds(ctx) {
        bail!("`{probe}` failed: npm (with Node.js 18 or newer) is needed to install the clients");
    }
    Ok(())
}

/// Where cargo puts build output: `CARGO_TARGET_DIR` when set, `target/` otherwise.
fn target_dir(ctx: &Context) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => ctx.root.join(dir),
        _ => ctx.root.join("target"),
    }
}

fn stamp_matches(dir: &Path, pins: &str) -> bool {
    fs::read_to_string(dir.join(STAMP)).is_ok_and(|stamp| stamp == pins)
}

fn write_stamp(dir: &Path, pins: &str) -> Result<()> {
    let path = dir.join(STAMP);
    fs::write(&path, pins).with_context(|| format!("cannot write {}", path.display()))
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(drop)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))
}

fn path_string(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask is inside the repository")
            .to_path_buf()
    }

    /// An exact version such as `1.32.2`: no ranges, tags or wildcards.
    fn is_exact(version: &str) -> bool {
        !version.is_empty()
            && version.split('.').count() >= 2
            && version
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
    }

    #[test]
    fn typescript_dependencies_are_pinned_exactly() {
        let text = read(&root().join(TS_SOURCES).join("package.json")).expect("package.json");
        let manifest: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let dependencies = manifest["dependencies"].as_object().expect("dependencies");
        assert!(dependencies.contains_key("@modelcontextprotocol/sdk"));
        for (name, version) in dependencies {
            let version = version.as_str().unwrap_or_default();
            assert!(is_exact(version), "{name} is pinned as `{version}`");
        }
        let lock = root().join(TS_SOURCES).join("package-lock.json");
        assert!(lock.is_file(), "npm ci needs {}", lock.display());
    }

    #[test]
    fn python_requirements_are_pinned_exactly() {
        let text = read(&root().join(PY_REQUIREMENTS)).expect("requirements.txt");
        let pins: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        assert!(pins.iter().any(|line| line.starts_with("mcp==")));
        for line in pins {
            let version = line.split_once("==").map(|(_, version)| version);
            assert!(
                version.is_some_and(is_exact),
                "`{line}` is not `name==version`"
            );
        }
    }

    #[test]
    fn node_is_pinned_exactly() {
        assert!(is_exact(NODE_VERSION));
        assert!(NODE_VERSION.starts_with("22."));
    }
}
