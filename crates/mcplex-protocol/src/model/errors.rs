//! The `data` of the error responses whose data the schema defines.

use serde::{Deserialize, Serialize};

use super::{ClientCapabilities, ElicitParams};
use crate::{ProtocolVersion, Shape};

/// The data of `-32022` (unsupported protocol version, 2026-07-28).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnsupportedProtocolVersionData {
    /// The revision the client asked for.
    pub requested: String,
    /// The revisions the server supports.
    pub supported: Vec<String>,
}

/// The data of `-32021` (missing required client capability, 2026-07-28).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingRequiredClientCapabilityData {
    /// The capabilities the request needs.
    pub required_capabilities: ClientCapabilities,
}

/// The data of `-32042` (URL elicitation required, 2025-11-25): the URL-mode elicitations
/// the user must complete before the request can succeed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UrlElicitationRequiredData {
    /// The elicitations.
    pub elicitations: Vec<ElicitParams>,
}

impl Shape for MissingRequiredClientCapabilityData {
    fn shape(&mut self, version: ProtocolVersion) {
        self.required_capabilities.shape(version);
    }
}

impl Shape for UrlElicitationRequiredData {
    fn shape(&mut self, version: ProtocolVersion) {
        self.elicitations.shape(version);
    }
}
