//! The restricted JSON Schemas an elicitation form is made of (`PrimitiveSchemaDefinition`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::numbers::serialize_opt_f64;
use super::serde_util::const_str_types;
use crate::{ProtocolVersion, Shape};

const_str_types! {
    /// The `"object"` type marker.
    ObjectType = "object";
    /// The `"string"` type marker.
    StringType = "string";
    /// The `"boolean"` type marker.
    BooleanType = "boolean";
    /// The `"array"` type marker.
    ArrayType = "array";
}

/// The `requestedSchema` of a form-mode elicitation: a flat object of primitive properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitSchema {
    /// The JSON Schema dialect (2025-11-25).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `"object"`.
    #[serde(rename = "type")]
    pub kind: ObjectType,
    /// The fields, by name.
    pub properties: BTreeMap<String, PrimitiveSchema>,
    /// The names of the fields the user must fill in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<String>>,
}

impl ElicitSchema {
    /// A schema with the given fields, none required.
    pub fn new(properties: BTreeMap<String, PrimitiveSchema>) -> Self {
        Self {
            properties,
            ..Self::default()
        }
    }
}

impl Shape for ElicitSchema {
    fn shape(&mut self, version: ProtocolVersion) {
        if !version.has_enum_schema_variants() {
            self.schema = None;
        }
        for property in self.properties.values_mut() {
            property.shape(version);
        }
    }
}

/// The schema of one elicitation field.
#[derive(Clone, Debug, PartialEq)]
pub enum PrimitiveSchema {
    /// A string.
    String(StringSchema),
    /// A number or an integer.
    Number(NumberSchema),
    /// A boolean.
    Boolean(BooleanSchema),
    /// A choice from a list.
    Enum(EnumSchema),
}

/// A string field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StringSchema {
    /// `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// The field's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The shortest accepted length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// The longest accepted length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// The format the string must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<StringFormat>,
    /// The default value (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// The formats a string field may require.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StringFormat {
    /// `"email"`.
    Email,
    /// `"uri"`.
    Uri,
    /// `"date"`.
    Date,
    /// `"date-time"`.
    DateTime,
}

/// A number field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberSchema {
    /// `"number"` or `"integer"`.
    #[serde(rename = "type")]
    pub kind: NumberType,
    /// The field's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The least accepted value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_f64"
    )]
    pub minimum: Option<f64>,
    /// The greatest accepted value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_f64"
    )]
    pub maximum: Option<f64>,
    /// The default value (2025-11-25).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_f64"
    )]
    pub default: Option<f64>,
}

/// The type of a number field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberType {
    /// Any number.
    #[default]
    Number,
    /// Integers only.
    Integer,
}

/// A boolean field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BooleanSchema {
    /// `"boolean"`.
    #[serde(rename = "type")]
    pub kind: BooleanType,
    /// The field's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

/// A choice field; the single- and multi-select forms of 2025-11-25 and the legacy form with
/// `enumNames` (the only one 2025-06-18 has).
#[derive(Clone, Debug, PartialEq)]
pub enum EnumSchema {
    /// One of plain values (2025-11-25).
    UntitledSingleSelect(UntitledSingleSelectEnumSchema),
    /// One of values with display titles (2025-11-25).
    TitledSingleSelect(TitledSingleSelectEnumSchema),
    /// Several of plain values (2025-11-25).
    UntitledMultiSelect(UntitledMultiSelectEnumSchema),
    /// Several of values with display titles (2025-11-25).
    TitledMultiSelect(TitledMultiSelectEnumSchema),
    /// One of values with display names in `enumNames` (2025-06-18's `EnumSchema`).
    LegacyTitled(LegacyTitledEnumSchema),
}

/// A value with a display title.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnumOption {
    /// The value.
    #[serde(rename = "const")]
    pub value: String,
    /// The display title.
    pub title: String,
}

/// A single choice among plain values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntitledSingleSelectEnumSchema {
    /// `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// The field's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// The default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A single choice among titled values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TitledSingleSelectEnumSchema {
    /// `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// The field's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The values with their titles.
    #[serde(rename = "oneOf")]
    pub options: Vec<EnumOption>,
    /// The default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// The `items` of an untitled multi-select field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntitledEnumItems {
    /// `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// The values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
}

/// The `items` of a titled multi-select field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TitledEnumItems {
    /// The values with their titles.
    #[serde(rename = "anyOf")]
    pub options: Vec<EnumOption>,
}

/// Several choices among plain values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntitledMultiSelectEnumSchema {
    /// `"array"`.
    #[serde(rename = "type")]
    pub kind: ArrayType,
    /// The field's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The fewest values to choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// The most values to choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// The values.
    pub items: UntitledEnumItems,
    /// The values chosen by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
}

/// Several choices among titled values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TitledMultiSelectEnumSchema {
    /// `"array"`.
    #[serde(rename = "type")]
    pub kind: ArrayType,
    /// The field's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The fewest values to choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// The most values to choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// The values with their titles.
    pub items: TitledEnumItems,
    /// The values chosen by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
}

/// A single choice with display names in `enumNames` (deprecated from 2025-11-25).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyTitledEnumSchema {
    /// `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// The field's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Display names of the values, in the same order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_names: Option<Vec<String>>,
    /// The default value (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl Serialize for PrimitiveSchema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::String(s) => s.serialize(serializer),
            Self::Number(s) => s.serialize(serializer),
            Self::Boolean(s) => s.serialize(serializer),
            Self::Enum(s) => s.serialize(serializer),
        }
    }
}

impl Serialize for EnumSchema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::UntitledSingleSelect(s) => s.serialize(serializer),
            Self::TitledSingleSelect(s) => s.serialize(serializer),
            Self::UntitledMultiSelect(s) => s.serialize(serializer),
            Self::TitledMultiSelect(s) => s.serialize(serializer),
            Self::LegacyTitled(s) => s.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for PrimitiveSchema {
    /// Decides the kind by the members present: `type`, then `enum`, `enumNames`, `oneOf`
    /// and `items.anyOf`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;

        let value = Value::deserialize(deserializer)?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let has = |key: &str| value.get(key).is_some();
        let parsed = match kind {
            "boolean" => serde_json::from_value(value).map(Self::Boolean),
            "number" | "integer" => serde_json::from_value(value).map(Self::Number),
            "array" => {
                let titled = value.get("items").is_some_and(|i| i.get("anyOf").is_some());
                if titled {
                    serde_json::from_value(value).map(EnumSchema::TitledMultiSelect)
                } else {
                    serde_json::from_value(value).map(EnumSchema::UntitledMultiSelect)
                }
                .map(Self::Enum)
            }
            "string" if has("oneOf") => {
                serde_json::from_value(value).map(|s| Self::Enum(EnumSchema::TitledSingleSelect(s)))
            }
            "string" if has("enum") && has("enumNames") => {
                serde_json::from_value(value).map(|s| Self::Enum(EnumSchema::LegacyTitled(s)))
            }
            "string" if has("enum") => serde_json::from_value(value)
                .map(|s| Self::Enum(EnumSchema::UntitledSingleSelect(s))),
            "string" => serde_json::from_value(value).map(Self::String),
            other => return Err(D::Error::custom(format!("unknown field type {other:?}"))),
        };
        parsed.map_err(D::Error::custom)
    }
}

impl<'de> Deserialize<'de> for EnumSchema {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match PrimitiveSchema::deserialize(deserializer)? {
            PrimitiveSchema::Enum(e) => Ok(e),
            _ => Err(serde::de::Error::custom("not an enum schema")),
        }
    }
}

impl Shape for PrimitiveSchema {
    /// Before 2025-11-25 there are no titled or multi-select enums and no defaults on string,
    /// number and enum fields: choices become the legacy form (a multi-select becomes a single
    /// select over the same values) and those defaults are dropped.
    fn shape(&mut self, version: ProtocolVersion) {
        if version.has_enum_schema_variants() {
            return;
        }
        match self {
            Self::String(s) => s.default = None,
            Self::Number(s) => s.default = None,
            Self::Boolean(_) => {}
            Self::Enum(e) => {
                let legacy = match e {
                    EnumSchema::UntitledSingleSelect(s) => legacy(
                        s.title.take(),
                        s.description.take(),
                        std::mem::take(&mut s.values),
                        None,
                    ),
                    EnumSchema::TitledSingleSelect(s) => {
                        let (values, names) = split_options(&s.options);
                        legacy(s.title.take(), s.description.take(), values, Some(names))
                    }
                    EnumSchema::UntitledMultiSelect(s) => legacy(
                        s.title.take(),
                        s.description.take(),
                        std::mem::take(&mut s.items.values),
                        None,
                    ),
                    EnumSchema::TitledMultiSelect(s) => {
                        let (values, names) = split_options(&s.items.options);
                        legacy(s.title.take(), s.description.take(), values, Some(names))
                    }
                    EnumSchema::LegacyTitled(s) => {
                        s.default = None;
                        return;
                    }
                };
                *e = EnumSchema::LegacyTitled(legacy);
            }
        }
    }
}

fn legacy(
    title: Option<String>,
    description: Option<String>,
    values: Vec<String>,
    enum_names: Option<Vec<String>>,
) -> LegacyTitledEnumSchema {
    LegacyTitledEnumSchema {
        kind: StringType,
        title,
        description,
        values,
        enum_names,
        default: None,
    }
}

fn split_options(options: &[EnumOption]) -> (Vec<String>, Vec<String>) {
    options
        .iter()
        .map(|o| (o.value.clone(), o.title.clone()))
        .unzip()
}
