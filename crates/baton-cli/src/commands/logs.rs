//! `baton logs RUN_ID [STEP_ID] [--json]` (baton addition, issue 22): the captured
//! stdout/stderr and exit code of each step occurrence (or one), from the run's records.

use std::sync::Arc;

use baton_engine::json_to_value;
use baton_state::{FileStore, Json, JsonObject, RunId, RunStore, SystemClock};

use super::run::print_payload;
use crate::exit::CliError;
use crate::output;
use crate::project::{self, Context};

/// `baton logs` arguments.
#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    /// The run.
    pub run_id: String,
    /// One step occurrence (a qualified id such as `lp:body:1`); all when omitted.
    pub step_id: Option<String>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// One step's log.
struct Entry {
    step_id: String,
    step_type: String,
    record: Option<JsonObject>,
}

fn field<'a>(record: Option<&'a JsonObject>, key: &str) -> Option<&'a Json> {
    record.and_then(|r| r.get(key)).filter(|v| **v != Json::Null)
}

fn output_field<'a>(record: Option<&'a JsonObject>, key: &str) -> Option<&'a Json> {
    match field(record, "output") {
        Some(Json::Object(o)) => o.get(key).filter(|v| **v != Json::Null),
        _ => None,
    }
}

/// Prints the logs of a run.
pub fn logs(args: &LogsArgs) -> Result<i32, CliError> {
    let json = args.json;
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, json)?;
    let store = FileStore::new(&root, baton_engine::source_parser(), Arc::new(SystemClock));
    let run_id = RunId::new(&args.run_id).map_err(|e| CliError::user(e, json))?;
    let state = match store.open_run(&run_id) {
        Ok(s) => s,
        Err(baton_state::Error::NotFound(_)) => {
            return Err(CliError::user(format!("Run not found: {}", args.run_id), json))
        }
        Err(e) => return Err(CliError::user(e, json)),
    };
    let mut entries: Vec<Entry> = if state.execution.is_some() {
        baton_engine::occurrences(&state)
            .into_iter()
            .map(|o| Entry { step_id: o.step_id, step_type: o.step_type, record: o.record })
            .collect()
    } else {
        state
            .step_results
            .iter()
            .map(|(id, r)| {
                let record = Some((**r).clone());
                let step_type = field(record.as_ref(), "type").map(|t| json_to_value(t).py_str()).unwrap_or_default();
                Entry { step_id: id.clone(), step_type, record }
            })
            .collect()
    };
    if let Some(wanted) = args.step_id.as_deref() {
        entries.retain(|e| e.step_id == wanted);
        if entries.is_empty() {
            return Err(CliError::user(format!("Step not found in run {}: {wanted}", args.run_id), json));
        }
    }
    if json {
        let steps = entries
            .iter()
            .map(|e| {
                let r = e.record.as_ref();
                let mut o = JsonObject::new();
                o.insert("step_id".into(), Json::String(e.step_id.clone()));
                o.insert("type".into(), Json::String(e.step_type.clone()));
                o.insert("status".into(), field(r, "status").cloned().unwrap_or(Json::Null));
                for key in ["exit_code", "stdout", "stderr"] {
                    o.insert(key.into(), output_field(r, key).cloned().unwrap_or(Json::Null));
                }
                if let Some(attempts) = output_field(r, "attempts") {
                    o.insert("attempts".into(), attempts.clone());
                }
                o.insert("error".into(), field(r, "error").cloned().unwrap_or(Json::Null));
                Json::Object(o)
            })
            .collect();
        let mut payload = JsonObject::new();
        payload.insert("run_id".into(), Json::String(state.run_id.to_string()));
        payload.insert("status".into(), Json::String(state.status.to_string()));
        payload.insert("steps".into(), Json::Array(steps));
        print_payload(&payload)?;
        return Ok(0);
    }
    let text = |j: &Json| json_to_value(j).py_str();
    let mut out = String::new();
    for e in &entries {
        let r = e.record.as_ref();
        let status = field(r, "status").map_or_else(|| "not run".to_owned(), text);
        out.push_str(&format!("== {} ({}) {status}", e.step_id, e.step_type));
        if let Some(code) = output_field(r, "exit_code") {
            out.push_str(&format!(", exit code {}", text(code)));
        }
        if let Some(n) = output_field(r, "attempts") {
            out.push_str(&format!(", {} attempts", text(n)));
        }
        out.push('\n');
        for key in ["stdout", "stderr"] {
            if let Some(body) = output_field(r, key).map(text).filter(|b| !b.is_empty()) {
                out.push_str(&format!("-- {key}\n{body}"));
                if !body.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
        if let Some(error) = field(r, "error") {
            out.push_str(&format!("-- error\n{}\n", text(error)));
        }
    }
    output::write_stdout(out.as_bytes())?;
    Ok(0)
}
