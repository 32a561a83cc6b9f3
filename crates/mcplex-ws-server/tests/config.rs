//! Reading the configuration: flags, `MCPLEX_*` variables, the config file, defaults, and
//! their precedence.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use mcplex_ws_server::{
    Action, Config, ConfigError, LogFormat, Toolset, build_server, parse, ws_options,
};

fn run(list: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let args = list.iter().map(|s| (*s).to_owned());
    match parse(args, |name| env.get(name).cloned())? {
        Action::Run(config) => Ok(config),
        other => panic!("expected a run, got {other:?}"),
    }
}

/// A config file with `text`, unique to the calling test.
fn config_file(test: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "mcplex-ws-server-{}-{test}.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn defaults_are_the_documented_ones() {
    let config = run(&[], &[]).unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.bind.to_string(), "127.0.0.1:8081");
    assert_eq!(config.toolset, Toolset::Demo);
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.allowed_origins, None);
    assert_eq!(config.max_message_bytes, 4 * 1024 * 1024);
    assert_eq!(config.tool_timeout, Duration::from_secs(300));
    assert_eq!(config.shutdown_grace, Duration::from_secs(10));
}

#[test]
fn flags_beat_variables_beat_the_file() {
    let file = config_file(
        "precedence",
        r#"
bind = "127.0.0.1:7000"
toolset = "conformance"
log_format = "json"
allowed_hosts = ["file.example"]
allowed_origins = ["https://file.example"]
max_message_bytes = 1000
tool_timeout = 1.5
shutdown_grace = 3
"#,
    );
    let file = file.to_str().unwrap();
    let config = run(
        &[
            "--config",
            file,
            "--bind",
            "127.0.0.1:9000",
            "--allowed-host",
            "a",
            "--allowed-host=b",
        ],
        &[
            ("MCPLEX_BIND", "127.0.0.1:8000"),
            ("MCPLEX_TOOLSET", "demo"),
            (
                "MCPLEX_ALLOWED_ORIGINS",
                "https://x.example, https://y.example",
            ),
        ],
    )
    .unwrap();
    assert_eq!(config.bind.to_string(), "127.0.0.1:9000");
    assert_eq!(config.toolset, Toolset::Demo);
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(
        config.allowed_hosts,
        Some(vec!["a".to_owned(), "b".to_owned()])
    );
    assert_eq!(
        config.allowed_origins,
        Some(vec![
            "https://x.example".to_owned(),
            "https://y.example".to_owned()
        ])
    );
    assert_eq!(config.max_message_bytes, 1000);
    assert_eq!(config.tool_timeout, Duration::from_millis(1500));
    assert_eq!(config.shutdown_grace, Duration::from_secs(3));

    let via_env = run(&[], &[("MCPLEX_CONFIG", file)]).unwrap();
    assert_eq!(via_env.bind.to_string(), "127.0.0.1:7000");
}

#[test]
fn bad_values_name_their_source() {
    let error = run(&["--bind", "localhost"], &[]).unwrap_err();
    assert!(error.to_string().contains("--bind"), "{error}");
    let error = run(&[], &[("MCPLEX_SHUTDOWN_GRACE", "0")]).unwrap_err();
    assert!(
        error.to_string().contains("MCPLEX_SHUTDOWN_GRACE"),
        "{error}"
    );
    let file = config_file("unknown-key", "port = 1\n");
    let error = run(&["--config", file.to_str().unwrap()], &[]).unwrap_err();
    assert!(matches!(error, ConfigError::ParseFile { .. }), "{error}");
    assert!(run(&["--toolset"], &[]).unwrap_err().is_usage());
}

#[test]
fn the_config_reaches_the_server_and_the_endpoint() {
    let config = run(
        &[
            "--max-message-bytes",
            "2048",
            "--shutdown-grace",
            "4",
            "--allowed-origin",
            "*",
        ],
        &[],
    )
    .unwrap();
    let server = build_server(&config).unwrap();
    assert_eq!(server.limits().max_message_bytes, 2048);
    assert_eq!(server.limits().shutdown_grace, Duration::from_secs(4));
    assert_eq!(server.info().name, "mcplex-demo");
    let options = ws_options(&config);
    assert_eq!(options.allowed_origins, Some(vec!["*".to_owned()]));
    assert_eq!(options.path, "/ws");
}
