//! The demo toolset, driven through the mcplex client over an in-memory connection on the
//! stateful (2025-11-25) and the stateless (2026-07-28) wire.

use std::collections::BTreeMap;
use std::time::Duration;

use mcplex_core::client::{CallOptions, Error};
use mcplex_protocol::model::{
    ElicitAction, ElicitResult, ElicitValue, PromptReference, Reference, ResourceTemplateReference,
    Role,
};
use mcplex_protocol::{ErrorCode, Message, ProtocolVersion, RequestId, method};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

mod support;

use support::{
    PATIENCE, RawConnection, WIRES, Watcher, assert_text, assert_tool_error, client, demo_server,
    eliciting_client, read_text, rpc_code, task_stats, text, wait_for,
};

#[tokio::test]
async fn lists_are_sorted_and_described() {
    for version in WIRES {
        let server = demo_server();
        let client = client(&server, version).await;
        if let Some(info) = client.server_info() {
            assert_eq!(info.name, "mcplex-demo");
            assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        }
        let instructions = client.instructions().expect("instructions");
        assert!(instructions.contains("long_task"), "{instructions}");

        let tools = client.list_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "add",
                "ask_user",
                "echo",
                "increment",
                "long_task",
                "post_message",
                "task_stats"
            ]
        );
        for tool in &tools {
            let description = tool.description.as_deref().unwrap_or_default();
            assert!(description.len() > 40, "{}: {description:?}", tool.name);
            assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
        }
        let tool = |name: &str| tools.iter().find(|t| t.name == name).unwrap();

        let echo = tool("echo");
        assert_eq!(echo.input_schema["required"], json!(["text"]));
        assert_eq!(
            echo.input_schema["properties"]["text"]["description"],
            "The text to return, unchanged."
        );
        let annotations = echo.annotations.as_ref().expect("echo has annotations");
        assert_eq!(annotations.read_only_hint, Some(true));

        let add = tool("add");
        let annotations = add.annotations.as_ref().unwrap();
        assert_eq!(annotations.read_only_hint, Some(true));
        assert_eq!(annotations.idempotent_hint, Some(true));
        let output = add
            .output_schema
            .as_ref()
            .expect("add has an output schema");
        assert_eq!(output["type"], "object");
        assert_eq!(output["required"], json!(["sum"]));
        assert_eq!(output["properties"]["sum"]["type"], "number");

        let steps = &tool("long_task").input_schema["properties"]["steps"];
        assert_eq!(
            (&steps["default"], &steps["minimum"], &steps["maximum"]),
            (&json!(5), &json!(1), &json!(1000))
        );
        assert!(tool("task_stats").output_schema.is_some());

        let resources = client.list_resources().await.unwrap();
        let uris: Vec<(&str, Option<&str>)> = resources
            .iter()
            .map(|r| (r.uri.as_str(), r.mime_type.as_deref()))
            .collect();
        assert_eq!(
            uris,
            [
                ("demo://board", Some("text/plain")),
                ("demo://counter", Some("text/plain"))
            ]
        );
        let templates = client.list_resource_templates().await.unwrap();
        assert_eq!(templates.len(), 1);
        assert_eq!(templates[0].uri_template, "notes://{name}");
        assert_eq!(templates[0].mime_type.as_deref(), Some("text/markdown"));

        let prompts = client.list_prompts().await.unwrap();
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].name, "summarize");
        let arguments: Vec<(&str, Option<bool>)> = prompts[0]
            .arguments
            .iter()
            .flatten()
            .map(|a| (a.name.as_str(), a.required))
            .collect();
        assert_eq!(arguments, [("text", Some(true)), ("style", Some(false))]);
    }
}

#[tokio::test]
async fn echo_returns_its_text() {
    for version in WIRES {
        let client = client(&demo_server(), version).await;
        let result = client
            .call_tool("echo", json!({ "text": "hello, wire" }))
            .await
            .unwrap();
        assert_text(&result, "hello, wire");
        assert_eq!(result.structured_content, None);

        let result = client.call_tool("echo", json!({})).await.unwrap();
        assert_eq!(result.is_error, Some(true), "missing text: {result:?}");
    }
}

#[tokio::test]
async fn add_returns_structured_sum() {
    for version in WIRES {
        let client = client(&demo_server(), version).await;
        let result = client
            .call_tool("add", json!({ "a": 2.5, "b": -4 }))
            .await
            .unwrap();
        assert_eq!(result.is_error, None);
        assert_eq!(result.structured_content, Some(json!({ "sum": -1.5 })));
        assert_eq!(text(&result), r#"{"sum":-1.5}"#);
    }
}

#[tokio::test]
async fn long_task_reports_progress_after_each_step() {
    for version in WIRES {
        let client = client(&demo_server(), version).await;
        let (tx, mut rx) = mpsc::channel(16);
        let options = CallOptions::default().with_progress(tx);
        let result = client
            .call_tool_with("long_task", json!({ "steps": 3, "delay_ms": 1 }), options)
            .await
            .unwrap();
        assert_text(&result, "completed 3 steps");
        let mut progress = Vec::new();
        while let Ok(p) = rx.try_recv() {
            progress.push((p.progress, p.total, p.message));
        }
        let expected: Vec<_> = (1..=3)
            .map(|i| (f64::from(i), Some(3.0), Some(format!("step {i} of 3"))))
            .collect();
        assert_eq!(progress, expected, "{version}");

        // Defaults: 5 steps.
        let result = client
            .call_tool("long_task", json!({ "delay_ms": 0 }))
            .await;
        assert_text(&result.unwrap(), "completed 5 steps");
        assert_eq!(
            task_stats(&client).await,
            json!({ "started": 2, "completed": 2, "cancelled": 0 })
        );
    }
}

#[tokio::test]
async fn long_task_rejects_out_of_range_arguments() {
    for version in WIRES {
        let client = client(&demo_server(), version).await;
        let cases = [
            (
                json!({ "steps": 0 }),
                "steps must be between 1 and 1000, got 0",
            ),
            (
                json!({ "steps": 1001 }),
                "steps must be between 1 and 1000, got 1001",
            ),
            (
                json!({ "delay_ms": -1 }),
                "delay_ms must be between 0 and 10000, got -1",
            ),
            (
                json!({ "delay_ms": 10001 }),
                "delay_ms must be between 0 and 10000, got 10001",
            ),
        ];
        for (arguments, message) in cases {
            let result = client.call_tool("long_task", arguments).await.unwrap();
            assert_tool_error(&result, message);
        }
        assert_eq!(
            task_stats(&client).await,
            json!({ "started": 0, "completed": 0, "cancelled": 0 })
        );
    }
}

#[tokio::test]
async fn cancelling_long_task_stops_it_and_is_counted() {
    for version in WIRES {
        let server = demo_server();
        let client = client(&server, version).await;
        let (tx, mut rx) = mpsc::channel(16);
        let cancel = CancellationToken::new();
        let options = CallOptions::default()
            .with_progress(tx)
            .with_cancel(cancel.clone());
        let call = tokio::spawn({
            let client = client.clone();
            async move {
                client
                    .call_tool_with(
                        "long_task",
                        json!({ "steps": 100, "delay_ms": 20 }),
                        options,
                    )
                    .await
            }
        });
        for expected in [1.0, 2.0] {
            let progress = tokio::time::timeout(PATIENCE, rx.recv())
                .await
                .expect("progress arrives")
                .unwrap();
            assert_eq!(progress.progress, expected);
        }
        cancel.cancel();
        let outcome = call.await.unwrap();
        assert!(matches!(outcome, Err(Error::Cancelled)), "{outcome:?}");

        // The handler records the cancellation as it stops.
        let stats = wait_for(|| async {
            let stats = task_stats(&client).await;
            (stats["cancelled"] == 1).then_some(stats)
        })
        .await;
        assert_eq!(
            stats,
            json!({ "started": 1, "completed": 0, "cancelled": 1 }),
            "{version}"
        );
        // No further progress: the task stopped.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut late = 0;
        while rx.try_recv().is_ok() {
            late += 1;
        }
        assert!(
            late <= 1,
            "{late} progress notifications after cancellation"
        );
    }
}

#[tokio::test]
async fn ask_user_reports_the_answer() {
    for version in WIRES {
        let server = demo_server();
        let mut accepted = ElicitResult::new(ElicitAction::Accept);
        accepted.content = Some(BTreeMap::from([(
            "answer".to_owned(),
            ElicitValue::String("Ada Lovelace".to_owned()),
        )]));
        let (client, asked) = eliciting_client(&server, version, accepted).await;

        let result = client.call_tool("ask_user", json!({})).await.unwrap();
        assert_text(&result, "You answered: Ada Lovelace");
        let result = client
            .call_tool("ask_user", json!({ "question": "Favourite colour?" }))
            .await
            .unwrap();
        assert_text(&result, "You answered: Ada Lovelace");

        let asked = asked.lock().unwrap().clone();
        let messages: Vec<&str> = asked.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, ["What is your name?", "Favourite colour?"]);
        let schema = serde_json::to_value(asked[0].requested_schema.as_ref().unwrap()).unwrap();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["answer"]));
        assert_eq!(schema["properties"]["answer"]["type"], "string");
        assert_eq!(schema["properties"]["answer"]["title"], "Answer");
    }
}

#[tokio::test]
async fn ask_user_reports_a_declined_question() {
    for version in WIRES {
        for action in [ElicitAction::Decline, ElicitAction::Cancel] {
            let server = demo_server();
            let (client, asked) =
                eliciting_client(&server, version, ElicitResult::new(action)).await;
            let result = client.call_tool("ask_user", json!({})).await.unwrap();
            assert_text(&result, "The user declined to answer.");
            assert_eq!(asked.lock().unwrap().len(), 1);
        }
    }
}

/// On 2026-07-28 the first round is an `input_required` result carrying the elicitation and
/// a sealed state; on 2025-11-25 the server sends a real `elicitation/create` request, which
/// the client answers on the side (the call itself never sees `input_required`).
#[tokio::test]
async fn ask_user_uses_each_wires_mechanism() {
    let server = demo_server();
    let (client, _) = eliciting_client(
        &server,
        ProtocolVersion::V2026_07_28,
        ElicitResult::new(ElicitAction::Decline),
    )
    .await;
    let first: Value = client
        .request(
            method::TOOLS_CALL,
            &json!({ "name": "ask_user", "arguments": { "question": "Why?" } }),
        )
        .await
        .unwrap();
    assert_eq!(first["resultType"], "input_required");
    let ask = &first["inputRequests"]["answer"];
    assert_eq!(ask["method"], "elicitation/create", "{first}");
    assert_eq!(ask["params"]["message"], "Why?");
    assert!(
        first["requestState"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );

    // Stateful: the input handler is called while the call is pending, by a server request.
    let server = demo_server();
    let (client, asked) = eliciting_client(
        &server,
        ProtocolVersion::V2025_11_25,
        ElicitResult::new(ElicitAction::Decline),
    )
    .await;
    let mut notes = client.notifications();
    let result = client.call_tool("ask_user", json!({})).await.unwrap();
    assert_text(&result, "The user declined to answer.");
    assert_eq!(asked.lock().unwrap().len(), 1);
    assert!(notes.try_recv().is_err(), "no notifications expected");
}

#[tokio::test]
async fn ask_user_needs_the_elicitation_capability() {
    // 2026-07-28: a -32021 error naming the capability.
    let stateless = client(&demo_server(), ProtocolVersion::V2026_07_28).await;
    let error = stateless
        .call_tool("ask_user", json!({}))
        .await
        .unwrap_err();
    let Error::Rpc(error) = error else {
        panic!("expected a JSON-RPC error, got {error:?}");
    };
    assert_eq!(error.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY);
    assert_eq!(
        error.data,
        Some(json!({ "requiredCapabilities": { "elicitation": {} } }))
    );

    // Stateful: an error result the model can read.
    let stateful = client(&demo_server(), ProtocolVersion::V2025_11_25).await;
    let result = stateful.call_tool("ask_user", json!({})).await.unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("capability"), "{result:?}");
}

#[tokio::test]
async fn increment_updates_the_counter_and_notifies_subscribers() {
    for version in WIRES {
        let server = demo_server();
        let client = client(&server, version).await;
        let mut watcher = Watcher::new(&server, version, "demo://counter").await;

        let (value, mime) = read_text(&client, "demo://counter").await;
        assert_eq!((value.as_str(), mime.as_deref()), ("0", Some("text/plain")));

        let result = client.call_tool("increment", json!({})).await.unwrap();
        assert_text(&result, "counter is now 1");
        assert_eq!(watcher.next_update().await, "demo://counter");

        let result = client
            .call_tool("increment", json!({ "by": 41 }))
            .await
            .unwrap();
        assert_text(&result, "counter is now 42");
        assert_eq!(watcher.next_update().await, "demo://counter");
        assert_eq!(read_text(&client, "demo://counter").await.0, "42");

        // Updates of resources the watcher did not subscribe to are not sent to it.
        client
            .call_tool("post_message", json!({ "text": "hi" }))
            .await
            .unwrap();
        watcher.assert_quiet().await;
    }
}

#[tokio::test]
async fn board_keeps_the_newest_messages() {
    for version in WIRES {
        let server = demo_server();
        let client = client(&server, version).await;
        let mut watcher = Watcher::new(&server, version, "demo://board").await;
        assert_eq!(read_text(&client, "demo://board").await.0, "");

        let result = client
            .call_tool("post_message", json!({ "text": "hello", "author": "ada" }))
            .await
            .unwrap();
        assert_text(&result, "posted message #1");
        assert_eq!(watcher.next_update().await, "demo://board");
        let result = client
            .call_tool("post_message", json!({ "text": "two\nlines" }))
            .await
            .unwrap();
        assert_text(&result, "posted message #2");
        assert_eq!(watcher.next_update().await, "demo://board");
        assert_eq!(
            read_text(&client, "demo://board").await,
            (
                "ada: hello\nanonymous: two lines".to_owned(),
                Some("text/plain".to_owned())
            )
        );

        for n in 3..=105 {
            let result = client
                .call_tool("post_message", json!({ "text": format!("message {n}") }))
                .await
                .unwrap();
            assert_text(&result, &format!("posted message #{n}"));
        }
        let board = read_text(&client, "demo://board").await.0;
        let lines: Vec<&str> = board.lines().collect();
        assert_eq!(lines.len(), 100);
        assert_eq!(lines[0], "anonymous: message 6");
        assert_eq!(lines[99], "anonymous: message 105");
    }
}

#[tokio::test]
async fn post_message_validates_its_arguments() {
    for version in WIRES {
        let client = client(&demo_server(), version).await;
        let cases = [
            (
                json!({ "text": "" }),
                "text must be 1 to 500 characters and not blank, got 0",
            ),
            (
                json!({ "text": "   " }),
                "text must be 1 to 500 characters and not blank, got 3",
            ),
            (
                json!({ "text": "é".repeat(501) }),
                "text must be 1 to 500 characters and not blank, got 501",
            ),
            (
                json!({ "text": "hi", "author": "a".repeat(51) }),
                "author must be at most 50 characters, got 51",
            ),
        ];
        for (arguments, message) in cases {
            let result = client.call_tool("post_message", arguments).await.unwrap();
            assert_tool_error(&result, message);
        }
        // 500 characters (1,000 bytes) is fine.
        let result = client
            .call_tool("post_message", json!({ "text": "é".repeat(500) }))
            .await
            .unwrap();
        assert_text(&result, "posted message #1");
    }
}

#[tokio::test]
async fn notes_read_complete_and_report_unknown_names() {
    for version in WIRES {
        let client = client(&demo_server(), version).await;
        let (text, mime) = read_text(&client, "notes://welcome").await;
        assert!(text.starts_with("# Welcome\n"), "{text}");
        assert_eq!(mime.as_deref(), Some("text/markdown"));
        let (text, _) = read_text(&client, "notes://shopping").await;
        assert!(text.starts_with("# Shopping list\n"), "{text}");

        let error = client.read_resource("notes://missing").await.unwrap_err();
        let Error::Rpc(error) = error else {
            panic!("expected a JSON-RPC error, got {error:?}");
        };
        let expected = match version {
            ProtocolVersion::V2026_07_28 => ErrorCode::INVALID_PARAMS,
            _ => ErrorCode::RESOURCE_NOT_FOUND,
        };
        assert_eq!(error.code, expected, "{version}");
        assert_eq!(error.data, Some(json!({ "uri": "notes://missing" })));

        let reference = Reference::Resource(ResourceTemplateReference {
            uri: "notes://{name}".to_owned(),
        });
        for (prefix, expected) in [
            ("", &["roadmap", "shopping", "welcome"][..]),
            ("s", &["shopping"][..]),
            ("w", &["welcome"][..]),
            ("x", &[][..]),
        ] {
            let result = client.complete(reference.clone(), "name", prefix).await;
            let completion = result.unwrap().completion;
            assert_eq!(completion.values, expected, "prefix {prefix:?}");
            assert_eq!(completion.has_more, Some(false));
        }
    }
}

#[tokio::test]
async fn summarize_prompt_renders_and_completes() {
    for version in WIRES {
        let client = client(&demo_server(), version).await;
        let arguments = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };

        let result = client
            .get_prompt("summarize", arguments(&[("text", "MCP is a protocol.")]))
            .await
            .unwrap();
        assert_eq!(result.messages.len(), 1);
        assert_eq!(result.messages[0].role, Role::User);
        assert_eq!(
            result.messages[0].content.as_text(),
            Some("Summarize the following text in a brief style:\n\nMCP is a protocol.")
        );

        for style in ["brief", "detailed", "bullet-points"] {
            let result = client
                .get_prompt("summarize", arguments(&[("text", "abc"), ("style", style)]))
                .await
                .unwrap();
            let expected = format!("Summarize the following text in a {style} style:\n\nabc");
            assert_eq!(
                result.messages[0].content.as_text(),
                Some(expected.as_str())
            );
        }

        let missing = client
            .get_prompt("summarize", arguments(&[("style", "brief")]))
            .await
            .unwrap_err();
        assert_eq!(rpc_code(missing), ErrorCode::INVALID_PARAMS);
        let unknown = client
            .get_prompt("summarize", arguments(&[("text", "a"), ("style", "haiku")]))
            .await
            .unwrap_err();
        assert_eq!(rpc_code(unknown), ErrorCode::INVALID_PARAMS);

        let reference = Reference::Prompt(PromptReference {
            name: "summarize".to_owned(),
            title: None,
        });
        for (prefix, expected) in [
            ("", &["brief", "bullet-points", "detailed"][..]),
            ("b", &["brief", "bullet-points"][..]),
            ("bu", &["bullet-points"][..]),
            ("d", &["detailed"][..]),
            ("z", &[][..]),
        ] {
            let result = client.complete(reference.clone(), "style", prefix).await;
            assert_eq!(result.unwrap().completion.values, expected, "{prefix:?}");
        }
    }
}

#[test]
fn builder_for_knows_each_toolset_by_name() {
    assert_eq!(mcplex_toolsets::TOOLSETS, ["demo", "conformance"]);
    let server = mcplex_toolsets::builder_for("demo").unwrap().build();
    assert_eq!(server.info().name, "mcplex-demo");
    assert!(mcplex_toolsets::builder_for("").is_none());
    assert!(mcplex_toolsets::builder_for("Demo").is_none());
}

/// Raw messages show what the client hides: a cancelled call gets no response at all, and
/// the server keeps serving the connection.
#[tokio::test]
async fn a_cancelled_long_task_sends_no_response() {
    for version in WIRES {
        let mut raw = RawConnection::open(&demo_server(), version).await;
        raw.send_request(
            1,
            "tools/call",
            json!({ "name": "long_task", "arguments": { "steps": 100, "delay_ms": 20 } }),
            Some("task"),
        )
        .await;
        for expected in [1, 2] {
            let message = raw.recv().await.expect("a progress notification");
            let Message::Notification(note) = message else {
                panic!("expected progress, got {message:?}");
            };
            assert_eq!(note.method, method::PROGRESS);
            let params: Value = note.params_as().unwrap();
            assert_eq!(params["progressToken"], "task");
            assert_eq!(params["progress"], expected);
            assert_eq!(params["total"], 100);
        }
        raw.send_notification(
            "notifications/cancelled",
            json!({ "requestId": 1, "reason": "changed my mind" }),
        )
        .await;

        // Ask for the statistics until the cancellation shows; the call itself never answers.
        let mut id = 100;
        let stats = loop {
            id += 1;
            raw.send_request(id, "tools/call", json!({ "name": "task_stats" }), None)
                .await;
            let result = loop {
                let message = raw.recv().await.expect("the connection stays open");
                match message {
                    Message::Response(response) if response.id == RequestId::Number(id) => {
                        break response.result_as::<Value>().unwrap();
                    }
                    Message::Notification(note) if note.method == method::PROGRESS => {}
                    other => panic!("unexpected message after cancelling: {other:?}"),
                }
            };
            if result["structuredContent"]["cancelled"] == 1 {
                break result["structuredContent"].clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        assert_eq!(
            stats,
            json!({ "started": 1, "completed": 0, "cancelled": 1 })
        );
        let late = tokio::time::timeout(Duration::from_millis(200), raw.recv()).await;
        assert!(late.is_err(), "unexpected message: {late:?}");
    }
}
