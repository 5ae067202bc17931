//! `if` (steps.md §10): evaluates its condition once and expands into the chosen
//! branch, whose steps the engine runs right after with their plain ids.

use baton_expr::{Map, Namespace, Value};

use super::support::id_repr;
use crate::step::{Step, StepContext, StepError, StepResult, StepStatus};

/// The reference's `evaluate_condition` on a config value: strings are rendered, then
/// `true`/`false` words decide, else Python truthiness.
pub(crate) fn condition(value: &Value, ns: &dyn Namespace) -> Result<bool, StepError> {
    Ok(baton_expr::condition_truth(&baton_expr::render_value(value, ns)?))
}

/// The `if` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct If;

impl Step for If {
    fn type_key(&self) -> &str {
        "if"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let cond = config.get("condition").cloned().unwrap_or(Value::Bool(false));
        let truth = condition(&cond, ctx)?;
        let (name, branch) = if truth { ("then", config.get("then")) } else { ("else", config.get("else")) };
        let output = Map::from_iter([("condition_result".to_owned(), Value::Bool(truth))]);
        let steps = match branch {
            Some(Value::List(steps)) => steps.clone(),
            None => Vec::new(),
            Some(Value::Null) if name == "else" => Vec::new(),
            Some(other) => {
                return Ok(StepResult::failed(
                    output,
                    format!(
                        "If step {}: '{name}' must be a list of steps, got {}.",
                        id_repr(config),
                        other.type_name()
                    ),
                ))
            }
        };
        let mut result = StepResult::with_status(StepStatus::Completed, output);
        result.next_steps = steps;
        Ok(result)
    }
}
