//! `cargo xtask ci`: every check, in the order CI runs them, stopping at the first failure.

use anyhow::{Context as _, Result};

use crate::shell::{self, Cmd, Context, Step};
use crate::{conformance, doc, fmt, fuzz, interop, layering, lint, test};

pub(crate) fn run(ctx: &Context) -> Result<()> {
    if ctx.locked {
        eprintln!("CI is set: cargo commands run with --locked");
    }
    shell::run_steps(ctx, "ci", &steps(ctx))
}

fn steps(ctx: &Context) -> Vec<Step> {
    let mut steps = Vec::new();
    if ctx.locked {
        steps.push(lockfile_step());
    }
    steps.extend(fmt::steps(ctx));
    steps.extend(lint::steps(ctx));
    steps.extend(test::steps(ctx));
    steps.extend(doc::steps(ctx));
    steps.extend(layering::steps());
    steps.extend(fuzz::steps(ctx));
    steps.extend(conformance::steps(ctx));
    steps.extend(interop::steps(ctx));
    steps
}

/// `cargo xtask` builds xtask without `--locked`, so a stale `Cargo.lock` would be rewritten
/// before the locked steps run; in CI, make sure that did not happen.
fn lockfile_step() -> Step {
    let cmd = Cmd::new("git").args(["diff", "--exit-code", "--", "Cargo.lock"]);
    let shown = cmd.to_string();
    Step::task("lockfile", shown, move |ctx| {
        cmd.run(ctx).context(
            "Cargo.lock was out of date and has been rewritten: commit the updated Cargo.lock",
        )
    })
}
