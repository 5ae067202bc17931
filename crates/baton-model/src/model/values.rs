//! Loosely typed values of the model and their schemas.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;
use num_bigint::BigInt;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Any YAML value: a field the reference evaluates as a `{{ }}` template or never
/// checks, kept as written.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Any(pub serde_yaml::Value);

impl JsonSchema for Any {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Any".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({})
    }
}

/// A mapping with keys and values of any kind, kept as written.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(transparent)]
pub struct AnyMap(pub serde_yaml::Mapping);

impl JsonSchema for AnyMap {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "AnyMap".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object" })
    }
}

/// An integer of any size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Int(#[serde(serialize_with = "serialize_bigint")] pub BigInt);

fn serialize_bigint<S: serde::Serializer>(value: &BigInt, s: S) -> Result<S::Ok, S::Error> {
    match i64::try_from(value) {
        Ok(i) => s.serialize_i64(i),
        Err(_) => s.serialize_str(&value.to_string()),
    }
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                Ok(Int(v.into()))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Int, E> {
                Ok(Int(v.into()))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Int, E> {
                Ok(Int(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
                // Integers beyond 64 bits reach serde as floats.
                if v.is_finite() && v.fract() == 0.0 && v.abs() >= 9.0e15 {
                    num_traits::FromPrimitive::from_f64(v)
                        .map(Int)
                        .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
                v.parse::<BigInt>().map(Int).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Int {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Int".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer" })
    }
}

/// The `condition` of `if`, `while` and `do-while` steps: a YAML boolean, or a string —
/// `"true"`/`"false"` or one whole `{{ }}` expression.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Condition {
    /// `condition: true` / `false`.
    Bool(bool),
    /// A string, normally one `{{ }}` block.
    Expr(String),
}

impl JsonSchema for Condition {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Condition".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["string", "boolean"],
            "examples": ["{{ inputs.count > 3 }}", true]
        })
    }
}

/// `schema_version`: `"1.0"` (an unquoted `1.0` is read as the float and accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SchemaVersion(pub String);

impl<'de> Deserialize<'de> for SchemaVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        LenientKey::deserialize(d).map(|k| SchemaVersion(k.0))
    }
}

impl JsonSchema for SchemaVersion {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "SchemaVersion".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "enum": ["1.0", 1.0] })
    }
}

/// A mapping key of any scalar kind, as Python's `str()` spells it (`True`, `3`,
/// `1.0`, `None`): YAML 1.1 keys need not be strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct LenientKey(pub(crate) String);

impl<'de> Deserialize<'de> for LenientKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientKey, E> {
                Ok(LenientKey(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<LenientKey, E> {
                Ok(LenientKey(if v { "True" } else { "False" }.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientKey, E> {
                Ok(LenientKey(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientKey, E> {
                Ok(LenientKey(v.to_string()))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<LenientKey, E> {
                Ok(LenientKey(v.to_string()))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<LenientKey, E> {
                Ok(LenientKey(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientKey, E> {
                Ok(LenientKey(baton_expr::py::float_repr(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientKey, E> {
                Ok(LenientKey("None".to_owned()))
            }
            fn visit_none<E: de::Error>(self) -> Result<LenientKey, E> {
                Ok(LenientKey("None".to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A map whose keys are rendered as Python's `str()` of the YAML key.
pub(crate) fn key_map<'de, D, T>(d: D) -> Result<IndexMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = IndexMap<String, T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = IndexMap::new();
            while let Some((k, v)) = map.next_entry::<LenientKey, T>()? {
                out.insert(k.0, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(V(PhantomData))
}

/// [`key_map`] for an optional field.
pub(crate) fn opt_key_map<'de, D, T>(d: D) -> Result<Option<IndexMap<String, T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    key_map(d).map(Some)
}

/// The schema of an input's `type`: one of the three names, or a falsy value (which
/// the reference treats as absent).
pub(crate) fn input_type_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "`string` (default), `number` or `boolean`.",
        "anyOf": [
            { "enum": ["string", "number", "boolean"] },
            { "enum": [null, "", false, 0, [], {}] }
        ]
    })
}
