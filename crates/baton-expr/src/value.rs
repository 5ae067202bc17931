//! [`Value`]: the data model of expressions, inputs and step outputs.

use indexmap::IndexMap;
use num_bigint::BigInt;

/// An ordered mapping with string keys (insertion order is observable, as in Python dicts).
pub type Map = IndexMap<String, Value>;

/// A workflow value: what Python's `json` module can hold, with integers of arbitrary
/// size and floats that may be `nan`/`inf` (only `from_json` produces those).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Python `None` / JSON `null`.
    Null,
    /// Python `bool`.
    Bool(bool),
    /// Python `int` (arbitrary precision).
    Int(BigInt),
    /// Python `float`.
    Float(f64),
    /// Python `str`.
    Str(String),
    /// Python `list`.
    List(Vec<Value>),
    /// Python `dict` with string keys, in insertion order.
    Map(Map),
}

impl Value {
    /// The Python type name of this value (`NoneType`, `bool`, `int`, `float`, `str`,
    /// `list`, `dict`), as the reference's error messages spell it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Map(_) => "dict",
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(BigInt::from(i))
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
