//! [`Value`]: the data model of expressions, inputs and step outputs.

use std::cmp::Ordering;

use indexmap::IndexMap;
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};

use crate::py::{float_repr, str_repr};

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

    /// Python truthiness: `None`, `False`, `0`, `0.0`, `""`, `[]` and `{}` are false;
    /// everything else (including `"0"`, `"false"` and `nan`) is true.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => !i.is_zero(),
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
        }
    }

    /// Python `str()`: `None`, `True`, `1.0`, `1e+16`, strings as they are, containers
    /// as their [`repr`](Self::py_repr) (`['a', 1]`, `{'k': None}`).
    pub fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    /// Python `repr()`: like [`py_str`](Self::py_str) but strings are quoted the way
    /// Python quotes them (`'a'`, `"it's"`, `'\\n'`).
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_repr(&self, out: &mut String) {
        crate::deep(|| self.write_repr_here(out));
    }

    fn write_repr_here(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Str(s) => out.push_str(&str_repr(s)),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(out);
                }
                out.push(']');
            }
            Value::Map(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&str_repr(k));
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }

    /// Python `==`: numbers compare by value across `bool`/`int`/`float` (`True == 1`,
    /// `1 == 1.0`), strings never equal numbers, lists element-wise, dicts ignoring key
    /// order; `nan` equals nothing (but inside containers an element is equal to itself,
    /// as Python's identity shortcut makes it).
    pub fn py_eq(&self, other: &Value) -> bool {
        crate::deep(|| self.py_eq_here(other))
    }

    fn py_eq_here(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_or_eq(x, y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same_or_eq(v, w)))
            }
            (a, b) => match (Number::of(a), Number::of(b)) {
                (Some(x), Some(y)) => x.cmp(&y) == Some(Ordering::Equal),
                _ => false,
            },
        }
    }

    /// Python ordering (`<`, `>`, …) of two values: numbers across `bool`/`int`/`float`
    /// (exactly, even for big ints against floats), strings by code point, lists
    /// lexicographically. `None` when Python raises `TypeError` (dicts, `None`, a number
    /// against a string, …) or the values are unordered (`nan`); every ordering operator
    /// is then false.
    pub fn py_partial_cmp(&self, other: &Value) -> Option<Ordering> {
        crate::deep(|| self.py_partial_cmp_here(other))
    }

    fn py_partial_cmp_here(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::List(a), Value::List(b)) => {
                match a.iter().zip(b).find(|(x, y)| !same_or_eq(x, y)) {
                    Some((x, y)) => x.py_partial_cmp(y),
                    None => Some(a.len().cmp(&b.len())),
                }
            }
            (a, b) => Number::of(a)?.cmp(&Number::of(b)?),
        }
    }

    /// Python `needle in self`: substring for strings, element (by [`py_eq`](Self::py_eq))
    /// for lists, key for dicts. `None` when Python raises `TypeError` (the container is
    /// not a container, a non-string is looked up in a string, an unhashable key).
    pub fn py_contains(&self, needle: &Value) -> Option<bool> {
        match (self, needle) {
            (Value::Str(hay), Value::Str(n)) => Some(hay.contains(n.as_str())),
            (Value::Str(_), _) => None,
            (Value::List(items), n) => Some(items.iter().any(|e| same_or_eq(e, n))),
            (Value::Map(_), Value::List(_) | Value::Map(_)) => None,
            (Value::Map(map), Value::Str(k)) => Some(map.contains_key(k)),
            (Value::Map(_), _) => Some(false),
            _ => None,
        }
    }

    /// The string, when this is a `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is `None`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// How Python compares container elements: an object is equal to itself, else `==`.
/// Every `nan` the reference meets is the same object (`json.loads` and PyYAML each
/// hand out one shared `nan`), so two `nan` elements are equal; a bare `nan == nan`
/// stays false.
pub(crate) fn same_or_eq(a: &Value, b: &Value) -> bool {
    let both_nan = matches!((a, b), (Value::Float(x), Value::Float(y)) if x.is_nan() && y.is_nan());
    both_nan || std::ptr::eq(a, b) || a.py_eq(b)
}

/// A Python number (`bool`, `int` or `float`) for mixed comparisons.
enum Number<'a> {
    Int(std::borrow::Cow<'a, BigInt>),
    Float(f64),
}

impl<'a> Number<'a> {
    fn of(v: &'a Value) -> Option<Number<'a>> {
        match v {
            Value::Bool(b) => Some(Number::Int(std::borrow::Cow::Owned(BigInt::from(u8::from(*b))))),
            Value::Int(i) => Some(Number::Int(std::borrow::Cow::Borrowed(i))),
            Value::Float(f) => Some(Number::Float(*f)),
            _ => None,
        }
    }

    fn cmp(&self, other: &Number<'_>) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.as_ref().cmp(b.as_ref())),
            (Number::Float(a), Number::Float(b)) => a.partial_cmp(b),
            (Number::Int(a), Number::Float(b)) => int_float_cmp(a, *b),
            (Number::Float(a), Number::Int(b)) => int_float_cmp(b, *a).map(Ordering::reverse),
        }
    }
}

/// Exact comparison of an integer with a float, as Python does it.
fn int_float_cmp(i: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 { Ordering::Less } else { Ordering::Greater });
    }
    // Small ints convert exactly.
    if let Some(small) = i.to_i64() {
        if small.unsigned_abs() < (1u64 << 53) {
            return (small as f64).partial_cmp(&f);
        }
    }
    let floor = f.floor();
    let floor_int: BigInt = num_traits::FromPrimitive::from_f64(floor)?;
    Some(match i.cmp(&floor_int) {
        Ordering::Equal if floor < f => Ordering::Less,
        ord => ord,
    })
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

impl From<BigInt> for Value {
    fn from(i: BigInt) -> Self {
        Value::Int(i)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::List(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::Map(map)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
