//! `cargo xtask fmt`: checks that every file is formatted (`cargo fmt --all` fixes it).

use crate::shell::{Context, Step};

pub(crate) fn steps(ctx: &Context) -> Vec<Step> {
    let cmd = ctx.cargo("fmt").args(["--all", "--", "--check"]);
    vec![Step::command("fmt", cmd)]
}
