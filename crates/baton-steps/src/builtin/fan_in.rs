//! `fan-in` (steps.md §15): collects the outputs of `wait_for` steps (steps run one
//! after another, so nothing is awaited) and evaluates `output` with `fan_in` set.

use baton_expr::{Map, Namespace, Value};

use super::support::id_repr;
use crate::step::{Step, StepContext, StepError, StepResult, StepStatus};

/// The `fan-in` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct FanIn;

/// The step's namespace with `fan_in` set.
struct WithFanIn<'a> {
    inner: &'a dyn Namespace,
    fan_in: Value,
}

impl Namespace for WithFanIn<'_> {
    fn root(&self, name: &str) -> Option<&Value> {
        if name == "fan_in" {
            Some(&self.fan_in)
        } else {
            self.inner.root(name)
        }
    }
}

fn failed(_config: &Map, message: String) -> StepResult {
    StepResult::failed(Map::from_iter([("results".to_owned(), Value::List(Vec::new()))]), message)
}

impl Step for FanIn {
    fn type_key(&self) -> &str {
        "fan-in"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let id = id_repr(config);
        let empty = Map::new();
        let out_config = match config.get("output") {
            None | Some(Value::Null) => &empty,
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Ok(failed(
                    config,
                    format!("Fan-in step {id}: 'output' must be a mapping of key -> expression, got {}.", other.type_name()),
                ))
            }
        };
        let wait_for = match config.get("wait_for") {
            None => Vec::new(),
            Some(Value::List(l)) => l.clone(),
            Some(other) => {
                return Ok(failed(
                    config,
                    format!("Fan-in step {id}: 'wait_for' must be a list of step IDs, got {}.", other.type_name()),
                ))
            }
        };
        if let Some(bad) = wait_for.iter().find(|w| !matches!(w, Value::Str(_))) {
            return Ok(failed(
                config,
                format!(
                    "Fan-in step {id}: 'wait_for' entries must be step-id strings, got {} ({}).",
                    bad.type_name(),
                    bad.py_repr()
                ),
            ));
        }
        if let Some(alias) = wait_for.iter().filter_map(Value::as_str).find(|w| w.contains(':')) {
            return Ok(failed(
                config,
                format!(
                    "Fan-in step {id}: 'wait_for' entry {} looks like a fan-out item alias; wait on the fan-out \
                     step id instead \u{2014} its 'output.results' holds the ordered item results.",
                    baton_expr::py::str_repr(alias)
                ),
            ));
        }
        let steps = match ctx.root("steps") {
            Some(Value::Map(m)) => Some(m),
            _ => None,
        };
        let results: Vec<Value> = wait_for
            .iter()
            .filter_map(Value::as_str)
            .map(|w| match steps.and_then(|s| s.get(w)) {
                Some(Value::Map(record)) => record.get("output").cloned().unwrap_or_else(|| Value::Map(Map::new())),
                _ => Value::Map(Map::new()),
            })
            .collect();
        let mut fan_in = Map::new();
        fan_in.insert("results".to_owned(), Value::List(results.clone()));
        let ns = WithFanIn { inner: ctx, fan_in: Value::Map(fan_in) };
        let mut output = Map::new();
        output.insert("results".to_owned(), Value::List(results));
        for (key, expr) in out_config {
            let value = match expr {
                Value::Str(s) if s.contains("{{") => baton_expr::render(s, &ns)?,
                other => other.clone(),
            };
            output.insert(key.clone(), value);
        }
        Ok(StepResult::with_status(StepStatus::Completed, output))
    }
}
