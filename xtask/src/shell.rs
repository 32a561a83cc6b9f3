//! Running commands and steps: the small process layer every command module shares.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

/// Where and how the commands run.
#[derive(Debug)]
pub(crate) struct Context {
    /// The repository root; every command runs there.
    pub(crate) root: PathBuf,
    /// Whether cargo commands get `--locked` (set when the `CI` environment variable is).
    pub(crate) locked: bool,
}

impl Context {
    pub(crate) fn from_env() -> Result<Context> {
        // xtask/ is one level below the repository root.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask has no parent directory")?
            .to_path_buf();
        let locked = std::env::var_os("CI").is_some_and(|value| !value.is_empty());
        Ok(Context { root, locked })
    }

    /// A `cargo <subcommand>` command.
    pub(crate) fn cargo(&self, subcommand: &str) -> Cmd {
        Cmd::new("cargo").arg(subcommand)
    }

    /// The `--locked` flag when running in CI, nothing otherwise.
    pub(crate) fn locked_flag(&self) -> Option<&'static str> {
        self.locked.then_some("--locked")
    }
}

/// A command line, printable exactly as it is run.
#[derive(Clone, Debug)]
pub(crate) struct Cmd {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    path_prefix: Option<PathBuf>,
}

impl Cmd {
    pub(crate) fn new(program: &str) -> Cmd {
        Cmd {
            program: program.to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            path_prefix: None,
        }
    }

    pub(crate) fn arg(mut self, arg: impl Into<String>) -> Cmd {
        self.args.push(arg.into());
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Appends `--locked` when the context asks for it.
    pub(crate) fn locked(self, ctx: &Context) -> Cmd {
        self.args(ctx.locked_flag())
    }

    pub(crate) fn env(mut self, key: &str, value: &str) -> Cmd {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Puts `dir` first on `PATH` for this command (not shown in the printed command line).
    pub(crate) fn path_prefix(mut self, dir: PathBuf) -> Cmd {
        self.path_prefix = Some(dir);
        self
    }

    fn command(&self, ctx: &Context) -> Result<Command> {
        // `cargo xtask` runs under cargo, which says in `CARGO` which cargo binary it is.
        let program = match (self.program.as_str(), std::env::var_os("CARGO")) {
            ("cargo", Some(cargo)) => cargo,
            _ => OsString::from(&self.program),
        };
        let mut command = Command::new(program);
        command.args(&self.args).current_dir(&ctx.root);
        for (key, value) in &self.env {
            command.env(key, value);
        }
        if let Some(dir) = &self.path_prefix {
            let mut paths = vec![dir.clone()];
            paths.extend(std::env::split_paths(
                &std::env::var_os("PATH").unwrap_or_default(),
            ));
            command.env(
                "PATH",
                std::env::join_paths(paths).context("cannot build PATH")?,
            );
        }
        Ok(command)
    }

    /// Runs the command with inherited standard streams; fails unless it exits successfully.
    pub(crate) fn run(&self, ctx: &Context) -> Result<()> {
        let status = self
            .command(ctx)?
            .stdin(Stdio::null())
            .status()
            .with_context(|| format!("could not start `{self}`"))?;
        if !status.success() {
            bail!("`{self}` failed ({status})");
        }
        Ok(())
    }

    /// Runs the command quietly and tells whether it succeeded; a missing program is `false`.
    pub(crate) fn succeeds(&self, ctx: &Context) -> bool {
        self.command(ctx).is_ok_and(|mut command| {
            command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        })
    }

    /// Runs the command and returns its standard output; standard error is shown on failure.
    pub(crate) fn read(&self, ctx: &Context) -> Result<String> {
        let output = self
            .command(ctx)?
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("could not start `{self}`"))?;
        if !output.status.success() {
            bail!(
                "`{self}` failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        String::from_utf8(output.stdout).with_context(|| format!("`{self}` printed invalid UTF-8"))
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.env {
            write!(f, "{key}={} ", quote(value))?;
        }
        f.write_str(&quote(&self.program))?;
        for arg in &self.args {
            write!(f, " {}", quote(arg))?;
        }
        Ok(())
    }
}

/// Quotes a word for display the way a shell user would type it.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=./:,+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("\"{}\"", word.replace('"', "\\\""))
    }
}

type Action = Box<dyn Fn(&Context) -> Result<()>>;

/// One named step of a command: what it runs, as printed, and how.
pub(crate) struct Step {
    pub(crate) name: &'static str,
    pub(crate) shown: String,
    action: Action,
}

impl Step {
    /// A step that runs one command.
    pub(crate) fn command(name: &'static str, cmd: Cmd) -> Step {
        let shown = cmd.to_string();
        Step {
            name,
            shown,
            action: Box::new(move |ctx| cmd.run(ctx)),
        }
    }

    /// A step that runs Rust code; `shown` says how to run it by hand.
    pub(crate) fn task(
        name: &'static str,
        shown: impl Into<String>,
        action: impl Fn(&Context) -> Result<()> + 'static,
    ) -> Step {
        Step {
            name,
            shown: shown.into(),
            action: Box::new(action),
        }
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step")
            .field("name", &self.name)
            .field("shown", &self.shown)
            .finish()
    }
}

/// Runs the steps in order, with a header and a timing line for each, and stops at the first
/// failure. `label` names the whole run in the summary line.
pub(crate) fn run_steps(ctx: &Context, label: &str, steps: &[Step]) -> Result<()> {
    let started = Instant::now();
    let total = steps.len();
    for (index, step) in steps.iter().enumerate() {
        let number = index + 1;
        eprintln!("==> [{number}/{total}] {}: {}", step.name, step.shown);
        let step_started = Instant::now();
        let result = (step.action)(ctx);
        let took = format_duration(step_started.elapsed());
        if let Err(error) = result {
            eprintln!("==> [{number}/{total}] {} FAILED after {took}", step.name);
            eprintln!(
                "{label}: stopped at step {number}/{total} `{}` after {}",
                step.name,
                format_duration(started.elapsed())
            );
            return Err(error.context(format!(
                "step `{}` failed (rerun: {})",
                step.name, step.shown
            )));
        }
        eprintln!("==> [{number}/{total}] {} ok in {took}", step.name);
    }
    eprintln!(
        "{label}: all {total} step(s) succeeded in {}",
        format_duration(started.elapsed())
    );
    Ok(())
}

/// `4.2s` under a minute, `3m07s` above.
pub(crate) fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = duration.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_print_as_typed() {
        let cmd = Cmd::new("cargo")
            .arg("doc")
            .args(["--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            cmd.to_string(),
            "RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --no-deps"
        );
    }

    #[test]
    fn locked_only_in_ci() {
        let local = Context {
            root: PathBuf::from("."),
            locked: false,
        };
        let ci = Context {
            root: PathBuf::from("."),
            locked: true,
        };
        assert_eq!(local.cargo("test").locked(&local).to_string(), "cargo test");
        assert_eq!(
            ci.cargo("test").locked(&ci).to_string(),
            "cargo test --locked"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(Duration::from_millis(4_240)), "4.2s");
        assert_eq!(format_duration(Duration::from_secs(187)), "3m07s");
    }
}
