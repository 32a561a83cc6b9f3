//! Prompts.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use mcplex_protocol::model::{GetPromptResult, Prompt, PromptArgument};

use crate::resource::Completer;
use crate::{BoxFuture, Context, HandlerError, IntoOutcome, Outcome};

/// Renders a prompt from its arguments.
///
/// Closures returning `Result<R, HandlerError>` implement it, where `R` is a
/// [`GetPromptResult`], an [`Outcome`] or an [`InputRequired`](crate::InputRequired) (to ask
/// the client for input first).
pub trait PromptHandler: Send + Sync + 'static {
    /// Renders the prompt.
    fn get(
        &self,
        cx: Context,
        arguments: BTreeMap<String, String>,
    ) -> BoxFuture<'static, Result<Outcome<GetPromptResult>, HandlerError>>;
}

impl<F, Fut, R> PromptHandler for F
where
    F: Fn(Context, BTreeMap<String, String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    R: IntoOutcome<GetPromptResult>,
{
    fn get(
        &self,
        cx: Context,
        arguments: BTreeMap<String, String>,
    ) -> BoxFuture<'static, Result<Outcome<GetPromptResult>, HandlerError>> {
        let fut = self(cx, arguments);
        Box::pin(async move { fut.await.map(IntoOutcome::into_outcome) })
    }
}

/// A prompt: metadata, arguments, a handler and optional argument completers.
///
/// Required arguments are checked before the handler runs (`-32602` when missing).
///
/// ```
/// use mcplex_core::PromptDef;
/// use mcplex_protocol::model::{GetPromptResult, PromptMessage};
///
/// let greet = PromptDef::new("greet", |_cx, args: std::collections::BTreeMap<String, String>| async move {
///     Ok(GetPromptResult::new(vec![PromptMessage::user_text(format!("Greet {}", args["name"]))]))
/// })
/// .argument("name", "Who to greet", true);
/// assert_eq!(greet.prompt().arguments.as_ref().unwrap().len(), 1);
/// ```
#[derive(Clone)]
pub struct PromptDef {
    prompt: Prompt,
    handler: Arc<dyn PromptHandler>,
    completers: BTreeMap<String, Arc<dyn Completer>>,
}

impl PromptDef {
    /// A prompt named `name`.
    pub fn new(name: impl Into<String>, handler: impl PromptHandler) -> Self {
        Self {
            prompt: Prompt::new(name),
            handler: Arc::new(handler),
            completers: BTreeMap::new(),
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.prompt.description = Some(description.into());
        self
    }

    /// Sets the human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.prompt.title = Some(title.into());
        self
    }

    /// Declares an argument.
    pub fn argument(
        mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        required: bool,
    ) -> Self {
        let argument = PromptArgument {
            name: name.into(),
            description: Some(description.into()),
            required: Some(required),
            ..PromptArgument::default()
        };
        self.prompt
            .arguments
            .get_or_insert_with(Vec::new)
            .push(argument);
        self
    }

    /// Adds a completer for the argument `name`.
    pub fn complete(mut self, name: impl Into<String>, completer: impl Completer) -> Self {
        self.completers.insert(name.into(), Arc::new(completer));
        self
    }

    /// The prompt metadata.
    pub fn prompt(&self) -> &Prompt {
        &self.prompt
    }

    pub(crate) fn handler(&self) -> &Arc<dyn PromptHandler> {
        &self.handler
    }

    pub(crate) fn completer(&self, name: &str) -> Option<&Arc<dyn Completer>> {
        self.completers.get(name)
    }

    pub(crate) fn missing_argument(&self, arguments: &BTreeMap<String, String>) -> Option<&str> {
        self.prompt
            .arguments
            .iter()
            .flatten()
            .find(|a| a.required == Some(true) && !arguments.contains_key(&a.name))
            .map(|a| a.name.as_str())
    }
}

impl fmt::Debug for PromptDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptDef")
            .field("name", &self.prompt.name)
            .finish_non_exhaustive()
    }
}
