//! `baton rerun RUN_ID --from STEP_ID [-i KEY=VALUE]... [--json]` (issue 22): a new run
//! that reuses the old run's results before STEP_ID and executes from it on.

use baton_state::RunId;

use super::run::{custom_steps, execute, parse_inputs, read_integration_json, report};
use crate::exit::CliError;
use crate::project::{self, Context};

/// Starts the rerun and reports it like `run`.
pub fn rerun(run_id: &str, from: &str, inputs: &[String], json: bool) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, json)?;
    let supplied = parse_inputs(inputs, json)?;
    let old = RunId::new(run_id).map_err(|e| CliError::user(e, json))?;
    let env_id = std::env::var("SPECKIT_WORKFLOW_RUN_ID").ok();
    let new_id = RunId::resolve(env_id.as_deref(), RunId::generate).map_err(|e| CliError::user(e, json))?;
    let id_text = new_id.to_string();
    if !json {
        header(&root, &old, from)?;
    }
    let custom = custom_steps(&root);
    let integration_json = read_integration_json(&root);
    let result = execute(&root, json, &custom, |engine, store| {
        engine.rerun(
            store,
            baton_engine::RerunRun {
                from_run: old,
                run_id: new_id,
                from_step: from.to_owned(),
                inputs: supplied,
                integration_json: integration_json.as_deref(),
                prompter: None,
            },
        )
    });
    report(result, json, false, &id_text)
}

/// `run`'s header, from the old run's `workflow.yml` copy, plus what is reused.
fn header(root: &std::path::Path, old: &RunId, from: &str) -> Result<(), CliError> {
    let path = root.join(".specify/workflows/runs").join(old.as_str()).join(baton_state::WORKFLOW_FILE);
    let Some(node) = std::fs::read_to_string(path).ok().and_then(|t| baton_model::yaml::parse(&t).ok()) else {
        return Ok(());
    };
    let wf = node.get("workflow");
    let field = |k: &str| wf.and_then(|w| w.get(k)).map(|v| v.to_value().py_str()).unwrap_or_default();
    let version = wf.and_then(|w| w.get("version")).map_or_else(|| "0.0.0".to_owned(), |v| v.to_value().py_str());
    crate::output::write_stdout(
        format!(
            "\nRunning workflow: {} ({})\nVersion: {version}\nRerun of {} from step {from}\n\n",
            field("name"),
            field("id"),
            old.as_str()
        )
        .as_bytes(),
    )?;
    Ok(())
}
