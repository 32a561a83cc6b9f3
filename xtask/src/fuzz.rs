//! `cargo xtask fuzz-check`: type-checks the fuzz targets so they cannot rot.
//!
//! The fuzz crate lives outside the workspace (it needs its own profile and lock file), so
//! nothing else builds it. It gets its own target directory so it never invalidates the
//! workspace's build cache.

use crate::shell::{Context, Step};

const MANIFEST: &str = "fuzz/Cargo.toml";

/// The check, or no step at all when the repository has no fuzz crate.
pub(crate) fn steps(ctx: &Context) -> Vec<Step> {
    if !ctx.root.join(MANIFEST).is_file() {
        return Vec::new();
    }
    let cmd = ctx
        .cargo("check")
        .args(["--manifest-path", MANIFEST])
        .env("CARGO_TARGET_DIR", "target/fuzz-check");
    vec![Step::command("fuzz-check", cmd)]
}
