//! Command-line support shared by the mcplex server binaries (`mcplex-stdio-server`,
//! `mcplex-sse-server`, `mcplex-ws-server`).
//!
//! Every binary reads its settings the same way: a flag (`--name value` or `--name=value`),
//! then its `MCPLEX_*` environment variable, then the TOML config file named by `--config` or
//! `MCPLEX_CONFIG`, then the default. Each binary keeps the table of its own settings; this
//! crate holds what they share:
//!
//! - [`walk`]: the pass over the arguments, with `-h`/`--help`, `-V`/`--version` and
//!   `--config`, that reports [`ConfigError::UnknownFlag`] and [`ConfigError::MissingValue`];
//! - the value parsers [`positive`] and [`seconds`], and [`invalid`] for their errors;
//! - [`read_toml`], which reads the config file into the binary's file type;
//! - [`Toolset`], [`LogFormat`] and [`init_logging`] (logs go to stderr; `RUST_LOG` filters);
//! - [`Action`] and [`exit_on_parse`]: `--help`, `--version` and usage errors in `main`, with
//!   exit code 2 for a usage error; [`error_chain`] for the one-line error messages.
//!
//! # Which crate should I depend on?
//!
//! None of the library crates need this one: it serves the binaries. A program embedding
//! mcplex reads its own configuration and builds an `mcplex_core::Server` directly.
//!
//! ```rust
//! use mcplex_cli::{ConfigError, Walk, walk};
//!
//! let args = ["--max-in-flight=8", "--config", "mcplex.toml"].map(String::from);
//! let Walk::Values { values, config } = walk(args, &["--max-in-flight"]).unwrap() else {
//!     panic!()
//! };
//! assert_eq!(values, [("--max-in-flight".to_owned(), "8".to_owned())]);
//! assert_eq!(config.unwrap().to_str(), Some("mcplex.toml"));
//!
//! let unknown = walk(["--nope".to_owned()], &["--max-in-flight"]).unwrap_err();
//! assert!(matches!(unknown, ConfigError::UnknownFlag(_)) && unknown.is_usage());
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tracing_subscriber::EnvFilter;

/// The flag naming the config file.
pub const CONFIG_FLAG: &str = "--config";
/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "MCPLEX_CONFIG";

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action<C> {
    /// Serve with this configuration.
    Run(C),
    /// Print the usage.
    Help,
    /// Print the version.
    Version,
}

/// A toolset a binary can serve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Toolset {
    /// The embedded demo toolset.
    #[default]
    Demo,
    /// The toolset the MCP conformance suite expects.
    Conformance,
}

impl Toolset {
    /// The name used in flags and config.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Demo => "demo",
            Self::Conformance => "conformance",
        }
    }
}

impl FromStr for Toolset {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "demo" => Ok(Self::Demo),
            "conformance" => Ok(Self::Conformance),
            _ => Err("expected demo or conformance"),
        }
    }
}

/// How log lines on stderr look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err("expected text or json"),
        }
    }
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A flag the binary does not know.
    #[error("unknown option `{0}`")]
    UnknownFlag(String),
    /// A flag given without its value.
    #[error("option `{0}` needs a value")]
    MissingValue(String),
    /// A value that does not parse or is out of range; `source_name` names where it came from.
    #[error("invalid value `{value}` for {source_name}: {reason}")]
    InvalidValue {
        /// The flag, variable or config key.
        source_name: String,
        /// The value given.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// The config file could not be read.
    #[error("cannot read config file {}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has unknown keys or wrongly typed values.
    #[error("invalid config file {}", path.display())]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: toml::de::Error,
    },
    /// The toolset is known but not part of this build.
    #[error("toolset not available: {0}")]
    ToolsetNotAvailable(String),
}

impl ConfigError {
    /// Whether the command line itself is wrong (print the usage).
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::UnknownFlag(_) | Self::MissingValue(_))
    }
}

/// An [`ConfigError::InvalidValue`]: `value` from `source` (a flag, variable or config key)
/// is not what `reason` says it must be.
pub fn invalid(source: &str, value: &str, reason: impl fmt::Display) -> ConfigError {
    ConfigError::InvalidValue {
        source_name: source.to_owned(),
        value: value.to_owned(),
        reason: reason.to_string(),
    }
}

/// What the arguments ask for, before their values are parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Walk {
    /// `-h` or `--help` (anything after it is ignored).
    Help,
    /// `-V` or `--version` (anything after it is ignored).
    Version,
    /// The known flags with their values, in order, and the `--config` file if given.
    Values {
        /// Flag and value pairs.
        values: Vec<(String, String)>,
        /// The last `--config` value.
        config: Option<PathBuf>,
    },
}

/// Walks the command-line arguments (without the program name): each flag in `known` (and
/// `--config`) takes a value, as the next argument or after `=`.
///
/// # Errors
///
/// [`ConfigError::UnknownFlag`] for a flag not in `known`, [`ConfigError::MissingValue`] for
/// a flag at the end without its value.
pub fn walk<I>(args: I, known: &[&str]) -> Result<Walk, ConfigError>
where
    I: IntoIterator<Item = String>,
{
    let mut values = Vec::new();
    let mut config = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Walk::Help),
            "-V" | "--version" => return Ok(Walk::Version),
            _ => {}
        }
        if name != CONFIG_FLAG && !known.contains(&name.as_str()) {
            return Err(ConfigError::UnknownFlag(name));
        }
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| ConfigError::MissingValue(name.clone()))?;
        if name == CONFIG_FLAG {
            config = Some(PathBuf::from(value));
        } else {
            values.push((name, value));
        }
    }
    Ok(Walk::Values { values, config })
}

/// A whole number above 0.
///
/// # Errors
///
/// The reason, for [`invalid`].
pub fn positive(value: &str) -> Result<usize, &'static str> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or("expected a whole number above 0")
}

/// A number of seconds (fractions allowed), above 0 unless `zero_ok`.
///
/// # Errors
///
/// The reason, for [`invalid`].
pub fn seconds(value: &str, zero_ok: bool) -> Result<Duration, &'static str> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .filter(|d| zero_ok || !d.is_zero())
        .ok_or(if zero_ok {
            "expected a number of seconds, 0 or more"
        } else {
            "expected a number of seconds above 0"
        })
}

/// Reads the TOML config file at `path` into the binary's file type (which should deny
/// unknown fields).
///
/// # Errors
///
/// [`ConfigError::ReadFile`] or [`ConfigError::ParseFile`].
pub fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::ParseFile {
        path: path.to_owned(),
        source,
    })
}

/// The name of a config-file key in errors: `` `key` in FILE ``.
pub fn file_source(key: &str, path: &Path) -> String {
    format!("`{key}` in {}", path.display())
}

/// Sends logs to stderr (stdout may carry the protocol), filtered by `RUST_LOG` (default
/// `info`; an invalid filter is reported once and ignored).
pub fn init_logging(format: LogFormat) {
    let (filter, bad_filter) = match EnvFilter::try_from_default_env() {
        Ok(filter) => (filter, None),
        Err(e) => (
            EnvFilter::new("info"),
            std::env::var("RUST_LOG").ok().map(|v| (v, e)),
        ),
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    if installed.is_ok()
        && let Some((value, error)) = bad_filter
    {
        tracing::warn!(%value, %error, "ignoring an invalid RUST_LOG; logging at info");
    }
}

/// The configuration to run with, or the exit code `main` returns at once: after printing the
/// usage (`--help`) or `program version` (`--version`) on stdout, or an error on stderr (exit
/// code 2, with the usage after a usage error).
///
/// # Errors
///
/// The exit code, when there is nothing to run.
pub fn exit_on_parse<C>(
    program: &str,
    version: &str,
    usage: &str,
    parsed: Result<Action<C>, ConfigError>,
) -> Result<C, ExitCode> {
    match parsed {
        Ok(Action::Run(config)) => Ok(config),
        Ok(Action::Help) => {
            print_stdout(usage);
            Err(ExitCode::SUCCESS)
        }
        Ok(Action::Version) => {
            print_stdout(&format!("{program} {version}\n"));
            Err(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{program}: {}", error_chain(&e));
            if e.is_usage() {
                eprint!("\n{usage}");
            }
            Err(ExitCode::from(2))
        }
    }
}

/// Prints the help or the version.
#[allow(clippy::print_stdout, reason = "--help and --version answer on stdout")]
fn print_stdout(text: &str) {
    print!("{text}");
}

/// The error and its sources, joined with `: `.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn help_and_version_win_over_later_arguments() {
        assert_eq!(walk(strings(&["-h", "--nope"]), &[]).unwrap(), Walk::Help);
        assert_eq!(
            walk(strings(&["--version", "--x"]), &[]).unwrap(),
            Walk::Version
        );
    }

    #[test]
    fn values_inline_or_next_and_errors() {
        let walked = walk(strings(&["--a=1", "--a", "2", "--config=f"]), &["--a"]).unwrap();
        assert_eq!(
            walked,
            Walk::Values {
                values: vec![("--a".into(), "1".into()), ("--a".into(), "2".into())],
                config: Some(PathBuf::from("f")),
            }
        );
        assert!(matches!(
            walk(strings(&["--a"]), &["--a"]),
            Err(ConfigError::MissingValue(name)) if name == "--a"
        ));
        assert!(matches!(
            walk(strings(&["-x"]), &["--a"]),
            Err(ConfigError::UnknownFlag(name)) if name == "-x"
        ));
    }

    #[test]
    fn value_parsers() {
        assert_eq!(positive(" 3 "), Ok(3));
        assert!(positive("0").is_err() && positive("-1").is_err());
        assert_eq!(seconds("1.5", false), Ok(Duration::from_millis(1500)));
        assert!(seconds("0", false).is_err());
        assert_eq!(seconds("0", true), Ok(Duration::ZERO));
        assert!(seconds("-1", true).is_err() && seconds("x", true).is_err());
    }

    #[test]
    fn error_chains_join_sources() {
        let e = ConfigError::ReadFile {
            path: "x.toml".into(),
            source: std::io::Error::other("gone"),
        };
        assert_eq!(error_chain(&e), "cannot read config file x.toml: gone");
    }
}
