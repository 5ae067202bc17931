//! `fan-out` (steps.md §14): resolves its items; the engine runs the `step` template
//! once per item (up to `max_concurrency` at a time) and aggregates `output.results`.

use baton_expr::{Map, Value};

use super::support::id_repr;
use crate::step::{Step, StepContext, StepError, StepResult, StepStatus};

/// The `fan-out` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct FanOut;

fn output(items: Vec<Value>, max: &Value, template: Value) -> Map {
    let count = items.len() as i64;
    Map::from_iter([
        ("items".to_owned(), Value::List(items)),
        ("max_concurrency".to_owned(), max.clone()),
        ("step_template".to_owned(), template),
        ("item_count".to_owned(), Value::from(count)),
    ])
}

impl Step for FanOut {
    fn type_key(&self) -> &str {
        "fan-out"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let items_expr = config.get("items").cloned().unwrap_or_else(|| Value::from("[]"));
        let items = baton_expr::render_value(&items_expr, ctx)?;
        let max = config.get("max_concurrency").cloned().unwrap_or_else(|| Value::from(1));
        let template = config.get("step").cloned().unwrap_or_else(|| Value::Map(Map::new()));
        if !matches!(template, Value::Map(_)) {
            return Ok(StepResult::failed(
                output(Vec::new(), &max, Value::Map(Map::new())),
                format!(
                    "Fan-out step {}: 'step' must be a mapping (nested step template), got {}.",
                    id_repr(config),
                    template.type_name()
                ),
            ));
        }
        match items {
            Value::List(items) => Ok(StepResult::with_status(StepStatus::Completed, output(items, &max, template))),
            other => Ok(StepResult::failed(
                output(Vec::new(), &max, template),
                format!(
                    "Fan-out step {}: 'items' must resolve to a list, got {} from {}.",
                    id_repr(config),
                    other.type_name(),
                    items_expr.py_repr()
                ),
            )),
        }
    }
}
