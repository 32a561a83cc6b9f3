//! Configuration from flags, `MCPLEX_*` environment variables and a TOML file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

/// The usage text printed by `--help` and after a usage error.
pub const USAGE: &str = "\
Usage: mcplex-stdio-server [OPTIONS]

Serves an MCP toolset over stdin/stdout. Logs go to stderr.

Options:
  --toolset NAME             toolset to serve: demo | conformance     [default: demo]
  --config FILE              TOML file with the same keys as the options
                             (toolset, log_format, max_message_bytes, tool_timeout,
                             max_in_flight, shutdown_grace)
  --log-format FORMAT        text | json                              [default: text]
  --max-message-bytes N      longest input line accepted, in bytes    [default: 4194304]
  --tool-timeout SECS        longest a tool call may run              [default: 300]
  --max-in-flight N          requests handled at once                 [default: 64]
  --shutdown-grace SECS      on SIGTERM/SIGINT, how long requests in flight
                             may finish before they are cancelled     [default: 10]
  -h, --help                 print this help
  -V, --version              print the version

Every option also has an environment variable: MCPLEX_TOOLSET, MCPLEX_CONFIG,
MCPLEX_LOG_FORMAT, MCPLEX_MAX_MESSAGE_BYTES, MCPLEX_TOOL_TIMEOUT, MCPLEX_MAX_IN_FLIGHT,
MCPLEX_SHUTDOWN_GRACE.
A flag wins over its variable, which wins over the config file. RUST_LOG sets the log
filter (default: info).
";

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Serve with this configuration.
    Run(Config),
    /// Print [`USAGE`].
    Help,
    /// Print the version.
    Version,
}

/// A toolset the binary can serve.
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

/// The binary's settings, after flags, environment, config file and defaults are merged.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// The toolset to serve.
    pub toolset: Toolset,
    /// How log lines look.
    pub log_format: LogFormat,
    /// The longest input line accepted, in bytes.
    pub max_message_bytes: usize,
    /// The longest a tool call may run.
    pub tool_timeout: Duration,
    /// Requests handled at once.
    pub max_in_flight: usize,
    /// How long requests in flight may finish after a stop signal.
    pub shutdown_grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        let limits = mcplex_core::Limits::default();
        Self {
            toolset: Toolset::Demo,
            log_format: LogFormat::Text,
            max_message_bytes: limits.max_message_bytes,
            tool_timeout: limits.tool_timeout,
            max_in_flight: limits.max_in_flight,
            shutdown_grace: limits.shutdown_grace,
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
    /// A value that does not parse or is out of range; `source` names where it came from.
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
    ToolsetNotAvailable(&'static str),
}

impl ConfigError {
    /// Whether the command line itself is wrong (print the usage).
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::UnknownFlag(_) | Self::MissingValue(_))
    }
}

/// Settings from one source; unset fields fall through to the next source.
#[derive(Debug, Default)]
struct Layer {
    toolset: Option<Toolset>,
    log_format: Option<LogFormat>,
    max_message_bytes: Option<usize>,
    tool_timeout: Option<Duration>,
    max_in_flight: Option<usize>,
    shutdown_grace: Option<Duration>,
}

/// The config file's keys, as TOML types.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    toolset: Option<String>,
    log_format: Option<String>,
    max_message_bytes: Option<u64>,
    tool_timeout: Option<f64>,
    max_in_flight: Option<u64>,
    shutdown_grace: Option<f64>,
}

/// A setting: its flag, its environment variable and its config key.
struct Key {
    flag: &'static str,
    env: &'static str,
    file: &'static str,
}

const TOOLSET: Key = Key {
    flag: "--toolset",
    env: "MCPLEX_TOOLSET",
    file: "toolset",
};
const LOG_FORMAT: Key = Key {
    flag: "--log-format",
    env: "MCPLEX_LOG_FORMAT",
    file: "log_format",
};
const MAX_MESSAGE_BYTES: Key = Key {
    flag: "--max-message-bytes",
    env: "MCPLEX_MAX_MESSAGE_BYTES",
    file: "max_message_bytes",
};
const TOOL_TIMEOUT: Key = Key {
    flag: "--tool-timeout",
    env: "MCPLEX_TOOL_TIMEOUT",
    file: "tool_timeout",
};
const MAX_IN_FLIGHT: Key = Key {
    flag: "--max-in-flight",
    env: "MCPLEX_MAX_IN_FLIGHT",
    file: "max_in_flight",
};
const SHUTDOWN_GRACE: Key = Key {
    flag: "--shutdown-grace",
    env: "MCPLEX_SHUTDOWN_GRACE",
    file: "shutdown_grace",
};
const CONFIG: Key = Key {
    flag: "--config",
    env: "MCPLEX_CONFIG",
    file: "",
};

/// Reads the configuration: `args` are the command-line arguments without the program name,
/// `env` looks up an environment variable. Precedence: flag, then `MCPLEX_*` variable, then
/// the config file (`--config` or `MCPLEX_CONFIG`), then the default.
///
/// ```
/// use std::time::Duration;
/// use mcplex_stdio_server::{parse, Action, LogFormat};
///
/// let args = ["--log-format", "json", "--tool-timeout=30"].map(String::from);
/// let env = |name: &str| (name == "MCPLEX_LOG_FORMAT").then(|| "text".to_owned());
/// let Action::Run(config) = parse(args, env).unwrap() else { panic!() };
/// assert_eq!(config.log_format, LogFormat::Json); // the flag wins
/// assert_eq!(config.tool_timeout, Duration::from_secs(30));
/// ```
///
/// # Errors
///
/// [`ConfigError`] for an unknown flag, a missing or invalid value, or a config file that
/// cannot be read or parsed.
pub fn parse<I, E>(args: I, env: E) -> Result<Action, ConfigError>
where
    I: IntoIterator<Item = String>,
    E: Fn(&str) -> Option<String>,
{
    let mut flags = Layer::default();
    let mut config_file = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Action::Help),
            "-V" | "--version" => return Ok(Action::Version),
            _ => {}
        }
        let key = [
            &TOOLSET,
            &LOG_FORMAT,
            &MAX_MESSAGE_BYTES,
            &TOOL_TIMEOUT,
            &MAX_IN_FLIGHT,
            &SHUTDOWN_GRACE,
            &CONFIG,
        ]
        .into_iter()
        .find(|key| key.flag == name)
        .ok_or_else(|| ConfigError::UnknownFlag(name.clone()))?;
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| ConfigError::MissingValue(name.clone()))?;
        if key.flag == CONFIG.flag {
            config_file = Some(PathBuf::from(value));
        } else {
            flags.set(key, &value, key.flag)?;
        }
    }

    let mut from_env = Layer::default();
    for key in [
        &TOOLSET,
        &LOG_FORMAT,
        &MAX_MESSAGE_BYTES,
        &TOOL_TIMEOUT,
        &MAX_IN_FLIGHT,
        &SHUTDOWN_GRACE,
    ] {
        if let Some(value) = env(key.env) {
            from_env.set(key, &value, key.env)?;
        }
    }
    let config_file = config_file.or_else(|| env(CONFIG.env).map(PathBuf::from));
    let from_file = match &config_file {
        Some(path) => read_file(path)?,
        None => Layer::default(),
    };

    let default = Config::default();
    let [a, b, c] = [flags, from_env, from_file];
    Ok(Action::Run(Config {
        toolset: a
            .toolset
            .or(b.toolset)
            .or(c.toolset)
            .unwrap_or(default.toolset),
        log_format: a
            .log_format
            .or(b.log_format)
            .or(c.log_format)
            .unwrap_or(default.log_format),
        max_message_bytes: a
            .max_message_bytes
            .or(b.max_message_bytes)
            .or(c.max_message_bytes)
            .unwrap_or(default.max_message_bytes),
        tool_timeout: a
            .tool_timeout
            .or(b.tool_timeout)
            .or(c.tool_timeout)
            .unwrap_or(default.tool_timeout),
        max_in_flight: a
            .max_in_flight
            .or(b.max_in_flight)
            .or(c.max_in_flight)
            .unwrap_or(default.max_in_flight),
        shutdown_grace: a
            .shutdown_grace
            .or(b.shutdown_grace)
            .or(c.shutdown_grace)
            .unwrap_or(default.shutdown_grace),
    }))
}

impl Layer {
    /// Parses a string value for `key`; `source` names where it came from, for errors.
    fn set(&mut self, key: &Key, value: &str, source: &str) -> Result<(), ConfigError> {
        let invalid = |reason: &dyn fmt::Display| ConfigError::InvalidValue {
            source_name: source.to_owned(),
            value: value.to_owned(),
            reason: reason.to_string(),
        };
        match key.file {
            "toolset" => self.toolset = Some(value.parse().map_err(|e| invalid(&e))?),
            "log_format" => self.log_format = Some(value.parse().map_err(|e| invalid(&e))?),
            "max_message_bytes" => {
                self.max_message_bytes = Some(positive(value).map_err(|e| invalid(&e))?)
            }
            "max_in_flight" => self.max_in_flight = Some(positive(value).map_err(|e| invalid(&e))?),
            "shutdown_grace" => {
                let secs: f64 = value
                    .parse()
                    .map_err(|_| invalid(&"expected a number of seconds"))?;
                let grace = Duration::try_from_secs_f64(secs)
                    .map_err(|_| invalid(&"expected a number of seconds, 0 or more"))?;
                self.shutdown_grace = Some(grace);
            }
            _ => {
                let secs: f64 = value
                    .parse()
                    .map_err(|_| invalid(&"expected a number of seconds"))?;
                self.tool_timeout = Some(seconds(secs).map_err(|e| invalid(&e))?);
            }
        }
        Ok(())
    }
}

fn positive(value: &str) -> Result<usize, &'static str> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or("expected a whole number above 0")
}

fn seconds(secs: f64) -> Result<Duration, &'static str> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or("expected a number of seconds above 0")
}

fn read_file(path: &Path) -> Result<Layer, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    let file: FileLayer = toml::from_str(&text).map_err(|source| ConfigError::ParseFile {
        path: path.to_owned(),
        source,
    })?;
    let mut layer = Layer::default();
    let source = |key: &Key| format!("`{}` in {}", key.file, path.display());
    if let Some(value) = &file.toolset {
        layer.set(&TOOLSET, value, &source(&TOOLSET))?;
    }
    if let Some(value) = &file.log_format {
        layer.set(&LOG_FORMAT, value, &source(&LOG_FORMAT))?;
    }
    if let Some(value) = file.max_message_bytes {
        layer.set(
            &MAX_MESSAGE_BYTES,
            &value.to_string(),
            &source(&MAX_MESSAGE_BYTES),
        )?;
    }
    if let Some(value) = file.tool_timeout {
        layer.set(&TOOL_TIMEOUT, &value.to_string(), &source(&TOOL_TIMEOUT))?;
    }
    if let Some(value) = file.max_in_flight {
        layer.set(&MAX_IN_FLIGHT, &value.to_string(), &source(&MAX_IN_FLIGHT))?;
    }
    if let Some(value) = file.shutdown_grace {
        layer.set(
            &SHUTDOWN_GRACE,
            &value.to_string(),
            &source(&SHUTDOWN_GRACE),
        )?;
    }
    Ok(layer)
}
