//! Resolution of provided values, defaults and the `integration: auto` sentinel into
//! a run's typed inputs.

use baton_expr::py::str_repr;
use baton_expr::{Map, Value};

use crate::coerce::coerce_parts;
use crate::decl::{EnumValues, InputDecl};
use crate::integration::project_default_integration;
use crate::InputError;

/// Asks the user for a required input that was neither provided nor defaulted. The
/// CLI implements it on a terminal (showing the declaration's type, `enum` and
/// description); this crate never reads stdin.
pub trait Prompter {
    /// The answer for `decl`, or `Ok(None)` to give up (resolution then fails with the
    /// reference's "Required input … not provided." error). The answer is treated as a
    /// `-i` value: the `integration: auto` sentinel applies and it is coerced; a
    /// prompter that wants to ask again on a bad answer can check it with
    /// [`coerce`](crate::coerce) first.
    fn prompt(&mut self, decl: &InputDecl) -> std::io::Result<Option<String>>;
}

/// The run's inputs: every declared input, in declaration order, from its provided
/// value, else its default, else (when required) the prompter's answer; each coerced
/// and checked against its `enum`. Undeclared provided keys are dropped; an optional
/// input with neither value nor default is left out.
///
/// The input named `integration` whose value (provided or default) is the string
/// `auto` takes the project's default integration from `integration_json` (the text of
/// `.specify/integration.json`, `None` when absent; see
/// [`project_default_integration`]); when that gives nothing, `auto` is kept and a list
/// `enum` is not applied to it.
pub fn resolve(
    decls: &[InputDecl],
    provided: &Map,
    integration_json: Option<&str>,
    mut prompter: Option<&mut dyn Prompter>,
) -> Result<Map, InputError> {
    let mut project_integration: Option<Option<String>> = None;
    let mut sentinel = |name: &str, value: Value| -> Value {
        if name == "integration" && matches!(&value, Value::Str(s) if s == "auto") {
            let key = project_integration
                .get_or_insert_with(|| project_default_integration(integration_json));
            if let Some(key) = key {
                return Value::Str(key.clone());
            }
        }
        value
    };

    let mut resolved = Map::new();
    for decl in decls {
        let name = decl.name.as_str();
        let value = if let Some(v) = provided.get(name) {
            sentinel(name, v.clone())
        } else if let Some(default) = &decl.default {
            sentinel(name, default.clone())
        } else if decl.required {
            let answer = match prompter.as_deref_mut() {
                Some(p) => p.prompt(decl).map_err(|source| InputError::Prompt {
                    name: name.to_owned(),
                    source,
                })?,
                None => None,
            };
            match answer {
                Some(answer) => sentinel(name, Value::Str(answer)),
                None => {
                    return Err(InputError::Required {
                        name: name.to_owned(),
                        name_repr: str_repr(name),
                    })
                }
            }
        } else {
            continue;
        };
        let still_auto = name == "integration" && matches!(&value, Value::Str(s) if s == "auto");
        let enum_values = match &decl.enum_values {
            Some(EnumValues::List(_)) if still_auto => None,
            other => other.as_ref(),
        };
        let coerced = coerce_parts(name, &decl.ty, enum_values, &value)?;
        resolved.insert(decl.name.clone(), coerced);
    }
    Ok(resolved)
}

/// The inputs of a resumed run. With no `supplied` value the `persisted` inputs are
/// kept verbatim; otherwise `supplied` is merged over `persisted` and the whole
/// resolution of [`resolve`] runs again, so a persisted value that no longer passes
/// (say, a reset verdict `""` against an `enum` without `""`) fails the resume.
pub fn resolve_resume(
    decls: &[InputDecl],
    persisted: &Map,
    supplied: &Map,
    integration_json: Option<&str>,
    prompter: Option<&mut dyn Prompter>,
) -> Result<Map, InputError> {
    if supplied.is_empty() {
        return Ok(persisted.clone());
    }
    let mut merged = persisted.clone();
    for (k, v) in supplied {
        merged.insert(k.clone(), v.clone());
    }
    resolve(decls, &merged, integration_json, prompter)
}
