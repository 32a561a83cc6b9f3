//! Roots: the directories and files a client exposes (`roots/list`).

use serde::{Deserialize, Serialize};

use super::meta::{Meta, ResultMeta, shape_meta, shape_plain_meta};
use crate::{ProtocolVersion, Shape};

/// A root the server may operate in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Root {
    /// The root URI; `file://` for now.
    pub uri: String,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Metadata (2025-06-18).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The client's answer to `roots/list`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRootsResult {
    /// The roots.
    pub roots: Vec<Root>,
    /// Metadata (through 2025-11-25).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResultMeta>,
}

impl Shape for ListRootsResult {
    fn shape(&mut self, version: ProtocolVersion) {
        for root in &mut self.roots {
            shape_plain_meta(&mut root.meta, version);
        }
        if version.has_mrtr() {
            // On 2026-07-28 this is an input response, which has no `_meta`.
            self.meta = None;
        }
        shape_meta(&mut self.meta, version);
    }
}
