//! Views of a [`Node`]: the JSON-like [`Value`], Python's `repr()` and type name, a
//! `serde_yaml::Value` for the serde model, and small accessors.

use baton_expr::py::{float_repr, str_repr};
use baton_expr::{Map, Value};
use num_traits::ToPrimitive;

use super::timestamp::Timestamp;
use super::{Node, Yaml};

impl Node {
    /// The value as the workflow engine handles it (what `json.dumps` would make of the
    /// Python object). Mapping keys become strings as `json.dumps` writes them: a string
    /// as is, `True`/`False` → `"true"`/`"false"`, `None` → `"null"`, an int in
    /// decimal, a float as its `repr()` (`Infinity`, `-Infinity`, `NaN` for the
    /// non-finite ones); keys that would then repeat keep the first position and the
    /// last value, as `json.loads` of that text would. Values JSON cannot hold are
    /// written as Python's `str()` of them: a timestamp as `2024-01-01` or
    /// `2024-01-01 10:00:00+00:00`, bytes as `b'...'` (the same text for such keys).
    pub fn to_value(&self) -> Value {
        match &self.value {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(*b),
            Yaml::Int(i) => Value::Int(i.clone()),
            Yaml::Float(f) => Value::Float(*f),
            Yaml::Str(s) => Value::Str(s.clone()),
            Yaml::Timestamp(_) | Yaml::Binary(_) => Value::Str(self.py_str()),
            Yaml::Seq(items) => Value::List(items.iter().map(Node::to_value).collect()),
            Yaml::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (k, v) in entries {
                    map.insert(k.json_key(), v.to_value());
                }
                Value::Map(map)
            }
        }
    }

    /// The text `json.dumps` writes for this node used as a dictionary key.
    fn json_key(&self) -> String {
        match &self.value {
            Yaml::Str(s) => s.clone(),
            Yaml::Bool(true) => "true".to_owned(),
            Yaml::Bool(false) => "false".to_owned(),
            Yaml::Null => "null".to_owned(),
            Yaml::Int(i) => i.to_string(),
            Yaml::Float(f) if f.is_nan() => "NaN".to_owned(),
            Yaml::Float(f) if f.is_infinite() && *f > 0.0 => "Infinity".to_owned(),
            Yaml::Float(f) if f.is_infinite() => "-Infinity".to_owned(),
            Yaml::Float(f) => float_repr(*f),
            _ => self.py_str(),
        }
    }

    /// Python's `str()` of the value.
    fn py_str(&self) -> String {
        match &self.value {
            Yaml::Str(s) => s.clone(),
            Yaml::Timestamp(t) => match Timestamp::parse(t) {
                Ok(ts) => ts.isoformat(' '),
                Err(_) => t.clone(),
            },
            _ => self.py_repr(),
        }
    }

    /// Python's `repr()` of the object PyYAML builds: `'a'`, `1.0`, `True`, `None`,
    /// `['a', 1]`, `{'a': 1}`, `datetime.date(2024, 1, 1)`, `b'..'`.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_repr(&self, out: &mut String) {
        match &self.value {
            Yaml::Null => out.push_str("None"),
            Yaml::Bool(true) => out.push_str("True"),
            Yaml::Bool(false) => out.push_str("False"),
            Yaml::Int(i) => out.push_str(&i.to_string()),
            Yaml::Float(f) => out.push_str(&float_repr(*f)),
            Yaml::Str(s) => out.push_str(&str_repr(s)),
            Yaml::Timestamp(t) => match Timestamp::parse(t) {
                Ok(ts) => out.push_str(&ts.py_repr()),
                Err(_) => out.push_str(&str_repr(t)),
            },
            Yaml::Binary(b) => out.push_str(&bytes_repr(b)),
            Yaml::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(out);
                }
                out.push(']');
            }
            Yaml::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out);
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }

    /// The Python type name of the object PyYAML builds: `str`, `int`, `float`, `bool`,
    /// `NoneType`, `list`, `dict`, `date`, `datetime`, `bytes`.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Yaml::Null => "NoneType",
            Yaml::Bool(_) => "bool",
            Yaml::Int(_) => "int",
            Yaml::Float(_) => "float",
            Yaml::Str(_) => "str",
            Yaml::Timestamp(t) => match Timestamp::parse(t) {
                Ok(ts) if ts.time.is_none() => "date",
                _ => "datetime",
            },
            Yaml::Binary(_) => "bytes",
            Yaml::Seq(_) => "list",
            Yaml::Map(_) => "dict",
        }
    }

    /// The node as a `serde_yaml::Value`, so the serde model can be deserialized from
    /// it (`serde_yaml::from_value`). Integers beyond 64 bits become floats; timestamps
    /// and bytes become strings as in [`Node::to_value`].
    pub fn to_serde_yaml(&self) -> serde_yaml::Value {
        use serde_yaml::Value as V;
        match &self.value {
            Yaml::Null => V::Null,
            Yaml::Bool(b) => V::Bool(*b),
            Yaml::Int(i) => {
                if let Some(n) = i.to_i64() {
                    V::Number(n.into())
                } else if let Some(n) = i.to_u64() {
                    V::Number(n.into())
                } else {
                    V::Number(i.to_f64().unwrap_or(f64::NAN).into())
                }
            }
            Yaml::Float(f) => V::Number((*f).into()),
            Yaml::Str(s) => V::String(s.clone()),
            Yaml::Timestamp(_) | Yaml::Binary(_) => V::String(self.py_str()),
            Yaml::Seq(items) => V::Sequence(items.iter().map(Node::to_serde_yaml).collect()),
            Yaml::Map(entries) => V::Mapping(
                entries.iter().map(|(k, v)| (k.to_serde_yaml(), v.to_serde_yaml())).collect(),
            ),
        }
    }

    /// The text of a string node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Yaml::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping node, in document order.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Yaml::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a sequence node.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Yaml::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value under the string key `key` of a mapping node (Python's
    /// `node.get(key)`); `None` for other nodes or a missing key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// Whether two nodes hold the same value, ignoring positions: the same variants with
    /// the same contents in the same order (a NaN equals a NaN; `1` does not equal
    /// `1.0` or `True`, unlike in Python).
    pub fn value_eq(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Yaml::Float(a), Yaml::Float(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            (Yaml::Seq(a), Yaml::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value_eq(y)),
            (Yaml::Map(a), Yaml::Map(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka.value_eq(kb) && va.value_eq(vb))
            }
            (Yaml::Timestamp(a), Yaml::Timestamp(b)) => match (Timestamp::parse(a), Timestamp::parse(b)) {
                (Ok(x), Ok(y)) => x == y,
                _ => a == b,
            },
            (a, b) => a == b,
        }
    }
}

/// Python's `repr(bytes)`.
fn bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') { '"' } else { '\'' };
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push('b');
    out.push(quote);
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}
