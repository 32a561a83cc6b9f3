//! Every server-to-client message validates against the official schema of the revision it is
//! shaped for.
//!
//! Each message is built once as a superset value with every member populated (titles, icons,
//! `_meta`, annotations, audio, resource links, structured content, `resultType`, caching
//! hints, task metadata, ...), shaped for a revision, wrapped in its JSON-RPC envelope and
//! validated against that revision's `schema.json`: the whole message against the envelope
//! definitions, and the message or its result against the specific definition.
//!
//! The official schemas leave every object open, so each check also runs against a strict copy
//! that rejects members the revision does not define (see `common/schemas.rs`): that is what
//! shows shaping removed them.

mod common;

use mcplex_protocol::model::*;
use mcplex_protocol::{
    ErrorCode, ErrorObject, ErrorResponse, Message, Notification, Payload, ProtocolVersion as V,
    Request, RequestId, Response, Shape, method,
};
use serde::Serialize;
use serde_json::{Value, json};

#[path = "common/schemas.rs"]
mod schemas;
#[path = "common/superset.rs"]
mod superset;

use schemas::{Mode, Schemas};
use superset::*;

// ---------------------------------------------------------------------------------------------
// Cases: a message and what it must validate against.

#[derive(Clone, Copy)]
enum Kind {
    Result,
    Notification,
    Request,
    Error,
}

/// One server-to-client message.
struct Case {
    kind: Kind,
    /// The specific definition: of the result for results, of the whole message otherwise.
    definition: Option<&'static str>,
    message: Message,
}

fn id() -> RequestId {
    RequestId::Number(7)
}

/// A result, shaped for `v`, in a response.
fn result<T: Shape + Serialize>(v: V, definition: &'static str, mut value: T) -> Case {
    value.shape(v);
    Case {
        kind: Kind::Result,
        definition: Some(definition),
        message: Message::Response(Response::new(id(), &value).expect("result encodes")),
    }
}

/// A notification with parameters shaped for `v`.
fn notification<P: Shape + Serialize>(
    v: V,
    definition: &'static str,
    method: &'static str,
    mut params: P,
) -> Case {
    params.shape(v);
    Case {
        kind: Kind::Notification,
        definition: Some(definition),
        message: Message::Notification(Notification::new(method, &params).expect("encodes")),
    }
}

/// A server-to-client request with parameters shaped for `v`.
fn request<P: Shape + Serialize>(
    v: V,
    definition: &'static str,
    method: &'static str,
    mut params: P,
) -> Case {
    params.shape(v);
    Case {
        kind: Kind::Request,
        definition: Some(definition),
        message: Message::Request(Request::new(id(), method, &params).expect("encodes")),
    }
}

/// An error response.
fn error(definition: Option<&'static str>, error: ErrorObject) -> Case {
    Case {
        kind: Kind::Error,
        definition,
        message: Message::Error(ErrorResponse::new(Some(id()), error)),
    }
}

/// A value as JSON.
fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("encodes")
}

/// Error data shaped for `v`, as JSON.
fn data<T: Shape + Serialize>(v: V, mut value: T) -> Value {
    value.shape(v);
    to_json(&value)
}

/// Validates one case against the official and the strict schema; returns what failed.
///
/// Every message is checked against `JSONRPCMessage` and its envelope definition; a result
/// against `ServerResult` and its own definition (and, where 2026-07-28 defines one, the whole
/// response against `<Result>Response`); a notification or request against
/// `ServerNotification`/`ServerRequest` and its own definition; an error response against its
/// own definition.
fn check(schemas: &mut Schemas, v: V, case: &Case) -> Vec<String> {
    let whole = to_json(&case.message);
    // Before 2025-11-25 the method definitions leave `jsonrpc` and `id` to the envelope: they
    // describe `{method, params}` only.
    let bare = json!({"method": whole["method"], "params": whole["params"]});
    let method_and_params = match case.definition {
        Some(d) if !schemas.defines_member(v, d, "jsonrpc") => &bare,
        _ => &whole,
    };
    let response_definition = case.definition.map(|d| format!("{d}Response"));
    let mut checks: Vec<(&str, &Value)> = vec![("JSONRPCMessage", &whole)];
    match case.kind {
        Kind::Result => {
            let envelope = schemas.first_of(v, &["JSONRPCResultResponse", "JSONRPCResponse"]);
            checks.push((envelope, &whole));
            checks.push(("ServerResult", &whole["result"]));
            checks.extend(case.definition.map(|d| (d, &whole["result"])));
            if let Some(d) = response_definition.as_deref().filter(|d| schemas.has(v, d)) {
                checks.push((d, &whole));
            }
        }
        Kind::Notification => {
            checks.push(("JSONRPCNotification", &whole));
            checks.push(("ServerNotification", method_and_params));
            checks.extend(case.definition.map(|d| (d, method_and_params)));
        }
        Kind::Request => {
            checks.push(("JSONRPCRequest", &whole));
            checks.push(("ServerRequest", method_and_params));
            checks.extend(case.definition.map(|d| (d, method_and_params)));
        }
        Kind::Error => {
            let envelope = schemas.first_of(v, &["JSONRPCErrorResponse", "JSONRPCError"]);
            checks.push((envelope, &whole));
            checks.extend(case.definition.map(|d| (d, &whole)));
        }
    }
    let mut failures = Vec::new();
    for (definition, instance) in checks {
        for mode in [Mode::Official, Mode::Strict] {
            if let Err(e) = schemas.validate(v, mode, definition, instance) {
                failures.push(format!(
                    "{v} {} against {definition} ({mode:?}): {e}\n      message: {whole}",
                    case.definition.unwrap_or("error response")
                ));
            }
        }
    }
    failures
}

/// Every server-to-client message `v` has, with every superset member populated.
fn server_messages(v: V) -> Vec<Case> {
    let mut cases = vec![
        result(v, "ListToolsResult", list_tools()),
        result(v, "CallToolResult", call_tool()),
        result(v, "CallToolResult", call_tool_error()),
        result(v, "ListResourcesResult", list_resources()),
        result(v, "ListResourceTemplatesResult", list_resource_templates()),
        result(v, "ReadResourceResult", read_resource()),
        result(v, "ListPromptsResult", list_prompts()),
        result(v, "GetPromptResult", get_prompt()),
        result(v, "CompleteResult", complete()),
        result(v, "EmptyResult", empty()),
        notification(
            v,
            "ProgressNotification",
            method::PROGRESS,
            ProgressParams {
                total: Some(100.0),
                message: Some("Halfway".into()),
                meta: notification_meta(),
                ..ProgressParams::new("progress-1".into(), 50.0)
            },
        ),
        notification(
            v,
            "LoggingMessageNotification",
            method::MESSAGE,
            LoggingMessageParams {
                logger: Some("db".into()),
                meta: notification_meta(),
                ..LoggingMessageParams::new(LoggingLevel::Error, json!({"error": "down"}))
            },
        ),
        notification(
            v,
            "ResourceUpdatedNotification",
            method::RESOURCES_UPDATED,
            ResourceUpdatedParams {
                meta: notification_meta(),
                ..ResourceUpdatedParams::new("file:///project/README.md")
            },
        ),
        notification(
            v,
            "ResourceListChangedNotification",
            method::RESOURCES_LIST_CHANGED,
            list_changed(),
        ),
        notification(
            v,
            "ToolListChangedNotification",
            method::TOOLS_LIST_CHANGED,
            list_changed(),
        ),
        notification(
            v,
            "PromptListChangedNotification",
            method::PROMPTS_LIST_CHANGED,
            list_changed(),
        ),
        notification(
            v,
            "CancelledNotification",
            method::CANCELLED,
            CancelledParams {
                meta: notification_meta(),
                ..CancelledParams::new(RequestId::from("req-1"), Some("user".into()))
            },
        ),
        error(None, ErrorObject::resource_not_found(v, "file:///missing")),
        error(None, ErrorObject::method_not_found("tools/cal")),
    ];
    if v.has_initialize() {
        cases.extend([
            result(v, "InitializeResult", initialize(v)),
            request(v, "PingRequest", method::PING, ping()),
            request(
                v,
                "CreateMessageRequest",
                method::SAMPLING_CREATE_MESSAGE,
                create_message(),
            ),
            request(v, "ListRootsRequest", method::ROOTS_LIST, ping()),
        ]);
        if v.has_elicitation() {
            cases.push(request(
                v,
                "ElicitRequest",
                method::ELICITATION_CREATE,
                elicit_form(),
            ));
        }
    }
    if v.has_elicitation_id() {
        cases.extend([
            request(v, "ElicitRequest", method::ELICITATION_CREATE, elicit_url()),
            notification(
                v,
                "ElicitationCompleteNotification",
                method::ELICITATION_COMPLETE,
                ElicitationCompleteParams {
                    elicitation_id: "elicit-1".into(),
                    meta: notification_meta(),
                },
            ),
            error(
                Some("URLElicitationRequiredError"),
                ErrorObject::new(ErrorCode::URL_ELICITATION_REQUIRED, "sign in first").with_data(
                    data(
                        v,
                        UrlElicitationRequiredData {
                            elicitations: vec![elicit_url()],
                        },
                    ),
                ),
            ),
        ]);
    }
    if v.has_tasks() {
        let task_result = || GetTaskResult {
            meta: result_meta(),
            result_type: Some(ResultType::Complete),
            ..GetTaskResult::from(task())
        };
        cases.extend([
            result(
                v,
                "CreateTaskResult",
                CreateTaskResult {
                    task: task(),
                    meta: result_meta(),
                    result_type: Some(ResultType::Complete),
                },
            ),
            result(v, "GetTaskResult", task_result()),
            result(v, "CancelTaskResult", task_result()),
            result(
                v,
                "ListTasksResult",
                ListTasksResult {
                    tasks: vec![task()],
                    next_cursor: Some("next".into()),
                    meta: result_meta(),
                    result_type: Some(ResultType::Complete),
                },
            ),
            notification(
                v,
                "TaskStatusNotification",
                method::TASKS_STATUS,
                TaskStatusParams {
                    meta: notification_meta(),
                    ..TaskStatusParams::from(task())
                },
            ),
            request(v, "GetTaskRequest", method::TASKS_GET, task_id()),
            request(v, "GetTaskPayloadRequest", method::TASKS_RESULT, task_id()),
            request(v, "CancelTaskRequest", method::TASKS_CANCEL, task_id()),
            request(
                v,
                "ListTasksRequest",
                method::TASKS_LIST,
                PaginatedParams {
                    cursor: Some("c".into()),
                    meta: request_meta(),
                },
            ),
        ]);
    }
    if v.is_stateless() {
        cases.extend([
            result(v, "DiscoverResult", discover()),
            result(v, "InputRequiredResult", input_required()),
            result(v, "SubscriptionsListenResult", subscriptions_listen()),
            notification(
                v,
                "SubscriptionsAcknowledgedNotification",
                method::SUBSCRIPTIONS_ACKNOWLEDGED,
                SubscriptionsAcknowledgedParams {
                    notifications: filter(),
                    meta: notification_meta(),
                },
            ),
            error(
                Some("UnsupportedProtocolVersionError"),
                ErrorObject::unsupported_protocol_version("1900-01-01"),
            ),
            error(
                Some("MissingRequiredClientCapabilityError"),
                ErrorObject::missing_required_client_capability(data(v, client_capabilities())),
            ),
            error(
                Some("HeaderMismatchError"),
                ErrorObject::header_mismatch("Mcp-Name"),
            ),
        ]);
    }
    cases
}

// ---------------------------------------------------------------------------------------------
// Tests.

#[test]
fn every_server_message_validates_on_every_revision() {
    let mut schemas = Schemas::load();
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for v in V::ALL {
        let cases = server_messages(v);
        counts.push(format!("{v}: {}", cases.len()));
        for case in &cases {
            failures.extend(check(&mut schemas, v, case));
        }
    }
    assert!(
        failures.is_empty(),
        "{} validation failures:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    eprintln!("messages validated per revision: {}", counts.join(", "));
}

/// The validator catches what shaping prevents.
#[test]
fn unshaped_messages_fail() {
    let mut schemas = Schemas::load();
    let invalid = |schemas: &mut Schemas, v: V, definition: &str, instance: Value| {
        assert!(
            schemas
                .validate(v, Mode::Official, definition, &instance)
                .is_err(),
            "{v} {definition} accepted {instance}"
        );
    };

    // Audio content on 2024-11-05, unshaped: invalid; shaped: replaced with text.
    let audio = CallToolResult::new(vec![Content::audio(WAV, "audio/wav")]);
    invalid(
        &mut schemas,
        V::V2024_11_05,
        "CallToolResult",
        to_json(&audio),
    );
    let mut shaped = audio.clone();
    shaped.shape(V::V2024_11_05);
    assert!(matches!(&shaped.content[0], Content::Text(t) if t.text.contains("audio/wav")));
    schemas
        .validate(
            V::V2024_11_05,
            Mode::Official,
            "CallToolResult",
            &to_json(&shaped),
        )
        .expect("shaped audio validates");

    // A resource link before 2025-06-18 becomes text naming the URI and name.
    let link = CallToolResult::new(vec![Content::resource_link(ResourceLink::new(
        "file:///a.txt",
        "a.txt",
    ))]);
    invalid(
        &mut schemas,
        V::V2025_03_26,
        "CallToolResult",
        to_json(&link),
    );
    let mut shaped = link.clone();
    shaped.shape(V::V2025_03_26);
    let text = shaped.content[0].as_text().expect("text block");
    assert!(
        text.contains("file:///a.txt") && text.contains("a.txt"),
        "{text}"
    );

    // 2026-07-28 requires `resultType`.
    let mut result = CallToolResult::text("hi");
    result.shape(V::V2026_07_28);
    assert_eq!(result.result_type, Some(ResultType::Complete));
    result.result_type = None;
    invalid(
        &mut schemas,
        V::V2026_07_28,
        "CallToolResult",
        to_json(&result),
    );

    // 2026-07-28 requires `ttlMs` and `cacheScope` on cacheable results.
    let list = ListToolsResult {
        result_type: Some(ResultType::Complete),
        ..ListToolsResult::new(vec![Tool::new("t", Tool::empty_input_schema())])
    };
    invalid(
        &mut schemas,
        V::V2026_07_28,
        "ListToolsResult",
        to_json(&list),
    );

    // A 2025-11-25 multi-select enum is no 2025-06-18 field.
    let mut multi = ElicitParams::form("pick", elicit_schema());
    multi.shape(V::V2025_11_25);
    let request = |p: &ElicitParams| {
        Message::Request(Request::new(id(), method::ELICITATION_CREATE, p).expect("encodes"))
    };
    invalid(
        &mut schemas,
        V::V2025_06_18,
        "ElicitRequest",
        to_json(&request(&multi)),
    );
}

/// Shaping is idempotent and leaves the 2026-07-28 fills in place.
#[test]
fn shaping_fills_required_members() {
    let mut list = list_resources();
    list.shape(V::V2026_07_28);
    assert_eq!(list.ttl_ms, Some(0));
    assert_eq!(list.cache_scope, Some(CacheScope::Private));
    let once = list.clone();
    list.shape(V::V2026_07_28);
    assert_eq!(list, once);

    let mut input = InputRequiredResult::default();
    input.shape(V::V2026_07_28);
    assert_eq!(input.result_type, Some(ResultType::InputRequired));

    let mut old = list_tools();
    old.shape(V::V2025_06_18);
    let json = to_json(&old);
    for absent in ["resultType", "ttlMs", "cacheScope"] {
        assert!(json.get(absent).is_none(), "{absent} in {json}");
    }
    assert!(json["tools"][0].get("icons").is_none());
    assert!(json["tools"][0].get("execution").is_none());
    assert!(json["tools"][0].get("outputSchema").is_some());
    // An array output schema needs 2026-07-28.
    assert!(json["tools"][1].get("outputSchema").is_none());
    assert!(json["_meta"].get(SERVER_INFO_KEY).is_none());
    assert!(json["_meta"].get(RELATED_TASK_KEY).is_none());

    // Arguments stay raw JSON.
    let params: CallToolParams =
        serde_json::from_str(r#"{"name":"t","arguments":{"n":1.50}}"#).expect("decodes");
    assert_eq!(
        params.arguments.as_ref().map(Payload::get),
        Some(r#"{"n":1.50}"#)
    );
}
