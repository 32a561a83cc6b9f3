//! Repository hygiene, checked as part of the workspace tests.
//!
//! Each test walks the repository (skipping build output, installed tools, version-control data
//! and fetched packages), collects every offending file with the reason, and fails with the whole
//! list so one run shows everything to fix:
//!
//! - every manifest under `crates/`, `xtask/`, `benches/` and `examples/` opts into the workspace
//!   lints and takes every dependency from `[workspace.dependencies]`;
//! - every internal crate is listed in the root `[workspace.dependencies]`;
//! - every crate under `crates/` has a README and crate docs with a "Which crate should I depend
//!   on" section and an example that compiles;
//! - no doc test is switched off, no debugging or stub macro is left behind, no source file grows
//!   past 800 lines of non-test code, and the text speaks only of the project itself.

use std::fmt::Display;
use std::fs;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

/// Directory names never walked into, wherever they are.
const SKIPPED_DIRS: &[&str] = &["target", ".tools", ".git", "node_modules"];

/// Paths (relative to the root) never walked into: fuzzer inputs and outputs are data, not text
/// the project writes.
const SKIPPED_PATHS: &[&str] = &["fuzz/corpus", "fuzz/artifacts", "fuzz/coverage"];

/// Folders whose manifests belong to the workspace and follow its rules.
const WORKSPACE_DIRS: &[&str] = &["crates", "xtask", "benches", "examples"];

/// The most lines of non-test code in one `.rs` file.
const MAX_LINES: usize = 800;

/// Keys a dependency entry may have besides `workspace = true`.
const DEPENDENCY_KEYS: &[&str] = &["workspace", "features", "optional"];

const DEPENDENCY_TABLES: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];

/// This file, which spells out the rules and is exempt from the stub check.
const THIS_FILE: &str = "xtask/tests/tidy.rs";

#[test]
fn manifests_use_workspace_lints() {
    let mut problems = Problems::new("manifests must opt into the workspace lints");
    for (path, manifest) in workspace_manifests() {
        let lints_ok = manifest
            .get("lints")
            .and_then(Value::as_table)
            .and_then(|lints| lints.get("workspace"))
            .and_then(Value::as_bool)
            == Some(true);
        if !lints_ok {
            problems.add(&path, "has no `[lints]` table with `workspace = true`");
        }
    }
    problems.finish();
}

#[test]
fn dependencies_come_from_the_workspace() {
    let mut problems = Problems::new(
        "dependencies must be `name.workspace = true` (optionally with `features` or `optional`), \
         with the version in the root [workspace.dependencies]",
    );
    for (path, manifest) in workspace_manifests() {
        for (section, name, spec) in dependencies(&manifest) {
            let from_workspace = spec.get("workspace").and_then(Value::as_bool) == Some(true);
            if !from_workspace {
                problems.add(
                    &path,
                    format!("[{section}] `{name}` does not use `workspace = true`"),
                );
                continue;
            }
            let Some(table) = spec.as_table() else {
                continue;
            };
            for key in table
                .keys()
                .filter(|key| !DEPENDENCY_KEYS.contains(&key.as_str()))
            {
                problems.add(
                    &path,
                    format!("[{section}] `{name}` sets `{key}`, which belongs in the workspace"),
                );
            }
        }
    }
    problems.finish();
}

#[test]
fn internal_crates_are_workspace_dependencies() {
    let mut problems =
        Problems::new("every mcplex-* crate must be in the root [workspace.dependencies]");
    let root = parse_manifest(&root().join("Cargo.toml")).expect("the root Cargo.toml parses");
    let listed = root
        .get("workspace")
        .and_then(|workspace| workspace.get("dependencies"))
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    for (path, manifest) in workspace_manifests() {
        let Ok(dir) = path
            .parent()
            .unwrap_or(Path::new(""))
            .strip_prefix("crates")
        else {
            continue;
        };
        let Some(name) = package_name(&manifest).filter(|name| name.starts_with("mcplex-")) else {
            continue;
        };
        let expected = format!("crates/{}", slash_path(dir));
        match listed
            .get(name)
            .and_then(|entry| entry.get("path"))
            .and_then(Value::as_str)
        {
            Some(found) if found.trim_end_matches('/') == expected => {}
            Some(found) => problems.add(
                &path,
                format!("`{name}` is listed with path `{found}` instead of `{expected}`"),
            ),
            None => problems.add(
                &path,
                format!("add `{name} = {{ path = \"{expected}\", version = \"...\" }}`"),
            ),
        }
    }
    problems.finish();
}

#[test]
fn crates_have_readme_and_crate_docs() {
    let mut problems = Problems::new("every crate under crates/ needs a README.md and crate docs");
    for (path, _) in workspace_manifests() {
        let dir = path.parent().unwrap_or(Path::new(""));
        if !dir.starts_with("crates") {
            continue;
        }
        if !root().join(dir).join("README.md").is_file() {
            problems.add(&dir.join("README.md"), "is missing");
        }
        let lib = dir.join("src").join("lib.rs");
        let Ok(text) = fs::read_to_string(root().join(&lib)) else {
            continue;
        };
        for problem in crate_doc_problems(&text) {
            problems.add(&lib, problem);
        }
    }
    problems.finish();
}

#[test]
fn no_doc_test_is_switched_off() {
    let mut problems = Problems::new(
        "doc examples must compile: use ```rust or ```rust,no_run (or ```text for non-Rust)",
    );
    let off = ["ign", "ore"].concat();
    for path in repo_files() {
        let is_rs = has_extension(&path, "rs");
        let is_crate_md = has_extension(&path, "md") && path.starts_with("crates");
        if !(is_rs || is_crate_md) {
            continue;
        }
        let Some(text) = read_text(&path) else {
            continue;
        };
        let doc_lines = text.lines().enumerate().filter_map(|(index, line)| {
            let line = line.trim_start();
            let doc = if is_rs {
                line.strip_prefix("///")
                    .or_else(|| line.strip_prefix("//!"))?
            } else {
                line
            };
            Some((index + 1, doc))
        });
        for (line_number, info) in code_fences(doc_lines) {
            if info.split(',').any(|attribute| attribute.trim() == off) {
                problems.add_line(&path, line_number, format!("code block marked `{off}`"));
            }
        }
    }
    problems.finish();
}

#[test]
fn no_stubs_or_debugging_left() {
    let mut problems = Problems::new("remove stubs and debugging output");
    let needles: Vec<String> = ["todo", "unimplemented", "dbg"]
        .iter()
        .map(|name| format!("{name}!("))
        .collect();
    for path in repo_files()
        .into_iter()
        .filter(|path| has_extension(path, "rs"))
    {
        if path == Path::new(THIS_FILE) {
            continue;
        }
        let Some(text) = read_text(&path) else {
            continue;
        };
        for (index, line) in text.lines().enumerate() {
            for needle in needles.iter().filter(|needle| contains_macro(line, needle)) {
                problems.add_line(&path, index + 1, format!("contains `{needle}`"));
            }
        }
    }
    problems.finish();
}

#[test]
fn files_stay_small() {
    let mut problems = Problems::new(
        "split files by responsibility before they pass 800 lines of non-test code \
         (lines before the first `#[cfg(test)]` line; integration tests under tests/ are test code)",
    );
    for path in repo_files()
        .into_iter()
        .filter(|path| has_extension(path, "rs"))
        .filter(|path| !path.components().any(|c| c.as_os_str() == "tests"))
    {
        let Some(text) = read_text(&path) else {
            continue;
        };
        let lines = non_test_lines(&text);
        if lines > MAX_LINES {
            problems.add(
                &path,
                format!("has {lines} lines of non-test code (limit {MAX_LINES})"),
            );
        }
    }
    problems.finish();
}

#[test]
fn the_project_speaks_of_itself() {
    let mut problems = Problems::new(
        "the project's text speaks of the project itself, not of the tools used to write it",
    );
    // Spelled in pieces so this file does not match itself.
    let needles: Vec<String> = [
        ["chat", "gpt"],
        ["co", "pilot"],
        ["claude", " code"],
        ["claude", ".ai"],
        ["llm", "-generated"],
        ["ai", "-generated"],
        ["generated by ", "ai"],
        ["ai ", "assistant"],
        ["coding ", "assistant"],
    ]
    .iter()
    .map(|parts| parts.concat())
    .collect();
    for path in repo_files() {
        let Some(text) = read_text(&path) else {
            continue;
        };
        for (index, line) in text.lines().enumerate() {
            let line = line.to_lowercase();
            for needle in needles
                .iter()
                .filter(|needle| line.contains(needle.as_str()))
            {
                problems.add_line(&path, index + 1, format!("mentions `{needle}`"));
            }
        }
    }
    problems.finish();
}

// ---- the rules, as functions with their own tests ----

/// What is wrong with the crate docs at the top of a `lib.rs`.
fn crate_doc_problems(text: &str) -> Vec<String> {
    let first = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    if !first.starts_with("//!") {
        return vec!["does not start with `//!` crate docs".to_owned()];
    }
    let docs: Vec<&str> = text
        .lines()
        .skip_while(|line| line.trim().is_empty())
        .map_while(|line| line.trim_start().strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect();
    let mut problems = Vec::new();
    let has_section = docs.iter().any(|line| {
        line.starts_with('#')
            && line
                .to_lowercase()
                .contains("which crate should i depend on")
    });
    if !has_section {
        problems.push("crate docs have no \"Which crate should I depend on?\" section".to_owned());
    }
    let numbered = docs
        .iter()
        .enumerate()
        .map(|(index, line)| (index + 1, *line));
    let has_example = code_fences(numbered)
        .iter()
        .any(|(_, info)| matches!(*info, "" | "rust" | "rust,no_run"));
    if !has_example {
        problems.push(
            "crate docs have no example fenced as ```rust, ```rust,no_run or plain ```".to_owned(),
        );
    }
    problems
}

/// The opening fences of the code blocks in some markdown lines: line number and info string.
fn code_fences<'a>(lines: impl IntoIterator<Item = (usize, &'a str)>) -> Vec<(usize, &'a str)> {
    let mut fences = Vec::new();
    let mut open = false;
    for (number, line) in lines {
        let Some(info) = line.trim().strip_prefix("```") else {
            continue;
        };
        if !open {
            fences.push((number, info.trim()));
        }
        open = !open;
    }
    fences
}

/// Whether `line` invokes the macro `needle` (such as `dbg!(`), not one whose name merely ends
/// the same way.
fn contains_macro(line: &str, needle: &str) -> bool {
    line.match_indices(needle).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Lines before the first line that is exactly `#[cfg(test)]`.
fn non_test_lines(text: &str) -> usize {
    text.lines()
        .take_while(|line| line.trim_end() != "#[cfg(test)]")
        .count()
}

// ---- the repository ----

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the repository")
        .into()
}

/// Every file of the repository, relative to the root, in a stable order.
fn repo_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(root.join(&dir))
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", root.join(&dir).display()));
        for entry in entries {
            let entry = entry.expect("a readable directory entry");
            let path = dir.join(entry.file_name());
            let file_type = entry.file_type().expect("a file type");
            if file_type.is_dir() {
                let name = entry.file_name();
                let skipped = SKIPPED_DIRS.iter().any(|skip| name == *skip)
                    || SKIPPED_PATHS.iter().any(|skip| path == Path::new(skip));
                if !skipped {
                    pending.push(path);
                }
            } else if file_type.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The parsed manifests of the workspace's own packages.
fn workspace_manifests() -> Vec<(PathBuf, Table)> {
    repo_files()
        .into_iter()
        .filter(|path| path.file_name().is_some_and(|name| name == "Cargo.toml"))
        .filter(|path| WORKSPACE_DIRS.iter().any(|dir| path.starts_with(dir)))
        .filter_map(|path| {
            let manifest = parse_manifest(&root().join(&path))
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            manifest.contains_key("package").then_some((path, manifest))
        })
        .collect()
}

fn parse_manifest(path: &Path) -> Result<Table, String> {
    let text = fs::read_to_string(path).map_err(|error| error.to_string())?;
    text.parse::<Table>().map_err(|error| error.to_string())
}

fn package_name(manifest: &Table) -> Option<&str> {
    manifest.get("package")?.get("name")?.as_str()
}

/// Every dependency of a manifest, platform-specific ones included: section, name and entry.
fn dependencies(manifest: &Table) -> Vec<(String, &String, &Value)> {
    let mut found = Vec::new();
    collect_dependencies("", manifest, &mut found);
    let targets = manifest.get("target").and_then(Value::as_table);
    for (cfg, table) in targets.into_iter().flatten() {
        if let Some(table) = table.as_table() {
            collect_dependencies(&format!("target.{cfg}."), table, &mut found);
        }
    }
    found
}

fn collect_dependencies<'a>(
    prefix: &str,
    table: &'a Table,
    found: &mut Vec<(String, &'a String, &'a Value)>,
) {
    for section in DEPENDENCY_TABLES {
        let Some(deps) = table.get(*section).and_then(Value::as_table) else {
            continue;
        };
        for (name, spec) in deps {
            found.push((format!("{prefix}{section}"), name, spec));
        }
    }
}

/// A file's text, or `None` for binary or unreadable files.
fn read_text(path: &Path) -> Option<String> {
    let text = fs::read_to_string(root().join(path)).ok()?;
    (!text.contains('\0')).then_some(text)
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|found| found == extension)
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Offending files with reasons; fails the test with all of them at once.
struct Problems {
    rule: &'static str,
    found: Vec<String>,
}

impl Problems {
    fn new(rule: &'static str) -> Problems {
        Problems {
            rule,
            found: Vec::new(),
        }
    }

    fn add(&mut self, path: &Path, reason: impl Display) {
        self.found.push(format!("{}: {reason}", slash_path(path)));
    }

    fn add_line(&mut self, path: &Path, line: usize, reason: impl Display) {
        self.found
            .push(format!("{}:{line}: {reason}", slash_path(path)));
    }

    fn finish(self) {
        assert!(
            self.found.is_empty(),
            "{}:\n  {}\n({} problem(s))",
            self.rule,
            self.found.join("\n  "),
            self.found.len()
        );
    }
}

// ---- tests of the rules themselves ----

#[test]
fn crate_docs_rule() {
    let good = "//! Purpose.\n//!\n//! # Which crate should I depend on?\n//!\n//! ```rust\n\
                //! let x = 1;\n//! ```\n\npub fn f() {}\n";
    assert!(
        crate_doc_problems(good).is_empty(),
        "{:?}",
        crate_doc_problems(good)
    );

    let no_run = good.replace("```rust\n", "```rust,no_run\n");
    assert!(crate_doc_problems(&no_run).is_empty());

    let text_only = good.replace("```rust\n", "```text\n");
    assert_eq!(crate_doc_problems(&text_only).len(), 1);

    let no_section = good.replace("Which crate should I depend on?", "Usage");
    assert_eq!(crate_doc_problems(&no_section).len(), 1);

    assert_eq!(
        crate_doc_problems("#![forbid(unsafe_code)]\n//! Late docs.\n").len(),
        1
    );
}

#[test]
fn fences_pair_up() {
    let lines = ["```rust", "let a = 1;", "```", "text", "```text", "```"];
    let fences = code_fences(
        lines
            .iter()
            .enumerate()
            .map(|(index, line)| (index + 1, *line)),
    );
    assert_eq!(fences, [(1, "rust"), (5, "text")]);
}

#[test]
fn macro_needles() {
    let needle = format!("{}!(", "dbg");
    assert!(contains_macro(&format!("    {needle}x);"), &needle));
    assert!(!contains_macro(&format!("my_{needle}x);"), &needle));
    assert!(!contains_macro("debug!(x);", &needle));
}

#[test]
fn test_code_is_not_counted() {
    assert_eq!(non_test_lines("a\nb\n#[cfg(test)]\nmod tests {}\n"), 2);
    assert_eq!(non_test_lines("a\n    #[cfg(test)]\nb\n"), 3);
}
