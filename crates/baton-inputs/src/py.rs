//! Python semantics the reference's input handling relies on: `repr()`, `==`,
//! truthiness and `str.strip()` whitespace, over [`Value`].

use baton_expr::py::{float_repr, str_repr};
use baton_expr::Value;
use num_bigint::BigInt;
use num_traits::FromPrimitive;

/// Python's `repr()` of a value (`None`, `True`, `3`, `2.5`, `'a'`, `[1, 'b']`,
/// `{'k': None}`).
pub fn repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(value, &mut out);
    out
}

fn write_repr(value: &Value, out: &mut String) {
    match value {
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
                write_repr(item, out);
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
                write_repr(v, out);
            }
            out.push('}');
        }
    }
}

/// Python's `a == b` (`True == 1 == 1.0`, ints and floats compared exactly, NaN unequal
/// to everything, dicts compared regardless of key order).
pub fn eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| eq(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| eq(v, w)))
        }
        (Value::Float(x), Value::Float(y)) => x == y,
        _ => match (exact_number(a), exact_number(b)) {
            (Some(Num::Int(x)), Some(Num::Int(y))) => x == y,
            (Some(Num::Int(x)), Some(Num::Float(f))) | (Some(Num::Float(f)), Some(Num::Int(x))) => {
                float_to_int(f).is_some_and(|y| y == x)
            }
            (Some(Num::Float(x)), Some(Num::Float(y))) => x == y,
            _ => false,
        },
    }
}

enum Num {
    Int(BigInt),
    Float(f64),
}

fn exact_number(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::Int(BigInt::from(u8::from(*b)))),
        Value::Int(i) => Some(Num::Int(i.clone())),
        Value::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

/// The integer a finite, whole float equals exactly (Python's `int(f)` when
/// `f == int(f)`), or `None` for fractions, infinities and NaN.
pub fn float_to_int(f: f64) -> Option<BigInt> {
    if f.is_finite() && f.fract() == 0.0 {
        BigInt::from_f64(f)
    } else {
        None
    }
}

/// Python's `bool(value)`.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => i.sign() != num_bigint::Sign::NoSign,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(l) => !l.is_empty(),
        Value::Map(m) => !m.is_empty(),
    }
}

/// Python's `str.isspace()` for one character (Unicode 14.0, as the reference's
/// Python 3.11): what `str.strip()` removes.
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `str.strip()` with no argument.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}
