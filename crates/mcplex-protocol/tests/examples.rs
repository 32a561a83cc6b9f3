//! Every official example message round-trips through the model.
//!
//! For each `examples/<revision>/<TypeName>/<file>.json` the file is decoded into the Rust type
//! for `<TypeName>`, encoded again and compared with the original as JSON values. Whole
//! JSON-RPC messages are decoded with [`mcplex_protocol::decode`] and their parameters or
//! result (or error data) also into the typed model. A folder without a mapping fails the
//! test, so new example types cannot be ignored silently.

mod common;

use std::fs;
use std::path::Path;

use mcplex_protocol::model::*;
use mcplex_protocol::{ErrorObject, Message, decode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

type Check = fn(&str, Value) -> Result<(), String>;

/// Examples that differ from their schema type in a way the model does not keep, with the
/// member ignored and why.
const DEVIATIONS: &[(&str, &str, &str)] = &[(
    "ListRootsRequest/list-roots-request.json",
    "id",
    "a stray `id` on an input request: 2026-07-28's ListRootsRequest defines only `method` and \
     `params`, and the JSON-RPC id of a real request lives in the envelope",
)];

/// The check for the examples of one schema type; `None` for unknown types.
fn check_for(type_name: &str) -> Option<&'static [Check]> {
    Some(match type_name {
        // Content blocks and resource contents.
        "TextContent" | "ImageContent" | "AudioContent" | "ResourceLink" | "EmbeddedResource" => {
            &[plain::<Content>]
        }
        "ToolUseContent" | "ToolResultContent" => &[plain::<SamplingContent>],
        "TextResourceContents" | "BlobResourceContents" => &[plain::<ResourceContents>],
        // Standalone types.
        "Tool" => &[plain::<Tool>],
        "Resource" => &[plain::<Resource>],
        "Root" => &[plain::<Root>],
        "ModelPreferences" => &[plain::<ModelPreferences>],
        "SamplingMessage" => &[plain::<SamplingMessage>],
        "ClientCapabilities" => &[plain::<ClientCapabilities>],
        "ServerCapabilities" => &[plain::<ServerCapabilities>],
        "StringSchema" => &[plain::<StringSchema>, plain::<PrimitiveSchema>],
        "NumberSchema" => &[plain::<NumberSchema>, plain::<PrimitiveSchema>],
        "BooleanSchema" => &[plain::<BooleanSchema>, plain::<PrimitiveSchema>],
        "UntitledSingleSelectEnumSchema" => &[
            plain::<UntitledSingleSelectEnumSchema>,
            plain::<PrimitiveSchema>,
        ],
        "TitledSingleSelectEnumSchema" => &[
            plain::<TitledSingleSelectEnumSchema>,
            plain::<PrimitiveSchema>,
        ],
        "UntitledMultiSelectEnumSchema" => &[
            plain::<UntitledMultiSelectEnumSchema>,
            plain::<PrimitiveSchema>,
        ],
        "TitledMultiSelectEnumSchema" => &[
            plain::<TitledMultiSelectEnumSchema>,
            plain::<PrimitiveSchema>,
        ],
        "LegacyTitledEnumSchema" => &[plain::<LegacyTitledEnumSchema>, plain::<PrimitiveSchema>],
        // Request parameters.
        "CallToolRequestParams" => &[plain::<CallToolParams>],
        "CancelledNotificationParams" => &[plain::<CancelledParams>],
        "CompleteRequestParams" => &[plain::<CompleteParams>],
        "CreateMessageRequestParams" => &[plain::<CreateMessageParams>],
        "ElicitRequestFormParams" | "ElicitRequestURLParams" => &[plain::<ElicitParams>],
        "GetPromptRequestParams" => &[plain::<GetPromptParams>],
        "LoggingMessageNotificationParams" => &[plain::<LoggingMessageParams>],
        "PaginatedRequestParams" => &[plain::<PaginatedParams>],
        "ProgressNotificationParams" => &[plain::<ProgressParams>],
        "ResourceUpdatedNotificationParams" => &[plain::<ResourceUpdatedParams>],
        // Results.
        "CallToolResult" => &[plain::<CallToolResult>],
        "CompleteResult" => &[plain::<CompleteResult>],
        "CreateMessageResult" => &[plain::<CreateMessageResult>],
        "DiscoverResult" => &[plain::<DiscoverResult>],
        "ElicitResult" => &[plain::<ElicitResult>],
        "GetPromptResult" => &[plain::<GetPromptResult>],
        "InputRequiredResult" => &[plain::<InputRequiredResult>],
        "ListPromptsResult" => &[plain::<ListPromptsResult>],
        "ListResourceTemplatesResult" => &[plain::<ListResourceTemplatesResult>],
        "ListResourcesResult" => &[plain::<ListResourcesResult>],
        "ListRootsResult" => &[plain::<ListRootsResult>],
        "ListToolsResult" => &[plain::<ListToolsResult>],
        "ReadResourceResult" => &[plain::<ReadResourceResult>],
        "SubscriptionsListenResult" => &[plain::<SubscriptionsListenResult>],
        // Multi round-trip requests.
        "InputRequests" => &[plain::<InputRequests>],
        "InputResponses" => &[plain::<InputResponses>],
        "CreateMessageRequest" | "ElicitRequest" | "ListRootsRequest" => &[plain::<InputRequest>],
        // Whole requests.
        "CallToolRequest" => &[request::<CallToolParams>],
        "CompleteRequest" => &[request::<CompleteParams>],
        "DiscoverRequest" => &[request::<RequestParams>],
        "GetPromptRequest" => &[request::<GetPromptParams>],
        "ListPromptsRequest"
        | "ListResourceTemplatesRequest"
        | "ListResourcesRequest"
        | "ListToolsRequest" => &[request::<PaginatedParams>],
        "ReadResourceRequest" => &[request::<ReadResourceParams>],
        "SubscriptionsListenRequest" => &[request::<SubscriptionsListenParams>],
        // Whole notifications.
        "CancelledNotification" => &[notification::<CancelledParams>],
        "LoggingMessageNotification" => &[notification::<LoggingMessageParams>],
        "ProgressNotification" => &[notification::<ProgressParams>],
        "PromptListChangedNotification"
        | "ResourceListChangedNotification"
        | "ToolListChangedNotification" => &[notification::<NotificationParams>],
        "ResourceUpdatedNotification" => &[notification::<ResourceUpdatedParams>],
        "SubscriptionsAcknowledgedNotification" => {
            &[notification::<SubscriptionsAcknowledgedParams>]
        }
        // Whole responses.
        "CallToolResultResponse" => &[response::<CallToolResult>],
        "CompleteResultResponse" => &[response::<CompleteResult>],
        "DiscoverResultResponse" => &[response::<DiscoverResult>],
        "GetPromptResultResponse" => &[response::<GetPromptResult>],
        "ListPromptsResultResponse" => &[response::<ListPromptsResult>],
        "ListResourceTemplatesResultResponse" => &[response::<ListResourceTemplatesResult>],
        "ListResourcesResultResponse" => &[response::<ListResourcesResult>],
        "ListToolsResultResponse" => &[response::<ListToolsResult>],
        "ReadResourceResultResponse" => &[response::<ReadResourceResult>],
        "SubscriptionsListenResultResponse" => &[response::<SubscriptionsListenResult>],
        // Errors: whole error responses, and bare error objects.
        "HeaderMismatchError" => &[error_response::<Option<Value>>],
        "MissingRequiredClientCapabilityError" => {
            &[error_response::<MissingRequiredClientCapabilityData>]
        }
        "UnsupportedProtocolVersionError" => &[error_response::<UnsupportedProtocolVersionData>],
        "URLElicitationRequiredError" => &[error_response::<UrlElicitationRequiredData>],
        "InternalError"
        | "InvalidParamsError"
        | "MethodNotFoundError"
        | "ParseError"
        | "InvalidRequestError" => &[plain::<ErrorObject>],
        _ => return None,
    })
}

/// The name of `T` without its module path.
fn type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    let base = name.split('<').next().unwrap_or(name);
    base.rsplit("::").next().unwrap_or(base)
}

/// Serializes `value` and compares it with `expected`.
fn same<T: Serialize>(what: &str, value: &T, expected: &Value) -> Result<(), String> {
    let actual = serde_json::to_value(value).map_err(|e| format!("{what}: encode: {e}"))?;
    if &actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{what} differs\n      expected: {expected}\n      actual:   {actual}"
        ))
    }
}

/// The file is one value of `T`.
fn plain<T: DeserializeOwned + Serialize>(text: &str, expected: Value) -> Result<(), String> {
    let value: T = serde_json::from_str(text).map_err(|e| format!("decode: {e}"))?;
    same(type_name::<T>(), &value, &expected)
}

/// Decodes a whole message and compares its re-encoding.
fn message(text: &str, expected: &Value) -> Result<Message, String> {
    let msg = decode(text.as_bytes()).map_err(|e| format!("decode message: {e}"))?;
    same("message", &msg, expected)?;
    Ok(msg)
}

/// Typed parameters compared with the message's `params` (absent parameters decode as `{}`).
fn typed_params<P: Serialize>(params: &P, expected: &Value) -> Result<(), String> {
    let empty = Value::Object(Default::default());
    let expected = expected.get("params").unwrap_or(&empty);
    same(type_name::<P>(), params, expected)
}

/// The file is a request whose parameters are `P`.
fn request<P: DeserializeOwned + Serialize>(text: &str, expected: Value) -> Result<(), String> {
    let Message::Request(req) = message(text, &expected)? else {
        return Err("not a request".into());
    };
    let params: P = req.params_as().map_err(|e| format!("params: {e}"))?;
    typed_params(&params, &expected)
}

/// The file is a notification whose parameters are `P`.
fn notification<P: DeserializeOwned + Serialize>(
    text: &str,
    expected: Value,
) -> Result<(), String> {
    let Message::Notification(n) = message(text, &expected)? else {
        return Err("not a notification".into());
    };
    let params: P = n.params_as().map_err(|e| format!("params: {e}"))?;
    typed_params(&params, &expected)
}

/// The file is a response whose result is `R`.
fn response<R: DeserializeOwned + Serialize>(text: &str, expected: Value) -> Result<(), String> {
    let Message::Response(resp) = message(text, &expected)? else {
        return Err("not a response".into());
    };
    let result: R = resp.result_as().map_err(|e| format!("result: {e}"))?;
    same(type_name::<R>(), &result, &expected["result"])
}

/// The file is an error response whose `data` is `D`.
fn error_response<D: DeserializeOwned + Serialize>(
    text: &str,
    expected: Value,
) -> Result<(), String> {
    let Message::Error(err) = message(text, &expected)? else {
        return Err("not an error response".into());
    };
    let data = err.error.data.clone().unwrap_or(Value::Null);
    let typed: D = serde_json::from_value(data.clone()).map_err(|e| format!("data: {e}"))?;
    same(type_name::<D>(), &typed, &data)
}

fn check_file(type_name: &str, checks: &[Check], path: &Path) -> Result<(), String> {
    let text = fs::read_to_string(path).map_err(|e| format!("read: {e}"))?;
    let mut expected: Value = serde_json::from_str(&text).map_err(|e| format!("parse: {e}"))?;
    let file = format!(
        "{type_name}/{}",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    for &(deviating, member, _why) in DEVIATIONS {
        if deviating == file {
            expected.as_object_mut().map(|o| o.remove(member));
        }
    }
    let text = serde_json::to_string(&expected).expect("re-encode");
    checks
        .iter()
        .try_for_each(|check| check(&text, expected.clone()))
}

#[test]
fn every_example_round_trips() {
    let root = common::spec_dir().join("examples");
    let mut files = 0;
    let mut failures = Vec::new();
    let mut revisions: Vec<_> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    revisions.sort();
    assert!(!revisions.is_empty(), "no revisions in {}", root.display());
    for revision in revisions {
        let mut types: Vec<_> = fs::read_dir(&revision)
            .expect("read revision directory")
            .map(|e| e.expect("directory entry").path())
            .collect();
        types.sort();
        for dir in types {
            let type_name = dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let Some(checks) = check_for(&type_name) else {
                failures.push(format!(
                    "{}: no mapping from {type_name} to a model type",
                    dir.display()
                ));
                continue;
            };
            let mut examples: Vec<_> = fs::read_dir(&dir)
                .expect("read type directory")
                .map(|e| e.expect("directory entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            examples.sort();
            for path in examples {
                files += 1;
                if let Err(e) = check_file(&type_name, checks, &path) {
                    failures.push(format!("{}: {e}", path.display()));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {files} example files failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    eprintln!("{files} example files round-tripped");
}

/// Members and forms the official examples do not show.
#[test]
fn other_forms_round_trip() {
    let cases = [
        // An unknown result type and `_meta` keys the protocol does not name are kept.
        (
            "CallToolResult",
            r#"{"content":[],"resultType":"future_kind","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"},"trace":{"id":[1,2.5]}}}"#,
        ),
        (
            "CallToolRequestParams",
            r#"{"name":"t","_meta":{"io.modelcontextprotocol/logLevel":"debug","progressToken":7,"x":null}}"#,
        ),
        (
            "ProgressNotificationParams",
            r#"{"progressToken":1,"progress":0.25,"total":4,"_meta":{"io.modelcontextprotocol/subscriptionId":3}}"#,
        ),
        // Every kind of elicitation answer, and a roots answer.
        (
            "InputResponses",
            r#"{"a":{"action":"accept","content":{"s":"x","i":-3,"f":2.5,"b":true,"m":["p","q"]}},"b":{"action":"decline"},"c":{"roots":[{"uri":"file:///r","_meta":{"k":1}}]}}"#,
        ),
        // A roots request without parameters, and a URL elicitation.
        (
            "InputRequests",
            r#"{"r":{"method":"roots/list"},"u":{"method":"elicitation/create","params":{"mode":"url","message":"m","url":"https://example.com","elicitationId":"e"}}}"#,
        ),
        // Sampling content as an array in a result.
        (
            "CreateMessageResult",
            r#"{"role":"assistant","model":"m","content":[{"type":"text","text":"a"},{"type":"audio","data":"AA==","mimeType":"audio/wav"}],"_meta":{"k":"v"}}"#,
        ),
        (
            "LegacyTitledEnumSchema",
            r#"{"type":"string","enum":["a","b"],"enumNames":["A","B"],"default":"a"}"#,
        ),
        (
            "ServerCapabilities",
            r#"{"tasks":{"list":{},"cancel":{},"requests":{"tools":{"call":{}}}},"experimental":{"x":{"y":1}}}"#,
        ),
        (
            "URLElicitationRequiredError",
            r#"{"jsonrpc":"2.0","id":"r","error":{"code":-32042,"message":"m","data":{"elicitations":[{"mode":"url","message":"m","url":"https://example.com","elicitationId":"e"}]}}}"#,
        ),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(type_name, text)| {
            let checks = check_for(type_name).expect("mapped type");
            let expected: Value = serde_json::from_str(text).expect("valid JSON");
            checks
                .iter()
                .try_for_each(|check| check(text, expected.clone()))
                .err()
                .map(|e| format!("{type_name} {text}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
