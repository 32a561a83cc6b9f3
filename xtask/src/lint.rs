//! `cargo xtask lint`: clippy over every target of the workspace, with warnings as errors.

use crate::shell::{Context, Step};

pub(crate) fn steps(ctx: &Context) -> Vec<Step> {
    let cmd = ctx
        .cargo("clippy")
        .args(["--workspace", "--all-targets"])
        .locked(ctx)
        .args(["--", "-D", "warnings"]);
    vec![Step::command("clippy", cmd)]
}
