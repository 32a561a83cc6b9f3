//! The server: what it offers and the handle used to serve connections.

use std::fmt;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use mcplex_protocol::model::{
    Implementation, PromptsCapability, ResourcesCapability, ResultMeta, ServerCapabilities,
    ToolsCapability,
};
use mcplex_transport::Extensions;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

use crate::registry::Registry;
use crate::seal::Sealer;
use crate::session::lock_read;
use crate::state::memory::{MemoryEventStore, MemoryFanout, MemoryKvStore, MemorySessionStore};
use crate::state::{EventStore, Fanout, KvStore, SessionStore, Topic};
use crate::{Limits, PromptDef, ResourceDef, TemplateDef, ToolDef};

/// An MCP server: tools, resources, templates and prompts, served over any transport and every
/// protocol revision.
///
/// `Server` is a cheap handle (clones share everything). Build one with [`Server::builder`],
/// then serve connections with [`Server::serve_connection`] (stdio, WebSocket) or hand it to
/// an HTTP transport, which drives it through [`mcplex_transport::Dispatch`].
#[derive(Clone)]
pub struct Server {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) info: Implementation,
    pub(crate) instructions: Option<String>,
    pub(crate) capabilities: ServerCapabilities,
    pub(crate) registry: RwLock<Arc<Registry>>,
    pub(crate) limits: Limits,
    pub(crate) fanout: Arc<dyn Fanout>,
    pub(crate) sessions: Arc<dyn SessionStore>,
    pub(crate) events: Arc<dyn EventStore>,
    pub(crate) kv: Arc<dyn KvStore>,
    pub(crate) sealer: Sealer,
    /// `{"io.modelcontextprotocol/serverInfo": info}`, serialized once: the `_meta` of every
    /// 2026-07-28 result that carries no `_meta` of its own.
    pub(crate) result_meta: Box<RawValue>,
    pub(crate) extensions: Extensions,
    pub(crate) shutdown: CancellationToken,
}

/// A change announced to every instance through the [`Fanout`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(crate) enum Event {
    ResourceUpdated { uri: String },
    ToolsChanged,
    ResourcesChanged,
    PromptsChanged,
}

impl Server {
    /// Starts building a server.
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// Who the server is.
    pub fn info(&self) -> &Implementation {
        &self.inner.info
    }

    /// What the server offers.
    pub fn capabilities(&self) -> &ServerCapabilities {
        &self.inner.capabilities
    }

    /// The configured limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The shared key-value store.
    pub fn kv(&self) -> &Arc<dyn KvStore> {
        &self.inner.kv
    }

    /// The fanout that carries notifications between instances.
    pub fn fanout(&self) -> &Arc<dyn Fanout> {
        &self.inner.fanout
    }

    /// The stateful-session store.
    pub fn session_store(&self) -> &Arc<dyn SessionStore> {
        &self.inner.sessions
    }

    /// The event store used for stream resumption.
    pub fn event_store(&self) -> &Arc<dyn EventStore> {
        &self.inner.events
    }

    /// Shared state registered with [`ServerBuilder::extension`].
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.extensions.get::<T>()
    }

    /// The registered tools' metadata, sorted by name (as `tools/list` lists them).
    pub fn tools(&self) -> Vec<mcplex_protocol::model::Tool> {
        self.registry()
            .tools()
            .iter()
            .map(|t| t.tool().clone())
            .collect()
    }

    /// Tells every subscriber, on every instance, that the resource at `uri` changed.
    ///
    /// # Errors
    ///
    /// Fails when the fanout backend is unavailable.
    pub async fn notify_resource_updated(&self, uri: &str) -> crate::state::Result<()> {
        self.publish(&Event::ResourceUpdated {
            uri: uri.to_owned(),
        })
        .await
    }

    /// Registers (or replaces) a tool at run time and announces the change.
    ///
    /// # Errors
    ///
    /// Fails when the fanout backend is unavailable (the tool is registered regardless).
    pub async fn add_tool(&self, tool: ToolDef) -> crate::state::Result<()> {
        self.update(|tools, _, _, _| {
            tools.retain(|t| t.tool().name != tool.tool().name);
            tools.push(tool);
        });
        self.publish(&Event::ToolsChanged).await
    }

    /// Removes a tool at run time and announces the change; `false` if there was none.
    ///
    /// # Errors
    ///
    /// Fails when the fanout backend is unavailable (the tool is removed regardless).
    pub async fn remove_tool(&self, name: &str) -> crate::state::Result<bool> {
        let mut removed = false;
        self.update(|tools, _, _, _| {
            let before = tools.len();
            tools.retain(|t| t.tool().name != name);
            removed = tools.len() != before;
        });
        if removed {
            self.publish(&Event::ToolsChanged).await?;
        }
        Ok(removed)
    }

    /// Registers (or replaces) a resource at run time and announces the change.
    ///
    /// # Errors
    ///
    /// Fails when the fanout backend is unavailable (the resource is registered regardless).
    pub async fn add_resource(&self, resource: ResourceDef) -> crate::state::Result<()> {
        self.update(|_, resources, _, _| {
            resources.retain(|r| r.resource().uri != resource.resource().uri);
            resources.push(resource);
        });
        self.publish(&Event::ResourcesChanged).await
    }

    /// Registers (or replaces) a prompt at run time and announces the change.
    ///
    /// # Errors
    ///
    /// Fails when the fanout backend is unavailable (the prompt is registered regardless).
    pub async fn add_prompt(&self, prompt: PromptDef) -> crate::state::Result<()> {
        self.update(|_, _, _, prompts| {
            prompts.retain(|p| p.prompt().name != prompt.prompt().name);
            prompts.push(prompt);
        });
        self.publish(&Event::PromptsChanged).await
    }

    /// Stops serving: connections stop reading new messages, requests in flight get until
    /// [`Limits::shutdown_grace`](crate::Limits::shutdown_grace) to finish (their responses are
    /// still sent), then the rest is cancelled; `subscriptions/listen` streams end at once with
    /// their final result.
    pub fn shutdown(&self) {
        self.inner.shutdown.cancel();
    }

    /// Fires when [`Server::shutdown`] is called.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    pub(crate) fn registry(&self) -> Arc<Registry> {
        lock_read(&self.inner.registry).clone()
    }

    fn update(
        &self,
        edit: impl FnOnce(
            &mut Vec<ToolDef>,
            &mut Vec<ResourceDef>,
            &mut Vec<TemplateDef>,
            &mut Vec<PromptDef>,
        ),
    ) {
        let mut slot = self
            .inner
            .registry
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut tools = slot.tools().to_vec();
        let mut resources = slot.resources().to_vec();
        let mut templates = slot.templates().to_vec();
        let mut prompts = slot.prompts().to_vec();
        edit(&mut tools, &mut resources, &mut templates, &mut prompts);
        *slot = Arc::new(Registry::new(
            tools,
            resources,
            templates,
            prompts,
            self.inner.limits.page_size,
        ));
    }

    pub(crate) async fn publish(&self, event: &Event) -> crate::state::Result<()> {
        let bytes = serde_json::to_vec(event).expect("events serialize");
        self.inner
            .fanout
            .publish(&Topic::events(), Bytes::from(bytes))
            .await
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("info", &self.inner.info)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Server`].
///
/// ```
/// use mcplex_core::{Context, Server, ToolDef};
/// use mcplex_protocol::model::Implementation;
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Args { text: String }
///
/// let server = Server::builder()
///     .info(Implementation::new("example", "1.0.0"))
///     .instructions("Call echo to get your text back.")
///     .tool(ToolDef::new("echo", |_cx: Context, a: Args| async move { a.text }))
///     .build();
/// assert_eq!(server.info().name, "example");
/// assert!(server.capabilities().tools.is_some());
/// ```
#[derive(Default)]
pub struct ServerBuilder {
    info: Option<Implementation>,
    instructions: Option<String>,
    tools: Vec<ToolDef>,
    resources: Vec<ResourceDef>,
    templates: Vec<TemplateDef>,
    prompts: Vec<PromptDef>,
    limits: Limits,
    fanout: Option<Arc<dyn Fanout>>,
    sessions: Option<Arc<dyn SessionStore>>,
    events: Option<Arc<dyn EventStore>>,
    kv: Option<Arc<dyn KvStore>>,
    sealer: Option<Sealer>,
    extensions: Extensions,
}

impl ServerBuilder {
    /// Sets who the server is (name, version, title, ...).
    pub fn info(mut self, info: Implementation) -> Self {
        self.info = Some(info);
        self
    }

    /// Sets instructions for the client's model.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Adds a tool.
    pub fn tool(mut self, tool: ToolDef) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds a resource.
    pub fn resource(mut self, resource: ResourceDef) -> Self {
        self.resources.push(resource);
        self
    }

    /// Adds a resource template.
    pub fn resource_template(mut self, template: TemplateDef) -> Self {
        self.templates.push(template);
        self
    }

    /// Adds a prompt.
    pub fn prompt(mut self, prompt: PromptDef) -> Self {
        self.prompts.push(prompt);
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Uses a fanout other than the in-memory one (for example Redis, to scale out).
    pub fn fanout(mut self, fanout: Arc<dyn Fanout>) -> Self {
        self.fanout = Some(fanout);
        self
    }

    /// Uses a session store other than the in-memory one.
    pub fn session_store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.sessions = Some(store);
        self
    }

    /// Uses an event store other than the in-memory one.
    pub fn event_store(mut self, store: Arc<dyn EventStore>) -> Self {
        self.events = Some(store);
        self
    }

    /// Uses a key-value store other than the in-memory one.
    pub fn kv_store(mut self, store: Arc<dyn KvStore>) -> Self {
        self.kv = Some(store);
        self
    }

    /// Seals multi round-trip request state with this sealer (share its key between instances).
    pub fn sealer(mut self, sealer: Sealer) -> Self {
        self.sealer = Some(sealer);
        self
    }

    /// Adds shared state that handlers reach through [`Server::extension`].
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Builds the server.
    pub fn build(self) -> Server {
        let capabilities = ServerCapabilities {
            tools: Some(ToolsCapability {
                list_changed: Some(true),
            }),
            resources: Some(ResourcesCapability {
                subscribe: Some(true),
                list_changed: Some(true),
            }),
            prompts: Some(PromptsCapability {
                list_changed: Some(true),
            }),
            completions: Some(Default::default()),
            logging: Some(Default::default()),
            ..ServerCapabilities::default()
        };
        let limits = self.limits;
        let registry = Registry::new(
            self.tools,
            self.resources,
            self.templates,
            self.prompts,
            limits.page_size,
        );
        let info = self
            .info
            .unwrap_or_else(|| Implementation::new("mcplex", env!("CARGO_PKG_VERSION")));
        let result_meta = serde_json::value::to_raw_value(&ResultMeta {
            server_info: Some(info.clone()),
            ..ResultMeta::default()
        })
        .expect("server info serializes");
        Server {
            inner: Arc::new(Inner {
                info,
                instructions: self.instructions,
                capabilities,
                registry: RwLock::new(Arc::new(registry)),
                fanout: self.fanout.unwrap_or_else(|| Arc::new(MemoryFanout::new())),
                sessions: self
                    .sessions
                    .unwrap_or_else(|| Arc::new(MemorySessionStore::new(limits.session_idle_ttl))),
                events: self
                    .events
                    .unwrap_or_else(|| Arc::new(MemoryEventStore::default())),
                kv: self
                    .kv
                    .unwrap_or_else(|| Arc::new(MemoryKvStore::default())),
                sealer: self.sealer.unwrap_or_else(Sealer::random),
                result_meta,
                extensions: self.extensions,
                shutdown: CancellationToken::new(),
                limits,
            }),
        }
    }
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("info", &self.info)
            .field("tools", &self.tools.len())
            .finish_non_exhaustive()
    }
}
