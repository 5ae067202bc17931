//! `baton resume RUN_ID [-i KEY=VALUE]... [--json]` (engine.md §2.4, §3).

use baton_state::RunId;

use super::run::{execute, parse_inputs, read_integration_json, report};
use crate::exit::CliError;
use crate::project::{self, Context};

/// Resumes a paused or failed run (or a `running` one whose process died).
pub fn resume(run_id: &str, inputs: &[String], json: bool) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, json)?;
    let supplied = parse_inputs(inputs, json)?;
    let id = RunId::new(run_id).map_err(|e| CliError::user(e, json))?;
    let integration_json = read_integration_json(&root);
    let result = execute(&root, json, |engine, store| {
        engine.resume(
            store,
            baton_engine::ResumeRun {
                run_id: id,
                inputs: supplied,
                integration_json: integration_json.as_deref(),
                prompter: None,
                load_installed: None,
            },
        )
    });
    report(result, json, true, run_id)
}
