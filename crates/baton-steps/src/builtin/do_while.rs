//! `do-while` (steps.md §13): the body always runs once; the engine evaluates the
//! condition after each completed iteration, up to `max_iterations` in total.

use baton_expr::{Map, Value};

use super::support::id_repr;
use crate::step::{Step, StepContext, StepError, StepResult, StepStatus};

/// The `do-while` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct DoWhile;

impl Step for DoWhile {
    fn type_key(&self) -> &str {
        "do-while"
    }

    fn execute(&self, config: &Map, _ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let max = match config.get("max_iterations") {
            None | Some(Value::Null) => Value::from(10),
            Some(v) => v.clone(),
        };
        let cond = config.get("condition").cloned().unwrap_or_else(|| Value::from("false"));
        let output = Map::from_iter([
            ("condition".to_owned(), cond),
            ("max_iterations".to_owned(), max),
            ("loop_type".to_owned(), Value::from("do-while")),
        ]);
        match config.get("steps") {
            None => Ok(StepResult::with_status(StepStatus::Completed, output)),
            Some(Value::List(steps)) => {
                let mut r = StepResult::with_status(StepStatus::Completed, output);
                r.next_steps = steps.clone();
                Ok(r)
            }
            Some(other) => Ok(StepResult::failed(
                output,
                format!("Do-while step {}: 'steps' must be a list of steps, got {}.", id_repr(config), other.type_name()),
            )),
        }
    }
}
