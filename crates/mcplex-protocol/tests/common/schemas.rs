//! The official schemas, loaded once, with validators per definition; and a strict copy
//! that also rejects members a revision does not define.

use std::collections::HashMap;

use jsonschema::Validator;
use mcplex_protocol::ProtocolVersion as V;
use serde_json::{Value, json};

/// The schema of every revision, with a validator per definition compiled on first use.
///
/// A strict copy of each schema also rejects members a revision does not define (see
/// [`make_strict`]); the official schemas leave objects open, so only the strict copy shows
/// that shaping removed them.
pub(crate) struct Schemas {
    docs: HashMap<(V, Mode), Value>,
    validators: HashMap<(V, Mode, String), Validator>,
}

/// Which copy of a schema to validate against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Mode {
    /// The official schema.
    Official,
    /// The official schema with closed objects.
    Strict,
}

/// Closes every object schema that lists its `properties` and says nothing about others
/// (`additionalProperties: false`), except
/// - `allOf` branches and the definitions they refer to, which split one object's members
///   between them,
/// - the `...MetaObject` definitions, which allow any key besides the ones they name,
/// - tool input and output schemas, which hold arbitrary JSON Schema;
///
/// and lets request and notification `params` carry `_meta`, which their base types allow.
pub(crate) fn make_strict(doc: &mut Value) {
    let mut open = Vec::new();
    collect_all_of_refs(doc, false, &mut open);
    close(doc, None, false, &open);
}

/// The names of the definitions an `allOf` refers to.
pub(crate) fn collect_all_of_refs(schema: &Value, in_all_of: bool, out: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            if let (true, Some(Value::String(target))) = (in_all_of, object.get("$ref")) {
                out.extend(target.rsplit('/').next().map(String::from));
            }
            for (key, child) in object {
                collect_all_of_refs(child, key == "allOf", out);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_all_of_refs(item, in_all_of, out);
            }
        }
        _ => {}
    }
}

pub(crate) fn close(schema: &mut Value, key: Option<&str>, in_all_of: bool, open: &[String]) {
    match schema {
        Value::Object(object) => {
            let exempt = in_all_of
                || key.is_some_and(|k| {
                    matches!(k, "inputSchema" | "outputSchema")
                        || k.ends_with("MetaObject")
                        || open.iter().any(|o| o == k)
                });
            if object.contains_key("properties")
                && !object.contains_key("additionalProperties")
                && !exempt
            {
                object.insert("additionalProperties".into(), Value::Bool(false));
                if key == Some("params")
                    && let Some(Value::Object(properties)) = object.get_mut("properties")
                {
                    properties
                        .entry("_meta")
                        .or_insert_with(|| json!({"type": "object"}));
                }
            }
            for (child_key, child) in object.iter_mut() {
                match (child_key.as_str(), child) {
                    ("properties" | "definitions" | "$defs", Value::Object(members)) => {
                        for (name, member) in members.iter_mut() {
                            close(member, Some(name), false, open);
                        }
                    }
                    ("allOf", Value::Array(branches)) => {
                        for branch in branches {
                            close(branch, None, true, open);
                        }
                    }
                    (other, child) => close(child, Some(other), false, open),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                close(item, None, false, open);
            }
        }
        _ => {}
    }
}

impl Schemas {
    pub(crate) fn load() -> Self {
        let dir = crate::common::spec_dir().join("schema");
        let docs = V::ALL
            .into_iter()
            .flat_map(|v| {
                let path = dir.join(v.as_str()).join("schema.json");
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                let official: Value = serde_json::from_str(&text).expect("schema.json is JSON");
                let mut strict = official.clone();
                make_strict(&mut strict);
                [((v, Mode::Official), official), ((v, Mode::Strict), strict)]
            })
            .collect();
        Self {
            docs,
            validators: HashMap::new(),
        }
    }

    /// Where a revision keeps its definitions: `definitions` (draft-07) or `$defs` (2020-12).
    pub(crate) fn defs_key(&self, v: V) -> &'static str {
        if self.docs[&(v, Mode::Official)].get("$defs").is_some() {
            "$defs"
        } else {
            "definitions"
        }
    }

    pub(crate) fn has(&self, v: V, definition: &str) -> bool {
        self.docs[&(v, Mode::Official)][self.defs_key(v)]
            .get(definition)
            .is_some()
    }

    /// Validates `instance` against one definition: the whole schema document with a root
    /// `$ref` to the definition, so every other definition resolves.
    pub(crate) fn validate(
        &mut self,
        v: V,
        mode: Mode,
        definition: &str,
        instance: &Value,
    ) -> Result<(), String> {
        if !self.has(v, definition) {
            return Err(format!("{v} has no definition {definition}"));
        }
        let defs_key = self.defs_key(v);
        let docs = &self.docs;
        let validator = self
            .validators
            .entry((v, mode, definition.to_owned()))
            .or_insert_with(|| {
                let mut doc = docs[&(v, mode)].clone();
                doc["$ref"] = json!(format!("#/{defs_key}/{definition}"));
                jsonschema::options()
                    .should_validate_formats(true)
                    .build(&doc)
                    .unwrap_or_else(|e| panic!("{v} {definition}: schema does not compile: {e}"))
            });
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{e} (at {})", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// Whether a definition lists `member` among its properties.
    pub(crate) fn defines_member(&self, v: V, definition: &str, member: &str) -> bool {
        self.docs[&(v, Mode::Official)][self.defs_key(v)][definition]["properties"]
            .get(member)
            .is_some()
    }

    /// The first of `candidates` the revision defines.
    pub(crate) fn first_of(&self, v: V, candidates: &[&'static str]) -> &'static str {
        candidates
            .iter()
            .copied()
            .find(|d| self.has(v, d))
            .unwrap_or(candidates[0])
    }
}
