//! Validation rule 7: the `inputs:` block and the coercion of every declared default.

use baton_expr::py::str_repr;
use baton_expr::Value;

use crate::coerce::coerce_parts;
use crate::decl::{EnumValues, InputType};

/// The part of a declaration a diagnostic is about (for pointing at a line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclField {
    /// The `type` key.
    Type,
    /// The `enum` key.
    Enum,
    /// The `default` key.
    Default,
}

/// One rule-7 validation error, with the reference's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDiagnostic {
    /// The input the message is about; `None` when the `inputs` block itself is wrong.
    pub input: Option<String>,
    /// The key at fault within that input's definition; `None` for the whole
    /// definition (or block).
    pub field: Option<DeclField>,
    /// The reference's message, verbatim.
    pub message: String,
}

/// Every rule-7 error of a workflow's `inputs` value (`None` when the key is absent,
/// which is valid), in the reference's order: the block must be a mapping (`null`
/// included: a bare `inputs:` fails), each definition a mapping; then per input its
/// `type`, its `enum`, and its `default` coerced as at run time (the `enum` left out
/// for `integration` defaulting to `auto` and when the `enum` is not a list).
pub fn validate_declarations(inputs: Option<&Value>) -> Vec<InputDiagnostic> {
    let mut out = Vec::new();
    let map = match inputs {
        None => return out,
        Some(Value::Map(map)) => map,
        Some(_) => {
            out.push(InputDiagnostic {
                input: None,
                field: None,
                message: "'inputs' must be a mapping (or omitted).".to_owned(),
            });
            return out;
        }
    };
    for (name, def) in map {
        let diag = |field, message| InputDiagnostic {
            input: Some(name.clone()),
            field,
            message,
        };
        let Value::Map(def) = def else {
            out.push(diag(None, format!("Input {} must be a mapping.", str_repr(name))));
            continue;
        };
        let ty = def.get("type");
        if let Some(t) = ty {
            let known = matches!(t, Value::Str(s) if ["string", "number", "boolean"].contains(&s.as_str()));
            if t.truthy() && !known {
                out.push(diag(
                    Some(DeclField::Type),
                    format!(
                        "Input {} has invalid type {}. Must be 'string', 'number', or 'boolean'.",
                        str_repr(name),
                        t.py_repr()
                    ),
                ));
            }
        }
        let enum_values = match def.get("enum") {
            None | Some(Value::Null) => None,
            Some(Value::List(items)) => Some(items),
            Some(other) => {
                out.push(diag(
                    Some(DeclField::Enum),
                    format!(
                        "Input {} has invalid 'enum': must be a list, got {}.",
                        str_repr(name),
                        other.type_name()
                    ),
                ));
                None
            }
        };
        if let Some(default) = def.get("default") {
            let is_auto_integration =
                name == "integration" && matches!(default, Value::Str(s) if s == "auto");
            let enum_values = if is_auto_integration {
                None
            } else {
                enum_values.map(|items| EnumValues::List(items.clone()))
            };
            let ty = InputType::from_decl(ty);
            if let Err(err) = coerce_parts(name, &ty, enum_values.as_ref(), default) {
                out.push(diag(
                    Some(DeclField::Default),
                    format!("Input {} has invalid default: {err}", str_repr(name)),
                ));
            }
        }
    }
    out
}
