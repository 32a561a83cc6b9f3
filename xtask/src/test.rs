//! `cargo xtask test`: the workspace tests under nextest, the doc tests (nextest does not run
//! them), and every criterion benchmark once in test mode so benchmarks cannot rot.
//!
//! cargo-nextest is installed into the git-ignored `.tools/cargo` folder when it is missing.

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};

use crate::shell::{Context, Step};

/// Where a missing cargo-nextest gets installed, relative to the repository root.
const TOOLS_ROOT: &str = ".tools/cargo";

pub(crate) fn steps(ctx: &Context) -> Vec<Step> {
    let nextest = ctx
        .cargo("nextest")
        .args(["run", "--workspace"])
        .locked(ctx)
        .args(["--no-fail-fast", "--profile", "ci"]);
    let doc_tests = ctx.cargo("test").args(["--workspace", "--doc"]).locked(ctx);
    let benches = ctx
        .cargo("test")
        .args(["--workspace", "--benches"])
        .locked(ctx);
    vec![
        Step::task("nextest", nextest.to_string(), move |ctx| {
            let tools = ensure_nextest(ctx)?;
            nextest.clone().path_prefix(tools).run(ctx)
        }),
        Step::command("doc-tests", doc_tests),
        Step::command("benches", benches),
    ]
}

/// Makes sure `cargo nextest` works, installing it when needed; returns the directory to put
/// first on `PATH` so a copy installed here is found.
fn ensure_nextest(ctx: &Context) -> Result<PathBuf> {
    let tools = ctx.root.join(TOOLS_ROOT).join("bin");
    let probe = ctx
        .cargo("nextest")
        .arg("--version")
        .path_prefix(tools.clone());
    if probe.succeeds(ctx) {
        return Ok(tools);
    }
    let install = ctx
        .cargo("install")
        .args(["cargo-nextest", "--locked", "--root", TOOLS_ROOT]);
    eprintln!("cargo-nextest is not installed; installing it: {install}");
    install
        .run(ctx)
        .context("could not install cargo-nextest")?;
    if !probe.succeeds(ctx) {
        bail!("cargo-nextest was installed into {TOOLS_ROOT} but `{probe}` still fails");
    }
    Ok(tools)
}
