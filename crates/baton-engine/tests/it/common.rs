//! A temporary project, the engine wired to it, and test-only step types.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use baton_engine::{Engine, Finished, NewRun, NoEvents, ResumeRun};
use baton_expr::{Map, Value};
use baton_state::{FileStore, Json, RunId, RunState, RunStore, SystemClock};
use baton_steps::agents::Host;
use baton_steps::{Cancel, NoInteraction, Step, StepContext, StepError, StepRegistry, StepResult};

pub struct NoHost;
impl Host for NoHost {
    fn which(&self, _name: &str) -> Option<String> {
        None
    }
    fn docker_agent_plugin(&self, _docker: &str) -> bool {
        false
    }
}

/// `interrupt`: the first time (no `interrupted` marker in the project) it fires the
/// run's cancel signal and reports an interrupt, as Ctrl-C during a step does; then it
/// completes.
pub struct InterruptOnce;
impl Step for InterruptOnce {
    fn type_key(&self) -> &str {
        "interrupt"
    }
    fn execute(&self, _config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let marker = ctx.project_root.join("interrupted");
        if marker.exists() {
            return Ok(StepResult::completed(Map::from_iter([("again".to_owned(), Value::Bool(true))])));
        }
        std::fs::write(&marker, "").unwrap();
        ctx.cancel.cancel();
        Err(StepError::Interrupted)
    }
}

/// `raise`: an exception escaping the step (the run fails, no record).
pub struct Raise;
impl Step for Raise {
    fn type_key(&self) -> &str {
        "raise"
    }
    fn execute(&self, _config: &Map, _ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        Err(StepError::Raised("boom from raise".into()))
    }
}

/// Callees from a table of YAML texts (the catalog's resolver in the CLI).
pub struct Callees(pub Vec<(&'static str, String)>);
impl baton_engine::CallResolver for Callees {
    fn resolve(&self, target: &Value, ancestry: &[String]) -> Result<baton_engine::CalledWorkflow, String> {
        let t = target.py_str();
        if ancestry.contains(&t) {
            return Err(format!("Workflow composition cycle: {} -> {t}", ancestry.join(" -> ")));
        }
        let text = self.0.iter().find(|(id, _)| *id == t).map(|(_, y)| y).ok_or_else(|| format!("Workflow '{t}' is not installed"))?;
        Ok(baton_engine::CalledWorkflow { definition: baton_model::load(text).unwrap(), workflow_dir: Some(format!("/callees/{t}")) })
    }
}

pub struct Project {
    pub dir: tempfile::TempDir,
    pub env: BTreeMap<String, String>,
    pub callees: Callees,
}

pub fn registry(extra: bool) -> StepRegistry {
    let mut r = StepRegistry::new();
    baton_steps::builtin::register_builtins(&mut r).unwrap();
    if extra {
        r.register(Arc::new(InterruptOnce)).unwrap();
        r.register(Arc::new(Raise)).unwrap();
    }
    r
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::Builder::new().prefix("baton-engine-").tempdir().unwrap();
        let env = std::env::vars().filter(|(k, _)| k == "PATH" || k == "HOME").collect();
        Project { dir, env, callees: Callees(Vec::new()) }
    }

    /// A project holding a copy of `fixtures/runs/<name>/project`.
    pub fn from_fixture(name: &str) -> Project {
        let p = Project::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/runs").join(name).join("project");
        copy_dir(&src, p.root());
        p
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn store(&self) -> FileStore {
        FileStore::new(self.root(), baton_engine::source_parser(), Arc::new(SystemClock))
    }

    fn with_engine<R>(&self, cancel: &Cancel, f: impl FnOnce(&Engine<'_>, &FileStore) -> R) -> R {
        let registry = registry(true);
        let engine = Engine {
            registry: &registry,
            project_root: self.root(),
            env: &self.env,
            interaction: &NoInteraction,
            host: &NoHost,
            cancel,
            events: &NoEvents,
            calls: Some(&self.callees),
        };
        f(&engine, &self.store())
    }

    pub fn run(&self, id: &str, workflow: &str, inputs: &[(&str, &str)]) -> baton_engine::Result<Finished> {
        let doc = baton_model::load(workflow).unwrap();
        let inputs: Map = inputs.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
        self.with_engine(&Cancel::new(), |engine, store| {
            engine.run(
                store,
                NewRun {
                    definition: &doc,
                    run_id: RunId::new(id).unwrap(),
                    inputs,
                    integration_json: None,
                    prompter: None,
                    workflow_dir: Some(self.root().display().to_string()),
                    installed_workflow_id: None,
                    installed_registry_root: None,
                },
            )
        })
    }

    pub fn resume(&self, id: &str, inputs: &[(&str, &str)]) -> baton_engine::Result<Finished> {
        let inputs: Map = inputs.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
        self.with_engine(&Cancel::new(), |engine, store| {
            engine.resume(
                store,
                ResumeRun {
                    run_id: RunId::new(id).unwrap(),
                    inputs,
                    integration_json: None,
                    prompter: None,
                    load_installed: None,
                },
            )
        })
    }

    pub fn state(&self, id: &str) -> RunState {
        self.store().open_run(&RunId::new(id).unwrap()).unwrap()
    }

    /// `log.jsonl` as `(event, step_id)` pairs.
    pub fn events(&self, id: &str) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(self.run_dir(id).join("log.jsonl")).unwrap();
        text.lines()
            .map(|l| {
                let j = Json::parse(l).unwrap();
                let o = j.as_object().unwrap();
                let get = |k: &str| o.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
                (get("event"), if o.contains_key("step_id") { get("step_id") } else { get("status") })
            })
            .collect()
    }

    pub fn run_dir(&self, id: &str) -> PathBuf {
        self.root().join(".specify/workflows/runs").join(id)
    }
}

pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

pub fn workflow(id: &str, steps: &str) -> String {
    format!("schema_version: \"1.0\"\nworkflow:\n  id: {id}\n  name: {id}\n  version: \"1.0.0\"\nsteps:\n{steps}")
}

/// `step_results[id].output[key]` as text.
pub fn output(state: &RunState, id: &str, key: &str) -> Option<String> {
    let r = state.step_results.get(id)?;
    let v = r.get("output")?.as_object()?.get(key)?;
    Some(match v {
        Json::String(s) => s.clone(),
        other => other.to_python_line(),
    })
}

pub fn status(state: &RunState, id: &str) -> Option<String> {
    state.step_results.get(id)?.get("status")?.as_str().map(str::to_owned)
}

pub fn ev(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}
