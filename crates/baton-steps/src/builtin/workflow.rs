//! `workflow` (steps.md §18): calls an installed workflow. The engine runs calls itself
//! (binding, the callee's steps, outputs); this implementation only answers a direct
//! `execute`, as the reference's does.

use baton_expr::Map;

use crate::step::{Step, StepContext, StepError, StepResult};

/// The `workflow` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct Workflow;

impl Step for Workflow {
    fn type_key(&self) -> &str {
        "workflow"
    }

    fn execute(&self, _config: &Map, _ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        Ok(StepResult::failed(Map::new(), "Workflow calls require the workflow engine"))
    }
}
