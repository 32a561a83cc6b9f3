//! `cargo xtask doc`: builds the workspace documentation with rustdoc warnings as errors.

use crate::shell::{Context, Step};

pub(crate) fn steps(ctx: &Context) -> Vec<Step> {
    let cmd = ctx
        .cargo("doc")
        .args(["--workspace", "--no-deps"])
        .locked(ctx)
        .env("RUSTDOCFLAGS", "-D warnings");
    vec![Step::command("doc", cmd)]
}
