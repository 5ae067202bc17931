//! [`Engine::run`] and [`Engine::resume`]: one pass over a run, from its first
//! snapshot to its last (engine spec §2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use baton_expr::{Map, Value};
use baton_inputs::Prompter;
use baton_model::yaml::{self, Node};
use baton_state::{
    Execution, FileStore, Json, LogEvent, ResumeCheck, RunId, RunSession, RunState, RunStatus, RunStore,
    SourceParser, StepDelta,
};
use baton_steps::agents::Host;
use baton_steps::{Cancel, Interaction, StepRegistry};

use crate::convert::{map_to_object, node_to_json, object_to_map};
use crate::defs::{self, Defs};
use crate::call::{defaults_of, CallResolver};
use crate::driver::{Core, Driver, Env, Raise};
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use crate::report;
use crate::scope::Scope;

/// The executor: everything a run needs from outside, passed in by the caller (the
/// CLI reads the environment and the terminal; the engine never does).
pub struct Engine<'a> {
    /// The step types (built-ins, plus the project's custom steps).
    pub registry: &'a StepRegistry,
    /// The project root: where runs are stored and steps' processes start.
    pub project_root: &'a Path,
    /// The environment baton was started with.
    pub env: &'a BTreeMap<String, String>,
    /// The person running baton (gates).
    pub interaction: &'a dyn Interaction,
    /// `PATH` lookups for agent CLIs.
    pub host: &'a (dyn Host + Sync),
    /// Fires on Ctrl-C / SIGTERM: the run is saved `paused`.
    pub cancel: &'a Cancel,
    /// Receives step starts and ends.
    pub events: &'a dyn EventSink,
    /// Finds the callees of `type: workflow` steps (`None`: no workflow is installed).
    pub calls: Option<&'a dyn CallResolver>,
}

/// A new run.
pub struct NewRun<'a> {
    /// The workflow document (loaded and validated by the caller; overlays applied).
    pub definition: &'a Node,
    /// The run id (validated; the caller applies `SPECKIT_WORKFLOW_RUN_ID`).
    pub run_id: RunId,
    /// `--input` values as given (strings).
    pub inputs: Map,
    /// The text of `.specify/integration.json`, if present (for `integration: auto`).
    pub integration_json: Option<&'a str>,
    /// Asks for required inputs that have no value (a terminal), if any.
    pub prompter: Option<&'a mut dyn Prompter>,
    /// The absolute directory of the workflow file.
    pub workflow_dir: Option<String>,
    /// The installed workflow the run was started from, if any.
    pub installed_workflow_id: Option<String>,
    /// Its project root, when it is another project.
    pub installed_registry_root: Option<String>,
}

/// Loads an installed workflow by id (overlays applied), or says why not.
pub type LoadInstalled = dyn Fn(&str) -> std::result::Result<Node, String>;

/// A resume.
pub struct ResumeRun<'a> {
    /// The run.
    pub run_id: RunId,
    /// `--input` values as given (strings); empty keeps the persisted inputs verbatim.
    pub inputs: Map,
    /// The text of `.specify/integration.json`, if present.
    pub integration_json: Option<&'a str>,
    /// Asks for required inputs, if any.
    pub prompter: Option<&'a mut dyn Prompter>,
    /// Loads an installed workflow by id, for a run folder without its `workflow.yml`
    /// copy (the reference's fallback); `None` refuses such runs.
    pub load_installed: Option<&'a LoadInstalled>,
}

/// The end of a pass.
#[derive(Debug)]
pub struct Finished {
    /// The run as saved.
    pub state: RunState,
    /// The exception the run failed with (an expression error …), which the CLI
    /// reports as `Workflow failed: …` / `Resume failed: …`.
    pub exception: Option<String>,
}

/// A resume that passed its checks ([`Engine::prepare_resume`]).
pub(crate) struct PreparedResume {
    doc: Node,
    nodes: Vec<Node>,
    rebind: bool,
}

/// How a pass runs.
struct Pass {
    resume: bool,
    rebind: bool,
    integration_json: Option<String>,
}

/// The [`SourceParser`] for the YAML texts of execution trees: baton's PyYAML-exact
/// loader.
pub fn source_parser() -> Arc<dyn SourceParser> {
    Arc::new(|text: &str| -> std::result::Result<Json, String> {
        yaml::parse(text).map(|n| node_to_json(&n)).map_err(|e| e.to_string())
    })
}

/// The reference's `_dispatch_default_errors`, joined with spaces (empty when fine).
fn dispatch_default_errors(doc: &Node) -> Option<String> {
    let wf = doc.get("workflow").filter(|w| w.as_map().is_some());
    let get = |k: &str| wf.and_then(|w| w.get(k));
    let mut errors = Vec::new();
    for key in ["integration", "model"] {
        if let Some(v) = get(key) {
            if !matches!(v.value, yaml::Yaml::Null | yaml::Yaml::Str(_)) {
                errors.push(format!(
                    "'workflow.{key}' must be a string or null, got {} ({}).",
                    v.type_name(),
                    v.py_repr()
                ));
            }
        }
    }
    if let Some(v) = get("options") {
        if !matches!(v.value, yaml::Yaml::Null | yaml::Yaml::Map(_)) {
            errors.push(format!("'workflow.options' must be a mapping or null, got {} ({}).", v.type_name(), v.py_repr()));
        }
    }
    (!errors.is_empty()).then(|| errors.join(" "))
}

fn workflow_id(doc: &Node) -> String {
    doc.get("workflow").and_then(|w| w.get("id")).and_then(Node::as_str).unwrap_or_default().to_owned()
}

fn step_nodes(doc: &Node) -> Vec<Node> {
    doc.get("steps").and_then(Node::as_seq).map(<[Node]>::to_vec).unwrap_or_default()
}

fn inputs_block(doc: &Node) -> Value {
    doc.get("inputs").map_or(Value::Map(Map::new()), Node::to_value)
}

fn context_value(run_id: &str, workflow_dir: Option<&str>) -> Value {
    baton_expr::context_value(Some(run_id), workflow_dir)
}

impl Engine<'_> {
    fn env(&self) -> Env<'_> {
        Env {
            registry: self.registry,
            project_root: self.project_root,
            env: self.env,
            interaction: self.interaction,
            host: self.host,
            cancel: self.cancel,
            events: self.events,
            calls: self.calls,
        }
    }

    /// Starts a run: creates its folder (refusing an existing run id), writes the
    /// `workflow.yml` copy, resolves the inputs, then executes the steps.
    ///
    /// # Errors
    /// [`Error::Refused`] for input errors (the folder and `workflow.yml` exist, no
    /// `state.json`), [`Error::State`] when the store refuses, [`Error::Checkpoint`]
    /// when a write fails mid-run.
    pub fn run(&self, store: &FileStore, req: NewRun<'_>) -> Result<Finished> {
        if let Some(e) = dispatch_default_errors(req.definition) {
            return Err(Error::Refused(e));
        }
        let doc = req.definition;
        let mut session = store.create_run(&req.run_id, &yaml::dump(doc))?;
        let decls = baton_inputs::parse_declarations(&inputs_block(doc));
        let inputs = baton_inputs::resolve(&decls, &req.inputs, req.integration_json, req.prompter)
            .map_err(|e| Error::Refused(e.to_string()))?;
        let mut state = RunState::new(req.run_id.clone(), workflow_id(doc), store.now());
        state.installed_workflow_id = req.installed_workflow_id;
        state.installed_registry_root = req.installed_registry_root;
        state.inputs = map_to_object(&inputs);
        state.workflow_dir = req.workflow_dir.clone();
        state.status = RunStatus::Running;
        session.snapshot(&mut state)?;
        let nodes = step_nodes(doc);
        let (source, len) = (defs::dump_list(&nodes), nodes.len());
        let root = defs::from_nodes(nodes).map_err(Error::Refused)?;
        let tree = Execution::new(source, len, 0, Default::default());
        if let Err(e) = session.commit(&mut state, StepDelta { execution: Some(tree), ..Default::default() }) {
            return Err(Error::Checkpoint { state: Box::new(state), source: e });
        }
        let scope = Scope::new(
            inputs,
            Map::new(),
            context_value(req.run_id.as_str(), req.workflow_dir.as_deref()),
            vec![workflow_id(doc)],
            defaults_of(doc),
            req.workflow_dir.as_ref().map(PathBuf::from),
        );
        let pass = Pass { resume: false, rebind: false, integration_json: req.integration_json.map(str::to_owned) };
        self.drive(state, session, scope, &root, pass)
    }

    /// Resumes a paused or failed run (or a `running` one whose process died) at the
    /// step it stopped at, with the run folder's `workflow.yml` copy.
    ///
    /// # Errors
    /// [`Error::State`] for a missing, locked or unreadable run; [`Error::Refused`]
    /// for the reference's refusals (status, out-of-range index, tree mismatch,
    /// inputs); [`Error::Checkpoint`] when a write fails mid-run.
    pub fn resume(&self, store: &FileStore, mut req: ResumeRun<'_>) -> Result<Finished> {
        let session = store.lock(&req.run_id)?;
        let mut state = store.open_run(&req.run_id)?;
        let run_id = req.run_id.clone();
        let copy = || -> Result<Option<(String, PathBuf)>> {
            let path = store.run_dir(&run_id).join(baton_state::WORKFLOW_FILE);
            Ok(store.read_workflow(&run_id)?.map(|text| (text, path)))
        };
        let ready = self.prepare_resume(&mut state, copy, &mut req)?;
        self.resume_prepared(state, session, ready, req)
    }

    /// The checks of a resume, in the reference's order, on `state` in memory (nothing
    /// is written): status, the workflow copy (`copy` reads it, with its path for
    /// messages), the step index, the tree against the copy, the dispatch defaults, and
    /// the `--input` overrides (applied to `state.inputs`).
    pub(crate) fn prepare_resume(
        &self,
        state: &mut RunState,
        copy: impl FnOnce() -> Result<Option<(String, PathBuf)>>,
        req: &mut ResumeRun<'_>,
    ) -> Result<PreparedResume> {
        if !matches!(state.status, RunStatus::Paused | RunStatus::Failed | RunStatus::Running) {
            return Err(Error::Refused(format!(
                "Cannot resume run {} with status {}.",
                baton_expr::py::str_repr(req.run_id.as_str()),
                baton_expr::py::str_repr(state.status.as_str())
            )));
        }
        let doc = match copy()? {
            Some((text, path)) => {
                baton_model::load(&text).map_err(|e| Error::Refused(e.message(Some(&path.display().to_string()))))?
            }
            None => match req.load_installed {
                Some(load) => load(&state.workflow_id).map_err(Error::Refused)?,
                None => return Err(Error::Refused(format!("Workflow not found: {}", state.workflow_id))),
            },
        };
        let nodes = step_nodes(&doc);
        if state.current_step_index >= nodes.len() as u64 {
            return Err(Error::Refused(format!(
                "Invalid run state: 'current_step_index' ({}) is out of range for workflow {} with {} step(s).",
                state.current_step_index,
                baton_expr::py::str_repr(&state.workflow_id),
                nodes.len()
            )));
        }
        if let Some(tree) = &state.execution {
            let steps: Vec<Json> = nodes.iter().map(node_to_json).collect();
            let check = ResumeCheck { workflow_steps: &steps, current_step_index: state.current_step_index };
            tree.validate(&*source_parser(), Some(check)).map_err(|e| Error::Refused(e.to_string()))?;
        }
        if let Some(e) = dispatch_default_errors(&doc) {
            return Err(Error::Refused(e));
        }
        let rebind = !req.inputs.is_empty();
        if rebind {
            let decls = baton_inputs::parse_declarations(&inputs_block(&doc));
            let persisted = object_to_map(&state.inputs);
            let inputs = baton_inputs::resolve_resume(
                &decls,
                &persisted,
                &req.inputs,
                req.integration_json,
                req.prompter.take(),
            )
            .map_err(|e| Error::Refused(e.to_string()))?;
            state.inputs = map_to_object(&inputs);
        }
        Ok(PreparedResume { doc, nodes, rebind })
    }

    /// The rest of a resume, after [`Engine::prepare_resume`] accepted it: the first
    /// snapshot (`running`), then the walk.
    pub(crate) fn resume_prepared<S: RunSession + Send>(
        &self,
        mut state: RunState,
        mut session: S,
        ready: PreparedResume,
        req: ResumeRun<'_>,
    ) -> Result<Finished> {
        let PreparedResume { doc, nodes, rebind } = ready;
        state.error = None;
        state.status = RunStatus::Running;
        session.snapshot(&mut state)?;
        let offset = state.current_step_index;
        let root: Defs = if let Some(tree) = &state.execution {
            let source = tree.sequence.source.clone().unwrap_or_default();
            defs::from_yaml(&source).map_err(Error::Refused)?
        } else {
            let rest = nodes[offset as usize..].to_vec();
            let tree = Execution::new(defs::dump_list(&rest), rest.len(), offset, state.step_results_json());
            if let Err(e) = session.commit(&mut state, StepDelta { execution: Some(tree), ..Default::default() }) {
                return Err(Error::Checkpoint { state: Box::new(state), source: e });
            }
            defs::from_nodes(rest).map_err(Error::Refused)?
        };
        let initial = state.execution.as_ref().and_then(|t| t.initial.clone()).unwrap_or_default();
        let inputs = object_to_map(&state.inputs);
        let context = context_value(req.run_id.as_str(), state.workflow_dir.as_deref());
        let workflow_dir = state.workflow_dir.as_ref().map(PathBuf::from);
        let scope =
            Scope::new(inputs, object_to_map(&initial), context, vec![workflow_id(&doc)], defaults_of(&doc), workflow_dir);
        let pass = Pass { resume: true, rebind, integration_json: req.integration_json.map(str::to_owned) };
        self.drive(state, session, scope, &root, pass)
    }

    fn drive<S: RunSession + Send>(
        &self,
        state: RunState,
        session: S,
        mut scope: Scope,
        root: &Defs,
        pass: Pass,
    ) -> Result<Finished> {
        let env = self.env();
        let offset = state.execution.as_ref().map_or(0, Execution::offset);
        let resume = pass.resume;
        let driver = Driver {
            env: &env,
            run_id: state.run_id.to_string(),
            core: Mutex::new(Core { state, session, pending: StepDelta::default() }),
            is_resume: pass.resume,
            rebind: pass.rebind,
            integration_json: pass.integration_json,
            offset,
        };
        {
            let core = driver.core.lock().unwrap_or_else(PoisonError::into_inner);
            let (run_id, workflow_id) = (core.state.run_id.to_string(), core.state.workflow_id.clone());
            drop(core);
            self.events.event(&Event::RunStarted { run_id: &run_id, workflow_id: &workflow_id, resumed: resume });
        }
        let walked = driver.run_root(root, &mut scope);
        let Core { mut state, mut session, .. } = driver.core.into_inner().unwrap_or_else(PoisonError::into_inner);
        if let Some(active) = report::active_step_with(&state, root) {
            state.current_step_id = Some(active.step_id);
        }
        let mut exception = None;
        let event = match walked {
            Ok((outcome, error)) => {
                state.status = match outcome {
                    baton_state::Outcome::Completed => RunStatus::Completed,
                    baton_state::Outcome::Paused => RunStatus::Paused,
                    baton_state::Outcome::Failed => RunStatus::Failed,
                    baton_state::Outcome::Aborted => RunStatus::Aborted,
                };
                state.error = error;
                LogEvent::WorkflowFinished { status: state.status.as_str().to_owned() }
            }
            Err(Raise::Interrupted) => {
                state.status = RunStatus::Paused;
                LogEvent::WorkflowInterrupted
            }
            Err(Raise::Exception(message)) => {
                state.status = RunStatus::Failed;
                state.error = Some(message.clone());
                exception = Some(message.clone());
                if resume {
                    LogEvent::ResumeFailed { error: message }
                } else {
                    LogEvent::WorkflowFailed { error: message }
                }
            }
            Err(Raise::Store(e)) => return Err(Error::Checkpoint { state: Box::new(state), source: e }),
        };
        let saved = session.log(&event, None).and_then(|()| session.snapshot(&mut state));
        if let Err(e) = saved {
            return Err(Error::Checkpoint { state: Box::new(state), source: e });
        }
        self.events.event(&Event::RunFinished {
            run_id: state.run_id.as_str(),
            status: state.status.as_str(),
            error: state.error.as_deref(),
        });
        Ok(Finished { state, exception })
    }
}

