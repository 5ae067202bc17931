//! `baton resume RUN_ID [-i KEY=VALUE]... [--json]` (engine.md §2.4, §3).

use std::path::{Path, PathBuf};

use baton_state::RunId;

use super::run::{custom_steps, execute, parse_inputs, read_integration_json, report};
use crate::exit::CliError;
use crate::project::{self, Context};

/// Resumes a paused or failed run (or a `running` one whose process died).
pub fn resume(run_id: &str, inputs: &[String], json: bool) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, json)?;
    let supplied = parse_inputs(inputs, json)?;
    let id = RunId::new(run_id).map_err(|e| CliError::user(e, json))?;
    let custom = custom_steps(&root);
    require_enabled(&root, &id, json)?;
    let integration_json = read_integration_json(&root);
    let result = execute(&root, json, &custom, |engine, store| {
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

/// A run of an installed workflow resumes only while that workflow is enabled (engine.md
/// §3.2); runs without an installed origin are unaffected. An unreadable state is left
/// for the engine to report.
fn require_enabled(root: &Path, id: &RunId, json: bool) -> Result<(), CliError> {
    let path = root.join(".specify/workflows/runs").join(id.as_str()).join("state.json");
    let Some(state) = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
    else {
        return Ok(());
    };
    let Some(workflow) = state.get("installed_workflow_id").and_then(|v| v.as_str()) else {
        return Ok(());
    };
    let registry_root = state
        .get("installed_registry_root")
        .and_then(|v| v.as_str())
        .map_or_else(|| root.to_path_buf(), PathBuf::from);
    baton_catalog::installed::require_enabled(&registry_root, workflow).map(|_| ()).map_err(|e| {
        let mut err = CliError::user(e.message(), json);
        if e.always_stderr() {
            err.stream = crate::exit::Stream::Stderr;
        }
        err
    })
}
