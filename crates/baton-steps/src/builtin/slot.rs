//! `slot` (steps.md §16): a named place a project overlay may fill; unfilled, it is
//! skipped.

use baton_expr::{Map, Value};

use super::support::id_repr;
use crate::step::{Step, StepContext, StepError, StepResult, StepStatus};

/// The `slot` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct Slot;

impl Step for Slot {
    fn type_key(&self) -> &str {
        "slot"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        if ctx.inside_fan_out {
            return Ok(StepResult::failed(
                Map::new(),
                format!(
                    "Slot step {} is not supported inside fan-out templates because overlays cannot \
                     address runtime-multiplied templates.",
                    id_repr(config)
                ),
            ));
        }
        let name = config.get("name").cloned().unwrap_or(Value::Null);
        Ok(StepResult::with_status(StepStatus::Skipped, Map::from_iter([("slot".to_owned(), name)])))
    }
}
