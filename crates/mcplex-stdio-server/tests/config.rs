//! Reading the configuration: flags, `MCPLEX_*` variables, the config file, defaults, and
//! their precedence.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use mcplex_stdio_server::{Action, Config, ConfigError, LogFormat, Toolset, build_server, parse};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn run(list: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    match parse(args(list), |name| env.get(name).cloned())? {
        Action::Run(config) => Ok(config),
        other => panic!("expected a run, got {other:?}"),
    }
}

/// A config file with `text`, unique to the calling test.
fn config_file(test: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "mcplex-stdio-server-{}-{test}.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn defaults_are_the_documented_ones() {
    let config = run(&[], &[]).unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.toolset, Toolset::Demo);
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.max_message_bytes, 4 * 1024 * 1024);
    assert_eq!(config.tool_timeout, Duration::from_secs(300));
    assert_eq!(config.max_in_flight, 64);
}

#[test]
fn every_flag_sets_its_value_in_both_spellings() {
    let config = run(
        &[
            "--toolset",
            "conformance",
            "--log-format=json",
            "--max-message-bytes",
            "1024",
            "--tool-timeout=1.5",
            "--max-in-flight",
            "8",
        ],
        &[],
    )
    .unwrap();
    assert_eq!(config.toolset, Toolset::Conformance);
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(config.max_message_bytes, 1024);
    assert_eq!(config.tool_timeout, Duration::from_millis(1500));
    assert_eq!(config.max_in_flight, 8);
}

#[test]
fn every_variable_sets_its_value() {
    let config = run(
        &[],
        &[
            ("MCPLEX_TOOLSET", "conformance"),
            ("MCPLEX_LOG_FORMAT", "json"),
            ("MCPLEX_MAX_MESSAGE_BYTES", "2048"),
            ("MCPLEX_TOOL_TIMEOUT", "7"),
            ("MCPLEX_MAX_IN_FLIGHT", "3"),
        ],
    )
    .unwrap();
    assert_eq!(config.toolset, Toolset::Conformance);
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(config.max_message_bytes, 2048);
    assert_eq!(config.tool_timeout, Duration::from_secs(7));
    assert_eq!(config.max_in_flight, 3);
}

#[test]
fn every_config_key_sets_its_value() {
    let path = config_file(
        "keys",
        "toolset = \"conformance\"\nlog_format = \"json\"\nmax_message_bytes = 4096\ntool_timeout = 0.25\nmax_in_flight = 2\n",
    );
    let config = run(&["--config", path.to_str().unwrap()], &[]).unwrap();
    assert_eq!(config.toolset, Toolset::Conformance);
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(config.max_message_bytes, 4096);
    assert_eq!(config.tool_timeout, Duration::from_millis(250));
    assert_eq!(config.max_in_flight, 2);
}

#[test]
fn flags_win_over_variables_which_win_over_the_file() {
    let path = config_file(
        "precedence",
        "max_message_bytes = 100\nmax_in_flight = 100\ntool_timeout = 100\n",
    );
    let env = [
        ("MCPLEX_CONFIG", path.to_str().unwrap()),
        ("MCPLEX_MAX_MESSAGE_BYTES", "200"),
        ("MCPLEX_MAX_IN_FLIGHT", "200"),
    ];
    let config = run(&["--max-message-bytes", "300"], &env).unwrap();
    assert_eq!(config.max_message_bytes, 300, "flag over variable");
    assert_eq!(config.max_in_flight, 200, "variable over file");
    assert_eq!(
        config.tool_timeout,
        Duration::from_secs(100),
        "file over default"
    );
    assert_eq!(config.log_format, LogFormat::Text, "default");
}

#[test]
fn the_config_flag_wins_over_its_variable() {
    let flag = config_file("flag-file", "max_in_flight = 5\n");
    let env = config_file("env-file", "max_in_flight = 6\n");
    let config = run(
        &["--config", flag.to_str().unwrap()],
        &[("MCPLEX_CONFIG", env.to_str().unwrap())],
    )
    .unwrap();
    assert_eq!(config.max_in_flight, 5);
}

#[test]
fn help_and_version_win_over_later_arguments() {
    for flag in ["--help", "-h"] {
        assert_eq!(
            parse(args(&[flag, "--bogus"]), |_| None).unwrap(),
            Action::Help
        );
    }
    for flag in ["--version", "-V"] {
        assert_eq!(parse(args(&[flag]), |_| None).unwrap(), Action::Version);
    }
}

#[test]
fn unknown_flags_and_missing_values_are_usage_errors() {
    let err = run(&["--bogus"], &[]).unwrap_err();
    assert!(
        matches!(&err, ConfigError::UnknownFlag(f) if f == "--bogus"),
        "{err:?}"
    );
    assert!(err.is_usage());
    let err = run(&["stray"], &[]).unwrap_err();
    assert!(matches!(err, ConfigError::UnknownFlag(_)));
    let err = run(&["--toolset"], &[]).unwrap_err();
    assert!(
        matches!(&err, ConfigError::MissingValue(f) if f == "--toolset"),
        "{err:?}"
    );
    assert!(err.is_usage());
}

#[test]
fn invalid_values_name_where_they_came_from() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case<'_>] = &[
        (&["--toolset", "nope"], &[], "--toolset"),
        (&["--log-format", "xml"], &[], "--log-format"),
        (&["--max-message-bytes", "0"], &[], "--max-message-bytes"),
        (&["--max-in-flight", "-1"], &[], "--max-in-flight"),
        (&["--tool-timeout", "soon"], &[], "--tool-timeout"),
        (&["--tool-timeout", "0"], &[], "--tool-timeout"),
        (&[], &[("MCPLEX_LOG_FORMAT", "loud")], "MCPLEX_LOG_FORMAT"),
        (
            &[],
            &[("MCPLEX_MAX_IN_FLIGHT", "many")],
            "MCPLEX_MAX_IN_FLIGHT",
        ),
    ];
    for (list, env, source) in cases {
        let err = run(list, env).unwrap_err();
        assert!(!err.is_usage());
        assert!(
            err.to_string().contains(source),
            "{err} should name {source}"
        );
    }
    let path = config_file("invalid", "toolset = \"nope\"\n");
    let err = run(&["--config", path.to_str().unwrap()], &[]).unwrap_err();
    assert!(err.to_string().contains("`toolset` in"), "{err}");
}

#[test]
fn bad_config_files_are_reported() {
    let missing = std::env::temp_dir().join("mcplex-stdio-server-no-such-file.toml");
    let err = run(&["--config", missing.to_str().unwrap()], &[]).unwrap_err();
    assert!(matches!(err, ConfigError::ReadFile { .. }), "{err:?}");

    for (test, text) in [
        ("syntax", "toolset = "),
        ("unknown-key", "colour = \"blue\"\n"),
        ("type", "max_in_flight = \"8\"\n"),
    ] {
        let path = config_file(test, text);
        let err = run(&["--config", path.to_str().unwrap()], &[]).unwrap_err();
        assert!(
            matches!(err, ConfigError::ParseFile { .. }),
            "{test}: {err:?}"
        );
    }
}

#[test]
fn build_server_applies_the_limits() {
    let mut config = Config::default();
    config.max_message_bytes = 1234;
    config.max_in_flight = 5;
    config.tool_timeout = Duration::from_secs(9);
    let server = build_server(&config).unwrap();
    assert_eq!(server.info().name, "mcplex-demo");
    assert_eq!(server.limits().max_message_bytes, 1234);
    assert_eq!(server.limits().max_in_flight, 5);
    assert_eq!(server.limits().tool_timeout, Duration::from_secs(9));
}

#[test]
fn a_toolset_missing_from_this_build_is_reported() {
    let mut config = Config::default();
    config.toolset = Toolset::Conformance;
    match build_server(&config) {
        // The conformance toolset may be part of the build; then it must build.
        Ok(server) => assert!(server.capabilities().tools.is_some()),
        Err(err) => assert_eq!(err.to_string(), "toolset not available: conformance"),
    }
}
