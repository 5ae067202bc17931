//! Conversions between the value types of the crates the engine joins: expression
//! [`Value`]s, the state store's lossless [`Json`], and YAML [`Node`]s.

use baton_expr::{Map, Value};
use baton_model::yaml::{Node, Span, Yaml};
use baton_state::{Json, JsonNumber, JsonObject};
use num_bigint::BigInt;

/// A [`Value`] as the store's [`Json`] (what `json.dumps` would write).
pub fn value_to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => JsonNumber::from_text(&i.to_string()).map_or(Json::Null, Json::Number),
        Value::Float(f) => Json::Number(JsonNumber::from_f64(*f)),
        Value::Str(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(value_to_json).collect()),
        Value::Map(m) => Json::Object(map_to_object(m)),
    }
}

/// A [`Map`] as a [`JsonObject`].
pub fn map_to_object(m: &Map) -> JsonObject {
    m.iter().map(|(k, v)| (k.clone(), value_to_json(v))).collect()
}

/// The store's [`Json`] as a [`Value`] (what `json.loads` would give).
pub fn json_to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if n.is_integer() {
                n.as_str().parse::<BigInt>().map_or(Value::Float(n.as_f64()), Value::Int)
            } else {
                Value::Float(n.as_f64())
            }
        }
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(a) => Value::List(a.iter().map(json_to_value).collect()),
        Json::Object(o) => Value::Map(object_to_map(o)),
    }
}

/// A [`JsonObject`] as a [`Map`].
pub fn object_to_map(o: &JsonObject) -> Map {
    o.iter().map(|(k, v)| (k.clone(), json_to_value(v))).collect()
}

/// A [`Value`] as a YAML node (string keys; no positions). Used for step lists a
/// custom step returns as values.
pub fn value_to_node(v: &Value) -> Node {
    let value = match v {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Bool(*b),
        Value::Int(i) => Yaml::Int(i.clone()),
        Value::Float(f) => Yaml::Float(*f),
        Value::Str(s) => Yaml::Str(s.clone()),
        Value::List(items) => Yaml::Seq(items.iter().map(value_to_node).collect()),
        Value::Map(m) => Yaml::Map(
            m.iter()
                .map(|(k, v)| (Node { value: Yaml::Str(k.clone()), span: Span::default() }, value_to_node(v)))
                .collect(),
        ),
    };
    Node { value, span: Span::default() }
}

/// A YAML node as [`Json`] (through [`Node::to_value`]).
pub fn node_to_json(n: &Node) -> Json {
    value_to_json(&n.to_value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let text = r#"{"a": [1, 2.5, 1e+16, null, true, "x"], "big": 123456789012345678901234567890, "n": NaN}"#;
        let j = Json::parse(text).unwrap_or(Json::Null);
        let v = json_to_value(&j);
        assert!(matches!(&v, Value::Map(m) if matches!(m.get("big"), Some(Value::Int(_)))));
        assert_eq!(value_to_json(&v).to_python_line(), text);
    }
}
