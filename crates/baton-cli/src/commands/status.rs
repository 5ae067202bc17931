//! `baton status [RUN_ID] [--json]` (engine.md §3.6).

use std::sync::Arc;

use baton_engine::{json_to_value, scope_summaries, status_payload};
use baton_state::{FileStore, Json, JsonObject, RunId, RunStore, SystemClock};

use super::run::print_payload;
use crate::exit::CliError;
use crate::output;
use crate::project::{self, Context};

fn text(j: &Json) -> String {
    json_to_value(j).py_str()
}

/// Shows one run, or lists every run.
pub fn status(run_id: Option<&str>, json: bool) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, json)?;
    let store = FileStore::new(&root, baton_engine::source_parser(), Arc::new(SystemClock));
    match run_id.filter(|id| !id.is_empty()) {
        Some(id) => show(&store, id, json),
        None => list(&store, json),
    }
}

fn show(store: &FileStore, id: &str, json: bool) -> Result<i32, CliError> {
    let run_id = RunId::new(id).map_err(|e| CliError::user(e, json))?;
    let state = match store.open_run(&run_id) {
        Ok(s) => s,
        Err(baton_state::Error::NotFound(_)) => return Err(CliError::user(format!("Run not found: {id}"), json)),
        Err(e) => return Err(CliError::user(e, json)),
    };
    if json {
        print_payload(&status_payload(&state))?;
        return Ok(0);
    }
    let mut out = format!(
        "\nWorkflow Run: {}\n  Workflow: {}\n  Status:   {}\n  Created:  {}\n  Updated:  {}\n",
        state.run_id, state.workflow_id, state.status, state.created_at, state.updated_at
    );
    if let Some(current) = state.current_step_id.as_deref().filter(|c| !c.is_empty()) {
        out.push_str(&format!("  Current:  {current}\n"));
    }
    if let Some(e) = baton_engine::failed_error(&state) {
        out.push_str(&format!("  Error:    {e}\n"));
    }
    if !state.step_results.is_empty() {
        out.push_str(&format!("\n  Steps ({}):\n", state.step_results.len()));
        for (sid, record) in &state.step_results {
            let s = record.as_object().and_then(|r| r.get("status")).map_or_else(|| "unknown".to_owned(), text);
            out.push_str(&format!("    \u{25cf} {sid}: {s}\n"));
        }
    }
    for scope in scope_summaries(&state) {
        out.push_str(&format!("  {} \u{2192} {}: {}\n", scope.scope_path.join(" / "), scope.workflow_id, scope.status));
    }
    output::write_stdout(out.as_bytes())?;
    Ok(0)
}

fn list(store: &FileStore, json: bool) -> Result<i32, CliError> {
    let listing = store.list_runs().map_err(|e| CliError::user(e, json))?;
    if json {
        let runs = listing
            .runs
            .iter()
            .map(|r| {
                let mut o = JsonObject::new();
                o.insert("run_id".into(), r.run_id.clone());
                o.insert("workflow_id".into(), r.workflow_id.clone().unwrap_or(Json::Null));
                o.insert("status".into(), r.status.clone().unwrap_or_else(|| "unknown".into()));
                o.insert("updated_at".into(), r.updated_at.clone().unwrap_or(Json::Null));
                Json::Object(o)
            })
            .collect();
        let mut payload = JsonObject::new();
        payload.insert("runs".into(), Json::Array(runs));
        print_payload(&payload)?;
        return Ok(0);
    }
    if listing.runs.is_empty() {
        output::write_stdout(b"No workflow runs found.\n")?;
        return Ok(0);
    }
    let mut out = String::from("\nWorkflow Runs:\n\n");
    for r in &listing.runs {
        let wf = r.workflow_id.as_ref().map_or_else(|| "?".to_owned(), text);
        let status = r.status.as_ref().map_or_else(|| "unknown".to_owned(), text);
        let updated = r.updated_at.as_ref().map_or_else(|| "?".to_owned(), text);
        out.push_str(&format!("  \u{25cf} {}  {wf}  {status}  {updated}\n", text(&r.run_id)));
    }
    output::write_stdout(out.as_bytes())?;
    Ok(0)
}
