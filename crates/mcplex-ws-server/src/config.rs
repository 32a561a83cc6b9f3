//! Configuration from flags, `MCPLEX_*` environment variables and a TOML file.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mcplex_cli::{
    CONFIG_ENV, ConfigError, LogFormat, Toolset, Walk, file_source, invalid, positive, read_toml,
    seconds, walk,
};
use serde::Deserialize;

/// The usage text printed by `--help` and after a usage error.
pub const USAGE: &str = "\
Usage: mcplex-ws-server [OPTIONS]

Serves an MCP toolset over WebSocket: GET /ws (subprotocol `mcp`), /healthz, /readyz,
/metrics. Prints `mcplex ws listening on <addr>` on stderr when ready. Logs go to stderr.

Options:
  --bind ADDR                address to listen on                     [default: 127.0.0.1:8081]
  --toolset NAME             toolset to serve: demo | conformance     [default: demo]
  --config FILE              TOML file with the same keys as the options
                             (bind, toolset, log_format, allowed_origins, allowed_hosts,
                             max_message_bytes, tool_timeout, max_in_flight, shutdown_grace)
  --log-format FORMAT        text | json                              [default: text]
  --allowed-origin ORIGIN    an Origin allowed to connect (repeatable; `*` for any)
                             [default: loopback origins on a loopback address, else any]
  --allowed-host HOST        a Host allowed in requests (repeatable; `*` for any)
                             [default: loopback names on a loopback address, else any]
  --max-message-bytes N      largest WebSocket message accepted       [default: 4194304]
  --tool-timeout SECS        longest a tool call may run              [default: 300]
  --max-in-flight N          requests handled at once per connection  [default: 64]
  --shutdown-grace SECS      how long in-flight requests may finish on SIGTERM/SIGINT
                                                                      [default: 10]
  -h, --help                 print this help
  -V, --version              print the version

Every option also has an environment variable: MCPLEX_BIND, MCPLEX_TOOLSET, MCPLEX_CONFIG,
MCPLEX_LOG_FORMAT, MCPLEX_ALLOWED_ORIGINS and MCPLEX_ALLOWED_HOSTS (comma-separated),
MCPLEX_MAX_MESSAGE_BYTES, MCPLEX_TOOL_TIMEOUT, MCPLEX_MAX_IN_FLIGHT, MCPLEX_SHUTDOWN_GRACE.
A flag wins over its variable, which wins over the config file. RUST_LOG sets the log
filter (default: info).
";

/// What the command line asks for.
pub type Action = mcplex_cli::Action<Config>;

/// The binary's settings, after flags, environment, config file and defaults are merged.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// The address to listen on.
    pub bind: SocketAddr,
    /// The toolset to serve.
    pub toolset: Toolset,
    /// How log lines look.
    pub log_format: LogFormat,
    /// Origins allowed to connect; `None` for the loopback-aware default.
    pub allowed_origins: Option<Vec<String>>,
    /// Hosts allowed in requests; `None` for the loopback-aware default.
    pub allowed_hosts: Option<Vec<String>>,
    /// The largest message accepted, in bytes.
    pub max_message_bytes: usize,
    /// The longest a tool call may run.
    pub tool_timeout: Duration,
    /// Requests handled at once per connection.
    pub max_in_flight: usize,
    /// How long requests in flight may finish after SIGTERM / SIGINT.
    pub shutdown_grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        let limits = mcplex_core::Limits::default();
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8081)),
            toolset: Toolset::Demo,
            log_format: LogFormat::Text,
            allowed_origins: None,
            allowed_hosts: None,
            max_message_bytes: limits.max_message_bytes,
            tool_timeout: limits.tool_timeout,
            max_in_flight: limits.max_in_flight,
            shutdown_grace: limits.shutdown_grace,
        }
    }
}

/// One setting: its flag, environment variable and config key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Bind,
    Toolset,
    LogFormat,
    AllowedOrigins,
    AllowedHosts,
    MaxMessageBytes,
    ToolTimeout,
    MaxInFlight,
    ShutdownGrace,
}

impl Key {
    const ALL: [Key; 9] = [
        Key::Bind,
        Key::Toolset,
        Key::LogFormat,
        Key::AllowedOrigins,
        Key::AllowedHosts,
        Key::MaxMessageBytes,
        Key::ToolTimeout,
        Key::MaxInFlight,
        Key::ShutdownGrace,
    ];

    /// The flag, the environment variable and the config key.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Key::Bind => ("--bind", "MCPLEX_BIND", "bind"),
            Key::Toolset => ("--toolset", "MCPLEX_TOOLSET", "toolset"),
            Key::LogFormat => ("--log-format", "MCPLEX_LOG_FORMAT", "log_format"),
            Key::AllowedOrigins => (
                "--allowed-origin",
                "MCPLEX_ALLOWED_ORIGINS",
                "allowed_origins",
            ),
            Key::AllowedHosts => ("--allowed-host", "MCPLEX_ALLOWED_HOSTS", "allowed_hosts"),
            Key::MaxMessageBytes => (
                "--max-message-bytes",
                "MCPLEX_MAX_MESSAGE_BYTES",
                "max_message_bytes",
            ),
            Key::ToolTimeout => ("--tool-timeout", "MCPLEX_TOOL_TIMEOUT", "tool_timeout"),
            Key::MaxInFlight => ("--max-in-flight", "MCPLEX_MAX_IN_FLIGHT", "max_in_flight"),
            Key::ShutdownGrace => (
                "--shutdown-grace",
                "MCPLEX_SHUTDOWN_GRACE",
                "shutdown_grace",
            ),
        }
    }
}

/// Settings from one source; unset fields fall through to the next source.
#[derive(Debug, Default)]
struct Layer {
    bind: Option<SocketAddr>,
    toolset: Option<Toolset>,
    log_format: Option<LogFormat>,
    allowed_origins: Option<Vec<String>>,
    allowed_hosts: Option<Vec<String>>,
    max_message_bytes: Option<usize>,
    tool_timeout: Option<Duration>,
    max_in_flight: Option<usize>,
    shutdown_grace: Option<Duration>,
}

/// The config file's keys, as TOML types.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    bind: Option<String>,
    toolset: Option<String>,
    log_format: Option<String>,
    allowed_origins: Option<Vec<String>>,
    allowed_hosts: Option<Vec<String>>,
    max_message_bytes: Option<u64>,
    tool_timeout: Option<f64>,
    max_in_flight: Option<u64>,
    shutdown_grace: Option<f64>,
}

/// Reads the configuration: `args` are the command-line arguments without the program name,
/// `env` looks up an environment variable. Precedence: flag, then `MCPLEX_*` variable, then
/// the config file (`--config` or `MCPLEX_CONFIG`), then the default. Repeated
/// `--allowed-origin` / `--allowed-host` flags add up; their variables take comma-separated
/// lists and their config keys arrays.
///
/// ```
/// use std::time::Duration;
/// use mcplex_ws_server::{parse, Action};
///
/// let args = ["--bind", "0.0.0.0:9000", "--allowed-origin", "https://a.example", "--shutdown-grace=2"]
///     .map(String::from);
/// let env = |name: &str| (name == "MCPLEX_BIND").then(|| "127.0.0.1:1".to_owned());
/// let Action::Run(config) = parse(args, env).unwrap() else { panic!() };
/// assert_eq!(config.bind.to_string(), "0.0.0.0:9000"); // the flag wins
/// assert_eq!(config.allowed_origins, Some(vec!["https://a.example".to_owned()]));
/// assert_eq!(config.shutdown_grace, Duration::from_secs(2));
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
    let flags_known = Key::ALL.map(|key| key.names().0);
    let (values, config_file) = match walk(args, &flags_known)? {
        Walk::Help => return Ok(Action::Help),
        Walk::Version => return Ok(Action::Version),
        Walk::Values { values, config } => (values, config),
    };
    let mut flags = Layer::default();
    for (name, value) in values {
        let key = Key::ALL
            .into_iter()
            .find(|key| key.names().0 == name)
            .expect("walk returns known flags only");
        flags.set(key, &value, &name, true)?;
    }

    let mut from_env = Layer::default();
    for key in Key::ALL {
        let (_, var, _) = key.names();
        if let Some(value) = env(var) {
            from_env.set(key, &value, var, false)?;
        }
    }
    let config_file = config_file.or_else(|| env(CONFIG_ENV).map(PathBuf::from));
    let from_file = match &config_file {
        Some(path) => read_file(path)?,
        None => Layer::default(),
    };

    let default = Config::default();
    let [a, b, c] = [flags, from_env, from_file];
    macro_rules! pick {
        ($field:ident) => {
            a.$field.or(b.$field).or(c.$field)
        };
    }
    Ok(Action::Run(Config {
        bind: pick!(bind).unwrap_or(default.bind),
        toolset: pick!(toolset).unwrap_or(default.toolset),
        log_format: pick!(log_format).unwrap_or(default.log_format),
        allowed_origins: pick!(allowed_origins),
        allowed_hosts: pick!(allowed_hosts),
        max_message_bytes: pick!(max_message_bytes).unwrap_or(default.max_message_bytes),
        tool_timeout: pick!(tool_timeout).unwrap_or(default.tool_timeout),
        max_in_flight: pick!(max_in_flight).unwrap_or(default.max_in_flight),
        shutdown_grace: pick!(shutdown_grace).unwrap_or(default.shutdown_grace),
    }))
}

impl Layer {
    /// Parses a string value for `key`; `source` names where it came from, for errors. List
    /// values add one entry when `one` is set (a flag), else a comma-separated list.
    fn set(&mut self, key: Key, value: &str, source: &str, one: bool) -> Result<(), ConfigError> {
        let invalid = |reason: &dyn fmt::Display| invalid(source, value, reason);
        let list = |target: &mut Option<Vec<String>>| {
            let items = target.get_or_insert_with(Vec::new);
            if one {
                items.push(value.trim().to_owned());
            } else {
                items.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
            }
        };
        match key {
            Key::Bind => {
                let addr = value
                    .parse()
                    .map_err(|_| invalid(&"expected an address such as 127.0.0.1:8081"))?;
                self.bind = Some(addr);
            }
            Key::Toolset => self.toolset = Some(value.parse().map_err(|e| invalid(&e))?),
            Key::LogFormat => self.log_format = Some(value.parse().map_err(|e| invalid(&e))?),
            Key::AllowedOrigins => list(&mut self.allowed_origins),
            Key::AllowedHosts => list(&mut self.allowed_hosts),
            Key::MaxMessageBytes => {
                self.max_message_bytes = Some(positive(value).map_err(|e| invalid(&e))?);
            }
            Key::MaxInFlight => {
                self.max_in_flight = Some(positive(value).map_err(|e| invalid(&e))?)
            }
            Key::ToolTimeout => {
                self.tool_timeout = Some(seconds(value, false).map_err(|e| invalid(&e))?)
            }
            Key::ShutdownGrace => {
                self.shutdown_grace = Some(seconds(value, false).map_err(|e| invalid(&e))?);
            }
        }
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<Layer, ConfigError> {
    let file: FileLayer = read_toml(path)?;
    let mut layer = Layer::default();
    let source = |key: Key| file_source(key.names().2, path);
    let strings = [
        (Key::Bind, file.bind),
        (Key::Toolset, file.toolset),
        (Key::LogFormat, file.log_format),
    ];
    for (key, value) in strings {
        if let Some(value) = value {
            layer.set(key, &value, &source(key), true)?;
        }
    }
    let numbers = [
        (
            Key::MaxMessageBytes,
            file.max_message_bytes.map(|n| n.to_string()),
        ),
        (Key::MaxInFlight, file.max_in_flight.map(|n| n.to_string())),
        (Key::ToolTimeout, file.tool_timeout.map(|n| n.to_string())),
        (
            Key::ShutdownGrace,
            file.shutdown_grace.map(|n| n.to_string()),
        ),
    ];
    for (key, value) in numbers {
        if let Some(value) = value {
            layer.set(key, &value, &source(key), true)?;
        }
    }
    layer.allowed_origins = file.allowed_origins;
    layer.allowed_hosts = file.allowed_hosts;
    Ok(layer)
}
