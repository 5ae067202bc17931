//! `while` (steps.md §12): decides iteration 0; the engine re-evaluates the condition
//! after each completed iteration, up to `max_iterations`.

use baton_expr::{Map, Value};

use super::if_::condition;
use super::support::{loop_body, loop_max_iterations};
use crate::step::{Step, StepContext, StepError, StepResult, StepStatus};

/// The `while` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct While;

impl Step for While {
    fn type_key(&self) -> &str {
        "while"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let max = loop_max_iterations(config);
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
        Ok(loop_body(config, output, "While step"))
    }
}
