//! Configuration: flags, `MCPLEX_*` variables, the TOML file, their precedence and errors.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use mcplex_core::SessionMode;
use mcplex_sse_server::{Action, Config, ConfigError, LogFormat, build, parse};

fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let args = args.iter().map(|a| (*a).to_owned());
    match parse(args, |name| env.get(name).cloned())? {
        Action::Run(config) => Ok(config),
        other => panic!("expected a configuration, got {other:?}"),
    }
}

fn file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "mcplex-sse-server-{}-{name}.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn defaults() {
    let config = run(&[], &[]).unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.bind, "127.0.0.1:8080");
    assert_eq!(config.toolset, "demo");
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.session_mode, SessionMode::Stateful);
    assert_eq!(config.allowed_origins, None);
    assert_eq!(config.allowed_hosts, None);
    assert_eq!(config.shutdown_grace, Duration::from_secs(10));
    assert_eq!(config.max_message_bytes, 4 * 1024 * 1024);
    assert_eq!(config.session_ttl, Duration::from_secs(1800));
    assert_eq!(config.max_sessions, 10_000);
    assert_eq!(config.tool_timeout, Duration::from_secs(300));
    assert_eq!(config.max_in_flight, 64);
}

#[test]
fn every_flag() {
    let config = run(
        &[
            "--bind=0.0.0.0:9000",
            "--toolset",
            "conformance",
            "--log-format",
            "json",
            "--allowed-origin",
            "https://a.example",
            "--allowed-origin",
            "https://b.example",
            "--allowed-host",
            "mcp.example",
            "--session-mode",
            "stateless",
            "--shutdown-grace",
            "0",
            "--max-message-bytes",
            "1024",
            "--session-ttl",
            "0.5",
            "--max-sessions",
            "7",
            "--tool-timeout",
            "30",
            "--max-in-flight",
            "3",
        ],
        &[],
    )
    .unwrap();
    assert_eq!(config.bind, "0.0.0.0:9000");
    assert_eq!(config.toolset, "conformance");
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(
        config.allowed_origins,
        Some(vec!["https://a.example".into(), "https://b.example".into()])
    );
    assert_eq!(config.allowed_hosts, Some(vec!["mcp.example".into()]));
    assert_eq!(config.session_mode, SessionMode::Stateless);
    assert_eq!(config.shutdown_grace, Duration::ZERO);
    assert_eq!(config.max_message_bytes, 1024);
    assert_eq!(config.session_ttl, Duration::from_millis(500));
    assert_eq!(config.max_sessions, 7);
    assert_eq!(config.tool_timeout, Duration::from_secs(30));
    assert_eq!(config.max_in_flight, 3);
}

#[test]
fn precedence_flag_env_file() {
    let path = file(
        "precedence",
        r#"
bind = "127.0.0.1:1"
session_ttl = 10
max_sessions = 5
allowed_hosts = ["from-file"]
log_format = "json"
"#,
    );
    let path = path.to_str().unwrap();
    let env = [
        ("MCPLEX_CONFIG", path),
        ("MCPLEX_BIND", "127.0.0.1:2"),
        ("MCPLEX_SESSION_TTL", "20"),
        ("MCPLEX_ALLOWED_HOST", "env-a, env-b"),
    ];
    let config = run(&["--bind", "127.0.0.1:3"], &env).unwrap();
    assert_eq!(config.bind, "127.0.0.1:3", "the flag wins");
    assert_eq!(
        config.session_ttl,
        Duration::from_secs(20),
        "then the variable"
    );
    assert_eq!(config.max_sessions, 5, "then the file");
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(
        config.allowed_hosts,
        Some(vec!["env-a".into(), "env-b".into()])
    );
    let from_file = run(&["--config", path], &[]).unwrap();
    assert_eq!(from_file.allowed_hosts, Some(vec!["from-file".into()]));
    assert_eq!(from_file.bind, "127.0.0.1:1");
}

#[test]
fn errors_name_their_source() {
    let err = run(&["--nope"], &[]).unwrap_err();
    assert!(err.is_usage());
    assert_eq!(err.to_string(), "unknown option `--nope`");
    let err = run(&["--bind"], &[]).unwrap_err();
    assert!(err.is_usage());
    let err = run(&["--session-mode", "sometimes"], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid value `sometimes` for --session-mode: expected stateful or stateless"
    );
    let err = run(&[], &[("MCPLEX_MAX_SESSIONS", "0")]).unwrap_err();
    assert!(err.to_string().contains("MCPLEX_MAX_SESSIONS"), "{err}");
    let err = run(&["--session-ttl", "0"], &[]).unwrap_err();
    assert!(err.to_string().contains("above 0"), "{err}");
    let path = file("unknown-key", "port = 1\n");
    let err = run(&["--config", path.to_str().unwrap()], &[]).unwrap_err();
    assert!(matches!(err, ConfigError::ParseFile { .. }), "{err:?}");
    let path = file("bad-value", "toolset = \"other\"\n");
    let err = run(&["--config", path.to_str().unwrap()], &[]).unwrap_err();
    assert!(err.to_string().contains("`toolset` in"), "{err}");
    let err = run(&["--config", "/nonexistent/mcplex.toml"], &[]).unwrap_err();
    assert!(matches!(err, ConfigError::ReadFile { .. }), "{err:?}");
}

#[test]
fn build_applies_limits_and_options() {
    let config = run(
        &[
            "--max-message-bytes",
            "2048",
            "--max-sessions",
            "9",
            "--tool-timeout",
            "4",
            "--allowed-origin",
            "*",
            "--session-mode",
            "stateless",
        ],
        &[],
    )
    .unwrap();
    let (server, options) = build(&config).unwrap();
    let limits = server.limits();
    assert_eq!(limits.max_message_bytes, 2048);
    assert_eq!(limits.max_sessions, 9);
    assert_eq!(limits.tool_timeout, Duration::from_secs(4));
    assert_eq!(options.allowed_origins, Some(vec!["*".into()]));
    assert_eq!(options.session_mode, SessionMode::Stateless);
    assert_eq!(server.info().name, "mcplex-demo");
}
