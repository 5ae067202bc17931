//! `while` (steps.md §12): decides iteration 0; the engine re-evaluates the condition
//! after each completed iteration, up to `max_iterations`.

use baton_expr::{Map, Value};

use super::if_::condition;
use super::support::id_repr;
use crate::step::{Step, StepContext, StepError, StepResult, StepStatus};

/// The `while` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct While;

impl Step for While {
    fn type_key(&self) -> &str {
        "while"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let max = match config.get("max_iterations") {
            None | Some(Value::Null) => Value::from(10),
            Some(v) => v.clone(),
        };
        let cond = config.get("condition").cloned().unwrap_or(Value::Bool(false));
        let truth = condition(&cond, ctx)?;
        let output = Map::from_iter([
            ("condition_result".to_owned(), Value::Bool(truth)),
            ("max_iterations".to_owned(), max),
            ("loop_type".to_owned(), Value::from("while")),
        ]);
        if !truth {
            return Ok(StepResult::with_status(StepStatus::Completed, output));
        }
        match config.get("steps") {
            None => Ok(StepResult::with_status(StepStatus::Completed, output)),
            Some(Value::List(steps)) => {
                let mut r = StepResult::with_status(StepStatus::Completed, output);
                r.next_steps = steps.clone();
                Ok(r)
            }
            Some(other) => Ok(StepResult::failed(
                output,
                format!("While step {}: 'steps' must be a list of steps, got {}.", id_repr(config), other.type_name()),
            )),
        }
    }
}
