//! Resources and resource templates.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use mcplex_protocol::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};

use crate::{BoxFuture, Context, HandlerError, IntoOutcome, Outcome};

/// What a resource reader usually returns.
pub type ReadResult = Result<ReadResourceResult, HandlerError>;

/// Reads a resource.
///
/// Closures returning `Result<R, HandlerError>` implement it, where `R` is a
/// [`ReadResourceResult`], an [`Outcome`] or an [`InputRequired`](crate::InputRequired).
pub trait ResourceReader: Send + Sync + 'static {
    /// Reads `uri`; `vars` holds the template variables (empty for fixed resources).
    fn read(
        &self,
        cx: Context,
        uri: String,
        vars: TemplateVars,
    ) -> BoxFuture<'static, Result<Outcome<ReadResourceResult>, HandlerError>>;
}

impl<F, Fut, R> ResourceReader for F
where
    F: Fn(Context, String, TemplateVars) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    R: IntoOutcome<ReadResourceResult>,
{
    fn read(
        &self,
        cx: Context,
        uri: String,
        vars: TemplateVars,
    ) -> BoxFuture<'static, Result<Outcome<ReadResourceResult>, HandlerError>> {
        let fut = self(cx, uri, vars);
        Box::pin(async move { fut.await.map(IntoOutcome::into_outcome) })
    }
}

/// A fixed resource: its metadata and its reader.
///
/// ```
/// use mcplex_core::ResourceDef;
/// use mcplex_protocol::model::{ReadResourceResult, ResourceContents};
///
/// let motd = ResourceDef::new("demo://motd", "motd", |_cx, uri: String, _vars| async move {
///     Ok(ReadResourceResult::new(vec![ResourceContents::text(uri, Some("text/plain".into()), "hello")]))
/// })
/// .mime_type("text/plain");
/// assert_eq!(motd.resource().uri, "demo://motd");
/// ```
#[derive(Clone)]
pub struct ResourceDef {
    resource: Resource,
    reader: Arc<dyn ResourceReader>,
}

impl ResourceDef {
    /// A resource at `uri` named `name`.
    pub fn new(
        uri: impl Into<String>,
        name: impl Into<String>,
        reader: impl ResourceReader,
    ) -> Self {
        Self {
            resource: Resource::new(uri, name),
            reader: Arc::new(reader),
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.resource.description = Some(description.into());
        self
    }

    /// Sets the MIME type.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.resource.mime_type = Some(mime_type.into());
        self
    }

    /// Sets the human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.resource.title = Some(title.into());
        self
    }

    /// The resource metadata.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    pub(crate) fn reader(&self) -> &Arc<dyn ResourceReader> {
        &self.reader
    }
}

impl fmt::Debug for ResourceDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceDef")
            .field("uri", &self.resource.uri)
            .finish_non_exhaustive()
    }
}

/// Variables matched from a URI template, by name.
pub type TemplateVars = BTreeMap<String, String>;

/// Completes an argument: gets the partial value and the other arguments, returns candidates.
pub trait Completer: Send + Sync + 'static {
    /// Candidates for `value` (at most 100 are sent).
    fn complete(
        &self,
        cx: Context,
        value: String,
        context: BTreeMap<String, String>,
    ) -> BoxFuture<'static, Result<Vec<String>, HandlerError>>;
}

impl<F, Fut> Completer for F
where
    F: Fn(Context, String, BTreeMap<String, String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<String>, HandlerError>> + Send + 'static,
{
    fn complete(
        &self,
        cx: Context,
        value: String,
        context: BTreeMap<String, String>,
    ) -> BoxFuture<'static, Result<Vec<String>, HandlerError>> {
        Box::pin(self(cx, value, context))
    }
}

/// A resource template (`notes://{name}`): metadata, a reader for matching URIs and optional
/// completers for its variables.
#[derive(Clone)]
pub struct TemplateDef {
    template: ResourceTemplate,
    pattern: UriTemplate,
    reader: Arc<dyn ResourceReader>,
    completers: BTreeMap<String, Arc<dyn Completer>>,
}

impl TemplateDef {
    /// A template; `{var}` matches one path segment, `{+var}` matches the rest of the URI.
    pub fn new(
        uri_template: impl Into<String>,
        name: impl Into<String>,
        reader: impl ResourceReader,
    ) -> Self {
        let template = ResourceTemplate::new(uri_template, name);
        let pattern = UriTemplate::parse(&template.uri_template);
        Self {
            template,
            pattern,
            reader: Arc::new(reader),
            completers: BTreeMap::new(),
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.template.description = Some(description.into());
        self
    }

    /// Sets the MIME type of matching resources.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.template.mime_type = Some(mime_type.into());
        self
    }

    /// Adds a completer for the variable `name`.
    pub fn complete(mut self, name: impl Into<String>, completer: impl Completer) -> Self {
        self.completers.insert(name.into(), Arc::new(completer));
        self
    }

    /// The template metadata.
    pub fn template(&self) -> &ResourceTemplate {
        &self.template
    }

    pub(crate) fn matches(&self, uri: &str) -> Option<TemplateVars> {
        self.pattern.matches(uri)
    }

    pub(crate) fn reader(&self) -> &Arc<dyn ResourceReader> {
        &self.reader
    }

    pub(crate) fn completer(&self, name: &str) -> Option<&Arc<dyn Completer>> {
        self.completers.get(name)
    }
}

impl fmt::Debug for TemplateDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemplateDef")
            .field("uri_template", &self.template.uri_template)
            .finish_non_exhaustive()
    }
}

/// A text resource's contents, for readers: `text(uri, "...")`.
pub fn text_contents(
    uri: impl Into<String>,
    text: impl Into<String>,
    mime: &str,
) -> ReadResourceResult {
    ReadResourceResult::new(vec![ResourceContents::text(
        uri,
        Some(mime.to_owned()),
        text,
    )])
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Segment(String),
    Rest(String),
}

/// A level-1 URI template (RFC 6570 simple and reserved expansion) used for matching.
#[derive(Clone, Debug, PartialEq, Eq)]
struct UriTemplate {
    parts: Vec<Part>,
}

impl UriTemplate {
    fn parse(template: &str) -> Self {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let expr = &rest[open + 1..open + close];
            parts.push(match expr.strip_prefix('+') {
                Some(name) => Part::Rest(name.to_owned()),
                None => Part::Segment(expr.to_owned()),
            });
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Self { parts }
    }

    fn matches(&self, uri: &str) -> Option<TemplateVars> {
        let mut vars = TemplateVars::new();
        let mut rest = uri;
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Literal(lit) => rest = rest.strip_prefix(lit.as_str())?,
                Part::Segment(name) | Part::Rest(name) => {
                    let stop = match self.parts.get(i + 1) {
                        Some(Part::Literal(lit)) => rest.find(lit.as_str()).unwrap_or(rest.len()),
                        _ => rest.len(),
                    };
                    let value = &rest[..stop];
                    if value.is_empty()
                        || (matches!(part, Part::Segment(_)) && value.contains(['/', '?', '#']))
                    {
                        return None;
                    }
                    vars.insert(name.clone(), value.to_owned());
                    rest = &rest[stop..];
                }
            }
        }
        rest.is_empty().then_some(vars)
    }
}

#[cfg(test)]
mod tests {
    use super::UriTemplate;

    #[test]
    fn matches_segments_and_rest() {
        let t = UriTemplate::parse("notes://{name}");
        assert_eq!(t.matches("notes://todo").unwrap()["name"], "todo");
        assert!(t.matches("notes://").is_none());
        assert!(t.matches("notes://a/b").is_none());
        assert!(t.matches("other://a").is_none());

        let t = UriTemplate::parse("file:///{+path}");
        assert_eq!(t.matches("file:///a/b.txt").unwrap()["path"], "a/b.txt");

        let t = UriTemplate::parse("db://{table}/rows/{id}");
        let vars = t.matches("db://users/rows/42").unwrap();
        assert_eq!(
            (vars["table"].as_str(), vars["id"].as_str()),
            ("users", "42")
        );
    }
}
