//! The request `_meta` the client adds: the per-request protocol fields of 2026-07-28 and
//! progress tokens.

use std::borrow::Cow;
use std::collections::BTreeMap;

use mcplex_protocol::model::{ClientCapabilities, Implementation, RequestMeta};
use mcplex_protocol::{Payload, ProgressToken, ProtocolVersion, RawValue, Shape};
use serde_json::{Map, Value};

/// Adds the client's `_meta` keys to outgoing request parameters.
#[derive(Debug)]
pub(super) struct MetaStamp {
    /// The members of the 2026-07-28 request `_meta`, without the braces
    /// (`"io.modelcontextprotocol/protocolVersion":"2026-07-28",...`); `None` on stateful
    /// versions, which have no per-request fields.
    fragment: Option<String>,
}

impl MetaStamp {
    /// The stamp for `version`, naming the client by `info` and `capabilities` on 2026-07-28.
    pub(super) fn new(
        version: ProtocolVersion,
        capabilities: &ClientCapabilities,
        info: &Implementation,
    ) -> serde_json::Result<Self> {
        if !version.is_stateless() {
            return Ok(Self { fragment: None });
        }
        let mut meta = RequestMeta {
            protocol_version: Some(version.as_str().to_owned()),
            client_capabilities: Some(capabilities.clone()),
            client_info: Some(info.clone()),
            ..RequestMeta::default()
        };
        meta.shape(version);
        let object = serde_json::to_string(&meta)?;
        let fragment = object
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or_default()
            .to_owned();
        Ok(Self {
            fragment: Some(fragment),
        })
    }

    /// Adds the per-request fields (2026-07-28) and `progress` to the `_meta` of `params`.
    ///
    /// Keys the caller already set in `_meta` are kept as they are. Parameters that are not a
    /// JSON object are passed on unchanged (the server rejects them).
    pub(super) fn apply(
        &self,
        params: Option<Payload>,
        progress: Option<&ProgressToken>,
    ) -> serde_json::Result<Option<Payload>> {
        let params = params.filter(|p| p.get().trim() != "null");
        let extra: Cow<'_, str> = match (progress, &self.fragment) {
            (None, None) => return Ok(params),
            (None, Some(fragment)) => Cow::Borrowed(fragment),
            (Some(token), fragment) => Cow::Owned(format!(
                "\"progressToken\":{}{}{}",
                token.to_json_string(),
                if fragment.is_some() { "," } else { "" },
                fragment.as_deref().unwrap_or_default()
            )),
        };
        let Some(params) = params else {
            return Payload::from_json(format!("{{\"_meta\":{{{extra}}}}}")).map(Some);
        };
        let text = params.get();
        let Some(body) = text.trim_start().strip_prefix('{') else {
            return Ok(Some(params));
        };
        if text.contains("\"_meta\"") {
            return merge(text, &extra).map(Some);
        }
        // The common case: no `_meta` yet, so the members go in front without a parse.
        let separator = if body.trim_start().starts_with('}') {
            ""
        } else {
            ","
        };
        Payload::from_json(format!("{{\"_meta\":{{{extra}}}{separator}{body}")).map(Some)
    }
}

/// Merges the `_meta` members in `extra` into the parameters `text`, keeping the caller's
/// values for keys set on both sides.
fn merge(text: &str, extra: &str) -> serde_json::Result<Payload> {
    let mut object: BTreeMap<String, Box<RawValue>> = serde_json::from_str(text)?;
    let additions: Map<String, Value> = serde_json::from_str(&format!("{{{extra}}}"))?;
    let meta = match object.get("_meta") {
        Some(raw) => {
            let mut meta: Map<String, Value> = serde_json::from_str(raw.get())?;
            for (key, value) in additions {
                meta.entry(key).or_insert(value);
            }
            meta
        }
        None => additions,
    };
    object.insert("_meta".to_owned(), serde_json::value::to_raw_value(&meta)?);
    Payload::from_serialize(&object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stateless() -> MetaStamp {
        MetaStamp::new(
            ProtocolVersion::V2026_07_28,
            &ClientCapabilities::default(),
            &Implementation::new("c", "1"),
        )
        .unwrap()
    }

    fn apply(stamp: &MetaStamp, params: Option<&str>, token: Option<i64>) -> Value {
        let params = params.map(|p| Payload::from_json(p).unwrap());
        let token = token.map(ProgressToken::from);
        let out = stamp.apply(params, token.as_ref()).unwrap().unwrap();
        serde_json::from_str(out.get()).unwrap()
    }

    #[test]
    fn stateful_without_progress_is_unchanged() {
        let stamp = MetaStamp::new(
            ProtocolVersion::V2025_11_25,
            &ClientCapabilities::default(),
            &Implementation::new("c", "1"),
        )
        .unwrap();
        let params = Payload::from_json(r#"{"a":1}"#).unwrap();
        let out = stamp.apply(Some(params), None).unwrap().unwrap();
        assert_eq!(out.get(), r#"{"a":1}"#);
        assert_eq!(
            apply(&stamp, None, Some(7)),
            serde_json::json!({"_meta": {"progressToken": 7}})
        );
    }

    #[test]
    fn stateless_splices_and_merges() {
        let stamp = stateless();
        let expected_meta = serde_json::json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "c", "version": "1"},
        });
        assert_eq!(apply(&stamp, None, None)["_meta"], expected_meta);
        assert_eq!(apply(&stamp, Some("{ }"), None)["_meta"], expected_meta);
        let spliced = apply(&stamp, Some(r#"{"a":[1]}"#), None);
        assert_eq!(spliced["a"], serde_json::json!([1]));
        assert_eq!(spliced["_meta"], expected_meta);

        let merged = apply(
            &stamp,
            Some(
                r#"{"a":1,"_meta":{"progressToken":"x","io.modelcontextprotocol/protocolVersion":"9"}}"#,
            ),
            None,
        );
        assert_eq!(merged["a"], 1);
        assert_eq!(merged["_meta"]["progressToken"], "x");
        assert_eq!(
            merged["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "9"
        );
        assert_eq!(
            merged["_meta"]["io.modelcontextprotocol/clientInfo"]["name"],
            "c"
        );

        let with_token = apply(&stamp, Some(r#"{"a":1}"#), Some(3));
        assert_eq!(with_token["_meta"]["progressToken"], 3);
        assert_eq!(
            with_token["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
    }
}
