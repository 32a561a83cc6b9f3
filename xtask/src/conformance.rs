//! `cargo xtask conformance`: the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`) against `mcplex-sse-server --toolset conformance`,
//! judged against the checked-in baseline `conformance/expected-failures.txt`.
//!
//! | what | where | pinned in |
//! |------|-------|-----------|
//! | Node.js 22 | `.tools/node22` | [`interop::NODE_VERSION`] |
//! | the suite and its dependencies | `.tools/conformance` | `conformance/package.json` and its lock file |
//!
//! The install is skipped when the stamp in `.tools/conformance` says the pinned files have not
//! changed. For each requirement set in [`REQUIREMENTS`] the step starts a fresh server on a
//! free loopback port, waits for its ready line, runs
//! `conformance server --url http://ADDR/mcp --requirements REV -o target/conformance/REV/results`,
//! and reads the `checks.json` each scenario writes there. The server is killed afterwards,
//! whatever happened.
//!
//! A requirement set lists the scenarios it scores and some it only runs for visibility
//! (extensions, pending scenarios); only the scored ones are judged, the others are reported.
//! A check fails when any of its results in a scored scenario is a `FAILURE` (a scored scenario
//! that wrote no results counts as one failed check named after the scenario). The step fails
//! when a check fails that the baseline does not list, and when a baselined check no longer
//! fails, so that the baseline stays honest. Each line of the baseline is
//! `<requirements> <scenario>/<check id>  # reason`; see `conformance/README.md`.
//!
//! The suite's full output, the server's log and the raw results stay in
//! `target/conformance/<requirements>/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

use crate::interop;
use crate::shell::{Cmd, Context, Step, format_duration};

/// The requirement sets the suite is run for, in order.
const REQUIREMENTS: &[&str] = &["2025-11-25", "2026-07-28"];

/// The npm package of the suite.
const SUITE_PACKAGE: &str = "@modelcontextprotocol/conformance";
/// Where the suite is installed, relative to the repository root.
const SUITE_DIR: &str = ".tools/conformance";
/// The pinned `package.json` and lock file of the suite, and the baseline.
const SOURCES: &str = "conformance";
const BASELINE: &str = "conformance/expected-failures.txt";
/// The file in the install folder that records what was installed there.
const STAMP: &str = ".conformance-stamp";

/// The server the suite runs against, how it is started, and what it prints when ready.
const SERVER: &str = "mcplex-sse-server";
const SERVER_ARGS: &[&str] = &["--bind", "127.0.0.1:0", "--toolset", "conformance"];
const READY: &str = "mcplex sse listening on ";
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// The path of the Streamable HTTP endpoint.
const ENDPOINT: &str = "/mcp";

pub(crate) fn steps(ctx: &Context) -> Vec<Step> {
    let build = ctx.cargo("build").args(["-p", SERVER]).locked(ctx);
    let shown_run = format!(
        "node {SUITE_DIR}/node_modules/{SUITE_PACKAGE}/dist/index.js server --url \
         http://ADDR{ENDPOINT} --requirements REV -o target/conformance/REV/results, for REV in {}",
        REQUIREMENTS.join(" and ")
    );
    vec![
        Step::command("conformance-build", build),
        Step::task(
            "conformance-node",
            format!(
                "npm install --prefix .tools/node22 node@{}",
                interop::NODE_VERSION
            ),
            |ctx| interop::node22(ctx).map(drop),
        ),
        Step::task("conformance-suite", npm_ci().to_string(), install_suite),
        Step::task("conformance-run", shown_run, run_all),
    ]
}

fn npm_ci() -> Cmd {
    Cmd::new("npm").args(["ci", "--prefix", SUITE_DIR, "--no-audit", "--no-fund"])
}

/// Installs the suite from `conformance/package.json` and its lock file, unless the stamp
/// says exactly those files were installed already.
fn install_suite(ctx: &Context) -> Result<()> {
    let sources = ctx.root.join(SOURCES);
    let dir = ctx.root.join(SUITE_DIR);
    let files = ["package.json", "package-lock.json"];
    let mut pins = String::new();
    for file in files {
        pins.push_str(&read(&sources.join(file))?);
    }
    let version = pinned_version(&read(&sources.join("package.json"))?)?;
    let installed = suite_dir(ctx).join("package.json");
    let stamped = fs::read_to_string(dir.join(STAMP)).is_ok_and(|stamp| stamp == pins);
    if stamped && installed.is_file() {
        eprintln!("{SUITE_PACKAGE} {version} is installed in {SUITE_DIR}");
        return Ok(());
    }
    let probe = Cmd::new("npm").arg("--version");
    if !probe.succeeds(ctx) {
        bail!("`{probe}` failed: npm is needed to install {SUITE_PACKAGE}");
    }
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for file in files {
        let (from, to) = (sources.join(file), dir.join(file));
        fs::copy(&from, &to)
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    }
    npm_ci()
        .run(ctx)
        .with_context(|| format!("could not install {SUITE_PACKAGE} {version} into {SUITE_DIR}"))?;
    let path = dir.join(STAMP);
    fs::write(&path, pins).with_context(|| format!("cannot write {}", path.display()))
}

/// The exact version `package.json` pins the suite at.
fn pinned_version(manifest: &str) -> Result<String> {
    let manifest: Value = serde_json::from_str(manifest).context("package.json is not JSON")?;
    manifest["dependencies"][SUITE_PACKAGE]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("package.json does not depend on {SUITE_PACKAGE}"))
}

fn suite_dir(ctx: &Context) -> PathBuf {
    ctx.root
        .join(SUITE_DIR)
        .join("node_modules")
        .join(SUITE_PACKAGE)
}

/// Runs every requirement set, then judges all of them against the baseline.
fn run_all(ctx: &Context) -> Result<()> {
    let node = interop::node22(ctx)?;
    let baseline_text = read(&ctx.root.join(BASELINE))?;
    let baseline = parse_baseline(&baseline_text)?;
    let server = target_dir(ctx).join("debug").join(SERVER);
    let mut problems = Vec::new();
    for &revision in REQUIREMENTS {
        let started = Instant::now();
        let results = run_one(ctx, &node, &server, revision)?;
        let expected = baseline.get(revision).cloned().unwrap_or_default();
        let verdict = judge(&results, &expected);
        report(revision, &results, &verdict, started.elapsed());
        problems.extend(verdict.problems(revision));
    }
    if !problems.is_empty() {
        bail!(
            "the conformance results differ from {BASELINE}:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// The results of one requirement set: the scenarios it scores and what each check did.
#[derive(Debug, Default)]
struct Results {
    /// The scenarios the requirement set scores.
    scored: BTreeSet<String>,
    /// Check outcomes by scenario, then by check id.
    scenarios: BTreeMap<String, BTreeMap<String, Outcome>>,
    /// Where the raw output is.
    out_dir: PathBuf,
}

/// What one check did: its worst status, and the first message that came with it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Outcome {
    status: Status,
    message: Option<String>,
}

/// A check status, ordered from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    /// `INFO`, `SKIPPED` and anything else that is neither a pass nor a problem.
    Other,
    Success,
    Warning,
    Failure,
}

impl Status {
    fn parse(status: &str) -> Status {
        match status {
            "SUCCESS" => Status::Success,
            "WARNING" => Status::Warning,
            "FAILURE" => Status::Failure,
            _ => Status::Other,
        }
    }
}

fn run_one(ctx: &Context, node: &Path, server: &Path, revision: &str) -> Result<Results> {
    let out_dir = target_dir(ctx).join("conformance").join(revision);
    if out_dir.exists() {
        fs::remove_dir_all(&out_dir)
            .with_context(|| format!("cannot clear {}", out_dir.display()))?;
    }
    fs::create_dir_all(&out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    let results_dir = out_dir.join("results");

    let running = Server::start(ctx, server, &out_dir.join("server.log"))?;
    let url = format!("http://{}{ENDPOINT}", running.addr);
    eprintln!(
        "conformance {revision}: {SERVER} is listening on {}",
        running.addr
    );
    let suite_log = out_dir.join("suite.log");
    let log = fs::File::create(&suite_log)
        .with_context(|| format!("cannot create {}", suite_log.display()))?;
    let cli = suite_dir(ctx).join("dist/index.js");
    let status = Command::new(node)
        .arg(&cli)
        .args(["server", "--url", &url, "--requirements", revision, "-o"])
        .arg(&results_dir)
        .current_dir(&ctx.root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("cannot share the suite log")?)
        .stderr(log)
        .status()
        .with_context(|| format!("could not start {} {}", node.display(), cli.display()))?;
    drop(running);

    let scored = scored_scenarios(&read(
        &suite_dir(ctx).join(format!("requirements/{revision}.yaml")),
    )?);
    if scored.is_empty() {
        bail!("the suite's requirements/{revision}.yaml lists no server scenarios");
    }
    let scenarios = read_results(&results_dir)?;
    if scenarios.is_empty() {
        bail!(
            "the suite wrote no results ({status}); its output is in {}",
            suite_log.display()
        );
    }
    Ok(Results {
        scored,
        scenarios,
        out_dir,
    })
}

/// A running server, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    /// Starts the server and waits for its ready line; its standard error goes to `log`.
    fn start(ctx: &Context, binary: &Path, log_path: &Path) -> Result<Server> {
        let mut child = Command::new(binary)
            .args(SERVER_ARGS)
            .current_dir(&ctx.root)
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or("info".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("could not start {}", binary.display()))?;
        let stderr = child.stderr.take().context("the server has no stderr")?;
        let log = fs::File::create(log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        let (ready_tx, ready_rx) = mpsc::channel();
        thread::spawn(move || copy_log(stderr, log, &ready_tx));
        // Kill the server on every way out of here, too.
        let mut server = Server {
            child,
            addr: String::new(),
        };
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match ready_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(addr) => {
                    server.addr = addr;
                    return Ok(server);
                }
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                Err(_) => {
                    let exited = server.child.try_wait().ok().flatten();
                    bail!(
                        "{SERVER} did not print `{READY}<addr>` ({}); its log is {}",
                        exited.map_or_else(
                            || format!("still running after {}", format_duration(READY_TIMEOUT)),
                            |status| format!("it exited: {status}")
                        ),
                        log_path.display()
                    )
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies the server's standard error into `log`, and sends the address of the ready line.
fn copy_log(stderr: ChildStderr, mut log: fs::File, ready: &mpsc::Sender<String>) {
    use std::io::Write as _;
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.by_ref().take(64 * 1024).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let _ = log.write_all(&line);
        let text = String::from_utf8_lossy(&line);
        if let Some(addr) = ready_address(&text) {
            let _ = ready.send(addr);
        }
    }
}

/// The address in a ready line (`mcplex sse listening on 127.0.0.1:4242`), which may carry a
/// log prefix before it.
fn ready_address(line: &str) -> Option<String> {
    let (_, rest) = line.split_once(READY)?;
    let addr = rest.split_whitespace().next()?;
    Some(addr.trim_end_matches(['.', ',']).to_owned())
}

/// The server scenarios a requirement set scores: the `server:` list of its YAML file.
fn scored_scenarios(yaml: &str) -> BTreeSet<String> {
    let mut scenarios = BTreeSet::new();
    let mut in_server = false;
    for line in yaml.lines() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') && !line.starts_with('-') {
            in_server = trimmed == "server:";
            continue;
        }
        if in_server && let Some(name) = trimmed.trim_start().strip_prefix("- ") {
            scenarios.insert(name.trim().to_owned());
        }
    }
    scenarios
}

/// Reads the `checks.json` of every scenario under `dir`; the suite names each scenario's
/// folder `server-<scenario>-<timestamp>`.
fn read_results(dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, Outcome>>> {
    let mut scenarios = BTreeMap::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(scenarios);
    };
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(scenario) = scenario_of_dir(&name) else {
            continue;
        };
        let file = path.join("checks.json");
        let checks: Value = serde_json::from_str(&read(&file)?)
            .with_context(|| format!("{} is not JSON", file.display()))?;
        let outcomes = collect_checks(&checks)
            .with_context(|| format!("unexpected contents in {}", file.display()))?;
        scenarios.insert(scenario.to_owned(), outcomes);
    }
    Ok(scenarios)
}

/// The scenario of a result folder name: `server-<scenario>-<YYYY-MM-DDTHH-MM-SS-mmmZ>`.
fn scenario_of_dir(name: &str) -> Option<&str> {
    const STAMP_LEN: usize = "2026-01-01T00-00-00-000Z".len();
    let rest = name.strip_prefix("server-")?;
    let cut = rest.len().checked_sub(STAMP_LEN + 1)?;
    let (scenario, stamp) = rest.split_at(cut);
    let stamp = stamp.strip_prefix('-')?;
    let looks_like_stamp = stamp.ends_with('Z')
        && stamp.as_bytes()[10] == b'T'
        && stamp
            .chars()
            .all(|c| c.is_ascii_digit() || "-TZ".contains(c));
    (looks_like_stamp && !scenario.is_empty()).then_some(scenario)
}

/// The checks of one scenario by id, each with its worst status.
fn collect_checks(checks: &Value) -> Result<BTreeMap<String, Outcome>> {
    let list = checks.as_array().context("the checks are not a list")?;
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    for check in list {
        let id = check["id"].as_str().context("a check has no id")?;
        let status = Status::parse(check["status"].as_str().unwrap_or_default());
        let message = check["errorMessage"]
            .as_str()
            .or_else(|| check["description"].as_str())
            .map(str::to_owned);
        let entry = outcomes.entry(id.to_owned()).or_insert(Outcome {
            status,
            message: message.clone(),
        });
        if status > entry.status {
            *entry = Outcome { status, message };
        }
    }
    Ok(outcomes)
}

/// The baseline: for each requirement set, the checks expected to fail, with the reason.
fn parse_baseline(text: &str) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let mut baseline: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let number = number + 1;
        let (entry, reason) = match line.split_once('#') {
            Some((entry, reason)) => (entry.trim(), reason.trim()),
            None => (line.trim(), ""),
        };
        if entry.is_empty() {
            continue;
        }
        let mut words = entry.split_whitespace();
        let (Some(revision), Some(check), None) = (words.next(), words.next(), words.next()) else {
            bail!("{BASELINE}:{number}: expected `<requirements> <scenario>/<check id>  # reason`");
        };
        if !REQUIREMENTS.contains(&revision) {
            bail!("{BASELINE}:{number}: unknown requirement set `{revision}`");
        }
        if !check.contains('/') {
            bail!("{BASELINE}:{number}: `{check}` is not `<scenario>/<check id>`");
        }
        if reason.is_empty() {
            bail!("{BASELINE}:{number}: `{check}` needs a reason after `#`");
        }
        let previous = baseline
            .entry(revision.to_owned())
            .or_default()
            .insert(check.to_owned(), reason.to_owned());
        if previous.is_some() {
            bail!("{BASELINE}:{number}: `{revision} {check}` is listed twice");
        }
    }
    Ok(baseline)
}

/// How one requirement set compares with the baseline.
#[derive(Debug, Default, PartialEq, Eq)]
struct Verdict {
    /// Scored checks by status (each check id once per scenario).
    passed: usize,
    failed: usize,
    warnings: usize,
    /// Failing scored checks (`scenario/check`) with their messages.
    failures: BTreeMap<String, String>,
    /// Failing checks the baseline does not list.
    unexpected: Vec<String>,
    /// Baselined checks that no longer fail.
    fixed: Vec<String>,
    /// Scored checks with warnings (SHOULD-level requirements), with their messages.
    warned: BTreeMap<String, String>,
    /// Scenarios run for visibility only: how many passed, and the ones that failed.
    unscored_passed: usize,
    unscored_failed: Vec<String>,
}

impl Verdict {
    fn problems(&self, revision: &str) -> Vec<String> {
        let unexpected = self.unexpected.iter().map(|check| {
            let message = self.failures.get(check).map_or("", String::as_str);
            format!("{revision} {check}: fails and is not in the baseline ({message})")
        });
        let fixed = self
            .fixed
            .iter()
            .map(|check| format!("{revision} {check}: passes now; remove it from the baseline"));
        unexpected.chain(fixed).collect()
    }
}

fn judge(results: &Results, expected: &BTreeMap<String, String>) -> Verdict {
    let mut verdict = Verdict::default();
    for scenario in &results.scored {
        let Some(checks) = results.scenarios.get(scenario) else {
            // The suite records a scenario that could not run as one failed check named
            // after it, but writes no results for it.
            verdict.failed += 1;
            verdict.failures.insert(
                format!("{scenario}/{scenario}"),
                "the scenario wrote no results (it crashed or timed out)".to_owned(),
            );
            continue;
        };
        for (id, outcome) in checks {
            let key = format!("{scenario}/{id}");
            let message = outcome.message.clone().unwrap_or_default();
            match outcome.status {
                Status::Success => verdict.passed += 1,
                Status::Warning => {
                    verdict.warnings += 1;
                    verdict.warned.insert(key, message);
                }
                Status::Failure => {
                    verdict.failed += 1;
                    verdict.failures.insert(key, message);
                }
                Status::Other => {}
            }
        }
    }
    for (scenario, checks) in &results.scenarios {
        if results.scored.contains(scenario) {
            continue;
        }
        if checks.values().any(|o| o.status == Status::Failure) {
            verdict.unscored_failed.push(scenario.clone());
        } else {
            verdict.unscored_passed += 1;
        }
    }
    verdict.unexpected = verdict
        .failures
        .keys()
        .filter(|check| !expected.contains_key(*check))
        .cloned()
        .collect();
    verdict.fixed = expected
        .keys()
        .filter(|check| !verdict.failures.contains_key(*check))
        .cloned()
        .collect();
    verdict
}

fn report(revision: &str, results: &Results, verdict: &Verdict, took: Duration) {
    eprintln!(
        "conformance {revision}: {} scored scenarios: {} checks passed, {} failed ({} in the \
         baseline), {} warnings; in {}",
        results.scored.len(),
        verdict.passed,
        verdict.failed,
        verdict.failed - verdict.unexpected.len(),
        verdict.warnings,
        format_duration(took)
    );
    for (check, message) in &verdict.failures {
        let mark = if verdict.unexpected.contains(check) {
            "FAIL"
        } else {
            "fail (baselined)"
        };
        eprintln!("  {mark} {check}: {message}");
    }
    for (check, message) in &verdict.warned {
        eprintln!("  warning {check}: {message}");
    }
    let unscored = verdict.unscored_passed + verdict.unscored_failed.len();
    if unscored > 0 {
        eprintln!(
            "conformance {revision}: {unscored} scenarios run but not scored by the requirement \
             set: {} passed, {} failed{}",
            verdict.unscored_passed,
            verdict.unscored_failed.len(),
            if verdict.unscored_failed.is_empty() {
                String::new()
            } else {
                format!(" ({})", verdict.unscored_failed.join(", "))
            }
        );
    }
    eprintln!(
        "conformance {revision}: output, server log and results in {}",
        results.out_dir.display()
    );
}

/// Where cargo puts build output: `CARGO_TARGET_DIR` when set, `target/` otherwise.
fn target_dir(ctx: &Context) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => ctx.root.join(dir),
        _ => ctx.root.join("target"),
    }
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
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

    #[test]
    fn the_suite_is_pinned_to_an_exact_prerelease() {
        let manifest = read(&root().join(SOURCES).join("package.json")).unwrap();
        let version = pinned_version(&manifest).unwrap();
        let number = version
            .strip_prefix("0.2.0-alpha.")
            .expect("a 0.2.0 prerelease");
        assert!(number.chars().all(|c| c.is_ascii_digit()), "{version}");
        let lock = read(&root().join(SOURCES).join("package-lock.json")).unwrap();
        let lock: Value = serde_json::from_str(&lock).unwrap();
        let locked = &lock["packages"][format!("node_modules/{SUITE_PACKAGE}")]["version"];
        assert_eq!(locked, &Value::from(version));
    }

    #[test]
    fn the_checked_in_baseline_parses() {
        let text = read(&root().join(BASELINE)).unwrap();
        parse_baseline(&text).unwrap();
    }

    #[test]
    fn baseline_lines() {
        let text = "# comment\n\n2026-07-28 caching/sep-2549-x  # the suite is wrong\n";
        let baseline = parse_baseline(text).unwrap();
        assert_eq!(
            baseline["2026-07-28"]["caching/sep-2549-x"],
            "the suite is wrong"
        );
        assert!(
            parse_baseline("2026-07-28 caching/x\n").is_err(),
            "no reason"
        );
        assert!(parse_baseline("2024-01-01 caching/x # r\n").is_err());
        assert!(parse_baseline("2026-07-28 caching # r\n").is_err());
        assert!(parse_baseline("2026-07-28 a/b # r\n2026-07-28 a/b # r\n").is_err());
    }

    #[test]
    fn result_folders_name_their_scenario() {
        assert_eq!(
            scenario_of_dir("server-tools-call-image-2026-08-07T14-58-45-123Z"),
            Some("tools-call-image")
        );
        assert_eq!(scenario_of_dir("server-x-2026-08-07T14-58-45-123"), None);
        assert_eq!(scenario_of_dir("client-x-2026-08-07T14-58-45-123Z"), None);
        assert_eq!(scenario_of_dir("server--2026-08-07T14-58-45-123Z"), None);
    }

    #[test]
    fn ready_lines() {
        assert_eq!(
            ready_address("mcplex sse listening on 127.0.0.1:4321\n").as_deref(),
            Some("127.0.0.1:4321")
        );
        assert_eq!(
            ready_address("2026-01-01T00:00:00Z INFO mcplex sse listening on 127.0.0.1:80")
                .as_deref(),
            Some("127.0.0.1:80")
        );
        assert_eq!(ready_address("starting"), None);
    }

    #[test]
    fn scored_scenarios_come_from_the_server_list() {
        let yaml = "# head\nserver:\n  - ping\n  # note\n  - caching\n\nclient:\n  - initialize\n\
                    not_scored:\n  - scenario: tasks-lifecycle\n    leg: server\n";
        let scored: Vec<String> = scored_scenarios(yaml).into_iter().collect();
        assert_eq!(scored, ["caching", "ping"]);
    }

    #[test]
    fn checks_keep_their_worst_status() {
        let checks = serde_json::json!([
            { "id": "a", "status": "SUCCESS", "description": "a" },
            { "id": "a", "status": "FAILURE", "description": "a", "errorMessage": "broke" },
            { "id": "b", "status": "INFO", "description": "b" },
        ]);
        let outcomes = collect_checks(&checks).unwrap();
        assert_eq!(outcomes["a"].status, Status::Failure);
        assert_eq!(outcomes["a"].message.as_deref(), Some("broke"));
        assert_eq!(outcomes["b"].status, Status::Other);
    }

    fn outcome(status: Status) -> Outcome {
        Outcome {
            status,
            message: None,
        }
    }

    #[test]
    fn judging_against_the_baseline() {
        let results = Results {
            scored: ["ping", "caching", "gone"].map(str::to_owned).into(),
            scenarios: BTreeMap::from([
                (
                    "ping".to_owned(),
                    BTreeMap::from([("ping".to_owned(), outcome(Status::Success))]),
                ),
                (
                    "caching".to_owned(),
                    BTreeMap::from([
                        ("ttl".to_owned(), outcome(Status::Failure)),
                        ("scope".to_owned(), outcome(Status::Warning)),
                    ]),
                ),
                (
                    "tasks".to_owned(),
                    BTreeMap::from([("x".to_owned(), outcome(Status::Failure))]),
                ),
            ]),
            out_dir: PathBuf::new(),
        };
        let expected = BTreeMap::from([
            ("caching/ttl".to_owned(), "r".to_owned()),
            ("ping/ping".to_owned(), "r".to_owned()),
        ]);
        let verdict = judge(&results, &expected);
        assert_eq!(
            (verdict.passed, verdict.failed, verdict.warnings),
            (1, 2, 1)
        );
        assert_eq!(verdict.unexpected, ["gone/gone"]);
        assert_eq!(verdict.fixed, ["ping/ping"]);
        assert_eq!(verdict.unscored_failed, ["tasks"]);
        assert_eq!(verdict.problems("2026-07-28").len(), 2);
    }
}
