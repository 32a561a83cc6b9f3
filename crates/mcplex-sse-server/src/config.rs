//! Configuration from flags, `MCPLEX_*` environment variables and a TOML file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mcplex_cli::{
    CONFIG_ENV, ConfigError, LogFormat, Walk, file_source, invalid, positive, read_toml, seconds,
    walk,
};
use mcplex_core::{Limits, SessionMode};
use serde::Deserialize;

/// The usage text printed by `--help` and after a usage error.
pub const USAGE: &str = "\
Usage: mcplex-sse-server [OPTIONS]

Serves an MCP toolset over HTTP: Streamable HTTP on /mcp (every protocol revision), the
legacy HTTP+SSE transport on /sse and /messages, and /healthz, /readyz, /metrics.
Logs go to stderr; once listening it prints `mcplex sse listening on ADDR` there.

Options:
  --bind ADDR                address to listen on                  [default: 127.0.0.1:8080]
  --toolset NAME             toolset to serve: demo | conformance  [default: demo]
  --config FILE              TOML file with the options as keys (bind, toolset, log_format,
                             allowed_origins, allowed_hosts, session_mode, shutdown_grace,
                             max_message_bytes, session_ttl, max_sessions, tool_timeout,
                             max_in_flight)
  --log-format FORMAT        text | json                           [default: text]
  --allowed-origin ORIGIN    an allowed Origin (repeatable; `*` for any)
                             [default: loopback origins on a loopback address, else any]
  --allowed-host HOST        an allowed Host name (repeatable; `*` for any)
                             [default: loopback names on a loopback address, else any]
  --session-mode MODE        stateful | stateless (pre-2026 clients)  [default: stateful]
  --shutdown-grace SECS      time in-flight requests get on shutdown  [default: 10]
  --max-message-bytes N      largest request body, in bytes        [default: 4194304]
  --session-ttl SECS         idle time after which a session ends  [default: 1800]
  --max-sessions N           stateful sessions held at once        [default: 10000]
  --tool-timeout SECS        longest a tool call may run           [default: 300]
  --max-in-flight N          requests handled at once per session  [default: 64]
  -h, --help                 print this help
  -V, --version              print the version

Every option also has an environment variable: MCPLEX_ and the option name in capitals
with `_` for `-` (MCPLEX_BIND, MCPLEX_ALLOWED_ORIGIN, ...; lists are comma-separated).
A flag wins over its variable, which wins over the config file. RUST_LOG sets the log
filter (default: info).
";

/// What the command line asks for.
pub type Action = mcplex_cli::Action<Config>;

/// The binary's settings, after flags, environment, config file and defaults are merged.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// The address to listen on (`host:port`; port 0 picks a free one).
    pub bind: String,
    /// The toolset to serve (`demo` or `conformance`).
    pub toolset: String,
    /// How log lines look.
    pub log_format: LogFormat,
    /// Allowed `Origin` values; `None` for the default of the bind address.
    pub allowed_origins: Option<Vec<String>>,
    /// Allowed `Host` names; `None` for the default of the bind address.
    pub allowed_hosts: Option<Vec<String>>,
    /// Whether pre-2026 clients get sessions.
    pub session_mode: SessionMode,
    /// How long in-flight requests may run on after a shutdown signal.
    pub shutdown_grace: Duration,
    /// The largest request body accepted, in bytes.
    pub max_message_bytes: usize,
    /// Idle time after which a stateful session is removed.
    pub session_ttl: Duration,
    /// Stateful sessions held at once.
    pub max_sessions: usize,
    /// The longest a tool call may run.
    pub tool_timeout: Duration,
    /// Requests handled at once per session or connection.
    pub max_in_flight: usize,
}

impl Default for Config {
    fn default() -> Self {
        let limits = Limits::default();
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            toolset: "demo".to_owned(),
            log_format: LogFormat::Text,
            allowed_origins: None,
            allowed_hosts: None,
            session_mode: SessionMode::Stateful,
            shutdown_grace: mcplex_sse::SseOptions::default().shutdown_grace,
            max_message_bytes: limits.max_message_bytes,
            session_ttl: limits.session_idle_ttl,
            max_sessions: limits.max_sessions,
            tool_timeout: limits.tool_timeout,
            max_in_flight: limits.max_in_flight,
        }
    }
}

/// The settings, by config-file key. Each has a flag (`--` and the key with `-` for `_`) and
/// an environment variable (`MCPLEX_` and the key in capitals); the list settings take a
/// singular flag, given once per value.
const KEYS: &[&str] = &[
    "bind",
    "toolset",
    "log_format",
    "allowed_origins",
    "allowed_hosts",
    "session_mode",
    "shutdown_grace",
    "max_message_bytes",
    "session_ttl",
    "max_sessions",
    "tool_timeout",
    "max_in_flight",
];

/// The flag of a config key.
fn flag(key: &str) -> String {
    let name = key
        .strip_suffix('s')
        .filter(|_| is_list(key))
        .unwrap_or(key);
    format!("--{}", name.replace('_', "-"))
}

/// The environment variable of a config key.
fn env_var(key: &str) -> String {
    let name = flag(key);
    format!(
        "MCPLEX_{}",
        name.trim_start_matches('-')
            .replace('-', "_")
            .to_ascii_uppercase()
    )
}

fn is_list(key: &str) -> bool {
    matches!(key, "allowed_origins" | "allowed_hosts")
}

/// Settings from one source; unset fields fall through to the next source.
#[derive(Debug, Default)]
struct Layer {
    bind: Option<String>,
    toolset: Option<String>,
    log_format: Option<LogFormat>,
    allowed_origins: Option<Vec<String>>,
    allowed_hosts: Option<Vec<String>>,
    session_mode: Option<SessionMode>,
    shutdown_grace: Option<Duration>,
    max_message_bytes: Option<usize>,
    session_ttl: Option<Duration>,
    max_sessions: Option<usize>,
    tool_timeout: Option<Duration>,
    max_in_flight: Option<usize>,
}

/// Reads the configuration: `args` are the command-line arguments without the program name,
/// `env` looks up an environment variable. Precedence: flag, then `MCPLEX_*` variable, then
/// the config file (`--config` or `MCPLEX_CONFIG`), then the default.
///
/// ```
/// use std::time::Duration;
/// use mcplex_sse_server::{parse, Action};
///
/// let args = ["--bind", "127.0.0.1:0", "--allowed-host", "a.example", "--allowed-host=b.example"]
///     .map(String::from);
/// let env = |name: &str| (name == "MCPLEX_SESSION_TTL").then(|| "60".to_owned());
/// let Action::Run(config) = parse(args, env).unwrap() else { panic!() };
/// assert_eq!(config.bind, "127.0.0.1:0");
/// assert_eq!(config.allowed_hosts, Some(vec!["a.example".into(), "b.example".into()]));
/// assert_eq!(config.session_ttl, Duration::from_secs(60));
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
    let flags_known: Vec<String> = KEYS.iter().map(|key| flag(key)).collect();
    let known: Vec<&str> = flags_known.iter().map(String::as_str).collect();
    let (values, config_file) = match walk(args, &known)? {
        Walk::Help => return Ok(Action::Help),
        Walk::Version => return Ok(Action::Version),
        Walk::Values { values, config } => (values, config),
    };
    let mut flags = Layer::default();
    for (name, value) in values {
        let key = KEYS
            .iter()
            .find(|key| flag(key) == name)
            .expect("walk returns known flags only");
        flags.set(key, &value, &name, true)?;
    }

    let mut from_env = Layer::default();
    for key in KEYS {
        let var = env_var(key);
        if let Some(value) = env(&var) {
            from_env.set(key, &value, &var, false)?;
        }
    }
    let config_file = config_file.or_else(|| env(CONFIG_ENV).map(PathBuf::from));
    let from_file = match &config_file {
        Some(path) => read_file(path)?,
        None => Layer::default(),
    };

    let d = Config::default();
    let [a, b, c] = [flags, from_env, from_file];
    macro_rules! pick {
        ($field:ident) => {
            a.$field.or(b.$field).or(c.$field)
        };
    }
    Ok(Action::Run(Config {
        bind: pick!(bind).unwrap_or(d.bind),
        toolset: pick!(toolset).unwrap_or(d.toolset),
        log_format: pick!(log_format).unwrap_or(d.log_format),
        allowed_origins: pick!(allowed_origins),
        allowed_hosts: pick!(allowed_hosts),
        session_mode: pick!(session_mode).unwrap_or(d.session_mode),
        shutdown_grace: pick!(shutdown_grace).unwrap_or(d.shutdown_grace),
        max_message_bytes: pick!(max_message_bytes).unwrap_or(d.max_message_bytes),
        session_ttl: pick!(session_ttl).unwrap_or(d.session_ttl),
        max_sessions: pick!(max_sessions).unwrap_or(d.max_sessions),
        tool_timeout: pick!(tool_timeout).unwrap_or(d.tool_timeout),
        max_in_flight: pick!(max_in_flight).unwrap_or(d.max_in_flight),
    }))
}

impl Layer {
    /// Parses a string value for `key`; `source` names where it came from, for errors. A list
    /// from a flag grows by one value; from elsewhere it is comma-separated.
    fn set(&mut self, key: &str, value: &str, source: &str, one: bool) -> Result<(), ConfigError> {
        let invalid = |reason: &'static str| invalid(source, value, reason);
        let list = |slot: &mut Option<Vec<String>>| {
            let slot = slot.get_or_insert_with(Vec::new);
            if one {
                slot.push(value.trim().to_owned());
            } else {
                let items = value.split(',').map(str::trim).filter(|s| !s.is_empty());
                slot.extend(items.map(str::to_owned));
            }
        };
        match key {
            "bind" if value.trim().is_empty() => return Err(invalid("expected host:port")),
            "bind" => self.bind = Some(value.trim().to_owned()),
            "toolset" => {
                if !matches!(value, "demo" | "conformance") {
                    return Err(invalid("expected demo or conformance"));
                }
                self.toolset = Some(value.to_owned());
            }
            "log_format" => self.log_format = Some(value.parse().map_err(invalid)?),
            "allowed_origins" => list(&mut self.allowed_origins),
            "allowed_hosts" => list(&mut self.allowed_hosts),
            "session_mode" => {
                self.session_mode = Some(match value {
                    "stateful" => SessionMode::Stateful,
                    "stateless" => SessionMode::Stateless,
                    _ => return Err(invalid("expected stateful or stateless")),
                });
            }
            "max_message_bytes" => self.max_message_bytes = Some(positive(value).map_err(invalid)?),
            "max_sessions" => self.max_sessions = Some(positive(value).map_err(invalid)?),
            "max_in_flight" => self.max_in_flight = Some(positive(value).map_err(invalid)?),
            "shutdown_grace" => self.shutdown_grace = Some(seconds(value, true).map_err(invalid)?),
            "session_ttl" => self.session_ttl = Some(seconds(value, false).map_err(invalid)?),
            _ => self.tool_timeout = Some(seconds(value, false).map_err(invalid)?),
        }
        Ok(())
    }
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
    session_mode: Option<String>,
    shutdown_grace: Option<Number>,
    max_message_bytes: Option<u64>,
    session_ttl: Option<Number>,
    max_sessions: Option<u64>,
    tool_timeout: Option<Number>,
    max_in_flight: Option<u64>,
}

/// Seconds in TOML: an integer or a float.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Number {
    Int(u64),
    Float(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(n) => write!(f, "{n}"),
            Self::Float(n) => write!(f, "{n}"),
        }
    }
}

fn read_file(path: &Path) -> Result<Layer, ConfigError> {
    let file: FileLayer = read_toml(path)?;
    let mut layer = Layer::default();
    let source = |key: &str| file_source(key, path);
    let strings = [
        ("bind", file.bind),
        ("toolset", file.toolset),
        ("log_format", file.log_format),
        ("session_mode", file.session_mode),
    ];
    for (key, value) in strings {
        if let Some(value) = value {
            layer.set(key, &value, &source(key), true)?;
        }
    }
    let lists = [
        ("allowed_origins", file.allowed_origins),
        ("allowed_hosts", file.allowed_hosts),
    ];
    for (key, value) in lists {
        for item in value.into_iter().flatten() {
            layer.set(key, &item, &source(key), true)?;
        }
    }
    let numbers = [
        ("shutdown_grace", file.shutdown_grace.map(|n| n.to_string())),
        (
            "max_message_bytes",
            file.max_message_bytes.map(|n| n.to_string()),
        ),
        ("session_ttl", file.session_ttl.map(|n| n.to_string())),
        ("max_sessions", file.max_sessions.map(|n| n.to_string())),
        ("tool_timeout", file.tool_timeout.map(|n| n.to_string())),
        ("max_in_flight", file.max_in_flight.map(|n| n.to_string())),
    ];
    for (key, value) in numbers {
        if let Some(value) = value {
            layer.set(key, &value, &source(key), true)?;
        }
    }
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(flag("allowed_origins"), "--allowed-origin");
        assert_eq!(flag("max_message_bytes"), "--max-message-bytes");
        assert_eq!(env_var("allowed_hosts"), "MCPLEX_ALLOWED_HOST");
        assert_eq!(env_var("session_ttl"), "MCPLEX_SESSION_TTL");
    }
}
