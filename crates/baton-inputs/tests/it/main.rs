//! Integration tests of baton-inputs: the oracle-filled table, the reference re-check,
//! prompting, and property tests.

mod oracle;
mod prompt;
mod props;
mod table;

use baton_expr::{Map, Value};
use num_bigint::BigInt;
use std::path::PathBuf;

/// `fixtures/inputs/` at the workspace root.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/inputs")
}

/// A table value: plain JSON, with `{"$int": "…"}` for integers beyond i64 and
/// `{"$float": "nan" | "inf" | "-inf"}` for non-finite floats.
pub fn value(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(BigInt::from(i))
            } else if let Some(u) = n.as_u64() {
                Value::Int(BigInt::from(u))
            } else {
                Value::Float(n.as_f64().expect("a JSON number is an f64"))
            }
        }
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => Value::List(items.iter().map(value).collect()),
        J::Object(obj) => {
            if obj.len() == 1 {
                if let Some(J::String(s)) = obj.get("$int") {
                    return Value::Int(s.parse().expect("a $int tag holds digits"));
                }
                if let Some(J::String(s)) = obj.get("$float") {
                    return Value::Float(s.parse().expect("a $float tag holds inf/nan"));
                }
            }
            Value::Map(obj.iter().map(|(k, v)| (k.clone(), value(v))).collect())
        }
    }
}

/// A table value that must be a mapping.
pub fn map(j: &serde_json::Value) -> Map {
    match value(j) {
        Value::Map(m) => m,
        other => panic!("expected a mapping in the table, got {other:?}"),
    }
}
