//! `switch` (steps.md §11): matches `str(value).strip()` against `str()` of each case
//! key, keys as PyYAML loads them (`true:` is `True`, `3:` is `3`, `null:` is `None`),
//! and expands into the matched case, else `default`.

use baton_expr::{Map, Value};
use baton_model::yaml::Node;

use super::support::id_repr;
use crate::step::{Step, StepContext, StepError, StepResult, StepStatus};

/// The `switch` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct Switch;

fn output(matched: Value, value: &Value) -> Map {
    Map::from_iter([("matched_case".to_owned(), matched), ("expression_value".to_owned(), value.clone())])
}

fn non_list(config: &Map, label: &str, type_name: &str, value: &Value) -> StepResult {
    StepResult::failed(
        output(Value::Null, value),
        format!("Switch step {}: {label} must be a list of steps, got {type_name}.", id_repr(config)),
    )
}

fn expand(matched: String, value: &Value, steps: Vec<Value>) -> StepResult {
    let mut r = StepResult::with_status(StepStatus::Completed, output(Value::Str(matched), value));
    r.next_steps = steps;
    r
}

impl Switch {
    fn run(&self, cases: Option<&Node>, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let expression = config.get("expression").cloned().unwrap_or_else(|| Value::from(""));
        let value = baton_expr::render_value(&expression, ctx)?;
        let text = match &value {
            Value::Null => String::new(),
            v => baton_expr::py::strip(&v.py_str()).to_owned(),
        };
        match cases {
            Some(node) => {
                let Some(entries) = node.as_map() else {
                    return Ok(StepResult::failed(
                        output(Value::Null, &value),
                        format!("Switch step {}: 'cases' must be a mapping, got {}.", id_repr(config), node.type_name()),
                    ));
                };
                for (key, steps) in entries {
                    let key_text = key.to_value().py_str();
                    if key_text == text {
                        return Ok(match steps.to_value() {
                            Value::List(list) => expand(key_text, &value, list),
                            _ => non_list(config, &format!("case {}", baton_expr::py::str_repr(&key_text)), steps.type_name(), &value),
                        });
                    }
                }
            }
            None => {
                if let Some(other) = config.get("cases").filter(|c| !matches!(c, Value::Map(_))) {
                    return Ok(StepResult::failed(
                        output(Value::Null, &value),
                        format!("Switch step {}: 'cases' must be a mapping, got {}.", id_repr(config), other.type_name()),
                    ));
                }
                if let Some(Value::Map(m)) = config.get("cases") {
                    for (key, steps) in m {
                        if *key == text {
                            return Ok(match steps {
                                Value::List(list) => expand(key.clone(), &value, list.clone()),
                                other => non_list(config, &format!("case {}", baton_expr::py::str_repr(key)), other.type_name(), &value),
                            });
                        }
                    }
                }
            }
        }
        match config.get("default") {
            None | Some(Value::Null) => Ok(expand("__default__".to_owned(), &value, Vec::new())),
            Some(Value::List(list)) => Ok(expand("__default__".to_owned(), &value, list.clone())),
            Some(other) => Ok(non_list(config, "'default'", other.type_name(), &value)),
        }
    }
}

impl Step for Switch {
    fn type_key(&self) -> &str {
        "switch"
    }

    /// Without the YAML node, case keys are matched as their JSON spellings (`"true"`).
    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        self.run(None, config, ctx)
    }

    fn execute_node(&self, node: &Node, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        match node.get("cases") {
            Some(cases) => self.run(Some(cases), config, ctx),
            None => self.run(None, config, ctx),
        }
    }
}
