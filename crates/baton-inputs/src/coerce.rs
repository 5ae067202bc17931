//! Coercion of one value to an input's declared type, then the `enum` check.

use baton_expr::py::str_repr;
use baton_expr::Value;

use crate::decl::{EnumValues, InputDecl, InputType};
use crate::number::{py_float, py_int};
use crate::InputError;

/// Coerces `value` to `decl`'s type and checks it against `decl`'s `enum`, as the
/// reference does for a provided value or a default (no `integration: auto` handling:
/// see [`resolve`](crate::resolve)).
///
/// * `string`: the value must already be a string.
/// * `number`: bools refused; strings parse as Python's `int()` (arbitrary precision),
///   else `float()`; a whole float becomes an int; NaN and infinities refused.
/// * `boolean`: bools kept; strings `true`/`1`/`yes` and `false`/`0`/`no` (any case).
/// * any other `type`: nothing coerced.
///
/// A prompter can call this on its answer to ask again instead of failing.
pub fn coerce(decl: &InputDecl, value: &Value) -> Result<Value, InputError> {
    coerce_parts(&decl.name, &decl.ty, decl.enum_values.as_ref(), value)
}

pub(crate) fn coerce_parts(
    name: &str,
    ty: &InputType,
    enum_values: Option<&EnumValues>,
    value: &Value,
) -> Result<Value, InputError> {
    let allowed = match enum_values {
        None => None,
        Some(EnumValues::List(items)) => Some(items),
        Some(EnumValues::NotAList(other)) => {
            return Err(InputError::InvalidEnum {
                name: name.to_owned(),
                name_repr: str_repr(name),
                type_name: other.type_name(),
            })
        }
    };
    let value = match ty {
        InputType::Number => to_number(name, value)?,
        InputType::Boolean => to_boolean(name, value)?,
        InputType::String => match value {
            Value::Str(_) => value.clone(),
            other => {
                return Err(InputError::ExpectedString {
                    name: name.to_owned(),
                    name_repr: str_repr(name),
                    got: other.py_repr(),
                })
            }
        },
        InputType::Unchecked(_) => value.clone(),
    };
    if let Some(items) = allowed {
        if !items.iter().any(|item| value.py_eq(item)) {
            return Err(InputError::NotInEnum {
                name: name.to_owned(),
                name_repr: str_repr(name),
                got: value.py_repr(),
                allowed: Value::List(items.clone()).py_repr(),
            });
        }
    }
    Ok(value)
}

fn to_number(name: &str, value: &Value) -> Result<Value, InputError> {
    let fail = |shown: &Value| InputError::ExpectedNumber {
        name: name.to_owned(),
        name_repr: str_repr(name),
        got: shown.py_repr(),
    };
    let float = match value {
        Value::Int(_) => return Ok(value.clone()),
        Value::Str(s) => {
            if let Some(i) = py_int(s) {
                return Ok(Value::Int(i));
            }
            match py_float(s) {
                Some(f) => f,
                None => return Err(fail(value)),
            }
        }
        Value::Float(f) => *f,
        // `float()` of None, a list or a dict raises TypeError; bools are refused.
        Value::Null | Value::Bool(_) | Value::List(_) | Value::Map(_) => return Err(fail(value)),
    };
    if float.is_nan() || float.is_infinite() {
        // The reference shows the value after `float()`: `nan`, `inf`, `-inf`.
        return Err(fail(&Value::Float(float)));
    }
    Ok(match float_to_int(float) {
        Some(i) => Value::Int(i),
        None => Value::Float(float),
    })
}

fn to_boolean(name: &str, value: &Value) -> Result<Value, InputError> {
    let word = |w: &str, s: &str| s.eq_ignore_ascii_case(w);
    match value {
        Value::Bool(_) => Ok(value.clone()),
        Value::Str(s) if ["true", "1", "yes"].iter().any(|w| word(w, s)) => Ok(Value::Bool(true)),
        Value::Str(s) if ["false", "0", "no"].iter().any(|w| word(w, s)) => {
            Ok(Value::Bool(false))
        }
        other => Err(InputError::ExpectedBoolean {
            name: name.to_owned(),
            name_repr: str_repr(name),
            got: other.py_repr(),
        }),
    }
}

/// The integer a finite, whole float equals exactly (Python's `int(f)` when
/// `f == int(f)`), or `None` for fractions, infinities and NaN.
fn float_to_int(f: f64) -> Option<num_bigint::BigInt> {
    if f.is_finite() && f.fract() == 0.0 {
        num_traits::FromPrimitive::from_f64(f)
    } else {
        None
    }
}
