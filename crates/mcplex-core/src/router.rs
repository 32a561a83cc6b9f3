//! Request routing for every method of every revision.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use mcplex_protocol::model::{
    CallToolParams, ClientCapabilities, CompleteParams, CompleteResult, Completion, DiscoverResult,
    EmptyResult, GetPromptParams, GetPromptResult, InitializeResult, InputRequiredResult,
    LoggingLevel, PaginatedParams, ReadResourceParams, ReadResourceResult, Reference, RequestMeta,
    RequestParams, ResultMeta, SetLevelParams, SubscribeParams,
};
use mcplex_protocol::{
    ErrorCode, ErrorObject, ErrorResponse, Message, Payload, ProtocolVersion, Request, Response,
    Shape, method,
};
use mcplex_transport::Extensions;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::context::CallShared;
use crate::input::Input;
use crate::mrtr::Resolution;
use crate::outbound::Outbound;
use crate::registry::ListKind;
use crate::seal::Binding;
use crate::session::Session;
use crate::{Context, Principal, Server};

/// The environment a request arrives in: a connection, or one HTTP request.
#[derive(Clone, Debug)]
pub(crate) struct Peer {
    pub(crate) session: Option<Arc<Session>>,
    pub(crate) principal: Option<Principal>,
    pub(crate) outbound: Outbound,
    pub(crate) extensions: Extensions,
}

/// Which wire a request uses.
#[derive(Clone, Debug)]
pub(crate) enum Wire {
    /// An initialized session (2025-11-25 and earlier).
    Stateful(Arc<Session>),
    /// A self-describing request (2026-07-28).
    Stateless {
        version: ProtocolVersion,
        capabilities: Arc<ClientCapabilities>,
        log_level: Option<LoggingLevel>,
    },
}

impl Wire {
    pub(crate) fn version(&self) -> ProtocolVersion {
        match self {
            Self::Stateful(s) => s.version,
            Self::Stateless { version, .. } => *version,
        }
    }

    fn capabilities(&self) -> Arc<ClientCapabilities> {
        match self {
            Self::Stateful(s) => s.client_capabilities.clone(),
            Self::Stateless { capabilities, .. } => capabilities.clone(),
        }
    }
}

/// Result types whose `_meta` may name the server (2026-07-28).
pub(crate) trait ResultBody: serde::Serialize + Shape {
    fn meta_slot(&mut self) -> &mut Option<ResultMeta>;
}

macro_rules! result_body {
    ($($ty:ty),* $(,)?) => {
        $(impl ResultBody for $ty {
            fn meta_slot(&mut self) -> &mut Option<ResultMeta> {
                &mut self.meta
            }
        })*
    };
}

result_body!(
    mcplex_protocol::model::CallToolResult,
    ReadResourceResult,
    GetPromptResult,
    CompleteResult,
    EmptyResult,
    InitializeResult,
    DiscoverResult,
    InputRequiredResult,
);

/// A result without `_meta` of its own, serialized with the server's pre-serialized one.
#[derive(serde::Serialize)]
struct WithMeta<'a, R: serde::Serialize> {
    #[serde(flatten)]
    result: &'a R,
    #[serde(rename = "_meta")]
    meta: &'a serde_json::value::RawValue,
}

/// Parses request parameters into their typed form (`-32602` on mismatch).
pub(crate) fn params<P: DeserializeOwned>(req: &Request) -> Result<P, ErrorObject> {
    req.params_as()
}

impl Server {
    /// Handles one request; returns its response.
    ///
    /// The request is borrowed, not moved: an async fn's arguments live as long as its future,
    /// and a request moved through the layers would be stored once per layer.
    pub(crate) async fn handle_request(
        &self,
        req: &Request,
        peer: &Arc<Peer>,
        cancel: CancellationToken,
    ) -> Message {
        let span = tracing::debug_span!("request", method = %req.method, id = %req.id);
        match self.route(req, peer, cancel).instrument(span).await {
            Ok(result) => Message::Response(Response {
                id: req.id.clone(),
                result,
            }),
            Err(error) => Message::Error(ErrorResponse::new(Some(req.id.clone()), error)),
        }
    }

    async fn route(
        &self,
        req: &Request,
        peer: &Arc<Peer>,
        cancel: CancellationToken,
    ) -> Result<Payload, ErrorObject> {
        match req.method.as_str() {
            // Each arm builds its future in an inner block: a local's storage lasts to the end
            // of its scope, so params held there across the `.await` would be copied into
            // every request's future.
            method::TOOLS_CALL => {
                let call = {
                    let mut p: CallToolParams = params(req)?;
                    let wire = self.wire(peer, p.meta.as_mut())?;
                    self.call_tool(req, p, wire, peer, cancel)?
                };
                call.await
            }
            method::TOOLS_LIST => self.list(ListKind::Tools, req, peer),
            method::RESOURCES_LIST => self.list(ListKind::Resources, req, peer),
            method::RESOURCES_TEMPLATES_LIST => self.list(ListKind::Templates, req, peer),
            method::PROMPTS_LIST => self.list(ListKind::Prompts, req, peer),
            method::RESOURCES_READ => {
                let work = {
                    let mut p: ReadResourceParams = params(req)?;
                    let wire = self.wire(peer, p.meta.as_mut())?;
                    Box::pin(self.read_resource(req, p, wire, peer, cancel))
                };
                work.await
            }
            method::PROMPTS_GET => {
                let work = {
                    let mut p: GetPromptParams = params(req)?;
                    let wire = self.wire(peer, p.meta.as_mut())?;
                    Box::pin(self.get_prompt(req, p, wire, peer, cancel))
                };
                work.await
            }
            method::COMPLETION_COMPLETE => {
                let work = {
                    let mut p: CompleteParams = params(req)?;
                    let wire = self.wire(peer, p.meta.as_mut())?;
                    Box::pin(self.complete(req, p, wire, peer, cancel))
                };
                work.await
            }
            method::DISCOVER => {
                let mut p: RequestParams = params(req)?;
                match self.wire(peer, p.meta.as_mut())? {
                    Wire::Stateless { version, .. } => self.finish(self.discover_result(), version),
                    Wire::Stateful(_) => Err(ErrorObject::method_not_found(&req.method)),
                }
            }
            method::PING => {
                let mut p: RequestParams = params(req)?;
                match self.wire(peer, p.meta.as_mut()) {
                    Ok(Wire::Stateless { .. }) => Err(ErrorObject::method_not_found(&req.method)),
                    Ok(Wire::Stateful(s)) => self.finish(EmptyResult::default(), s.version),
                    // A ping is answered even before initialization.
                    Err(_) => self.finish(EmptyResult::default(), ProtocolVersion::LATEST_STATEFUL),
                }
            }
            method::LOGGING_SET_LEVEL => {
                // The wire first: on 2026-07-28 the method does not exist at all.
                let session =
                    self.stateful(peer, params::<RequestParams>(req)?.meta.as_mut(), req)?;
                let p: SetLevelParams = params(req)?;
                Box::pin(session.set_level_and_save(self, p.level)).await;
                self.finish(EmptyResult::default(), session.version)
            }
            method::RESOURCES_SUBSCRIBE | method::RESOURCES_UNSUBSCRIBE => {
                let session =
                    self.stateful(peer, params::<RequestParams>(req)?.meta.as_mut(), req)?;
                let p: SubscribeParams = params(req)?;
                if req.method == method::RESOURCES_SUBSCRIBE {
                    session.subscribe(p.uri);
                } else {
                    session.unsubscribe(&p.uri);
                }
                Box::pin(session.save(self)).await;
                self.finish(EmptyResult::default(), session.version)
            }
            method::INITIALIZE => Err(ErrorObject::invalid_request(
                "the session is already initialized",
            )),
            other => Err(ErrorObject::method_not_found(other)),
        }
    }

    /// Decides the wire of a request from its `_meta` and the peer's session.
    ///
    /// The client capabilities move out of `meta` into the wire (they are not copied).
    pub(crate) fn wire(
        &self,
        peer: &Arc<Peer>,
        mut meta: Option<&mut RequestMeta>,
    ) -> Result<Wire, ErrorObject> {
        let stateless = meta
            .as_deref()
            .and_then(|m| m.protocol_version.as_deref())
            .and_then(ProtocolVersion::from_str_opt)
            .filter(|v| v.is_stateless());
        if let Some(version) = stateless
            && let Some(meta) = meta.as_deref_mut()
        {
            let capabilities = meta.client_capabilities.take().ok_or_else(|| {
                ErrorObject::invalid_params(
                    "missing _meta io.modelcontextprotocol/clientCapabilities",
                )
            })?;
            return Ok(Wire::Stateless {
                version,
                capabilities: Arc::new(capabilities),
                log_level: meta.log_level,
            });
        }
        let named = meta.as_deref().and_then(|m| m.protocol_version.as_deref());
        match (&peer.session, named) {
            (Some(session), _) => Ok(Wire::Stateful(session.clone())),
            (None, Some(name)) => Err(ErrorObject::unsupported_protocol_version(name)),
            (None, None) => Err(ErrorObject::new(
                ErrorCode::INVALID_REQUEST,
                "no session: send initialize first, or name protocol version 2026-07-28 in _meta",
            )),
        }
    }

    fn stateful(
        &self,
        peer: &Arc<Peer>,
        meta: Option<&mut RequestMeta>,
        req: &Request,
    ) -> Result<Arc<Session>, ErrorObject> {
        match self.wire(peer, meta)? {
            Wire::Stateful(session) => Ok(session),
            Wire::Stateless { .. } => Err(ErrorObject::method_not_found(&req.method)),
        }
    }

    /// Shapes a result for `version`, names the server on 2026-07-28, and serializes it.
    pub(crate) fn finish<R: ResultBody>(
        &self,
        mut result: R,
        version: ProtocolVersion,
    ) -> Result<Payload, ErrorObject> {
        let serialized = if !version.is_stateless() {
            result.shape(version);
            Payload::from_serialize(&result)
        } else if result.meta_slot().is_none() {
            // The usual case: the pre-serialized server `_meta` goes in as it is.
            result.shape(version);
            Payload::from_serialize(&WithMeta {
                result: &result,
                meta: &self.inner.result_meta,
            })
        } else {
            result
                .meta_slot()
                .get_or_insert_with(ResultMeta::default)
                .server_info
                .get_or_insert_with(|| self.inner.info.clone());
            result.shape(version);
            Payload::from_serialize(&result)
        };
        serialized.map_err(|e| ErrorObject::internal(format!("result serialization failed: {e}")))
    }

    pub(crate) fn discover_result(&self) -> DiscoverResult {
        DiscoverResult {
            supported_versions: ProtocolVersion::all_strs().map(str::to_owned).collect(),
            capabilities: self.inner.capabilities.clone(),
            instructions: self.inner.instructions.clone(),
            ttl_ms: Some(u64::try_from(self.inner.limits.list_ttl.as_millis()).unwrap_or(u64::MAX)),
            cache_scope: Some(mcplex_protocol::model::CacheScope::Public),
            ..DiscoverResult::default()
        }
    }

    fn list(
        &self,
        kind: ListKind,
        req: &Request,
        peer: &Arc<Peer>,
    ) -> Result<Payload, ErrorObject> {
        let mut p: PaginatedParams = params(req)?;
        let wire = self.wire(peer, p.meta.as_mut())?;
        self.registry().page(
            kind,
            p.cursor.as_deref(),
            wire.version(),
            &self.inner.info,
            self.inner.limits.list_ttl,
        )
    }

    /// The per-request data shared by every round of a request.
    pub(crate) fn call_shared(
        &self,
        req: &Request,
        wire: &Wire,
        meta: Option<&RequestMeta>,
        peer: &Arc<Peer>,
        cancel: CancellationToken,
    ) -> Arc<CallShared> {
        let (session, log_level) = match wire {
            Wire::Stateful(s) => (Some(s.clone()), None),
            Wire::Stateless { log_level, .. } => (None, *log_level),
        };
        Arc::new(CallShared {
            server: self.clone(),
            request_id: req.id.clone(),
            version: wire.version(),
            peer: peer.clone(),
            session,
            client_capabilities: wire.capabilities(),
            cancel,
            progress_token: meta.and_then(|m| m.progress_token.clone()),
            log_level,
        })
    }

    async fn read_resource(
        &self,
        req: &Request,
        p: ReadResourceParams,
        wire: Wire,
        peer: &Arc<Peer>,
        cancel: CancellationToken,
    ) -> Result<Payload, ErrorObject> {
        let registry = self.registry();
        let version = wire.version();
        let (reader, vars) = match registry.resource(&p.uri) {
            Some(def) => (def.reader().clone(), BTreeMap::new()),
            None => registry
                .templates()
                .iter()
                .find_map(|t| t.matches(&p.uri).map(|vars| (t.reader().clone(), vars)))
                .ok_or_else(|| ErrorObject::resource_not_found(version, &p.uri))?,
        };
        let shared = self.call_shared(req, &wire, p.meta.as_ref(), peer, cancel.clone());
        let uri = p.uri;
        let resolution = self
            .resolve_input(
                req,
                &wire,
                &shared,
                peer,
                &cancel,
                p.request_state.as_deref(),
                p.input_responses,
                |cx| {
                    let read = reader.read(cx, uri.clone(), vars.clone());
                    async move { read.await.map_err(crate::HandlerError::into_error_object) }
                },
            )
            .await?;
        self.finish_resolution(resolution, version)
    }

    async fn get_prompt(
        &self,
        req: &Request,
        p: GetPromptParams,
        wire: Wire,
        peer: &Arc<Peer>,
        cancel: CancellationToken,
    ) -> Result<Payload, ErrorObject> {
        let registry = self.registry();
        let prompt = registry
            .prompt(&p.name)
            .ok_or_else(|| ErrorObject::invalid_params(format!("unknown prompt: {}", p.name)))?;
        let arguments = p.arguments.unwrap_or_default();
        if let Some(missing) = prompt.missing_argument(&arguments) {
            return Err(ErrorObject::invalid_params(format!(
                "missing required argument: {missing}"
            )));
        }
        let shared = self.call_shared(req, &wire, p.meta.as_ref(), peer, cancel.clone());
        let handler = prompt.handler().clone();
        let resolution = self
            .resolve_input(
                req,
                &wire,
                &shared,
                peer,
                &cancel,
                p.request_state.as_deref(),
                p.input_responses,
                |cx| {
                    let get = handler.get(cx, arguments.clone());
                    async move { get.await.map_err(crate::HandlerError::into_error_object) }
                },
            )
            .await?;
        self.finish_resolution(resolution, wire.version())
    }

    /// Answers a prompt or resource request that may have asked for input.
    fn finish_resolution<R: ResultBody>(
        &self,
        resolution: Resolution<R>,
        version: ProtocolVersion,
    ) -> Result<Payload, ErrorObject> {
        match resolution {
            Resolution::Complete(result) => self.finish(result, version),
            Resolution::Ask(result) => self.finish(*result, version),
            Resolution::Failed(message) => Err(ErrorObject::internal(message)),
        }
    }

    async fn complete(
        &self,
        req: &Request,
        p: CompleteParams,
        wire: Wire,
        peer: &Arc<Peer>,
        cancel: CancellationToken,
    ) -> Result<Payload, ErrorObject> {
        let registry = self.registry();
        let completer = match &p.reference {
            Reference::Prompt(r) => registry
                .prompt(&r.name)
                .ok_or_else(|| ErrorObject::invalid_params(format!("unknown prompt: {}", r.name)))?
                .completer(&p.argument.name)
                .cloned(),
            Reference::Resource(r) => registry
                .templates()
                .iter()
                .find(|t| t.template().uri_template == r.uri)
                .ok_or_else(|| {
                    ErrorObject::invalid_params(format!("unknown resource template: {}", r.uri))
                })?
                .completer(&p.argument.name)
                .cloned(),
        };
        let mut values = match completer {
            None => Vec::new(),
            Some(completer) => {
                let cx = Context::new(
                    self.call_shared(req, &wire, p.meta.as_ref(), peer, cancel),
                    Input::default(),
                    None,
                );
                let context = p.context.and_then(|c| c.arguments).unwrap_or_default();
                completer
                    .complete(cx, p.argument.value, context)
                    .await
                    .map_err(crate::HandlerError::into_error_object)?
            }
        };
        let total = values.len();
        values.truncate(100);
        let result = CompleteResult {
            completion: Completion {
                has_more: Some(total > values.len()),
                total: Some(total as u64),
                values,
            },
            ..CompleteResult::default()
        };
        self.finish(result, wire.version())
    }

    /// The seal binding of a request: the caller and a digest of what was asked.
    pub(crate) fn binding_digest(req: &Request) -> [u8; 32] {
        let value = req
            .params
            .as_ref()
            .and_then(|p| p.parse::<serde_json::Value>().ok())
            .unwrap_or(serde_json::Value::Null);
        Binding::digest_request(&req.method, &value)
    }

    pub(crate) fn now() -> SystemTime {
        SystemTime::now()
    }
}
