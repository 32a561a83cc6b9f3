//! The registered tools, resources, templates and prompts, with their list pages serialized
//! once per change and revision.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcplex_protocol::model::{
    CacheScope, Implementation, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, ResultMeta,
};
use mcplex_protocol::{ErrorObject, Payload, ProtocolVersion, Shape};

use crate::{PromptDef, ResourceDef, TemplateDef, ToolDef};

/// The four paginated lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    Tools,
    Resources,
    Templates,
    Prompts,
}

impl ListKind {
    const ALL: [ListKind; 4] = [Self::Tools, Self::Resources, Self::Templates, Self::Prompts];

    fn index(self) -> usize {
        self as usize
    }
}

/// An immutable snapshot of everything registered; replaced as a whole on change.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    tools: Vec<ToolDef>,
    tool_index: HashMap<String, usize>,
    resources: Vec<ResourceDef>,
    resource_index: HashMap<String, usize>,
    templates: Vec<TemplateDef>,
    prompts: Vec<PromptDef>,
    prompt_index: HashMap<String, usize>,
    page_size: usize,
    /// Serialized pages, per list kind, indexed by `revision * pages + page`.
    pages: [Vec<OnceLock<Payload>>; 4],
}

impl Registry {
    pub(crate) fn new(
        mut tools: Vec<ToolDef>,
        mut resources: Vec<ResourceDef>,
        mut templates: Vec<TemplateDef>,
        mut prompts: Vec<PromptDef>,
        page_size: usize,
    ) -> Self {
        // Deterministic order, independent of registration order, so clients can cache lists.
        tools.sort_by(|a, b| a.tool().name.cmp(&b.tool().name));
        resources.sort_by(|a, b| a.resource().uri.cmp(&b.resource().uri));
        templates.sort_by(|a, b| a.template().uri_template.cmp(&b.template().uri_template));
        prompts.sort_by(|a, b| a.prompt().name.cmp(&b.prompt().name));
        let page_size = page_size.max(1);
        let mut registry = Self {
            tool_index: index(&tools, |t| &t.tool().name),
            resource_index: index(&resources, |r| &r.resource().uri),
            prompt_index: index(&prompts, |p| &p.prompt().name),
            tools,
            resources,
            templates,
            prompts,
            page_size,
            pages: Default::default(),
        };
        for kind in ListKind::ALL {
            let slots = registry.page_count(kind) * ProtocolVersion::ALL.len();
            registry.pages[kind.index()] = (0..slots).map(|_| OnceLock::new()).collect();
        }
        registry
    }

    pub(crate) fn tools(&self) -> &[ToolDef] {
        &self.tools
    }

    pub(crate) fn resources(&self) -> &[ResourceDef] {
        &self.resources
    }

    pub(crate) fn templates(&self) -> &[TemplateDef] {
        &self.templates
    }

    pub(crate) fn prompts(&self) -> &[PromptDef] {
        &self.prompts
    }

    pub(crate) fn tool(&self, name: &str) -> Option<&ToolDef> {
        self.tool_index.get(name).map(|&i| &self.tools[i])
    }

    pub(crate) fn resource(&self, uri: &str) -> Option<&ResourceDef> {
        self.resource_index.get(uri).map(|&i| &self.resources[i])
    }

    pub(crate) fn prompt(&self, name: &str) -> Option<&PromptDef> {
        self.prompt_index.get(name).map(|&i| &self.prompts[i])
    }

    fn len(&self, kind: ListKind) -> usize {
        match kind {
            ListKind::Tools => self.tools.len(),
            ListKind::Resources => self.resources.len(),
            ListKind::Templates => self.templates.len(),
            ListKind::Prompts => self.prompts.len(),
        }
    }

    fn page_count(&self, kind: ListKind) -> usize {
        self.len(kind).div_ceil(self.page_size).max(1)
    }

    /// The serialized result for one page of a list, shaped for `version`.
    pub(crate) fn page(
        &self,
        kind: ListKind,
        cursor: Option<&str>,
        version: ProtocolVersion,
        info: &Implementation,
        ttl: Duration,
    ) -> Result<Payload, ErrorObject> {
        let pages = self.page_count(kind);
        let page = match cursor {
            None => 0,
            Some(cursor) => decode_cursor(cursor)
                .filter(|&p| p < pages)
                .ok_or_else(|| ErrorObject::invalid_params("invalid cursor"))?,
        };
        let revision = ProtocolVersion::ALL
            .iter()
            .position(|&v| v == version)
            .unwrap_or(0);
        let slot = &self.pages[kind.index()][revision * pages + page];
        Ok(slot
            .get_or_init(|| self.render(kind, page, pages, version, info, ttl))
            .clone())
    }

    fn render(
        &self,
        kind: ListKind,
        page: usize,
        pages: usize,
        version: ProtocolVersion,
        info: &Implementation,
        ttl: Duration,
    ) -> Payload {
        let start = page * self.page_size;
        let end = (start + self.page_size).min(self.len(kind));
        let next_cursor = (page + 1 < pages).then(|| encode_cursor(page + 1));
        let meta = version
            .is_stateless()
            .then(|| ResultMeta::with_server_info(info.clone()));
        let ttl_ms = version
            .has_caching()
            .then(|| u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        let scope = version.has_caching().then_some(CacheScope::Public);
        let payload = match kind {
            ListKind::Tools => {
                let mut r = ListToolsResult {
                    tools: self.tools[start..end]
                        .iter()
                        .map(|t| t.tool().clone())
                        .collect(),
                    next_cursor,
                    meta,
                    ttl_ms,
                    cache_scope: scope,
                    ..ListToolsResult::default()
                };
                r.shape(version);
                Payload::from_serialize(&r)
            }
            ListKind::Resources => {
                let mut r = ListResourcesResult {
                    resources: self.resources[start..end]
                        .iter()
                        .map(|d| d.resource().clone())
                        .collect(),
                    next_cursor,
                    meta,
                    ttl_ms,
                    cache_scope: scope,
                    ..ListResourcesResult::default()
                };
                r.shape(version);
                Payload::from_serialize(&r)
            }
            ListKind::Templates => {
                let mut r = ListResourceTemplatesResult {
                    resource_templates: self.templates[start..end]
                        .iter()
                        .map(|d| d.template().clone())
                        .collect(),
                    next_cursor,
                    meta,
                    ttl_ms,
                    cache_scope: scope,
                    ..ListResourceTemplatesResult::default()
                };
                r.shape(version);
                Payload::from_serialize(&r)
            }
            ListKind::Prompts => {
                let mut r = ListPromptsResult {
                    prompts: self.prompts[start..end]
                        .iter()
                        .map(|d| d.prompt().clone())
                        .collect(),
                    next_cursor,
                    meta,
                    ttl_ms,
                    cache_scope: scope,
                    ..ListPromptsResult::default()
                };
                r.shape(version);
                Payload::from_serialize(&r)
            }
        };
        payload
            .expect("list results always serialize")
            .into_shared()
    }
}

fn index<T>(items: &[T], key: impl Fn(&T) -> &String) -> HashMap<String, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| (key(item).clone(), i))
        .collect()
}

fn encode_cursor(page: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("mcplex-page:{page}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    if cursor.len() > 64 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    text.strip_prefix("mcplex-page:")?.parse().ok()
}
