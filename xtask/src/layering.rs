//! `cargo xtask layering`: checks the architecture invariants of the workspace with `cargo tree`.
//!
//! The rules are the tables below, applied to every package under `crates/`:
//!
//! - [`CRATES`]: which internal (`mcplex-*`) crates each crate may use as a normal or build
//!   dependency. Dependencies point one way, protocol ← transport ← core ← {stdio, sse, ws, auth,
//!   redis} ← {toolsets, bridge} ← binaries; the transport crates never use each other; and
//!   `mcplex-test` is reachable only through dev-dependencies. A crate under `crates/` that is
//!   missing from the table fails the check until it is added.
//! - [`NO_IO`]: crates whose whole normal dependency tree (all features, all targets) must stay
//!   free of runtimes, sockets and HTTP stacks.
//! - [`EXCLUSIVE`]: third-party crates that only the named crates may use directly.
//!
//! Every violation is collected and printed before the check fails.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use crate::shell::{Context, Step};

/// Which internal crates a crate may depend on.
#[derive(Debug)]
enum Allowed {
    /// Exactly these (a crate always lists only crates that come before it in [`CRATES`]).
    Only(&'static [&'static str]),
    /// Any internal crate: test support sits above everything.
    Any,
}

/// The internal crates, bottom layer first, with the internal crates each may depend on.
const CRATES: &[(&str, Allowed)] = &[
    ("mcplex-protocol", Allowed::Only(&[])),
    ("mcplex-transport", Allowed::Only(&["mcplex-protocol"])),
    (
        "mcplex-core",
        Allowed::Only(&["mcplex-protocol", "mcplex-transport"]),
    ),
    // Transports and add-ons: only the layers below, never each other.
    (
        "mcplex-stdio",
        Allowed::Only(&["mcplex-protocol", "mcplex-transport", "mcplex-core"]),
    ),
    (
        "mcplex-sse",
        Allowed::Only(&["mcplex-protocol", "mcplex-transport", "mcplex-core"]),
    ),
    (
        "mcplex-ws",
        Allowed::Only(&["mcplex-protocol", "mcplex-transport", "mcplex-core"]),
    ),
    (
        "mcplex-auth",
        Allowed::Only(&["mcplex-protocol", "mcplex-transport", "mcplex-core"]),
    ),
    (
        "mcplex-redis",
        Allowed::Only(&["mcplex-protocol", "mcplex-transport", "mcplex-core"]),
    ),
    // Handlers: anything below, not each other.
    ("mcplex-toolsets", Allowed::Only(BELOW_HANDLERS)),
    ("mcplex-bridge", Allowed::Only(BELOW_HANDLERS)),
    // Command-line support of the binaries: no internal crate (no library depends on it).
    ("mcplex-cli", Allowed::Only(&[])),
    // Binaries: any library, never another binary.
    ("mcplex-stdio-server", Allowed::Only(BELOW_BINARIES)),
    ("mcplex-sse-server", Allowed::Only(BELOW_BINARIES)),
    ("mcplex-ws-server", Allowed::Only(BELOW_BINARIES)),
    ("mcplex-test", Allowed::Any),
];

const BELOW_HANDLERS: &[&str] = &[
    "mcplex-protocol",
    "mcplex-transport",
    "mcplex-core",
    "mcplex-stdio",
    "mcplex-sse",
    "mcplex-ws",
    "mcplex-auth",
    "mcplex-redis",
];

const BELOW_BINARIES: &[&str] = &[
    "mcplex-protocol",
    "mcplex-transport",
    "mcplex-core",
    "mcplex-stdio",
    "mcplex-sse",
    "mcplex-ws",
    "mcplex-auth",
    "mcplex-redis",
    "mcplex-toolsets",
    "mcplex-bridge",
    "mcplex-cli",
];

/// The transport crates, which must not know each other.
const TRANSPORTS: &[&str] = &["mcplex-stdio", "mcplex-sse", "mcplex-ws"];

/// Crates that do no I/O, and what must not appear anywhere in their normal dependency tree.
/// A pattern ending in `*` matches by prefix.
const NO_IO: &[(&str, &[&str])] = &[(
    "mcplex-protocol",
    &[
        "tokio", "mio", "futures*", "async-*", "hyper", "axum", "reqwest", "socket2",
    ],
)];

/// Third-party crates (patterns as in [`NO_IO`]) that only the listed crates may depend on
/// directly.
const EXCLUSIVE: &[(&str, &[&str])] = &[
    ("axum", &["mcplex-sse", "mcplex-ws"]),
    ("axum-*", &["mcplex-sse", "mcplex-ws"]),
    ("redis", &["mcplex-redis"]),
    ("tokio-tungstenite", &["mcplex-ws"]),
    ("tungstenite", &["mcplex-ws"]),
];

pub(crate) fn steps() -> Vec<Step> {
    vec![Step::task("layering", "cargo xtask layering", run)]
}

pub(crate) fn run(ctx: &Context) -> Result<()> {
    let crates = workspace_crates(ctx)?;
    let mut violations = Vec::new();
    for name in &crates {
        let direct = direct_dependencies(ctx, name)?;
        check_internal(name, &direct, &mut violations);
        check_exclusive(name, &direct.normal, &mut violations);
        if let Some((_, forbidden)) = NO_IO.iter().find(|(krate, _)| krate == name) {
            let tree = full_tree(ctx, name)?;
            for dep in tree.iter().filter(|dep| matches_any(dep, forbidden)) {
                violations.push(format!(
                    "{name} must do no I/O, but its dependency tree contains `{dep}` \
                     (see `cargo tree -p {name} -e normal -i {dep}`)"
                ));
            }
        }
    }
    if violations.is_empty() {
        eprintln!("layering: {} crate(s) checked, no violations", crates.len());
        return Ok(());
    }
    eprintln!("layering: {} violation(s):", violations.len());
    for violation in &violations {
        eprintln!("  - {violation}");
    }
    bail!(
        "{} layering violation(s); the rules are in xtask/src/layering.rs",
        violations.len()
    )
}

fn check_internal(name: &str, direct: &Direct, violations: &mut Vec<String>) {
    let Some((_, allowed)) = CRATES.iter().find(|(krate, _)| *krate == name) else {
        violations.push(format!(
            "{name} is not in the layering table (CRATES in xtask/src/layering.rs); \
             add it with the internal crates it may depend on"
        ));
        return;
    };
    let internal = direct
        .normal
        .iter()
        .map(|dep| (dep, "normal"))
        .chain(direct.build.iter().map(|dep| (dep, "build")));
    for (dep, kind) in internal.filter(|(dep, _)| dep.starts_with("mcplex-")) {
        let ok = match allowed {
            Allowed::Any => true,
            Allowed::Only(list) => list.contains(&dep.as_str()),
        };
        if ok {
            continue;
        }
        let why = if dep == "mcplex-test" {
            "mcplex-test is test support and may only be a dev-dependency"
        } else if TRANSPORTS.contains(&name) && TRANSPORTS.contains(&dep.as_str()) {
            "transport crates do not depend on each other"
        } else {
            "dependencies point one way: protocol <- transport <- core <- {stdio, sse, ws, auth, \
             redis} <- {toolsets, bridge} <- binaries"
        };
        violations.push(format!("{name} has a {kind} dependency on {dep}: {why}"));
    }
}

fn check_exclusive(name: &str, normal: &BTreeSet<String>, violations: &mut Vec<String>) {
    for dep in normal {
        for (pattern, owners) in EXCLUSIVE {
            if matches(dep, pattern) && !owners.contains(&name) {
                violations.push(format!(
                    "{name} depends on `{dep}` directly, but only {} may",
                    owners.join(" and ")
                ));
            }
        }
    }
}

fn matches(dep: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => dep.starts_with(prefix),
        None => dep == pattern,
    }
}

fn matches_any(dep: &str, patterns: &[&str]) -> bool {
    patterns.iter().any(|pattern| matches(dep, pattern))
}

/// The names of the workspace packages under `crates/`.
fn workspace_crates(ctx: &Context) -> Result<Vec<String>> {
    let cmd = ctx
        .cargo("metadata")
        .args(["--format-version", "1", "--no-deps"])
        .locked(ctx);
    let json = cmd.read(ctx)?;
    let metadata: serde_json::Value =
        serde_json::from_str(&json).with_context(|| format!("`{cmd}` printed invalid JSON"))?;
    let crates_dir = ctx.root.join("crates");
    let mut names = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let (Some(name), Some(manifest)) =
            (package["name"].as_str(), package["manifest_path"].as_str())
        else {
            bail!("`{cmd}` printed a package without a name or manifest path");
        };
        if Path::new(manifest).starts_with(&crates_dir) {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// A crate's direct dependencies, by kind.
#[derive(Debug, Default, PartialEq)]
struct Direct {
    normal: BTreeSet<String>,
    build: BTreeSet<String>,
}

fn direct_dependencies(ctx: &Context, name: &str) -> Result<Direct> {
    let cmd = ctx
        .cargo("tree")
        .args([
            "-p",
            name,
            "-e",
            "normal,build",
            "--depth",
            "1",
            "--prefix",
            "none",
        ])
        .args(["--all-features", "--target", "all"])
        .locked(ctx);
    Ok(parse_direct(name, &cmd.read(ctx)?))
}

fn full_tree(ctx: &Context, name: &str) -> Result<BTreeSet<String>> {
    let cmd = ctx
        .cargo("tree")
        .args(["-p", name, "-e", "normal", "--prefix", "none"])
        .args(["--all-features", "--target", "all"])
        .locked(ctx);
    let mut deps = BTreeSet::new();
    for line in cmd.read(ctx)?.lines() {
        if let Some(dep) = package_name(line).filter(|dep| *dep != name) {
            deps.insert(dep.to_owned());
        }
    }
    Ok(deps)
}

/// Parses `cargo tree --depth 1 --prefix none` output: the crate itself, its normal
/// dependencies, then a `[build-dependencies]` section.
fn parse_direct(name: &str, output: &str) -> Direct {
    let mut direct = Direct::default();
    let mut build = false;
    for line in output.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            build = line == "[build-dependencies]";
            continue;
        }
        let Some(dep) = package_name(line).filter(|dep| *dep != name) else {
            continue;
        };
        let set = if build {
            &mut direct.build
        } else {
            &mut direct.normal
        };
        set.insert(dep.to_owned());
    }
    direct
}

/// The package name of a `cargo tree` line such as `serde v1.0.219 (*)`.
fn package_name(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace();
    let name = words.next()?;
    let version = words.next()?;
    version.starts_with('v').then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(name: &str) -> usize {
        CRATES
            .iter()
            .position(|(krate, _)| *krate == name)
            .expect("crate in the table")
    }

    #[test]
    fn the_table_points_one_way() {
        for (index, (name, allowed)) in CRATES.iter().enumerate() {
            let Allowed::Only(list) = allowed else {
                continue;
            };
            for dep in *list {
                assert!(
                    position(dep) < index,
                    "{name} may use {dep}, which is not below it"
                );
                assert_ne!(*dep, "mcplex-test", "{name} may not use mcplex-test");
                assert!(
                    !(TRANSPORTS.contains(name) && TRANSPORTS.contains(dep)),
                    "transport {name} may not use transport {dep}"
                );
            }
        }
    }

    #[test]
    fn every_crate_appears_once() {
        let names: BTreeSet<_> = CRATES.iter().map(|(name, _)| *name).collect();
        assert_eq!(names.len(), CRATES.len());
    }

    #[test]
    fn parses_direct_dependencies() {
        let output = "\
mcplex-sse v0.1.0 (/repo/crates/mcplex-sse)
axum v0.8.4
mcplex-core v0.1.0 (/repo/crates/mcplex-core)
serde v1.0.219 (*)
serde_derive v1.0.219 (proc-macro)

[build-dependencies]
cc v1.2.0
";
        let direct = parse_direct("mcplex-sse", output);
        let normal: Vec<_> = direct.normal.iter().map(String::as_str).collect();
        assert_eq!(normal, ["axum", "mcplex-core", "serde", "serde_derive"]);
        let build: Vec<_> = direct.build.iter().map(String::as_str).collect();
        assert_eq!(build, ["cc"]);
    }

    #[test]
    fn flags_violations() {
        let direct = Direct {
            normal: ["mcplex-ws", "mcplex-test", "mcplex-core", "axum"]
                .map(String::from)
                .into(),
            build: BTreeSet::new(),
        };
        let mut violations = Vec::new();
        check_internal("mcplex-stdio", &direct, &mut violations);
        check_exclusive("mcplex-stdio", &direct.normal, &mut violations);
        assert_eq!(violations.len(), 3, "{violations:#?}");
        assert!(violations[0].contains("mcplex-test"));
        assert!(violations[1].contains("transport crates do not depend on each other"));
        assert!(violations[2].contains("`axum`"));

        violations.clear();
        check_internal("mcplex-unknown", &Direct::default(), &mut violations);
        assert!(violations[0].contains("not in the layering table"));
    }

    #[test]
    fn patterns() {
        assert!(matches_any("futures-util", &["futures*"]));
        assert!(matches_any("async-trait", &["async-*"]));
        assert!(matches_any("tokio", &["tokio"]));
        assert!(!matches_any("tokio-macros", &["tokio"]));
        assert!(!matches_any("axumx", &["axum", "axum-*"]));
    }
}
