//! `Mcp-Param-{Name}` headers (2026-07-28): tool parameters marked with `x-mcp-header` in a
//! tool's input schema are mirrored into headers, and the server checks them against the body.
//!
//! The annotations come from the server's own `tools/list` answer, cached until the fanout
//! announces a change of the server's lists.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::http::HeaderMap;
use futures_util::StreamExt as _;
use mcplex_core::StreamableHttp;
use mcplex_core::state::Topic;
use mcplex_protocol::{ErrorCode, ErrorObject, Message, ProtocolVersion, Request, method};
use mcplex_transport::{Reply, RequestContext};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::stateless::decode_value;

/// One annotated parameter: its header and where its value sits in the arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Annotation {
    /// `Mcp-Param-{Name}` as given in the schema.
    header: String,
    /// The chain of `properties` keys leading to the parameter.
    path: Vec<String>,
}

type Table = Arc<HashMap<String, Vec<Annotation>>>;

/// The annotations of every tool, built on demand.
#[derive(Debug, Default)]
pub(crate) struct ParamHeaders {
    table: Mutex<Option<Table>>,
    /// Bumped on every announced change, so a table built across a change is not kept.
    generation: AtomicU64,
    watching: AtomicBool,
}

impl ParamHeaders {
    /// Checks the `Mcp-Param-*` headers of a `tools/call` against its arguments.
    pub(crate) async fn check(
        self: &Arc<Self>,
        http: &StreamableHttp,
        life: &CancellationToken,
        headers: &HeaderMap,
        tool: &str,
        arguments: Option<&str>,
    ) -> Result<(), ErrorObject> {
        let table = self.table(http, life).await;
        let Some(annotations) = table.get(tool) else {
            return Ok(());
        };
        let arguments: Value = arguments
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or(Value::Null);
        for annotation in annotations {
            let value = annotation
                .path
                .iter()
                .try_fold(&arguments, |v, key| v.get(key));
            let Some(value) = value.filter(|v| !v.is_null()) else {
                continue;
            };
            let name = format!("mcp-param-{}", annotation.header.to_ascii_lowercase());
            let shown = format!("Mcp-Param-{}", annotation.header);
            let header = match headers.get(name.as_str()).map(|v| v.to_str()) {
                None => {
                    return Err(mismatch(format!(
                        "header {shown} is required when the argument is present"
                    )));
                }
                Some(Err(_)) => {
                    return Err(mismatch(format!(
                        "header {shown} holds characters that are not allowed"
                    )));
                }
                Some(Ok(v)) => v.trim_matches([' ', '\t']),
            };
            let Some(decoded) = decode_value(header) else {
                return Err(mismatch(format!("header {shown} is not valid Base64")));
            };
            if !matches(&decoded, value) {
                return Err(ErrorObject::header_mismatch(&shown));
            }
        }
        Ok(())
    }

    async fn table(self: &Arc<Self>, http: &StreamableHttp, life: &CancellationToken) -> Table {
        if let Some(table) = self.lock().clone() {
            return table;
        }
        if !self.watching.swap(true, Ordering::AcqRel) {
            self.watch(http, life).await;
        }
        let generation = self.generation.load(Ordering::Acquire);
        let table = Arc::new(build(http).await);
        let mut slot = self.lock();
        if self.generation.load(Ordering::Acquire) == generation {
            *slot = Some(table.clone());
        }
        table
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Table>> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets the table whenever the server announces a change (subscribed before the first
    /// table is built, so no change is missed).
    async fn watch(self: &Arc<Self>, http: &StreamableHttp, life: &CancellationToken) {
        let server = http.server();
        let Ok(mut events) = server.fanout().subscribe(&Topic::events()).await else {
            self.watching.store(false, Ordering::Release);
            return;
        };
        let weak = Arc::downgrade(self);
        let life = life.clone();
        tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    event = events.next() => event,
                    () = life.cancelled() => return,
                };
                let Some(this) = weak.upgrade() else { return };
                this.generation.fetch_add(1, Ordering::AcqRel);
                *this.lock() = None;
                if event.is_none() {
                    this.watching.store(false, Ordering::Release);
                    return;
                }
            }
        });
    }
}

fn mismatch(message: String) -> ErrorObject {
    ErrorObject::new(ErrorCode::HEADER_MISMATCH, message)
}

/// Whether a header value stands for a JSON argument value.
fn matches(header: &str, value: &Value) -> bool {
    match value {
        Value::String(s) => header == s,
        Value::Bool(b) => header == if *b { "true" } else { "false" },
        Value::Number(n) => match (header.parse::<f64>(), n.as_f64()) {
            (Ok(h), Some(v)) => h == v,
            _ => false,
        },
        _ => false,
    }
}

/// Reads every page of the server's own `tools/list` on the stateless wire.
async fn build(http: &StreamableHttp) -> HashMap<String, Vec<Annotation>> {
    let mut table = HashMap::new();
    let mut cursor: Option<String> = None;
    for page in 0..10_000_i64 {
        let mut params = json!({
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": ProtocolVersion::V2026_07_28.as_str(),
                "io.modelcontextprotocol/clientCapabilities": {},
            }
        });
        if let Some(cursor) = &cursor {
            params["cursor"] = Value::String(cursor.clone());
        }
        let Ok(request) = Request::new(page, method::TOOLS_LIST, &params) else {
            break;
        };
        let cx = RequestContext::new().with_protocol_version(ProtocolVersion::V2026_07_28);
        let Ok(Reply::Response(Message::Response(response))) =
            http.handle(Message::Request(request), cx).await
        else {
            break;
        };
        let Ok(result) = response.result.parse::<Value>() else {
            break;
        };
        for tool in result["tools"].as_array().into_iter().flatten() {
            let (Some(name), Some(schema)) = (tool["name"].as_str(), tool.get("inputSchema"))
            else {
                continue;
            };
            let mut found = Vec::new();
            collect(schema, &mut Vec::new(), &mut found);
            if !found.is_empty() {
                table.insert(name.to_owned(), found);
            }
        }
        match result["nextCursor"].as_str() {
            Some(next) if !next.is_empty() => cursor = Some(next.to_owned()),
            _ => break,
        }
    }
    table
}

/// Collects the `x-mcp-header` annotations reachable through `properties` only.
fn collect(schema: &Value, path: &mut Vec<String>, found: &mut Vec<Annotation>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, property) in properties {
        path.push(key.clone());
        if let Some(header) = property.get("x-mcp-header").and_then(Value::as_str) {
            found.push(Annotation {
                header: header.to_owned(),
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

    #[test]
    fn annotations_and_values() {
        let schema = json!({
            "type": "object",
            "properties": {
                "region": { "type": "string", "x-mcp-header": "Region" },
                "opts": { "type": "object", "properties": {
                    "n": { "type": "integer", "x-mcp-header": "N" }
                }},
                "list": { "type": "array", "items": { "x-mcp-header": "Ignored" } }
            }
        });
        let mut found = Vec::new();
        collect(&schema, &mut Vec::new(), &mut found);
        let headers: Vec<_> = found.iter().map(|a| a.header.as_str()).collect();
        assert_eq!(headers, ["N", "Region"]);
        assert_eq!(found[0].path, ["opts", "n"]);
        assert!(matches("42.0", &json!(42)));
        assert!(matches("true", &json!(true)));
        assert!(!matches("x", &json!("y")));
    }
}
