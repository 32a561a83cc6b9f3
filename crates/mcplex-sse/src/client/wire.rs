//! What the request headers say about the body: the protocol version named in `_meta`, and on
//! 2026-07-28 `Mcp-Method`, `Mcp-Name` and the `Mcp-Param-{Name}` headers of tool parameters
//! marked `x-mcp-header` in the tool's input schema.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use base64::Engine as _;
use hyper::header::{HeaderName, HeaderValue};
use mcplex_protocol::{Message, Payload, ProtocolVersion, method};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// `_meta` key of a request's protocol version (2026-07-28).
const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";

/// The marker of a Base64-encoded header value.
const SENTINEL_START: &str = "=?base64?";
const SENTINEL_END: &str = "?=";

/// What the headers need from a request's params, read without decoding the rest.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Probe<'a> {
    #[serde(rename = "_meta")]
    meta: Option<Meta>,
    name: Option<Value>,
    uri: Option<Value>,
    #[serde(rename = "taskId")]
    task_id: Option<Value>,
    #[serde(borrow)]
    arguments: Option<&'a RawValue>,
}

#[derive(Debug, Default, Deserialize)]
struct Meta {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion")]
    version: Option<Value>,
}

impl<'a> Probe<'a> {
    /// Reads the params; params that do not fit give an empty probe (the server answers
    /// them).
    pub(crate) fn of(params: Option<&'a Payload>) -> Self {
        let Some(params) = params else {
            return Self::default();
        };
        // Most stateful requests name no version: skip the parse when no field can matter.
        let text = params.get();
        if !text.contains(META_VERSION)
            && !text.contains("\"name\"")
            && !text.contains("\"uri\"")
            && !text.contains("\"taskId\"")
        {
            return Self::default();
        }
        serde_json::from_str(text).unwrap_or_default()
    }

    /// The protocol version the request's `_meta` names.
    pub(crate) fn version(&self) -> Option<ProtocolVersion> {
        let version = self.meta.as_ref()?.version.as_ref()?.as_str()?;
        ProtocolVersion::from_str_opt(version)
    }

    /// The body value `Mcp-Name` mirrors for `method`.
    fn name(&self, method_name: &str) -> Option<&str> {
        let value = match method_name {
            method::TOOLS_CALL | method::PROMPTS_GET => self.name.as_ref(),
            method::RESOURCES_READ => self.uri.as_ref(),
            method::TASKS_GET | method::TASKS_CANCEL | "tasks/update" => self.task_id.as_ref(),
            _ => None,
        };
        value?.as_str()
    }
}

/// `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` for a message on the 2026-07-28 wire.
pub(crate) fn method_headers(
    message: &Message,
    probe: &Probe<'_>,
    params: &ParamTable,
) -> Vec<(HeaderName, HeaderValue)> {
    let Some(method_name) = message.method() else {
        return Vec::new();
    };
    let mut headers = Vec::with_capacity(2);
    if let Ok(value) = HeaderValue::from_str(method_name.as_str()) {
        headers.push((HeaderName::from_static("mcp-method"), value));
    }
    let name = probe.name(method_name.as_str());
    if let Some(value) = name.and_then(encode_value) {
        headers.push((HeaderName::from_static("mcp-name"), value));
    }
    if method_name == method::TOOLS_CALL
        && let Some(tool) = name
    {
        params.headers_for(tool, probe.arguments, &mut headers);
    }
    headers
}

/// A header value as the 2026-07-28 wire carries it: as it is when it is visible ASCII or
/// space without surrounding whitespace, else `=?base64?...?=` over its UTF-8 bytes (also
/// for a plain value that looks like that form).
pub(crate) fn encode_value(value: &str) -> Option<HeaderValue> {
    let plain = value.bytes().all(|b| (0x20..=0x7e).contains(&b))
        && value.trim_matches([' ', '\t']) == value
        && !(value.starts_with(SENTINEL_START) && value.ends_with(SENTINEL_END));
    if plain {
        return HeaderValue::from_str(value).ok();
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(value);
    HeaderValue::from_str(&format!("{SENTINEL_START}{encoded}{SENTINEL_END}")).ok()
}

/// One annotated parameter: its header and where its value sits in the arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Annotation {
    header: HeaderName,
    path: Vec<String>,
}

/// The `x-mcp-header` annotations of the tools, learned from `tools/list` results.
#[derive(Debug, Default)]
pub(crate) struct ParamTable {
    tools: Mutex<HashMap<String, Vec<Annotation>>>,
}

impl ParamTable {
    /// Learns the annotations of the tools in a `tools/list` result (a page of it).
    pub(crate) fn learn(&self, result: &Payload) {
        let text = result.get();
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            tools: Vec<Tool>,
        }
        #[derive(Deserialize)]
        struct Tool {
            name: String,
            #[serde(rename = "inputSchema")]
            input_schema: Option<Value>,
        }
        let mut tools = self.tools.lock().unwrap_or_else(PoisonError::into_inner);
        if !text.contains("x-mcp-header") {
            // The common case: nothing annotated, so only forget what the page replaces.
            if !tools.is_empty()
                && let Ok(page) = serde_json::from_str::<Page>(text)
            {
                for tool in page.tools {
                    tools.remove(&tool.name);
                }
            }
            return;
        }
        let Ok(page) = serde_json::from_str::<Page>(text) else {
            return;
        };
        for tool in page.tools {
            let mut found = Vec::new();
            if let Some(schema) = &tool.input_schema {
                collect(schema, &mut Vec::new(), &mut found);
            }
            if found.is_empty() {
                tools.remove(&tool.name);
            } else {
                tools.insert(tool.name, found);
            }
        }
    }

    /// Adds the `Mcp-Param-*` headers of a call of `tool` with `arguments`.
    fn headers_for(
        &self,
        tool: &str,
        arguments: Option<&RawValue>,
        out: &mut Vec<(HeaderName, HeaderValue)>,
    ) {
        let annotations = {
            let tools = self.tools.lock().unwrap_or_else(PoisonError::into_inner);
            match tools.get(tool) {
                Some(found) => found.clone(),
                None => return,
            }
        };
        let Some(arguments) = arguments.and_then(|a| serde_json::from_str::<Value>(a.get()).ok())
        else {
            return;
        };
        for annotation in annotations {
            let value = annotation.path.iter().try_fold(&arguments, |v, k| v.get(k));
            let value = match value {
                Some(Value::String(s)) => encode_value(s),
                Some(Value::Bool(b)) => {
                    Some(HeaderValue::from_static(if *b { "true" } else { "false" }))
                }
                Some(Value::Number(n)) => HeaderValue::from_str(&n.to_string()).ok(),
                _ => None,
            };
            if let Some(value) = value {
                out.push((annotation.header, value));
            }
        }
    }
}

/// Collects the `x-mcp-header` annotations reachable through `properties`.
fn collect(schema: &Value, path: &mut Vec<String>, found: &mut Vec<Annotation>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, property) in properties {
        path.push(key.clone());
        if let Some(header) = property.get("x-mcp-header").and_then(Value::as_str)
            && let Ok(header) = HeaderName::from_bytes(format!("mcp-param-{header}").as_bytes())
        {
            found.push(Annotation {
                header,
                path: path.clone(),
            });
        }
        collect(property, path, found);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcplex_protocol::Request;
    use serde_json::json;

    #[test]
    fn values_are_encoded_when_they_must_be() {
        assert_eq!(encode_value("get_weather").unwrap(), "get_weather");
        assert_eq!(encode_value("a b").unwrap(), "a b");
        assert_eq!(encode_value("Hello").unwrap(), "Hello");
        assert_eq!(encode_value(" x").unwrap(), "=?base64?IHg=?=");
        assert_eq!(encode_value("é").unwrap(), "=?base64?w6k=?=");
        assert_eq!(encode_value("a\r\nb").unwrap(), "=?base64?YQ0KYg==?=");
        assert_eq!(
            encode_value("=?base64?literal?=").unwrap(),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
    }

    #[test]
    fn headers_mirror_the_body() {
        let table = ParamTable::default();
        let list = Payload::from_json(
            json!({ "tools": [{ "name": "q", "inputSchema": { "type": "object", "properties": {
                "region": { "type": "string", "x-mcp-header": "Region" },
                "opts": { "type": "object", "properties": {
                    "n": { "type": "integer", "x-mcp-header": "N" } } } } } }] })
            .to_string(),
        )
        .unwrap();
        table.learn(&list);
        let params = json!({
            "name": "q",
            "arguments": { "region": "eu-west", "opts": { "n": 3 } },
            "_meta": { META_VERSION: "2026-07-28" }
        });
        let request = Request::new(1, "tools/call", &params).unwrap();
        let probe = Probe::of(request.params.as_ref());
        assert_eq!(probe.version(), Some(ProtocolVersion::V2026_07_28));
        let headers = method_headers(&Message::Request(request.clone()), &probe, &table);
        let shown: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        assert_eq!(
            shown,
            [
                ("mcp-method".to_owned(), "tools/call".to_owned()),
                ("mcp-name".to_owned(), "q".to_owned()),
                ("mcp-param-n".to_owned(), "3".to_owned()),
                ("mcp-param-region".to_owned(), "eu-west".to_owned()),
            ]
        );

        // A later listing without the annotation forgets it.
        let plain = Payload::from_json(r#"{"tools":[{"name":"q","inputSchema":{}}]}"#).unwrap();
        table.learn(&plain);
        let headers = method_headers(&Message::Request(request.clone()), &probe, &table);
        assert_eq!(headers.len(), 2);
    }

    #[test]
    fn names_come_from_the_field_of_the_method() {
        let read = Request::new(1, "resources/read", &json!({ "uri": "demo://counter" })).unwrap();
        let probe = Probe::of(read.params.as_ref());
        let headers = method_headers(
            &Message::Request(read.clone()),
            &probe,
            &ParamTable::default(),
        );
        assert_eq!(headers[1].1, "demo://counter");
        let list = Request::new(2, "tools/list", &json!({ "name": "x" })).unwrap();
        let probe = Probe::of(list.params.as_ref());
        let headers = method_headers(
            &Message::Request(list.clone()),
            &probe,
            &ParamTable::default(),
        );
        assert_eq!(headers.len(), 1, "tools/list has no Mcp-Name");
    }
}
