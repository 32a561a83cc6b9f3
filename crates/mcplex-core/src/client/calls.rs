//! Typed conveniences for the methods of the protocol.

use std::collections::BTreeMap;

use mcplex_protocol::model::{
    CallToolParams, CallToolResult, CompleteArgument, CompleteParams, CompleteResult, EmptyResult,
    GetPromptParams, GetPromptResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, LoggingLevel, PaginatedParams, Prompt,
    ReadResourceParams, ReadResourceResult, Reference, RequestParams, Resource, ResourceTemplate,
    SetLevelParams, SubscribeParams, Tool,
};
use mcplex_protocol::{Payload, method};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{CallOptions, Client, Error};

impl Client {
    /// Every tool, following `nextCursor` to the last page.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request), and [`Error::RepeatedCursor`] when the server returns
    /// the cursor it was just given.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, Error> {
        self.list_all(method::TOOLS_LIST, |page: ListToolsResult| {
            (page.tools, page.next_cursor)
        })
        .await
    }

    /// Every resource, following `nextCursor` to the last page.
    ///
    /// # Errors
    ///
    /// As [`list_tools`](Self::list_tools).
    pub async fn list_resources(&self) -> Result<Vec<Resource>, Error> {
        self.list_all(method::RESOURCES_LIST, |page: ListResourcesResult| {
            (page.resources, page.next_cursor)
        })
        .await
    }

    /// Every resource template, following `nextCursor` to the last page.
    ///
    /// # Errors
    ///
    /// As [`list_tools`](Self::list_tools).
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, Error> {
        self.list_all(
            method::RESOURCES_TEMPLATES_LIST,
            |page: ListResourceTemplatesResult| (page.resource_templates, page.next_cursor),
        )
        .await
    }

    /// Every prompt, following `nextCursor` to the last page.
    ///
    /// # Errors
    ///
    /// As [`list_tools`](Self::list_tools).
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, Error> {
        self.list_all(method::PROMPTS_LIST, |page: ListPromptsResult| {
            (page.prompts, page.next_cursor)
        })
        .await
    }

    async fn list_all<R: DeserializeOwned, T>(
        &self,
        method: &str,
        split: impl Fn(R) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        let mut cursor = None;
        loop {
            let params = PaginatedParams {
                cursor: cursor.clone(),
                meta: None,
            };
            let (mut page, next) = split(self.request(method, &params).await?);
            items.append(&mut page);
            match next {
                None => return Ok(items),
                Some(next) if cursor.as_ref() == Some(&next) => {
                    return Err(Error::RepeatedCursor);
                }
                Some(next) => cursor = Some(next),
            }
        }
    }

    /// Calls a tool. `arguments` is usually a JSON object; `null` sends none.
    ///
    /// On 2026-07-28, `input_required` results are answered through the
    /// [`InputHandler`](super::InputHandler) and the call retried (see the
    /// [module docs](super)). A tool that fails reports it in the result
    /// (`is_error: Some(true)`), not as an error.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request), and [`Error::NoInputHandler`], [`Error::Input`] and
    /// [`Error::InputRequiredLoop`] for input the client could not give.
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, Error> {
        self.call_tool_with(name, arguments, CallOptions::default())
            .await
    }

    /// [`call_tool`](Self::call_tool) with progress, cancellation and a timeout of its own.
    ///
    /// # Errors
    ///
    /// As [`call_tool`](Self::call_tool), and [`Error::Cancelled`].
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: Value,
        options: CallOptions,
    ) -> Result<CallToolResult, Error> {
        let mut params = CallToolParams::new(name);
        if !arguments.is_null() {
            params.arguments = Some(Payload::from_serialize(&arguments).map_err(Error::Params)?);
        }
        self.call_retrying(method::TOOLS_CALL, params, options)
            .await
    }

    /// Reads a resource, answering `input_required` results like
    /// [`call_tool`](Self::call_tool).
    ///
    /// # Errors
    ///
    /// As [`call_tool`](Self::call_tool).
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, Error> {
        let params = ReadResourceParams {
            uri: uri.to_owned(),
            ..ReadResourceParams::default()
        };
        self.call_retrying(method::RESOURCES_READ, params, CallOptions::default())
            .await
    }

    /// Gets a prompt, answering `input_required` results like
    /// [`call_tool`](Self::call_tool). Empty `arguments` are left out.
    ///
    /// # Errors
    ///
    /// As [`call_tool`](Self::call_tool).
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: BTreeMap<String, String>,
    ) -> Result<GetPromptResult, Error> {
        let params = GetPromptParams {
            name: name.to_owned(),
            arguments: (!arguments.is_empty()).then_some(arguments),
            ..GetPromptParams::default()
        };
        self.call_retrying(method::PROMPTS_GET, params, CallOptions::default())
            .await
    }

    /// Completes the argument `name` of a prompt or resource template, given what the user
    /// has typed so far.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request).
    pub async fn complete(
        &self,
        reference: Reference,
        name: &str,
        value: &str,
    ) -> Result<CompleteResult, Error> {
        let params = CompleteParams {
            reference,
            argument: CompleteArgument {
                name: name.to_owned(),
                value: value.to_owned(),
            },
            context: None,
            meta: None,
        };
        self.request(method::COMPLETION_COMPLETE, &params).await
    }

    /// Sets the session's log level (stateful revisions).
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`] on 2026-07-28; otherwise as [`request`](Self::request).
    pub async fn set_level(&self, level: LoggingLevel) -> Result<(), Error> {
        self.stateful_only(method::LOGGING_SET_LEVEL)?;
        let params = SetLevelParams { level, meta: None };
        self.request::<_, EmptyResult>(method::LOGGING_SET_LEVEL, &params)
            .await
            .map(drop)
    }

    /// Checks that the server is alive (stateful revisions).
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`] on 2026-07-28; otherwise as [`request`](Self::request).
    pub async fn ping(&self) -> Result<(), Error> {
        self.stateful_only(method::PING)?;
        self.request::<_, EmptyResult>(method::PING, &RequestParams::default())
            .await
            .map(drop)
    }

    /// Subscribes to updates of a resource (stateful revisions; on 2026-07-28 use
    /// [`listen`](Self::listen)). Updates arrive as `notifications/resources/updated` on
    /// [`notifications`](Self::notifications).
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`] on 2026-07-28; otherwise as [`request`](Self::request).
    pub async fn subscribe(&self, uri: &str) -> Result<(), Error> {
        self.resource_subscription(method::RESOURCES_SUBSCRIBE, uri)
            .await
    }

    /// Ends a [`subscribe`](Self::subscribe).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), Error> {
        self.resource_subscription(method::RESOURCES_UNSUBSCRIBE, uri)
            .await
    }

    async fn resource_subscription(&self, method: &'static str, uri: &str) -> Result<(), Error> {
        self.stateful_only(method)?;
        let params = SubscribeParams {
            uri: uri.to_owned(),
            meta: None,
        };
        self.request::<_, EmptyResult>(method, &params)
            .await
            .map(drop)
    }

    fn stateful_only(&self, method: &'static str) -> Result<(), Error> {
        if self.is_stateless() {
            return Err(Error::Unavailable {
                method,
                version: self.protocol_version(),
            });
        }
        Ok(())
    }
}
