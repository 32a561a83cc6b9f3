//! Configuration from flags, `MCPLEX_*` environment variables and a TOML file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mcplex_cli::{
    CONFIG_ENV, ConfigError, LogFormat, Toolset, Walk, file_source, invalid, positive, read_toml,
    seconds, walk,
};
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
pub type Action = mcplex_cli::Action<Config>;

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
    const KEYS: [&Key; 6] = [
        &TOOLSET,
        &LOG_FORMAT,
        &MAX_MESSAGE_BYTES,
        &TOOL_TIMEOUT,
        &MAX_IN_FLIGHT,
        &SHUTDOWN_GRACE,
    ];
    let (values, config_file) = match walk(args, &KEYS.map(|key| key.flag))? {
        Walk::Help => return Ok(Action::Help),
        Walk::Version => return Ok(Action::Version),
        Walk::Values { values, config } => (values, config),
    };
    let mut flags = Layer::default();
    for (name, value) in values {
        let key = KEYS
            .into_iter()
            .find(|key| key.flag == name)
            .expect("walk returns known flags only");
        flags.set(key, &value, key.flag)?;
    }

    let mut from_env = Layer::default();
    for key in KEYS {
        if let Some(value) = env(key.env) {
            from_env.set(key, &value, key.env)?;
        }
    }
    let config_file = config_file.or_else(|| env(CONFIG_ENV).map(PathBuf::from));
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
        let invalid = |reason: &dyn fmt::Display| invalid(source, value, reason);
        match key.file {
            "toolset" => self.toolset = Some(value.parse().map_err(|e| invalid(&e))?),
            "log_format" => self.log_format = Some(value.parse().map_err(|e| invalid(&e))?),
            "max_message_bytes" => {
                self.max_message_bytes = Some(positive(value).map_err(|e| invalid(&e))?)
            }
            "max_in_flight" => self.max_in_flight = Some(positive(value).map_err(|e| invalid(&e))?),
            "shutdown_grace" => {
                self.shutdown_grace = Some(seconds(value, true).map_err(|e| invalid(&e))?);
            }
            _ => self.tool_timeout = Some(seconds(value, false).map_err(|e| invalid(&e))?),
        }
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<Layer, ConfigError> {
    let file: FileLayer = read_toml(path)?;
    let mut layer = Layer::default();
    let source = |key: &Key| file_source(key.file, path);
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
