//! [`RunState`]: the fields of `state.json` (engine spec §1.3), read with the reference's
//! load-time checks and written in its key order.

use crate::error::{invalid, Error, Result};
use crate::execution::{validate_execution, Execution, SourceParser};
use crate::json::{Json, JsonObject};
use crate::py::repr;
use crate::run_id::RunId;

/// A step record (`step_results[id]`, a node's `result`): opaque JSON objects.
pub type Record = JsonObject;

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
    pub step_results: JsonObject,
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
            step_results: JsonObject::new(),
            workflow_dir: None,
            created_at: now.clone(),
            updated_at: now,
            error: None,
            inputs: JsonObject::new(),
            execution: None,
            extra: JsonObject::new(),
        }
    }

    /// The `state.json` object, keys in the reference's order.
    pub fn to_json(&self) -> Json {
        let mut o = JsonObject::new();
        o.insert("run_id".into(), self.run_id.as_str().into());
        o.insert("workflow_id".into(), self.workflow_id.as_str().into());
        o.insert("installed_workflow_id".into(), self.installed_workflow_id.clone().into());
        o.insert("installed_registry_root".into(), self.installed_registry_root.clone().into());
        o.insert("status".into(), self.status.as_str().into());
        o.insert("current_step_index".into(), self.current_step_index.into());
        o.insert("current_step_id".into(), self.current_step_id.clone().into());
        o.insert("step_results".into(), Json::Object(self.step_results.clone()));
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
        self.to_json().to_python_indented()
    }

    /// The `inputs.json` text: `{"inputs": {...}}`.
    pub fn to_inputs_json(&self) -> String {
        let mut o = JsonObject::new();
        o.insert("inputs".into(), Json::Object(self.inputs.clone()));
        Json::Object(o).to_python_indented()
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
            None => JsonObject::new(),
            Some(Json::Object(o)) => o,
            Some(_) => return Err(invalid("Invalid run state: 'step_results' must be a JSON object")),
        };
        for (id, r) in &step_results {
            if !matches!(r, Json::Object(_)) {
                return Err(invalid(format!(
                    "Invalid run state: step_results record {} must be a JSON object",
                    crate::py::repr_str(id)
                )));
            }
        }
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
