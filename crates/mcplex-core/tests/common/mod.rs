//! The fixture server and a raw JSON-RPC client shared by the `server_*` tests.
//!
//! Tests talk to a real [`Server`] over an in-memory connection with hand-written JSON, so
//! they assert exactly what goes over the wire. Every message the server sends is kept in the
//! client's transcript for schema validation ([`Schemas`]).

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mcplex_core::{
    Context, HandlerError, InputRequired, Json, Limits, Principal, PromptDef, ResourceDef, Server,
    ServerBuilder, TemplateDef, ToolDef, ToolOutcome, text_contents,
};
use mcplex_protocol::model::{
    CallToolResult, ElicitParams, ElicitSchema, ElicitValue, GetPromptResult, Implementation,
    LoggingLevel, PrimitiveSchema, PromptMessage, StringSchema, ToolAnnotations,
};
use mcplex_protocol::{Message, ProtocolVersion};
use mcplex_transport::Transport;
use mcplex_transport::memory::{self, MemoryReader, MemoryWriter};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The stateless revision.
pub(crate) const V2026: &str = "2026-07-28";
/// The revisions with an `initialize` handshake.
pub(crate) const STATEFUL: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
/// How long a test waits for a message that must come.
const PATIENCE: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// The fixture server.

/// What the fixture's handlers report back to the tests.
#[derive(Debug, Default)]
pub(crate) struct Probe {
    /// `slow` calls that started.
    pub(crate) started: AtomicUsize,
    /// `slow` calls that saw their cancellation.
    pub(crate) cancelled: AtomicUsize,
}

impl Probe {
    pub(crate) fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    pub(crate) fn cancelled(&self) -> usize {
        self.cancelled.load(Ordering::SeqCst)
    }
}

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    text: String,
}

#[derive(Deserialize, JsonSchema)]
struct SlowArgs {
    ms: u64,
}

#[derive(Deserialize, JsonSchema)]
struct StepsArgs {
    steps: u32,
}

#[derive(Deserialize, JsonSchema)]
struct AddArgs {
    a: f64,
    b: f64,
}

#[derive(Serialize, JsonSchema)]
struct Sum {
    sum: f64,
}

// `ask` takes an optional topic so that two calls can differ in their arguments.
#[derive(Deserialize, JsonSchema)]
struct AskArgs {
    #[serde(default)]
    topic: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
struct NoArgs {}

/// The server info the fixture announces.
fn info() -> Implementation {
    Implementation {
        title: Some("Fixture".into()),
        ..Implementation::new("fixture", "1.0.0")
    }
}

/// The fixture's instructions.
const INSTRUCTIONS: &str = "A server for tests.";

/// The fixture: tools `add`, `ask`, `echo`, `fail`, `log`, `panic`, `progress`, `slow` and
/// `whoami`; the resource `test://r`; the template `test://items/{id}`; the prompt `p`.
fn fixture(probe: &Arc<Probe>) -> ServerBuilder {
    let slow_probe = probe.clone();
    Server::builder()
        .info(info())
        .instructions(INSTRUCTIONS)
        .tool(
            ToolDef::new("echo", |_cx: Context, a: EchoArgs| async move { a.text })
                .description("Returns the text."),
        )
        .tool(
            ToolDef::new("add", |_cx: Context, a: AddArgs| async move {
                Json(Sum { sum: a.a + a.b })
            })
            .title("Adder")
            .annotations(ToolAnnotations {
                read_only_hint: Some(true),
                ..ToolAnnotations::default()
            })
            .output::<Sum>(),
        )
        .tool(ToolDef::new("slow", move |cx: Context, a: SlowArgs| {
            let probe = slow_probe.clone();
            async move {
                probe.started.fetch_add(1, Ordering::SeqCst);
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(a.ms)) => "done",
                    () = cx.cancellation().cancelled() => {
                        probe.cancelled.fetch_add(1, Ordering::SeqCst);
                        "cancelled"
                    }
                }
            }
        }))
        .tool(ToolDef::new(
            "progress",
            |cx: Context, a: StepsArgs| async move {
                for step in 1..=a.steps {
                    cx.progress(f64::from(step), Some(f64::from(a.steps)), Some("working"));
                }
                "done"
            },
        ))
        .tool(ToolDef::new("ask", |cx: Context, a: AskArgs| async move {
            ask(&cx, a.topic)
        }))
        .tool(ToolDef::new(
            "panic",
            |_cx: Context, _: NoArgs| async move { explode() },
        ))
        .tool(ToolDef::new("fail", |_cx: Context, _: NoArgs| async move {
            Err::<String, _>(HandlerError::new("boom"))
        }))
        .tool(ToolDef::new("log", |cx: Context, _: NoArgs| async move {
            for (level, text) in [
                (LoggingLevel::Debug, "debug"),
                (LoggingLevel::Info, "info"),
                (LoggingLevel::Warning, "warning"),
                (LoggingLevel::Error, "error"),
            ] {
                cx.log(level, Some("fixture"), text);
            }
            "logged"
        }))
        .tool(ToolDef::new(
            "whoami",
            |cx: Context, _: NoArgs| async move {
                cx.principal()
                    .map_or_else(|| "anonymous".to_owned(), |p| p.subject().to_owned())
            },
        ))
        .resource(
            ResourceDef::new("test://r", "r", |_cx, uri: String, _vars| async move {
                Ok(text_contents(uri, "fixed", "text/plain"))
            })
            .title("R")
            .mime_type("text/plain"),
        )
        .resource_template(
            TemplateDef::new(
                "test://items/{id}",
                "items",
                |_cx, uri: String, vars: BTreeMap<String, String>| async move {
                    Ok(text_contents(
                        uri,
                        format!("item {}", vars["id"]),
                        "text/plain",
                    ))
                },
            )
            .mime_type("text/plain")
            .complete("id", complete_fruit),
        )
        .prompt(
            PromptDef::new("p", |_cx, args: BTreeMap<String, String>| async move {
                Ok(GetPromptResult::new(vec![PromptMessage::user_text(
                    format!("Tell me about {}", args["topic"]),
                )]))
            })
            .description("A prompt with a required argument.")
            .argument("topic", "What to talk about", true)
            .complete("topic", complete_fruit),
        )
}

/// Completes fruit names by prefix.
async fn complete_fruit(
    _cx: Context,
    value: String,
    _context: BTreeMap<String, String>,
) -> Result<Vec<String>, HandlerError> {
    Ok(["apple", "apricot", "banana"]
        .into_iter()
        .filter(|f| f.starts_with(&value))
        .map(str::to_owned)
        .collect())
}

/// The `panic` tool's body.
fn explode() -> &'static str {
    panic!("the fixture panics on purpose")
}

/// The `ask` tool: asks for a name first, then reports the answer and its state.
fn ask(cx: &Context, topic: Option<String>) -> ToolOutcome {
    if cx.input().is_empty() {
        let schema = ElicitSchema::new(BTreeMap::from([(
            "name".to_owned(),
            PrimitiveSchema::String(StringSchema::default()),
        )]));
        return ToolOutcome::InputRequired(
            InputRequired::new()
                .elicit("name", ElicitParams::form("What is your name?", schema))
                .state(json!({ "n": 1 })),
        );
    }
    let state = cx.state().cloned().unwrap_or(Value::Null);
    let name = match cx.input().accepted("name").and_then(|c| c.get("name")) {
        Some(ElicitValue::String(name)) => name.clone(),
        Some(other) => format!("{other:?}"),
        None => "nobody".to_owned(),
    };
    let topic = topic.unwrap_or_default();
    ToolOutcome::complete(CallToolResult::text(format!(
        "hello {name}; state {state}; topic {topic}"
    )))
}

/// A tool without arguments that answers with its own name.
pub(crate) fn plain_tool(name: &str) -> ToolDef {
    let answer = name.to_owned();
    ToolDef::new(name, move |_cx: Context, _: NoArgs| {
        let answer = answer.clone();
        async move { answer }
    })
}

/// The fixture with default limits.
pub(crate) fn server() -> (Server, Arc<Probe>) {
    server_with(Limits::default())
}

/// The fixture with the given limits.
pub(crate) fn server_with(limits: Limits) -> (Server, Arc<Probe>) {
    let probe = Arc::new(Probe::default());
    (fixture(&probe).limits(limits).build(), probe)
}

/// Default limits with `edit` applied.
pub(crate) fn limits(edit: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::default();
    edit(&mut limits);
    limits
}

// ---------------------------------------------------------------------------------------------
// The client.

/// The client end of a served connection, speaking raw JSON.
#[derive(Debug)]
pub(crate) struct Client {
    writer: MemoryWriter,
    reader: MemoryReader,
    /// Messages read while waiting for something else.
    queue: VecDeque<Value>,
    /// Every message the server sent, in order.
    pub(crate) transcript: Vec<Value>,
    /// The method of every request sent, by JSON id.
    pub(crate) methods: HashMap<String, String>,
}

/// Serves a new in-memory connection on `server` and returns its client end.
pub(crate) fn connect(server: &Server) -> Client {
    connect_as(server, None)
}

/// Like [`connect`], with `principal` attached to the connection as authentication would.
pub(crate) fn connect_as(server: &Server, principal: Option<Principal>) -> Client {
    let (mut server_end, client_end) = memory::pair(64);
    if let Some(principal) = principal {
        server_end.info_mut().extensions_mut().insert(principal);
    }
    let server = server.clone();
    tokio::spawn(async move { server.serve_connection(server_end).await });
    let (reader, writer, _) = client_end.split();
    Client {
        writer,
        reader,
        queue: VecDeque::new(),
        transcript: Vec::new(),
        methods: HashMap::new(),
    }
}

impl Client {
    /// Sends one message, given as JSON.
    pub(crate) async fn send(&mut self, message: Value) {
        if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
            self.methods.insert(id.to_string(), method.to_owned());
        }
        let bytes = serde_json::to_vec(&message).expect("JSON encodes");
        let message = mcplex_protocol::decode(&bytes).expect("the test sends valid messages");
        self.writer.send(message).await.expect("the server is up");
    }

    /// Reads a message from the server, or `None` when the connection ended.
    async fn read(&mut self) -> Option<Value> {
        let message: Message = match tokio::time::timeout(PATIENCE, self.reader.next()).await {
            Ok(Some(item)) => item.expect("the memory transport does not fail"),
            Ok(None) => return None,
            Err(_) => panic!("no message from the server within {PATIENCE:?}"),
        };
        let value = serde_json::to_value(&message).expect("messages encode");
        self.transcript.push(value.clone());
        Some(value)
    }

    /// The next message from the server (queued ones first).
    pub(crate) async fn recv(&mut self) -> Value {
        match self.queue.pop_front() {
            Some(value) => value,
            None => self.read().await.expect("the connection is open"),
        }
    }

    /// Asserts the server sends nothing (more) for `ms` milliseconds.
    pub(crate) async fn silent(&mut self, ms: u64) {
        assert!(self.queue.is_empty(), "unexpected: {:?}", self.queue);
        if let Ok(Some(item)) =
            tokio::time::timeout(Duration::from_millis(ms), self.reader.next()).await
        {
            let message = item.expect("the memory transport does not fail");
            panic!("unexpected message: {}", message.to_json_string());
        }
    }

    /// Waits until the server closes the connection; returns what it sent before.
    pub(crate) async fn closed(&mut self) -> Vec<Value> {
        let mut rest: Vec<Value> = self.queue.drain(..).collect();
        while let Some(value) = self.read().await {
            rest.push(value);
        }
        rest
    }

    /// Sends a request and returns its response; other messages are queued for [`recv`].
    ///
    /// [`recv`]: Client::recv
    pub(crate) async fn request(&mut self, request: Value) -> Value {
        let id = request["id"].clone();
        self.send(request).await;
        if let Some(at) = self.queue.iter().position(|m| is_response_to(m, &id)) {
            return self.queue.remove(at).expect("found above");
        }
        loop {
            let message = self.read().await.expect("the connection is open");
            if is_response_to(&message, &id) {
                return message;
            }
            self.queue.push_back(message);
        }
    }

    /// Messages received while waiting for responses, taken out of the queue.
    pub(crate) fn take_queued(&mut self) -> Vec<Value> {
        self.queue.drain(..).collect()
    }

    /// Initializes a stateful session at `version` with client capabilities `caps`, sends
    /// `notifications/initialized`, and returns the `initialize` result.
    pub(crate) async fn initialize(&mut self, version: &str, caps: Value) -> Value {
        let response = self
            .request(json!({
                "jsonrpc": "2.0", "id": "init", "method": "initialize",
                "params": {
                    "protocolVersion": version,
                    "capabilities": caps,
                    "clientInfo": { "name": "test-client", "version": "0.0.1" },
                },
            }))
            .await;
        let result = result(&response).clone();
        self.send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
            .await;
        result
    }
}

/// A fixture server and a client with an initialized session at `version`.
pub(crate) async fn stateful(version: &str, caps: Value) -> (Server, Arc<Probe>, Client) {
    let (server, probe) = server();
    let mut client = connect(&server);
    client.initialize(version, caps).await;
    (server, probe, client)
}

/// Whether revision `v` is `min` or later (revision names sort by date).
pub(crate) fn since(v: &str, min: &str) -> bool {
    v >= min
}

fn is_response_to(message: &Value, id: &Value) -> bool {
    message.get("method").is_none() && message.get("id") == Some(id)
}

// ---------------------------------------------------------------------------------------------
// Building requests and reading responses.

/// A request.
pub(crate) fn req(id: impl Into<Value>, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id.into(), "method": method, "params": params })
}

/// The `_meta` of a 2026-07-28 request with the given client capabilities.
pub(crate) fn meta26(caps: Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": V2026,
        "io.modelcontextprotocol/clientCapabilities": caps,
    })
}

/// A 2026-07-28 request: `params` plus a `_meta` naming the revision and (empty) client
/// capabilities, unless `params` already has them.
pub(crate) fn req26(id: impl Into<Value>, method: &str, mut params: Value) -> Value {
    let defaults = meta26(json!({}));
    let meta = params
        .as_object_mut()
        .expect("params are an object")
        .entry("_meta")
        .or_insert_with(|| json!({}));
    for (key, value) in defaults.as_object().expect("an object") {
        meta.as_object_mut()
            .expect("_meta is an object")
            .entry(key.clone())
            .or_insert_with(|| value.clone());
    }
    req(id, method, params)
}

/// The result of a response, which must not be an error.
#[track_caller]
pub(crate) fn result(response: &Value) -> &Value {
    assert!(
        response.get("error").is_none(),
        "expected a result: {response}"
    );
    &response["result"]
}

/// The error of a response, which must be an error.
#[track_caller]
pub(crate) fn error(response: &Value) -> &Value {
    assert!(
        response.get("result").is_none(),
        "expected an error: {response}"
    );
    &response["error"]
}

/// The text of the first content block of a tool result.
#[track_caller]
pub(crate) fn text(result: &Value) -> &str {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text content: {result}"))
}

/// The `_meta` a 2026-07-28 result carries: the server's identity.
pub(crate) fn server_meta() -> Value {
    json!({ "io.modelcontextprotocol/serverInfo": { "name": "fixture", "title": "Fixture", "version": "1.0.0" } })
}

/// `value` with every number as a float, to compare numbers whatever their JSON spelling
/// (`1` or `1.0`).
pub(crate) fn floats(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64().expect("finite")),
        Value::Array(items) => Value::Array(items.iter().map(floats).collect()),
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| (k.clone(), floats(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        other => other.clone(),
    }
}

/// Waits until `condition` holds (panics after a while).
pub(crate) async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Schema validation of server output.

/// The official schemas, with compiled validators per revision and definition.
pub(crate) struct Schemas {
    docs: HashMap<ProtocolVersion, Value>,
    validators: HashMap<(ProtocolVersion, String), jsonschema::Validator>,
}

impl Schemas {
    /// Loads `schema/<revision>/schema.json` of every revision from `$MCPLEX_SPEC_DIR` or
    /// `shared/spec` beside the repository.
    pub(crate) fn load() -> Self {
        let dir = match std::env::var_os("MCPLEX_SPEC_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec"),
        };
        let docs = ProtocolVersion::ALL
            .into_iter()
            .map(|v| {
                let path = dir.join("schema").join(v.as_str()).join("schema.json");
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                    panic!("the MCP schema is expected at {}: {e}", path.display())
                });
                (v, serde_json::from_str(&text).expect("schema.json is JSON"))
            })
            .collect();
        Self {
            docs,
            validators: HashMap::new(),
        }
    }

    /// Validates `instance` against `definition` of revision `v`.
    pub(crate) fn check(
        &mut self,
        v: ProtocolVersion,
        definition: &str,
        instance: &Value,
    ) -> Result<(), String> {
        let doc = &self.docs[&v];
        let defs = if doc.get("$defs").is_some() {
            "$defs"
        } else {
            "definitions"
        };
        if doc[defs].get(definition).is_none() {
            return Err(format!("{v} defines no {definition}"));
        }
        let validator = self
            .validators
            .entry((v, definition.to_owned()))
            .or_insert_with(|| {
                let mut doc = doc.clone();
                doc["$ref"] = json!(format!("#/{defs}/{definition}"));
                jsonschema::validator_for(&doc).expect("the official schema compiles")
            });
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{e} (at {})", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// Validates every message of a transcript as a `JSONRPCMessage` of revision `v`, and
    /// each one against its specific definition where the method tells it. Returns the
    /// failures, one line each.
    pub(crate) fn check_transcript(&mut self, v: ProtocolVersion, client: &Client) -> Vec<String> {
        let mut failures = Vec::new();
        for message in &client.transcript {
            let mut checks = vec![("JSONRPCMessage", message)];
            checks.extend(specific_definition(v, message, &client.methods));
            for (definition, instance) in checks {
                if let Err(e) = self.check(v, definition, instance) {
                    failures.push(format!("{v} {definition}: {message}: {e}"));
                }
            }
        }
        failures
    }
}

/// The definition a message must satisfy besides `JSONRPCMessage`, with the part of the
/// message it describes: the result type of the request a response answers (checked against
/// the result), or the notification, request or error type (checked against the message).
fn specific_definition<'a>(
    v: ProtocolVersion,
    message: &'a Value,
    methods: &HashMap<String, String>,
) -> Option<(&'static str, &'a Value)> {
    if let Some(method) = message["method"].as_str() {
        let name = match method {
            "notifications/message" => "LoggingMessageNotification",
            "notifications/progress" => "ProgressNotification",
            "notifications/cancelled" => "CancelledNotification",
            "notifications/resources/updated" => "ResourceUpdatedNotification",
            "notifications/resources/list_changed" => "ResourceListChangedNotification",
            "notifications/tools/list_changed" => "ToolListChangedNotification",
            "notifications/prompts/list_changed" => "PromptListChangedNotification",
            "notifications/subscriptions/acknowledged" => "SubscriptionsAcknowledgedNotification",
            "elicitation/create" => "ElicitRequest",
            "sampling/createMessage" => "CreateMessageRequest",
            "roots/list" => "ListRootsRequest",
            _ => return None,
        };
        return Some((name, message));
    }
    if let Some(error) = message.get("error") {
        let name = match error["code"].as_i64() {
            Some(-32022) => "UnsupportedProtocolVersionError",
            Some(-32021) => "MissingRequiredClientCapabilityError",
            _ if v >= ProtocolVersion::V2025_11_25 => "JSONRPCErrorResponse",
            _ => "JSONRPCError",
        };
        return Some((name, message));
    }
    let method = methods.get(&message["id"].to_string())?;
    let result = &message["result"];
    let name = match method.as_str() {
        "initialize" => "InitializeResult",
        "ping" | "logging/setLevel" | "resources/subscribe" | "resources/unsubscribe" => {
            "EmptyResult"
        }
        "server/discover" => "DiscoverResult",
        "tools/list" => "ListToolsResult",
        "tools/call" if result["resultType"] == "input_required" => "InputRequiredResult",
        "tools/call" => "CallToolResult",
        "resources/list" => "ListResourcesResult",
        "resources/templates/list" => "ListResourceTemplatesResult",
        "resources/read" => "ReadResourceResult",
        "prompts/list" => "ListPromptsResult",
        "prompts/get" => "GetPromptResult",
        "completion/complete" => "CompleteResult",
        "subscriptions/listen" => "SubscriptionsListenResult",
        _ => return None,
    };
    Some((name, result))
}
