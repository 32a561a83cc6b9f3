//! The start of a connection: `initialize` (stateful revisions) or `server/discover`
//! (2026-07-28).

use std::sync::Arc;

use mcplex_protocol::model::{
    DiscoverResult, Implementation, InitializeParams, InitializeResult, ServerCapabilities,
    UnsupportedProtocolVersionData,
};
use mcplex_protocol::{
    ErrorCode, Message, Method, Notification, Payload, ProtocolVersion, Shape, method,
};

use super::connection::Shared;
use super::{ClientOptions, Error};

/// What the server said about itself.
#[derive(Debug)]
pub(super) struct ServerDescription {
    pub(super) version: ProtocolVersion,
    pub(super) info: Option<Implementation>,
    pub(super) capabilities: ServerCapabilities,
    pub(super) instructions: Option<String>,
}

/// Runs the handshake of the requested version.
pub(super) async fn handshake(
    shared: &Arc<Shared>,
    options: &ClientOptions,
) -> Result<ServerDescription, Error> {
    if options.protocol_version.is_stateless() {
        discover(shared, options.protocol_version).await
    } else {
        initialize(shared, options).await
    }
}

/// `initialize`, then `notifications/initialized`. The server may answer with another
/// version; any stateful version the client knows is accepted.
async fn initialize(
    shared: &Arc<Shared>,
    options: &ClientOptions,
) -> Result<ServerDescription, Error> {
    let requested = options.protocol_version;
    let mut params = InitializeParams {
        protocol_version: requested.as_str().to_owned(),
        capabilities: options.capabilities.clone(),
        client_info: options.client_info.clone(),
        meta: None,
    };
    params.capabilities.shape(requested);
    params.client_info.shape(requested);
    let params = Payload::from_serialize(&params).map_err(Error::Params)?;
    let result: InitializeResult = shared
        .call(
            Method::from_static(method::INITIALIZE),
            Some(params),
            None,
            shared.request_timeout,
        )
        .await?
        .parse()
        .map_err(Error::Decode)?;
    let version = ProtocolVersion::from_str_opt(&result.protocol_version)
        .filter(|v| v.has_initialize())
        .ok_or_else(|| Error::UnsupportedVersion {
            requested,
            offered: vec![result.protocol_version.clone()],
        })?;
    shared
        .enqueue(Message::Notification(Notification {
            method: Method::from_static(method::INITIALIZED),
            params: None,
        }))
        .await?;
    Ok(ServerDescription {
        version,
        info: Some(result.server_info),
        capabilities: result.capabilities,
        instructions: result.instructions,
    })
}

/// `server/discover`; the server must list the requested version.
async fn discover(
    shared: &Arc<Shared>,
    requested: ProtocolVersion,
) -> Result<ServerDescription, Error> {
    let params = shared.stamp.apply(None, None).map_err(Error::Params)?;
    let outcome = shared
        .call(
            Method::from_static(method::DISCOVER),
            params,
            None,
            shared.request_timeout,
        )
        .await;
    let payload = match outcome {
        Ok(payload) => payload,
        Err(Error::Rpc(error)) if error.code == ErrorCode::METHOD_NOT_FOUND => {
            return Err(Error::UnsupportedVersion {
                requested,
                offered: Vec::new(),
            });
        }
        Err(Error::Rpc(error)) if error.code == ErrorCode::UNSUPPORTED_PROTOCOL_VERSION => {
            let offered = error
                .data
                .and_then(|d| serde_json::from_value::<UnsupportedProtocolVersionData>(d).ok())
                .map(|d| d.supported)
                .unwrap_or_default();
            return Err(Error::UnsupportedVersion { requested, offered });
        }
        Err(e) => return Err(e),
    };
    let result: DiscoverResult = payload.parse().map_err(Error::Decode)?;
    if !result
        .supported_versions
        .iter()
        .any(|v| v == requested.as_str())
    {
        return Err(Error::UnsupportedVersion {
            requested,
            offered: result.supported_versions,
        });
    }
    Ok(ServerDescription {
        version: requested,
        info: result.meta.and_then(|m| m.server_info),
        capabilities: result.capabilities,
        instructions: result.instructions,
    })
}
