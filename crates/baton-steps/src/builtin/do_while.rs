//! `do-while` (steps.md §13): the body always runs once; the engine evaluates the
//! condition after each completed iteration, up to `max_iterations` in total.

use baton_expr::{Map, Value};

use super::support::{loop_body, loop_max_iterations};
use crate::step::{Step, StepContext, StepError, StepResult};

/// The `do-while` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct DoWhile;

impl Step for DoWhile {
    fn type_key(&self) -> &str {
        "do-while"
    }

    fn execute(&self, config: &Map, _ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let max = loop_max_iterations(config);
        let cond = config.get("condition").cloned().unwrap_or_else(|| Value::from("false"));
        let output = Map::from_iter([
            ("condition".to_owned(), cond),
            ("max_iterations".to_owned(), max),
            ("loop_type".to_owned(), Value::from("do-while")),
        ]);
        Ok(loop_body(config, output, "Do-while step"))
    }
}
