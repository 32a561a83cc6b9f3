//! Tools: definitions, typed handlers and what handlers may return.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use mcplex_protocol::Payload;
use mcplex_protocol::model::{CallToolResult, Content, JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{BoxFuture, Context, HandlerError, InputRequired};

/// What a tool call produced: a final result, or a request for client input.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolOutcome {
    /// The call is complete.
    Complete(Box<CallToolResult>),
    /// The call needs input from the client first.
    InputRequired(InputRequired),
}

impl ToolOutcome {
    /// A complete outcome.
    pub fn complete(result: CallToolResult) -> Self {
        Self::Complete(Box::new(result))
    }
}

/// Converts a handler's return value into a [`ToolOutcome`].
///
/// Implemented for [`CallToolResult`], [`ToolOutcome`], [`InputRequired`], [`Json`], `String`
/// and `&'static str` (a text result), and `Result`s of those whose error converts into
/// [`HandlerError`].
pub trait IntoToolOutcome {
    /// Converts `self`.
    fn into_outcome(self) -> Result<ToolOutcome, HandlerError>;
}

impl IntoToolOutcome for ToolOutcome {
    fn into_outcome(self) -> Result<ToolOutcome, HandlerError> {
        Ok(self)
    }
}

impl IntoToolOutcome for CallToolResult {
    fn into_outcome(self) -> Result<ToolOutcome, HandlerError> {
        Ok(ToolOutcome::complete(self))
    }
}

impl IntoToolOutcome for InputRequired {
    fn into_outcome(self) -> Result<ToolOutcome, HandlerError> {
        Ok(ToolOutcome::InputRequired(self))
    }
}

impl IntoToolOutcome for String {
    fn into_outcome(self) -> Result<ToolOutcome, HandlerError> {
        Ok(ToolOutcome::complete(CallToolResult::text(self)))
    }
}

impl IntoToolOutcome for &'static str {
    fn into_outcome(self) -> Result<ToolOutcome, HandlerError> {
        Ok(ToolOutcome::complete(CallToolResult::text(self)))
    }
}

impl<T: IntoToolOutcome, E: Into<HandlerError>> IntoToolOutcome for Result<T, E> {
    fn into_outcome(self) -> Result<ToolOutcome, HandlerError> {
        self.map_err(Into::into)?.into_outcome()
    }
}

/// Typed tool output: becomes `structuredContent` plus its JSON text as a text block (for
/// clients and revisions without structured content). Declare its schema with
/// [`ToolDef::output`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoToolOutcome for Json<T> {
    fn into_outcome(self) -> Result<ToolOutcome, HandlerError> {
        let value = serde_json::to_value(&self.0)?;
        let text = serde_json::to_string(&value)?;
        Ok(ToolOutcome::complete(CallToolResult {
            content: vec![Content::text(text)],
            structured_content: Some(value),
            ..CallToolResult::default()
        }))
    }
}

/// A tool handler with its arguments still raw; typed handlers are adapted into this.
pub trait ToolHandler: Send + Sync + 'static {
    /// Runs the tool.
    fn call(
        &self,
        cx: Context,
        arguments: Option<Payload>,
    ) -> BoxFuture<'static, Result<ToolOutcome, HandlerError>>;
}

struct TypedTool<F, A> {
    f: F,
    _args: std::marker::PhantomData<fn(A)>,
}

impl<F, A, Fut, R> ToolHandler for TypedTool<F, A>
where
    F: Fn(Context, A) -> Fut + Send + Sync + 'static,
    A: DeserializeOwned + Send + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoToolOutcome,
{
    fn call(
        &self,
        cx: Context,
        arguments: Option<Payload>,
    ) -> BoxFuture<'static, Result<ToolOutcome, HandlerError>> {
        let args = match arguments {
            Some(raw) => raw.parse::<A>(),
            None => serde_json::from_str::<A>("{}"),
        };
        match args {
            Ok(args) => {
                let fut = (self.f)(cx, args);
                Box::pin(async move { fut.await.into_outcome() })
            }
            Err(e) => Box::pin(std::future::ready(Err(HandlerError::new(format!(
                "invalid arguments: {e}"
            ))))),
        }
    }
}

struct RawTool<F>(F);

impl<F, Fut, R> ToolHandler for RawTool<F>
where
    F: Fn(Context, Option<Payload>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoToolOutcome,
{
    fn call(
        &self,
        cx: Context,
        arguments: Option<Payload>,
    ) -> BoxFuture<'static, Result<ToolOutcome, HandlerError>> {
        let fut = (self.0)(cx, arguments);
        Box::pin(async move { fut.await.into_outcome() })
    }
}

/// A tool: its metadata (name, description, schemas, annotations) and its handler.
///
/// ```
/// use mcplex_core::{Context, ToolDef};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct EchoArgs {
///     /// The text to send back.
///     text: String,
/// }
///
/// let echo = ToolDef::new("echo", |_cx: Context, args: EchoArgs| async move { args.text })
///     .description("Returns the text it is given.");
/// assert_eq!(echo.tool().name, "echo");
/// assert_eq!(echo.tool().input_schema["type"], "object");
/// ```
#[derive(Clone)]
pub struct ToolDef {
    // Shared: registry snapshots and every call clone the definition, never the metadata.
    tool: Arc<Tool>,
    handler: Arc<dyn ToolHandler>,
}

impl ToolDef {
    /// A tool whose arguments deserialize into `A`; the input schema is generated from `A`.
    pub fn new<A, F, Fut, R>(name: impl Into<String>, handler: F) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Context, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoToolOutcome,
    {
        let schema = schema_object::<A>();
        Self {
            tool: Arc::new(Tool::new(name, schema)),
            handler: Arc::new(TypedTool {
                f: handler,
                _args: std::marker::PhantomData,
            }),
        }
    }

    /// A tool with a hand-written input schema and raw arguments.
    pub fn raw<F, Fut, R>(name: impl Into<String>, input_schema: JsonObject, handler: F) -> Self
    where
        F: Fn(Context, Option<Payload>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoToolOutcome,
    {
        Self {
            tool: Arc::new(Tool::new(name, input_schema)),
            handler: Arc::new(RawTool(handler)),
        }
    }

    /// Sets the description the model reads to decide when and how to call the tool.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.tool).description = Some(description.into());
        self
    }

    /// Sets the human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.tool).title = Some(title.into());
        self
    }

    /// Sets behaviour hints (read-only, destructive, idempotent, open-world).
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        Arc::make_mut(&mut self.tool).annotations = Some(annotations);
        self
    }

    /// Declares typed output: the output schema is generated from `T`; return [`Json<T>`].
    pub fn output<T: JsonSchema>(mut self) -> Self {
        Arc::make_mut(&mut self.tool).output_schema = Some(schema_object::<T>());
        self
    }

    /// Edits the tool metadata directly (icons, `_meta`, ...).
    pub fn with_tool(mut self, edit: impl FnOnce(&mut Tool)) -> Self {
        edit(Arc::make_mut(&mut self.tool));
        self
    }

    /// The tool metadata.
    pub fn tool(&self) -> &Tool {
        &self.tool
    }

    pub(crate) fn handler(&self) -> &Arc<dyn ToolHandler> {
        &self.handler
    }
}

impl fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolDef")
            .field("name", &self.tool.name)
            .finish_non_exhaustive()
    }
}

/// The JSON Schema (2020-12) of `T` as an object, with the `$schema` keyword removed (tool
/// schemas default to 2020-12).
pub(crate) fn schema_object<T: JsonSchema>() -> JsonObject {
    let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>();
    let mut object = match serde_json::to_value(schema) {
        Ok(serde_json::Value::Object(object)) => object,
        _ => JsonObject::new(),
    };
    object.remove("$schema");
    object.remove("title");
    // The tool's own description says what it does; the type's doc comment would repeat it.
    object.remove("description");
    object
        .entry("type")
        .or_insert_with(|| serde_json::Value::String("object".into()));
    object
}
