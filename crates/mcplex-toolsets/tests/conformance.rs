//! The conformance toolset, driven in process through the mcplex client over an in-memory
//! connection, on the stateful (2025-11-25) and the stateless (2026-07-28) wire: each behaviour
//! the official conformance suite's server scenarios rely on.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcplex_core::Server;
use mcplex_core::client::{CallOptions, Client, ClientOptions, Error, input_handler_fn};
use mcplex_protocol::model::{
    CallToolResult, ClientCapabilities, CreateMessageResult, ElicitAction, ElicitResult,
    ElicitValue, ElicitationCapability, InputRequest, InputResponse, ListRootsResult, LoggingLevel,
    PromptReference, Reference, ResourceTemplateReference, Role, Root, RootsCapability,
    SamplingCapability, SamplingContent, SubscriptionFilter,
};
use mcplex_protocol::{ErrorCode, ErrorObject, Notification, Payload, ProtocolVersion, method};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

const STATEFUL: ProtocolVersion = ProtocolVersion::V2025_11_25;
const STATELESS: ProtocolVersion = ProtocolVersion::V2026_07_28;
const WIRES: [ProtocolVersion; 2] = [STATEFUL, STATELESS];
const PATIENCE: Duration = Duration::from_secs(5);

/// What the test client was asked, in order.
type Asked = Arc<Mutex<Vec<InputRequest>>>;

fn server() -> Server {
    mcplex_toolsets::conformance().build()
}

/// Every input capability the suite's clients declare.
fn all_capabilities() -> ClientCapabilities {
    ClientCapabilities {
        sampling: Some(SamplingCapability::default()),
        elicitation: Some(ElicitationCapability::default()),
        roots: Some(RootsCapability::default()),
        ..ClientCapabilities::default()
    }
}

/// A client declaring `capabilities` that answers every input request (see [`answer`]) and
/// records it.
async fn connect_with(
    server: &Server,
    version: ProtocolVersion,
    capabilities: ClientCapabilities,
) -> (Client, Asked) {
    let asked = Asked::default();
    let record = asked.clone();
    let handler = input_handler_fn(move |request: InputRequest| {
        let record = record.clone();
        async move {
            let response = answer(&request);
            record.lock().unwrap().push(request);
            Ok::<_, ErrorObject>(response)
        }
    });
    let options = ClientOptions::default()
        .with_protocol_version(version)
        .with_capabilities(capabilities)
        .with_input_handler(handler);
    let (server_end, client_end) = mcplex_transport::memory::pair(64);
    let server = server.clone();
    tokio::spawn(async move { server.serve_connection(server_end).await });
    let client = Client::connect(client_end, options)
        .await
        .expect("the client connects");
    (client, asked)
}

async fn connect(server: &Server, version: ProtocolVersion) -> (Client, Asked) {
    connect_with(server, version, all_capabilities()).await
}

/// The test client's answers: form fields by name, "Paris" from the model, one root.
fn answer(request: &InputRequest) -> InputResponse {
    match request {
        InputRequest::Elicit(params) => {
            let fields = params
                .requested_schema
                .as_ref()
                .map(|schema| schema.properties.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            let content = fields
                .into_iter()
                .filter_map(|field| {
                    let value = match field.as_str() {
                        "name" => ElicitValue::String("Alice".into()),
                        "color" => ElicitValue::String("blue".into()),
                        "username" => ElicitValue::String("alice".into()),
                        "email" => ElicitValue::String("alice@example.com".into()),
                        "word" => ElicitValue::String("hello".into()),
                        "ok" => ElicitValue::Bool(true),
                        "context" => ElicitValue::String("from the user".into()),
                        _ => return None,
                    };
                    Some((field, value))
                })
                .collect();
            InputResponse::Elicit(ElicitResult {
                content: Some(content),
                ..ElicitResult::new(ElicitAction::Accept)
            })
        }
        InputRequest::CreateMessage(_) => InputResponse::CreateMessage(CreateMessageResult {
            role: Role::Assistant,
            content: SamplingContent::text("Paris").into(),
            model: "test-model".into(),
            stop_reason: Some("endTurn".into()),
            meta: None,
        }),
        InputRequest::ListRoots(_) => InputResponse::ListRoots(ListRootsResult {
            roots: vec![Root {
                uri: "file:///work".into(),
                name: Some("work".into()),
                meta: None,
            }],
            meta: None,
        }),
    }
}

/// Sends `method` with raw parameters and returns the raw result: `input_required` results
/// come back as they are.
async fn raw(client: &Client, method: &str, params: Value) -> Result<Value, Error> {
    let params = Payload::from_serialize(&params).unwrap();
    let result = client.request_raw(method, Some(params)).await?;
    Ok(result.parse().unwrap())
}

fn rpc(error: Error) -> ErrorObject {
    match error {
        Error::Rpc(error) => error,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

fn to_json(result: &CallToolResult) -> Value {
    serde_json::to_value(result).unwrap()
}

/// The text of a tool result's one text block.
fn text(result: &CallToolResult) -> String {
    assert_eq!(result.is_error, None, "{result:?}");
    assert_eq!(result.content.len(), 1, "{result:?}");
    result.content[0]
        .as_text()
        .expect("a text block")
        .to_owned()
}

/// The next notification with `method`, skipping others.
async fn next_notification(rx: &mut broadcast::Receiver<Notification>, method: &str) -> Value {
    let wait = async {
        loop {
            let note = rx.recv().await.expect("notifications flow");
            if note.method == method {
                return note.params.map(|p| p.parse().unwrap()).unwrap_or_default();
            }
        }
    };
    tokio::time::timeout(PATIENCE, wait)
        .await
        .expect("the notification arrives")
}

#[tokio::test]
async fn lists_name_every_fixture() {
    let tools = [
        "json_schema_2020_12_tool",
        "test_audio_content",
        "test_custom_header",
        "test_elicitation",
        "test_elicitation_sep1034_defaults",
        "test_elicitation_sep1330_enums",
        "test_embedded_resource",
        "test_error_handling",
        "test_image_content",
        "test_input_required_result_capabilities",
        "test_input_required_result_elicitation",
        "test_input_required_result_list_roots",
        "test_input_required_result_multi_round",
        "test_input_required_result_multiple_inputs",
        "test_input_required_result_request_state",
        "test_input_required_result_sampling",
        "test_input_required_result_tampered_state",
        "test_logging_tool",
        "test_missing_capability",
        "test_multiple_content_types",
        "test_reconnection",
        "test_sampling",
        "test_simple_text",
        "test_streaming_elicitation",
        "test_tool_with_logging",
        "test_tool_with_progress",
        "test_trigger_prompt_change",
        "test_trigger_tool_change",
    ];
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        let listed = client.list_tools().await.unwrap();
        let mut names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, tools);
        for tool in &listed {
            assert!(tool.description.as_deref().is_some_and(|d| !d.is_empty()));
            assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
            let valid = tool.name.len() <= 64
                && tool
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c));
            assert!(valid, "{}", tool.name);
        }

        let resources = client.list_resources().await.unwrap();
        let mut uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
        uris.sort_unstable();
        assert_eq!(
            uris,
            [
                "test://static-binary",
                "test://static-text",
                "test://watched-resource"
            ]
        );
        assert!(resources.iter().all(|r| r.description.is_some()));
        let templates = client.list_resource_templates().await.unwrap();
        assert_eq!(templates.len(), 1);
        assert_eq!(templates[0].uri_template, "test://template/{id}/data");

        let prompts = client.list_prompts().await.unwrap();
        let mut names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "test_input_required_result_prompt",
                "test_prompt_with_arguments",
                "test_prompt_with_embedded_resource",
                "test_prompt_with_image",
                "test_simple_prompt",
            ]
        );
        assert!(prompts.iter().all(|p| p.description.is_some()));

        let capabilities = client.server_capabilities();
        assert!(capabilities.completions.is_some());
        assert!(capabilities.logging.is_some());
        assert!(capabilities.prompts.is_some());
        assert!(capabilities.resources.as_ref().unwrap().subscribe == Some(true));
    }
}

#[tokio::test]
async fn content_tools_return_each_content_type() {
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        let call = |name: &'static str| {
            let client = client.clone();
            async move { to_json(&client.call_tool(name, Value::Null).await.unwrap()) }
        };

        let simple = call("test_simple_text").await;
        assert_eq!(simple["content"][0]["type"], "text");
        assert!(!simple["content"][0]["text"].as_str().unwrap().is_empty());

        let image = call("test_image_content").await;
        assert_eq!(image["content"][0]["type"], "image");
        assert_eq!(image["content"][0]["mimeType"], "image/png");
        // The base64 of the PNG signature.
        assert!(
            image["content"][0]["data"]
                .as_str()
                .unwrap()
                .starts_with("iVBORw0KGgo")
        );

        let audio = call("test_audio_content").await;
        assert_eq!(audio["content"][0]["type"], "audio");
        assert_eq!(audio["content"][0]["mimeType"], "audio/wav");
        // The base64 of "RIFF".
        assert!(
            audio["content"][0]["data"]
                .as_str()
                .unwrap()
                .starts_with("UklGR")
        );

        let embedded = call("test_embedded_resource").await;
        let resource = &embedded["content"][0];
        assert_eq!(resource["type"], "resource");
        assert_eq!(resource["resource"]["uri"], "test://embedded-resource");
        assert_eq!(resource["resource"]["mimeType"], "text/plain");
        assert!(resource["resource"]["text"].is_string());

        let mixed = call("test_multiple_content_types").await;
        let kinds: Vec<&str> = mixed["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["text", "image", "resource"]);
        let json_text = mixed["content"][2]["resource"]["text"].as_str().unwrap();
        assert!(serde_json::from_str::<Value>(json_text).is_ok());
        assert_eq!(
            mixed["content"][2]["resource"]["mimeType"],
            "application/json"
        );

        let failed = client
            .call_tool("test_error_handling", json!({}))
            .await
            .unwrap();
        assert_eq!(failed.is_error, Some(true));
        assert!(!failed.content[0].as_text().unwrap().is_empty());
    }
}

#[tokio::test]
async fn logging_follows_the_log_level() {
    // Stateful: the session's level, set with logging/setLevel.
    let (client, _) = connect(&server(), STATEFUL).await;
    client.set_level(LoggingLevel::Debug).await.unwrap();
    let mut rx = client.notifications();
    client
        .call_tool("test_tool_with_logging", json!({}))
        .await
        .unwrap();
    for _ in 0..3 {
        let params = next_notification(&mut rx, method::MESSAGE).await;
        assert_eq!(params["level"], "info");
    }
    client.set_level(LoggingLevel::Warning).await.unwrap();
    client
        .call_tool("test_tool_with_logging", json!({}))
        .await
        .unwrap();
    assert!(
        rx.try_recv().is_err(),
        "info messages below the warning level"
    );

    // Stateless: the request's level, and none without one.
    let (client, _) = connect(&server(), STATELESS).await;
    let mut rx = client.notifications();
    let with_level = json!({
        "name": "test_logging_tool",
        "arguments": {},
        "_meta": { "io.modelcontextprotocol/logLevel": "debug" }
    });
    raw(&client, method::TOOLS_CALL, with_level).await.unwrap();
    for _ in 0..3 {
        next_notification(&mut rx, method::MESSAGE).await;
    }
    let without = json!({ "name": "test_logging_tool", "arguments": {} });
    raw(&client, method::TOOLS_CALL, without).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(rx.try_recv().is_err(), "no log level, no log messages");
}

#[tokio::test]
async fn progress_goes_from_0_to_100() {
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        let (tx, mut rx) = mpsc::channel(16);
        let result = client
            .call_tool_with(
                "test_tool_with_progress",
                json!({}),
                CallOptions::default().with_progress(tx),
            )
            .await
            .unwrap();
        assert!(!text(&result).is_empty());
        let mut seen = Vec::new();
        while let Ok(update) = rx.try_recv() {
            assert_eq!(update.total, Some(100.0));
            seen.push(update.progress);
        }
        assert_eq!(seen, [0.0, 50.0, 100.0], "{version}");
    }
}

#[tokio::test]
async fn sampling_and_elicitation_tools_ask_the_client() {
    for version in WIRES {
        let (client, asked) = connect(&server(), version).await;
        let result = client
            .call_tool("test_sampling", json!({ "prompt": "Capital of France?" }))
            .await
            .unwrap();
        assert_eq!(text(&result), "Model answer: Paris");
        let request = asked.lock().unwrap().pop().unwrap();
        let InputRequest::CreateMessage(params) = request else {
            panic!("expected sampling, got {request:?}");
        };
        assert_eq!(params.max_tokens, 100);
        let message = serde_json::to_value(&params.messages[0]).unwrap();
        assert_eq!(message["role"], "user");
        assert_eq!(message["content"]["text"], "Capital of France?");

        let result = client
            .call_tool("test_elicitation", json!({ "message": "Who are you?" }))
            .await
            .unwrap();
        let answer = text(&result);
        assert!(answer.contains("action=accept"), "{answer}");
        assert!(answer.contains("alice@example.com"), "{answer}");
        let request = asked.lock().unwrap().pop().unwrap();
        let InputRequest::Elicit(params) = request else {
            panic!("expected elicitation, got {request:?}");
        };
        assert_eq!(params.message, "Who are you?");
        let schema = serde_json::to_value(params.requested_schema.unwrap()).unwrap();
        assert_eq!(schema["properties"]["username"]["type"], "string");
        assert_eq!(schema["properties"]["email"]["type"], "string");
        assert_eq!(schema["required"], json!(["username", "email"]));
    }
}

/// The `requestedSchema` a tool without arguments sends, as JSON.
async fn requested_schema(version: ProtocolVersion, tool: &str) -> Value {
    let (client, asked) = connect(&server(), version).await;
    let result = client.call_tool(tool, json!({})).await.unwrap();
    assert!(text(&result).contains("action=accept"));
    let request = asked.lock().unwrap().pop().unwrap();
    let InputRequest::Elicit(params) = request else {
        panic!("expected elicitation, got {request:?}");
    };
    serde_json::to_value(params.requested_schema.unwrap()).unwrap()
}

#[tokio::test]
async fn elicitation_defaults_cover_every_field_type() {
    for version in WIRES {
        let schema = requested_schema(version, "test_elicitation_sep1034_defaults").await;
        let field = |name: &str| schema["properties"][name].clone();
        assert_eq!(field("name")["type"], "string");
        assert_eq!(field("name")["default"], "John Doe");
        assert_eq!(field("age")["type"], "integer");
        assert_eq!(field("age")["default"], 30);
        assert_eq!(field("score")["type"], "number");
        assert_eq!(field("score")["default"], 95.5);
        assert_eq!(field("status")["type"], "string");
        assert_eq!(
            field("status")["enum"],
            json!(["active", "inactive", "pending"])
        );
        assert_eq!(field("status")["default"], "active");
        assert_eq!(field("verified")["type"], "boolean");
        assert_eq!(field("verified")["default"], true);
    }
}

#[tokio::test]
async fn elicitation_enums_cover_every_choice_kind() {
    for version in WIRES {
        let schema = requested_schema(version, "test_elicitation_sep1330_enums").await;
        let field = |name: &str| schema["properties"][name].clone();

        let untitled = field("untitledSingle");
        assert_eq!(untitled["type"], "string");
        assert!(untitled["enum"].is_array());
        assert!(untitled.get("oneOf").is_none() && untitled.get("enumNames").is_none());

        let titled = field("titledSingle");
        assert_eq!(titled["type"], "string");
        assert!(titled.get("enum").is_none());
        for option in titled["oneOf"].as_array().unwrap() {
            assert!(option["const"].is_string() && option["title"].is_string());
        }

        let legacy = field("legacyEnum");
        assert_eq!(legacy["type"], "string");
        assert_eq!(
            legacy["enum"].as_array().unwrap().len(),
            legacy["enumNames"].as_array().unwrap().len()
        );

        let multi = field("untitledMulti");
        assert_eq!(multi["type"], "array");
        assert_eq!(multi["items"]["type"], "string");
        assert!(multi["items"]["enum"].is_array());
        assert!(multi["items"].get("anyOf").is_none());

        let titled_multi = field("titledMulti");
        assert_eq!(titled_multi["type"], "array");
        assert!(titled_multi["items"].get("enum").is_none());
        for option in titled_multi["items"]["anyOf"].as_array().unwrap() {
            assert!(option["const"].is_string() && option["title"].is_string());
        }
    }
}

/// Calls `tool` on the stateless wire without answering `input_required` results.
async fn call_raw(client: &Client, tool: &str, extra: Value) -> Result<Value, Error> {
    let mut params = json!({ "name": tool, "arguments": {} });
    for (key, value) in extra.as_object().unwrap() {
        params[key] = value.clone();
    }
    raw(client, method::TOOLS_CALL, params).await
}

fn elicit_answer(content: Value) -> Value {
    json!({ "action": "accept", "content": content })
}

fn sampling_answer(text: &str) -> Value {
    json!({
        "role": "assistant",
        "content": { "type": "text", "text": text },
        "model": "test-model",
        "stopReason": "endTurn"
    })
}

fn roots_answer() -> Value {
    json!({ "roots": [{ "uri": "file:///test/root", "name": "Test Root" }] })
}

/// The methods of an `input_required` result's requests, by key.
fn requested(result: &Value) -> BTreeMap<String, String> {
    assert_eq!(result["resultType"], "input_required", "{result}");
    result["inputRequests"]
        .as_object()
        .expect("inputRequests")
        .iter()
        .map(|(key, request)| (key.clone(), request["method"].as_str().unwrap().to_owned()))
        .collect()
}

fn methods(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, m)| ((*k).to_owned(), (*m).to_owned()))
        .collect()
}

fn tool_text(result: &Value) -> &str {
    assert_eq!(result["resultType"], "complete", "{result}");
    result["content"][0]["text"].as_str().expect("a text block")
}

#[tokio::test]
async fn input_required_rounds_on_the_stateless_wire() {
    let (client, _) = connect(&server(), STATELESS).await;
    let elicitation = "test_input_required_result_elicitation";

    let r1 = call_raw(&client, elicitation, json!({})).await.unwrap();
    assert_eq!(
        requested(&r1),
        methods(&[("user_name", "elicitation/create")])
    );
    assert!(r1["requestState"].is_string());
    let answers = json!({
        "inputResponses": { "user_name": elicit_answer(json!({ "name": "Alice" })) },
        "requestState": r1["requestState"],
    });
    let r2 = call_raw(&client, elicitation, answers).await.unwrap();
    assert_eq!(tool_text(&r2), "Hello, Alice!");

    // The wrong key: asked again. Extra keys: ignored. No state needed for this tool.
    let wrong = json!({ "inputResponses": { "wrong_key": elicit_answer(json!({ "data": 1 })) } });
    let again = call_raw(&client, elicitation, wrong).await.unwrap();
    assert_eq!(requested(&again).len(), 1);
    let extra = json!({ "inputResponses": {
        "user_name": elicit_answer(json!({ "name": "Alice" })),
        "unknown_extra_key": elicit_answer(json!({ "foo": "bar" })),
    }});
    let done = call_raw(&client, elicitation, extra).await.unwrap();
    assert_eq!(tool_text(&done), "Hello, Alice!");

    // Malformed answers: an error, or asked again, never a complete result.
    let number = json!({ "inputResponses": { "user_name": 12345 } });
    let error = call_raw(&client, elicitation, number).await.unwrap_err();
    assert_eq!(rpc(error).code, ErrorCode::INVALID_PARAMS);
    let null = json!({ "inputResponses": null });
    match call_raw(&client, elicitation, null).await {
        Ok(result) => assert_eq!(result["resultType"], "input_required"),
        Err(error) => assert_eq!(rpc(error).code, ErrorCode::INVALID_PARAMS),
    }

    let sampling = "test_input_required_result_sampling";
    let r1 = call_raw(&client, sampling, json!({})).await.unwrap();
    assert_eq!(
        requested(&r1),
        methods(&[("capital_question", "sampling/createMessage")])
    );
    assert_eq!(
        r1["inputRequests"]["capital_question"]["params"]["maxTokens"],
        100
    );
    let answers = json!({
        "inputResponses": { "capital_question": sampling_answer("Paris") },
        "requestState": r1["requestState"],
    });
    let r2 = call_raw(&client, sampling, answers).await.unwrap();
    assert_eq!(tool_text(&r2), "Paris");

    let roots = "test_input_required_result_list_roots";
    let r1 = call_raw(&client, roots, json!({})).await.unwrap();
    assert_eq!(requested(&r1), methods(&[("client_roots", "roots/list")]));
    let answers = json!({
        "inputResponses": { "client_roots": roots_answer() },
        "requestState": r1["requestState"],
    });
    let r2 = call_raw(&client, roots, answers).await.unwrap();
    assert!(tool_text(&r2).contains("file:///test/root"));
}

#[tokio::test]
async fn request_state_round_trips_and_resists_tampering() {
    let (client, _) = connect(&server(), STATELESS).await;
    for tool in [
        "test_input_required_result_request_state",
        "test_input_required_result_tampered_state",
    ] {
        let r1 = call_raw(&client, tool, json!({})).await.unwrap();
        assert_eq!(
            requested(&r1),
            methods(&[("confirm", "elicitation/create")])
        );
        let state = r1["requestState"]
            .as_str()
            .expect("request state")
            .to_owned();
        let answers = |state: &str| {
            json!({
                "inputResponses": { "confirm": elicit_answer(json!({ "ok": true })) },
                "requestState": state,
            })
        };
        let tampered = call_raw(&client, tool, answers(&format!("{state}-TAMPERED")))
            .await
            .unwrap_err();
        assert_eq!(rpc(tampered).code, ErrorCode::INVALID_PARAMS);
        let r2 = call_raw(&client, tool, answers(&state)).await.unwrap();
        let text = tool_text(&r2);
        if tool.ends_with("request_state") {
            assert!(text.starts_with("state-ok"), "{text}");
        }
    }
}

#[tokio::test]
async fn several_inputs_at_once_and_several_rounds() {
    let (client, _) = connect(&server(), STATELESS).await;
    let multiple = "test_input_required_result_multiple_inputs";
    let r1 = call_raw(&client, multiple, json!({})).await.unwrap();
    assert_eq!(
        requested(&r1),
        methods(&[
            ("client_roots", "roots/list"),
            ("greeting", "sampling/createMessage"),
            ("user_name", "elicitation/create"),
        ])
    );
    assert!(r1["requestState"].is_string());
    let answers = json!({
        "inputResponses": {
            "user_name": elicit_answer(json!({ "name": "Alice" })),
            "greeting": sampling_answer("Hello there!"),
            "client_roots": roots_answer(),
        },
        "requestState": r1["requestState"],
    });
    let r2 = call_raw(&client, multiple, answers).await.unwrap();
    let text = tool_text(&r2);
    assert!(
        text.contains("Alice") && text.contains("Hello there!"),
        "{text}"
    );

    let rounds = "test_input_required_result_multi_round";
    let r1 = call_raw(&client, rounds, json!({})).await.unwrap();
    assert_eq!(requested(&r1), methods(&[("step1", "elicitation/create")]));
    let r2 = call_raw(
        &client,
        rounds,
        json!({
            "inputResponses": { "step1": elicit_answer(json!({ "name": "Alice" })) },
            "requestState": r1["requestState"],
        }),
    )
    .await
    .unwrap();
    assert_eq!(requested(&r2), methods(&[("step2", "elicitation/create")]));
    assert_ne!(r2["requestState"], r1["requestState"]);
    let r3 = call_raw(
        &client,
        rounds,
        json!({
            "inputResponses": { "step2": elicit_answer(json!({ "color": "blue" })) },
            "requestState": r2["requestState"],
        }),
    )
    .await
    .unwrap();
    assert_eq!(tool_text(&r3), "Alice likes blue.");
}

#[tokio::test]
async fn input_is_asked_only_with_declared_capabilities() {
    let only_sampling = ClientCapabilities {
        sampling: Some(SamplingCapability::default()),
        ..ClientCapabilities::default()
    };
    let (client, _) = connect_with(&server(), STATELESS, only_sampling.clone()).await;
    let r1 = call_raw(
        &client,
        "test_input_required_result_capabilities",
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(
        requested(&r1),
        methods(&[("model", "sampling/createMessage")])
    );

    let (client, _) = connect_with(&server(), STATELESS, ClientCapabilities::default()).await;
    let error = call_raw(&client, "test_missing_capability", json!({}))
        .await
        .unwrap_err();
    let error = rpc(error);
    assert_eq!(error.code.0, -32021, "{error:?}");
    let data = serde_json::to_value(&error.data).unwrap();
    assert!(
        data["requiredCapabilities"]["sampling"].is_object(),
        "{data}"
    );

    let streaming = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    let (client, _) = connect_with(&server(), STATELESS, streaming).await;
    let r1 = call_raw(&client, "test_streaming_elicitation", json!({}))
        .await
        .unwrap();
    assert_eq!(requested(&r1), methods(&[("word", "elicitation/create")]));

    // Stateful: the same tools, answered by the client's input handler.
    let (client, asked) = connect_with(&server(), STATEFUL, only_sampling).await;
    let result = client
        .call_tool("test_input_required_result_capabilities", json!({}))
        .await
        .unwrap();
    assert_eq!(text(&result), "Answered: model");
    assert_eq!(asked.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn every_input_tool_completes_on_both_wires() {
    let tools = [
        ("test_input_required_result_elicitation", "Hello, Alice!"),
        ("test_input_required_result_sampling", "Paris"),
        (
            "test_input_required_result_list_roots",
            "Client roots: file:///work",
        ),
        ("test_input_required_result_request_state", "state-ok"),
        ("test_input_required_result_multiple_inputs", "Name: Alice"),
        (
            "test_input_required_result_multi_round",
            "Alice likes blue.",
        ),
        ("test_input_required_result_tampered_state", "intact"),
        ("test_input_required_result_capabilities", "Answered: "),
        ("test_missing_capability", "Model answer: Paris"),
        ("test_streaming_elicitation", "You said: hello"),
    ];
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        for (tool, expected) in tools {
            let result = client.call_tool(tool, json!({})).await.unwrap();
            let text = text(&result);
            assert!(text.contains(expected), "{version} {tool}: {text}");
        }
    }
}

#[tokio::test]
async fn resources_and_the_template() {
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        let read = |uri: &'static str| {
            let client = client.clone();
            async move { serde_json::to_value(client.read_resource(uri).await.unwrap()).unwrap() }
        };
        let text = read("test://static-text").await;
        assert_eq!(text["contents"][0]["uri"], "test://static-text");
        assert_eq!(text["contents"][0]["mimeType"], "text/plain");
        assert!(text["contents"][0]["text"].is_string());

        let binary = read("test://static-binary").await;
        assert_eq!(binary["contents"][0]["mimeType"], "image/png");
        assert!(
            binary["contents"][0]["blob"]
                .as_str()
                .unwrap()
                .starts_with("iVBORw0KGgo")
        );

        let watched = read("test://watched-resource").await;
        assert!(watched["contents"][0]["text"].is_string());

        let data = read("test://template/123/data").await;
        assert_eq!(data["contents"][0]["uri"], "test://template/123/data");
        assert_eq!(data["contents"][0]["mimeType"], "application/json");
        let json: Value =
            serde_json::from_str(data["contents"][0]["text"].as_str().unwrap()).unwrap();
        assert_eq!(json["id"], "123");

        let missing = "test://nonexistent-resource-for-conformance-testing";
        let error = rpc(client.read_resource(missing).await.unwrap_err());
        let expected = if version.is_stateless() {
            -32602
        } else {
            -32002
        };
        assert_eq!(error.code.0, expected);
        let data = serde_json::to_value(&error.data).unwrap();
        assert_eq!(data["uri"], missing);

        if !version.is_stateless() {
            client.subscribe("test://watched-resource").await.unwrap();
            client.unsubscribe("test://watched-resource").await.unwrap();
        }
    }
}

#[tokio::test]
async fn cacheable_results_carry_caching_hints() {
    let (client, _) = connect(&server(), STATELESS).await;
    for (method, params) in [
        (method::TOOLS_LIST, json!({})),
        (method::PROMPTS_LIST, json!({})),
        (method::RESOURCES_LIST, json!({})),
        (method::RESOURCES_TEMPLATES_LIST, json!({})),
        (
            method::RESOURCES_READ,
            json!({ "uri": "test://static-text" }),
        ),
    ] {
        let result = raw(&client, method, params).await.unwrap();
        assert!(result["ttlMs"].is_u64(), "{method}: {result}");
        let scope = result["cacheScope"].as_str().unwrap_or_default();
        assert!(["public", "private"].contains(&scope), "{method}: {result}");
    }
}

#[tokio::test]
async fn prompts_render_their_content() {
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        let get = |name: &'static str, args: &[(&str, &str)]| {
            let client = client.clone();
            let args: BTreeMap<String, String> = args
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            async move { serde_json::to_value(client.get_prompt(name, args).await.unwrap()).unwrap() }
        };

        let simple = get("test_simple_prompt", &[]).await;
        assert_eq!(simple["messages"][0]["role"], "user");
        assert!(simple["messages"][0]["content"]["text"].is_string());

        let args = [("arg1", "testValue1"), ("arg2", "testValue2")];
        let with_args = get("test_prompt_with_arguments", &args).await;
        let rendered = with_args["messages"].to_string();
        assert!(rendered.contains("testValue1") && rendered.contains("testValue2"));

        let uri = [("resourceUri", "test://example-resource")];
        let embedded = get("test_prompt_with_embedded_resource", &uri).await;
        assert_eq!(embedded["messages"][0]["content"]["type"], "resource");
        let resource = &embedded["messages"][0]["content"]["resource"];
        assert_eq!(resource["uri"], "test://example-resource");
        assert!(resource["text"].is_string());

        let image = get("test_prompt_with_image", &[]).await;
        assert_eq!(image["messages"][0]["content"]["type"], "image");
        assert_eq!(image["messages"][0]["content"]["mimeType"], "image/png");
        assert!(image["messages"][0]["content"]["data"].is_string());

        // The prompt asks for its context (elicitation, on both wires).
        let context = get("test_input_required_result_prompt", &[]).await;
        assert!(context["messages"].to_string().contains("from the user"));

        let missing = client
            .get_prompt("test_prompt_with_arguments", BTreeMap::new())
            .await
            .unwrap_err();
        assert_eq!(rpc(missing).code, ErrorCode::INVALID_PARAMS);
    }
}

#[tokio::test]
async fn completion_of_prompt_arguments_and_template_variables() {
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        let prompt = Reference::Prompt(PromptReference {
            name: "test_prompt_with_arguments".into(),
            title: None,
        });
        let result = client
            .complete(prompt.clone(), "arg1", "par")
            .await
            .unwrap();
        assert_eq!(result.completion.values, ["paris", "park", "party"]);
        let result = client.complete(prompt, "arg1", "test").await.unwrap();
        assert_eq!(result.completion.values, ["test", "testing"]);

        let template = Reference::Resource(ResourceTemplateReference {
            uri: "test://template/{id}/data".into(),
        });
        let result = client.complete(template, "id", "1").await.unwrap();
        assert_eq!(result.completion.values, ["100", "123"]);
    }
}

#[tokio::test]
async fn list_changes_reach_listeners() {
    // Stateless: a listen stream for tool changes hears of the trigger; one for prompt
    // changes does not.
    let server = server();
    let (listener, _) = connect(&server, STATELESS).await;
    let tools_filter = SubscriptionFilter {
        tools_list_changed: Some(true),
        ..SubscriptionFilter::default()
    };
    let prompts_filter = SubscriptionFilter {
        prompts_list_changed: Some(true),
        ..SubscriptionFilter::default()
    };
    let mut tools = listener.listen(tools_filter).await.unwrap();
    let mut prompts = listener.listen(prompts_filter).await.unwrap();
    let (caller, _) = connect(&server, STATELESS).await;
    caller
        .call_tool("test_trigger_tool_change", json!({}))
        .await
        .unwrap();
    let note = tokio::time::timeout(PATIENCE, tools.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(note.method, method::TOOLS_LIST_CHANGED);
    let params: Value = note.params.unwrap().parse().unwrap();
    assert!(
        params["_meta"]["io.modelcontextprotocol/subscriptionId"].is_number()
            || params["_meta"]["io.modelcontextprotocol/subscriptionId"].is_string()
    );
    caller
        .call_tool("test_trigger_prompt_change", json!({}))
        .await
        .unwrap();
    let note = tokio::time::timeout(PATIENCE, prompts.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        note.method,
        method::PROMPTS_LIST_CHANGED,
        "no tool change leaks in"
    );
    let names: Vec<String> = caller
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(names.iter().any(|n| n == "test_dynamic_tool"));
    let dynamic = caller
        .call_tool("test_dynamic_tool", json!({}))
        .await
        .unwrap();
    assert_eq!(text(&dynamic), "test_dynamic_tool generation 1");

    // Stateful: the session is notified.
    let (client, _) = connect(&server, STATEFUL).await;
    let mut rx = client.notifications();
    client
        .call_tool("test_trigger_tool_change", json!({}))
        .await
        .unwrap();
    next_notification(&mut rx, method::TOOLS_LIST_CHANGED).await;
    client
        .call_tool("test_trigger_prompt_change", json!({}))
        .await
        .unwrap();
    next_notification(&mut rx, method::PROMPTS_LIST_CHANGED).await;
    let dynamic = client
        .call_tool("test_dynamic_tool", json!({}))
        .await
        .unwrap();
    assert_eq!(text(&dynamic), "test_dynamic_tool generation 2");
}

#[tokio::test]
async fn hand_written_schemas_survive_listing() {
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        let tools = client.list_tools().await.unwrap();
        let schema = |name: &str| {
            let tool = tools.iter().find(|t| t.name == name).unwrap();
            Value::Object(tool.input_schema.clone())
        };
        let modern = schema("json_schema_2020_12_tool");
        assert_eq!(
            modern["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(modern["$defs"]["address"]["$anchor"], "addressDef");
        assert_eq!(modern["properties"]["address"]["$ref"], "#/$defs/address");
        assert!(modern["allOf"][0]["anyOf"].is_array());
        assert!(
            modern["if"].is_object() && modern["then"].is_object() && modern["else"].is_object()
        );
        assert_eq!(modern["additionalProperties"], false);

        let header = schema("test_custom_header");
        assert_eq!(header["properties"]["region"]["x-mcp-header"], "Region");
        let result = client
            .call_tool("test_custom_header", json!({ "region": "eu-west" }))
            .await
            .unwrap();
        assert!(text(&result).contains("eu-west"));
    }
}

#[tokio::test]
async fn slow_tools_finish() {
    for version in WIRES {
        let (client, _) = connect(&server(), version).await;
        let result = client
            .call_tool("test_reconnection", json!({}))
            .await
            .unwrap();
        assert!(!text(&result).is_empty());
    }
}

#[test]
fn builder_for_knows_the_conformance_toolset() {
    assert!(mcplex_toolsets::TOOLSETS.contains(&"conformance"));
    let server = mcplex_toolsets::builder_for("conformance").unwrap().build();
    assert_eq!(server.info().name, "mcplex-conformance");
    assert!(server.info().title.is_some());
}
