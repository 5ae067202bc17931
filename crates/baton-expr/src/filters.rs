//! The ten filters of spec §2.7, with the reference's error texts.

use std::borrow::Cow;

use num_bigint::BigInt;

use crate::ast::FilterKind;
use crate::error::ExprError;
use crate::json::{self, DumpOptions, JsonError};
use crate::value::Value;

fn err(msg: String) -> ExprError {
    ExprError::Filter(msg)
}

/// Applies one filter to `value`; `arg` is the evaluated argument of `name(arg)`.
pub(crate) fn apply<'n>(
    kind: &FilterKind,
    value: Cow<'n, Value>,
    arg: Option<&Value>,
) -> Result<Cow<'n, Value>, ExprError> {
    let owned = |v: Value| Ok(Cow::Owned(v));
    match kind {
        FilterKind::Invalid(e) => Err(e.clone()),
        FilterKind::Default => {
            let empty = matches!(&*value, Value::Null) || value.as_str() == Some("");
            if empty {
                owned(arg.cloned().unwrap_or_else(|| Value::Str(String::new())))
            } else {
                Ok(value)
            }
        }
        FilterKind::Join => {
            let sep = match arg {
                Some(Value::Str(s)) => s,
                other => return Err(err(format!(
                    "join: expected a string separator, got {}",
                    type_of(other)
                ))),
            };
            match &*value {
                Value::List(items) => {
                    let parts: Vec<String> = items.iter().map(Value::py_str).collect();
                    owned(Value::Str(parts.join(sep)))
                }
                other => owned(Value::Str(other.py_str())),
            }
        }
        FilterKind::Map => {
            let attr = match arg {
                Some(Value::Str(s)) => s,
                other => return Err(err(format!(
                    "map: expected a string attribute name, got {}",
                    type_of(other)
                ))),
            };
            match &*value {
                Value::List(items) => {
                    let out = items.iter().map(|item| match item {
                        Value::Map(_) => follow(item, attr),
                        other => other.clone(),
                    });
                    owned(Value::List(out.collect()))
                }
                _ => owned(Value::List(Vec::new())),
            }
        }
        FilterKind::Contains => {
            let needle = arg.unwrap_or(&Value::Null);
            let found = match &*value {
                Value::Str(hay) => match needle {
                    Value::Str(n) => hay.contains(n.as_str()),
                    other => return Err(err(format!(
                        "contains: expected a string argument when the value is a string, got {}",
                        other.type_name()
                    ))),
                },
                Value::List(items) => items.iter().any(|e| crate::value::same_or_eq(e, needle)),
                _ => false,
            };
            owned(Value::Bool(found))
        }
        FilterKind::Split => {
            let text = match &*value {
                Value::Str(s) => s,
                other => return Err(err(format!(
                    "split: expected a string value, got {}",
                    other.type_name()
                ))),
            };
            let sep = match arg {
                Some(Value::Str(s)) => s,
                other => return Err(err(format!(
                    "split: expected a string separator, got {}",
                    type_of(other)
                ))),
            };
            if sep.is_empty() {
                return Err(err("split: separator must not be empty".to_owned()));
            }
            owned(Value::List(text.split(sep.as_str()).map(Value::from).collect()))
        }
        FilterKind::FromJson => match &*value {
            Value::Str(s) => match json::loads(s) {
                Ok(v) => owned(v),
                Err(JsonError::IntTooLarge(digits)) => Err(ExprError::IntTooLarge(digits)),
                Err(e) => Err(err(format!("from_json: invalid JSON: {e}"))),
            },
            other => Err(err(format!(
                "from_json: expected a JSON string, got {}",
                other.type_name()
            ))),
        },
        FilterKind::Upper | FilterKind::Lower => {
            let (name, upper) = match kind {
                FilterKind::Upper => ("upper", true),
                _ => ("lower", false),
            };
            match &*value {
                Value::Str(s) => {
                    owned(Value::Str(if upper { s.to_uppercase() } else { s.to_lowercase() }))
                }
                other => Err(err(format!(
                    "{name}: expected a string value, got {}",
                    other.type_name()
                ))),
            }
        }
        FilterKind::Length => {
            let n = match &*value {
                Value::List(items) => items.len(),
                Value::Str(s) => s.chars().count(),
                other => return Err(err(format!(
                    "length: expected a list or string, got {} (mappings are not supported)",
                    other.type_name()
                ))),
            };
            owned(Value::Int(BigInt::from(n)))
        }
        FilterKind::ToJson => {
            let opts = DumpOptions { ensure_ascii: false, sort_keys: true, allow_nan: false, indent: None };
            match json::dumps(&value, &opts) {
                Ok(s) => owned(Value::Str(s)),
                Err(e) => Err(err(format!("to_json: value is not JSON-serializable: {e}"))),
            }
        }
    }
}

/// The Python type name of an argument (`None` when there is none).
fn type_of(v: Option<&Value>) -> &'static str {
    v.map_or("NoneType", Value::type_name)
}

/// `map`'s dotted walk: each part looked up while the value is a mapping.
fn follow(item: &Value, attr: &str) -> Value {
    let mut v = item;
    for part in attr.split('.') {
        match v {
            Value::Map(m) => match m.get(part) {
                Some(next) => v = next,
                None => return Value::Null,
            },
            _ => return Value::Null,
        }
    }
    v.clone()
}
