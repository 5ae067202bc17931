//! [`RunState`]: the fields of `state.json` (engine spec §1.3), read with the reference's
//! load-time checks and written in its key order.

use crate::error::{invalid, Error, Result};
use crate::execution::{validate_execution, Execution, SourceParser};
use crate::json::{write_object, IoOut, Json, JsonObject, Obj, Out, Style};
use crate::py::repr;
use crate::run_id::RunId;
use indexmap::IndexMap;
use std::sync::Arc;

/// A step record (`step_results[id]`, a node's `result`): an opaque JSON object, shared
/// and immutable — the `step_results` entry, the execution-tree node and the delta that
/// published them hold one copy (cloning a `Record` is O(1)).
pub type Record = Arc<JsonObject>;

/// `step_results`: step id → record, in first-publication order.
pub type StepResults = IndexMap<String, Record>;

/// A run's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// Never persisted in practice.
    Created,
    /// Executing (or killed while executing).
    Running,
    /// Stopped at a gate or an interrupt.
    Paused,
    /// Finished.
    Completed,
    /// A step or the engine failed.
    Failed,
    /// A gate rejected with abort.
    Aborted,
}

impl RunStatus {
    /// The spelling in `state.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Created => "created",
            RunStatus::Running => "running",
            RunStatus::Paused => "paused",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Aborted => "aborted",
        }
    }

    /// Parses the spelling in `state.json`.
    pub fn parse(s: &str) -> Option<RunStatus> {
        Some(match s {
            "created" => RunStatus::Created,
            "running" => RunStatus::Running,
            "paused" => RunStatus::Paused,
            "completed" => RunStatus::Completed,
            "failed" => RunStatus::Failed,
            "aborted" => RunStatus::Aborted,
            _ => return None,
        })
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything `state.json` holds.
#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    /// The run id.
    pub run_id: RunId,
    /// `workflow.id` of the definition.
    pub workflow_id: String,
    /// The installed workflow this run was started from, if any.
    pub installed_workflow_id: Option<String>,
    /// The project root owning that installed workflow, when it is another project.
    pub installed_registry_root: Option<String>,
    /// `false` for legacy files lacking both installed-origin fields ("untracked");
    /// not written (a save always writes both fields).
    pub installed_origin_tracked: bool,
    /// The run status.
    pub status: RunStatus,
    /// Index of the top-level step being (or last) executed.
    pub current_step_index: u64,
    /// Qualified id of the most recent occurrence (or first unfinished leaf).
    pub current_step_id: Option<String>,
    /// Step id → record, in first-publication order.
    pub step_results: StepResults,
    /// Absolute directory of the workflow file that was run.
    pub workflow_dir: Option<String>,
    /// ISO timestamp of creation.
    pub created_at: String,
    /// ISO timestamp of the last save (restamped by every snapshot and commit).
    pub updated_at: String,
    /// The run-level error of a failed/aborted run.
    pub error: Option<String>,
    /// Resolved inputs (mirrored to `inputs.json`).
    pub inputs: JsonObject,
    /// The execution tree (absent in legacy files and before the first step).
    pub execution: Option<Execution>,
    /// Top-level keys the reference does not define (baton additions such as a rerun's
    /// `rerun_of`/`rerun_from`, or another tool's), in the order read or inserted: kept
    /// on load and written back after the known keys by every snapshot. A key named like
    /// a known field is never written from here.
    pub extra: JsonObject,
}

/// The top-level keys of `state.json` that [`RunState`] has a field for.
pub(crate) const KNOWN_KEYS: [&str; 14] = [
    "run_id",
    "workflow_id",
    "installed_workflow_id",
    "installed_registry_root",
    "status",
    "current_step_index",
    "current_step_id",
    "step_results",
    "workflow_dir",
    "created_at",
    "updated_at",
    "error",
    "inputs",
    "execution",
];

impl RunState {
    /// A new run (`status: created`, `created_at == updated_at == now`).
    pub fn new(run_id: RunId, workflow_id: impl Into<String>, now: String) -> RunState {
        RunState {
            run_id,
            workflow_id: workflow_id.into(),
            installed_workflow_id: None,
            installed_registry_root: None,
            installed_origin_tracked: true,
            status: RunStatus::Created,
            current_step_index: 0,
            current_step_id: None,
            step_results: StepResults::new(),
            workflow_dir: None,
            created_at: now.clone(),
            updated_at: now,
            error: None,
            inputs: JsonObject::new(),
            execution: None,
            extra: JsonObject::new(),
        }
    }

    /// `step_results` as a JSON object (a copy of every record).
    pub fn step_results_json(&self) -> JsonObject {
        self.step_results.iter().map(|(k, r)| (k.clone(), Json::Object(JsonObject::clone(r)))).collect()
    }

    /// The `state.json` object, keys in the reference's order. A snapshot does not build
    /// it: [`RunState::write_state_json`] writes the same text from the state itself.
    pub fn to_json(&self) -> Json {
        let mut o = JsonObject::new();
        o.insert("run_id".into(), self.run_id.as_str().into());
        o.insert("workflow_id".into(), self.workflow_id.as_str().into());
        o.insert("installed_workflow_id".into(), self.installed_workflow_id.clone().into());
        o.insert("installed_registry_root".into(), self.installed_registry_root.clone().into());
        o.insert("status".into(), self.status.as_str().into());
        o.insert("current_step_index".into(), self.current_step_index.into());
        o.insert("current_step_id".into(), self.current_step_id.clone().into());
        o.insert("step_results".into(), Json::Object(self.step_results_json()));
        o.insert("workflow_dir".into(), self.workflow_dir.clone().into());
        o.insert("created_at".into(), self.created_at.as_str().into());
        o.insert("updated_at".into(), self.updated_at.as_str().into());
        o.insert("error".into(), self.error.clone().into());
        o.insert("inputs".into(), Json::Object(self.inputs.clone()));
        if let Some(e) = &self.execution {
            o.insert("execution".into(), e.to_json());
        }
        for (k, v) in &self.extra {
            if !KNOWN_KEYS.contains(&k.as_str()) {
                o.insert(k.clone(), v.clone());
            }
        }
        Json::Object(o)
    }

    /// The `state.json` text: `json.dump(indent=2, ensure_ascii=False)`, no final newline.
    pub fn to_state_json(&self) -> String {
        let mut out = String::new();
        self.write_state(&mut out);
        out
    }

    /// Streams [`RunState::to_state_json`]'s text into `w` from the state itself (no
    /// intermediate JSON value or string; memory O(depth)). Returns the FNV-1a hash of
    /// the bytes written (the journal's snapshot hash). `w` is not flushed.
    pub(crate) fn write_state_json<W: std::io::Write>(&self, w: W) -> std::io::Result<(W, u64)> {
        let mut out = IoOut::new(w);
        self.write_state(&mut out);
        match out.finish() {
            (_, Some(e), _) => Err(e),
            (w, None, hash) => Ok((w, hash)),
        }
    }

    /// Writes `state.json`'s text: the keys of [`RunState::to_json`], in its order.
    fn write_state<O: Out + ?Sized>(&self, out: &mut O) {
        let style = Style::Indented;
        let mut o = Obj::open(out, style, 0);
        o.str("run_id", self.run_id.as_str());
        o.str("workflow_id", &self.workflow_id);
        o.opt_str("installed_workflow_id", self.installed_workflow_id.as_deref());
        o.opt_str("installed_registry_root", self.installed_registry_root.as_deref());
        o.str("status", self.status.as_str());
        o.raw("current_step_index", &self.current_step_index.to_string());
        o.opt_str("current_step_id", self.current_step_id.as_deref());
        {
            let (out, style, level) = o.key("step_results");
            let mut results = Obj::open(out, style, level);
            for (k, r) in &self.step_results {
                let (out, style, level) = results.key(k);
                write_object(out, r, style, level);
            }
            results.close();
        }
        o.opt_str("workflow_dir", self.workflow_dir.as_deref());
        o.str("created_at", &self.created_at);
        o.str("updated_at", &self.updated_at);
        o.opt_str("error", self.error.as_deref());
        o.object("inputs", &self.inputs);
        if let Some(e) = &self.execution {
            let (out, style, level) = o.key("execution");
            e.write(out, style, level);
        }
        for (k, v) in &self.extra {
            if !KNOWN_KEYS.contains(&k.as_str()) {
                o.json(k, v);
            }
        }
        o.close();
    }

    /// The `inputs.json` text: `{"inputs": {...}}`.
    pub fn to_inputs_json(&self) -> String {
        let mut out = String::new();
        let mut o = Obj::open(&mut out, Style::Indented, 0);
        o.object("inputs", &self.inputs);
        o.close();
        out
    }

    /// Reads a parsed `state.json` with the reference's checks, in its order.
    /// `inputs_json` is called for `inputs.json` only when `state.json` lacks `inputs`
    /// (it returns the parsed file, or `None` when there is none).
    pub fn from_json(
        data: Json,
        requested: &RunId,
        parser: &dyn SourceParser,
        inputs_json: impl FnOnce() -> Result<Option<Json>>,
    ) -> Result<RunState> {
        let Json::Object(mut d) = data else {
            return Err(invalid("Invalid run state: expected a JSON object"));
        };
        let missing: Vec<&str> =
            ["run_id", "workflow_id", "status"].into_iter().filter(|f| !d.contains_key(*f)).collect();
        if !missing.is_empty() {
            return Err(invalid(format!("Invalid run state: missing required field(s): {}", missing.join(", "))));
        }
        let stored = d.get("run_id").cloned().unwrap_or(Json::Null);
        if stored.as_str() != Some(requested.as_str()) {
            return Err(invalid(format!(
                "Invalid run state: stored run_id {} does not match requested run_id {}",
                repr(&stored),
                crate::py::repr_str(requested.as_str())
            )));
        }
        let workflow_id = match d.get("workflow_id") {
            Some(Json::String(s)) if is_workflow_id(s) => s.clone(),
            _ => {
                return Err(invalid(
                    "Invalid run state: 'workflow_id' must be a lowercase alphanumeric workflow ID with hyphens",
                ))
            }
        };
        let has_id = d.contains_key("installed_workflow_id");
        if has_id != d.contains_key("installed_registry_root") {
            return Err(invalid(
                "Invalid run state: installed workflow origin fields must either both be present or both be absent",
            ));
        }
        let step_results = match d.shift_remove("step_results") {
            None => StepResults::new(),
            Some(Json::Object(o)) => {
                let mut results = StepResults::with_capacity(o.len());
                for (id, r) in o {
                    let Json::Object(r) = r else {
                        return Err(invalid(format!(
                            "Invalid run state: step_results record {} must be a JSON object",
                            crate::py::repr_str(&id)
                        )));
                    };
                    results.insert(id, Arc::new(r));
                }
                results
            }
            Some(_) => return Err(invalid("Invalid run state: 'step_results' must be a JSON object")),
        };
        let installed_workflow_id = opt_str(d.get("installed_workflow_id"));
        let installed_registry_root = opt_str(d.get("installed_registry_root"));
        check_installed_origin(d.get("installed_workflow_id"), d.get("installed_registry_root"))?;
        let status = match d.get("status") {
            Some(Json::String(s)) if RunStatus::parse(s).is_some() => RunStatus::parse(s).unwrap_or(RunStatus::Failed),
            Some(other) => return Err(invalid(format!("{} is not a valid RunStatus", repr(other)))),
            None => return Err(invalid("None is not a valid RunStatus")),
        };
        let current_step_index = match d.get("current_step_index") {
            None => 0,
            Some(Json::Number(n)) if n.as_u64().is_some() => n.as_u64().unwrap_or(0),
            Some(other) => {
                return Err(invalid(format!(
                    "Invalid run state: 'current_step_index' must be a non-negative integer, got {}",
                    repr(other)
                )))
            }
        };
        let current_step_id = string_field(&d, "current_step_id")?;
        let workflow_dir = string_field(&d, "workflow_dir")?;
        let created_at = string_field(&d, "created_at")?.unwrap_or_default();
        let updated_at = string_field(&d, "updated_at")?.unwrap_or_default();
        let error = string_field(&d, "error")?;
        let execution = match d.shift_remove("execution") {
            None => None,
            Some(tree) => {
                validate_execution(&tree, parser, None)?;
                Some(Execution::from_json(tree)?)
            }
        };
        let inputs = match d.shift_remove("inputs") {
            Some(Json::Object(o)) => o,
            Some(_) => return Err(invalid("Invalid run inputs: 'inputs' must be a JSON object")),
            None => match inputs_json()? {
                None => JsonObject::new(),
                Some(Json::Object(mut f)) => match f.shift_remove("inputs") {
                    None => JsonObject::new(),
                    Some(Json::Object(i)) => i,
                    Some(_) => return Err(invalid("Invalid run inputs: 'inputs' must be a JSON object")),
                },
                Some(_) => return Err(invalid("Invalid run inputs: expected a JSON object")),
            },
        };
        d.retain(|k, _| !KNOWN_KEYS.contains(&k.as_str()));
        let mut execution = execution;
        if let Some(tree) = &mut execution {
            share_records(tree, &step_results);
        }
        Ok(RunState {
            run_id: requested.clone(),
            workflow_id,
            installed_workflow_id,
            installed_registry_root,
            installed_origin_tracked: has_id,
            status,
            current_step_index,
            current_step_id,
            step_results,
            workflow_dir,
            created_at,
            updated_at,
            error,
            inputs,
            execution,
            extra: d,
        })
    }
}

/// Makes tree records equal to a `step_results` entry that entry (one copy in memory, as
/// in the run that wrote the file). Both are in publication order, so one forward pass
/// with a short look-ahead finds them: O(records × look-ahead) comparisons, each of
/// which stops at the first difference.
fn share_records(tree: &mut Execution, results: &StepResults) {
    const AHEAD: usize = 4;
    let values: Vec<&Record> = results.values().collect();
    let mut next = 0;
    tree.for_each_record_mut(&mut |r| {
        let end = (next + AHEAD).min(values.len());
        if let Some(i) = (next..end).find(|&i| **values[i] == **r) {
            *r = Arc::clone(values[i]);
            next = i + 1;
        }
    });
}

fn opt_str(v: Option<&Json>) -> Option<String> {
    v.and_then(Json::as_str).map(str::to_owned)
}

/// A field the reference reads without checks; baton requires a string or null.
fn string_field(d: &JsonObject, key: &str) -> Result<Option<String>> {
    match d.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Error::Invalid(format!(
            "Invalid run state: '{key}' must be a string or null, got {}",
            other.type_name()
        ))),
    }
}

fn check_installed_origin(id: Option<&Json>, root: Option<&Json>) -> Result<()> {
    match id {
        None | Some(Json::Null) => {}
        Some(Json::String(s)) if is_workflow_id(s) => {}
        Some(Json::String(_)) => {
            return Err(invalid(
                "Invalid run state: 'installed_workflow_id' must be a lowercase alphanumeric workflow ID with hyphens",
            ))
        }
        Some(other) => {
            return Err(invalid(format!(
                "Invalid run state: 'installed_workflow_id' must be a string or null, got {}",
                other.type_name()
            )))
        }
    }
    match root {
        None | Some(Json::Null) => Ok(()),
        Some(Json::String(s)) => {
            if s.is_empty() || !std::path::Path::new(s).is_absolute() {
                Err(invalid("Invalid run state: 'installed_registry_root' must be an absolute path or null"))
            } else if matches!(id, None | Some(Json::Null)) {
                Err(invalid("Invalid run state: 'installed_registry_root' requires 'installed_workflow_id'"))
            } else {
                Ok(())
            }
        }
        Some(other) => Err(invalid(format!(
            "Invalid run state: 'installed_registry_root' must be a string or null, got {}",
            other.type_name()
        ))),
    }
}

/// The workflow-id regex `^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$`.
pub fn is_workflow_id(s: &str) -> bool {
    let b = s.as_bytes();
    let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match b {
        [] => false,
        [one] => edge(one),
        [first, mid @ .., last] => edge(first) && edge(last) && mid.iter().all(|c| edge(c) || *c == b'-'),
    }
}
