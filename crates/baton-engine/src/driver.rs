//! The tree driver: walks the version-2 execution tree exactly as the reference's
//! `Execution` does — replaying finished occurrences, re-entering expanded containers
//! at their first unfinished child, executing the rest — and records every transition.
//!
//! Persistence: every finished step, expansion, loop iteration and settled container is
//! one journal commit ([`RunSession::commit`]) before the next step starts. Changes that
//! need no durability of their own (a step's `begin`: `active`, `current_step_id`,
//! `current_step_index`; replayed publications) are applied in memory and ride along
//! with the next commit; a stop writes a full snapshot anyway.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};

use baton_expr::{condition_truth, Map, Value};
use num_traits::ToPrimitive;
use baton_state::{
    EventScope, Json, JsonObject, LogEvent, NodeField, NodePath, Outcome, PathSegment, Phase, Record, RunSession,
    RunState, Sequence, StepDelta, TreeEdit,
};
use baton_steps::agents::Host;
use baton_steps::{Cancel, Interaction, StepContext, StepError, StepRegistry, StepResult, StepStatus};

use crate::convert::{json_to_value, map_to_object, object_to_map, value_to_json, value_to_node};
use crate::defs::{self, Defs, StepDef};
use crate::events::{Event, EventSink};
use crate::scope::{Defaults, Scope};

/// What the engine needs from its caller to run steps.
pub(crate) struct Env<'a> {
    pub registry: &'a StepRegistry,
    pub project_root: &'a Path,
    pub env: &'a BTreeMap<String, String>,
    pub interaction: &'a dyn Interaction,
    pub host: &'a (dyn Host + Sync),
    pub cancel: &'a Cancel,
    pub events: &'a dyn EventSink,
    pub calls: Option<&'a dyn crate::call::CallResolver>,
}

/// Why a walk stopped without an outcome.
#[derive(Debug)]
pub(crate) enum Raise {
    /// An exception escaped a step (expression error …): the run fails with this text.
    Exception(String),
    /// Ctrl-C / SIGTERM.
    Interrupted,
    /// A checkpoint failed.
    Store(baton_state::Error),
}

impl From<baton_state::Error> for Raise {
    fn from(e: baton_state::Error) -> Self {
        Raise::Store(e)
    }
}

type Walk<T> = Result<T, Raise>;


/// The run state and its writer, behind one lock (fan-out items share them).
pub(crate) struct Core<S> {
    pub state: RunState,
    pub session: S,
    /// Changes applied in memory, written with the next commit.
    pub pending: StepDelta,
}

/// One run or resume pass.
pub(crate) struct Driver<'a, S> {
    pub env: &'a Env<'a>,
    pub core: Mutex<Core<S>>,
    pub run_id: String,
    pub is_resume: bool,
    /// `--input` values were given to this resume: bound calls re-bind their inputs.
    pub rebind: bool,
    /// The text of `.specify/integration.json` (for callees' `integration: auto`).
    pub integration_json: Option<String>,
    pub offset: u64,
}

/// Where a sequence sits: the root, or child `child` of the node at `parent`.
#[derive(Debug, Clone)]
struct Seq {
    parent: Option<NodePath>,
    child: usize,
}

impl Seq {
    fn root() -> Seq {
        Seq { parent: None, child: 0 }
    }

    fn under(parent: &NodePath, child: usize) -> Seq {
        Seq { parent: Some(parent.clone()), child }
    }

    fn node(&self, index: usize) -> NodePath {
        match &self.parent {
            None => NodePath::top(index),
            Some(p) => p.child(self.child, index),
        }
    }
}

/// What a node holds, copied out under the lock.
#[derive(Debug, Clone)]
struct View {
    phase: Phase,
    outcome: Option<Outcome>,
    result: Option<Record>,
    fan_results: Option<Vec<Json>>,
}

impl View {
    /// The reference's `result_view`: the record with a fan-out's `output.results`
    /// (the node's own record, shared, when there are none).
    fn public(&self) -> Option<Record> {
        let shared = self.result.as_ref()?;
        if let Some(fr) = &self.fan_results {
            let mut r = JsonObject::clone(shared);
            let mut out = match r.get("output") {
                Some(Json::Object(o)) => o.clone(),
                _ => JsonObject::new(),
            };
            out.insert("results".into(), Json::Array(fr.clone()));
            r.insert("output".into(), Json::Object(out));
            return Some(Arc::new(r));
        }
        Some(Arc::clone(shared))
    }
}

/// What executing one occurrence produced.
enum Exec {
    Leaf(StepResult),
    Missing(String),
    Subtree(Outcome, Option<String>, Option<Vec<Json>>),
}

/// The public id of an occurrence: `<loop or fan-out id>:<id>:<index>`.
pub(crate) fn qualified_id(name: &str, alias: Option<(&str, usize)>) -> String {
    match alias {
        None => name.to_owned(),
        Some((parent, i)) => format!("{parent}:{name}:{i}"),
    }
}

fn is_loop(def: &StepDef) -> bool {
    def.is("while") || def.is("do-while")
}

/// Python's `int(value)` as the fan-out's worker count uses it (failures → 1).
fn python_int(v: Option<&Json>) -> i64 {
    match v {
        Some(Json::Bool(b)) => i64::from(*b),
        Some(Json::Number(n)) => {
            if let Some(i) = n.as_i64() {
                i
            } else if n.is_integer() {
                if n.as_str().starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                }
            } else {
                let f = n.as_f64();
                if f.is_finite() {
                    f.trunc().clamp(i64::MIN as f64, i64::MAX as f64) as i64
                } else {
                    1
                }
            }
        }
        Some(Json::String(s)) => {
            let t = baton_expr::py::strip(s);
            match baton_expr::py::parse_int(t) {
                Ok(i) => i.to_string().parse::<i64>().unwrap_or(if t.starts_with('-') { i64::MIN } else { i64::MAX }),
                Err(_) => 1,
            }
        }
        _ => 1,
    }
}

/// The step record (engine spec §2.1).
pub(crate) fn make_record(def: &StepDef, result: &StepResult, defaults: &Defaults) -> Map {
    let out = &result.output;
    let chain = |key: &str, default: &Value| -> Value {
        match out.get(key) {
            Some(v) if v.truthy() => v.clone(),
            _ => match def.get(key) {
                Some(v) if v.truthy() => v.clone(),
                _ => default.clone(),
            },
        }
    };
    let or_config = |key: &str| -> Value {
        match out.get(key) {
            Some(v) if v.truthy() => v.clone(),
            _ => def.get(key).cloned().unwrap_or_else(|| Value::Map(Map::new())),
        }
    };
    let mut r = Map::with_capacity(8);
    r.insert("type".into(), def.type_value.clone());
    r.insert("integration".into(), chain("integration", &defaults.integration));
    r.insert("model".into(), chain("model", &defaults.model));
    r.insert("options".into(), or_config("options"));
    r.insert("input".into(), or_config("input"));
    r.insert("output".into(), Value::Map(out.clone()));
    r.insert("status".into(), Value::from(result.status.as_str()));
    r.insert("error".into(), result.error.clone().map_or(Value::Null, Value::Str));
    if def.is("workflow") {
        r.insert("integration".into(), Value::Null);
        r.insert("model".into(), Value::Null);
        r.insert("options".into(), Value::Map(Map::new()));
        r.insert("input".into(), Value::Map(Map::new()));
    }
    if def.type_value.as_str() == Some("command") && out.contains_key("integration_args") {
        r.insert("integration_args".into(), out.get("integration_args").cloned().unwrap_or(Value::Null));
        r.insert("integration_options".into(), out.get("integration_options").cloned().unwrap_or(Value::Null));
    }
    r
}

impl<S: RunSession + Send> Driver<'_, S> {
    fn lock(&self) -> MutexGuard<'_, Core<S>> {
        self.core.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn view(&self, path: &NodePath) -> Walk<View> {
        let core = self.lock();
        let node = core
            .state
            .execution
            .as_ref()
            .and_then(|t| t.node(path))
            .ok_or_else(|| Raise::Exception(format!("Invalid execution state: no node at {:?}", path.0)))?;
        Ok(View {
            phase: node.phase(),
            outcome: node.outcome(),
            result: node.record().cloned(),
            fan_results: node.fan_results().map(<[Json]>::to_vec),
        })
    }

    fn phase(&self, path: &NodePath) -> Phase {
        let core = self.lock();
        core.state.execution.as_ref().and_then(|t| t.node(path)).map_or(Phase::Ready, baton_state::Node::phase)
    }

    /// Applies `delta` in memory now; it is written with the next commit.
    fn stage(&self, delta: StepDelta) -> Walk<()> {
        let mut core = self.lock();
        core.state.apply_delta(&delta)?;
        core.pending.merge(delta);
        Ok(())
    }

    /// Stages replayed publications, leaving out those `step_results` already holds
    /// unchanged (a resume replays every finished step; journaling them all again
    /// would cost O(run)).
    fn stage_publish(&self, publish: Vec<(String, Record)>) -> Walk<()> {
        let fresh: Vec<_> = {
            let core = self.lock();
            publish
                .into_iter()
                .filter(|(k, r)| !matches!(core.state.step_results.get(k), Some(o) if Arc::ptr_eq(o, r) || o == r))
                .collect()
        };
        if fresh.is_empty() {
            return Ok(());
        }
        self.stage(StepDelta { publish: fresh, ..Default::default() })
    }

    /// Writes the staged changes and `delta` as one journal line.
    pub(crate) fn commit(&self, delta: StepDelta) -> Walk<()> {
        let mut core = self.lock();
        let staged = std::mem::take(&mut core.pending);
        let Core { state, session, .. } = &mut *core;
        session.commit_staged(state, staged, delta)?;
        Ok(())
    }

    /// Logs an event of an occurrence at `at`; inside a called workflow it carries
    /// `execution_path` and `workflow_id`.
    fn log_at(&self, scope: &Scope, at: &[PathSegment], event: LogEvent) -> Walk<()> {
        let within = (scope.ancestry.len() > 1).then(|| EventScope {
            execution_path: at.to_vec(),
            workflow_id: scope.ancestry.last().cloned().unwrap_or_default(),
        });
        self.lock().session.log(&event, within.as_ref())?;
        Ok(())
    }

    pub(crate) fn with_node<R>(&self, path: &NodePath, f: impl FnOnce(&baton_state::Node) -> R) -> R
    where
        R: Default,
    {
        let core = self.lock();
        core.state.execution.as_ref().and_then(|t| t.node(path)).map(f).unwrap_or_default()
    }

    /// The reference's `project`: a result into the local context and, for public
    /// occurrences, the run's `step_results` (returned, for the caller's delta).
    fn project(
        &self,
        scope: &mut Scope,
        name: &str,
        record: &Record,
        public: bool,
        qualified: &str,
    ) -> Vec<(String, Record)> {
        let value = Value::Map(object_to_map(record));
        let mut publish = Vec::new();
        if public {
            publish.push((name.to_owned(), record.clone()));
            if qualified != name {
                scope.set_step(qualified, value.clone());
                publish.push((qualified.to_owned(), record.clone()));
            }
        }
        scope.set_step(name, value);
        publish
    }

    /// Runs (or replays) a sequence; returns its outcome and the halting node's error.
    fn run_seq(
        &self,
        seq: &Seq,
        defs: &Defs,
        scope: &mut Scope,
        public: bool,
        alias: Option<(&str, usize)>,
        at: &[PathSegment],
    ) -> Walk<(Outcome, Option<String>)> {
        for (index, def) in defs.iter().enumerate() {
            let path = seq.node(index);
            let mut occ_at = at.to_vec();
            occ_at.push(PathSegment::Index(index as u64));
            let qualified = qualified_id(&def.id, alias);
            if seq.parent.is_none() && self.phase(&path) != Phase::Done {
                self.stage(StepDelta { current_step_index: Some(self.offset + index as u64), ..Default::default() })?;
            }
            let outcome = self.step(def, &path, scope, public, &qualified, &occ_at)?;
            if outcome.is_halting() {
                let core = self.lock();
                let error = core
                    .state
                    .execution
                    .as_ref()
                    .and_then(|t| t.node(&path))
                    .and_then(|n| n.error().map(str::to_owned));
                return Ok((outcome, error));
            }
        }
        Ok((Outcome::Completed, None))
    }

    /// The steps of a called workflow (child 0 of the call's node).
    pub(crate) fn run_child_workflow(
        &self,
        path: &NodePath,
        defs: &Defs,
        scope: &mut Scope,
        at: &[PathSegment],
    ) -> Walk<(Outcome, Option<String>)> {
        self.run_seq(&Seq::under(path, 0), defs, scope, false, None, at)
    }

    /// The top-level walk.
    pub(crate) fn run_root(&self, defs: &Defs, scope: &mut Scope) -> Walk<(Outcome, Option<String>)> {
        self.run_seq(&Seq::root(), defs, scope, true, None, &[])
    }

    fn step(
        &self,
        def: &StepDef,
        path: &NodePath,
        scope: &mut Scope,
        public: bool,
        qualified: &str,
        at: &[PathSegment],
    ) -> Walk<Outcome> {
        let view = self.view(path)?;
        if view.phase == Phase::Done {
            if let Some(record) = view.public() {
                let publish = self.project(scope, &def.id, &record, public, qualified);
                self.stage_publish(publish)?;
            }
            if def.is("fan-out") {
                if self.children_len(path) > 0 {
                    self.fan_out(def, path, scope, public, qualified, true, at)?;
                }
            } else if !def.is("workflow") {
                self.run_children(def, path, scope, public, qualified, None, at)?;
            }
            return Ok(Outcome::Completed);
        }
        if view.outcome == Some(Outcome::Aborted) {
            if let Some(record) = view.public() {
                let publish = self.project(scope, &def.id, &record, public, qualified);
                self.stage_publish(publish)?;
            }
            return Ok(Outcome::Aborted);
        }
        let calls = def.is("workflow");
        let announce = matches!(view.phase, Phase::Ready | Phase::Blocked) || calls;
        let mut edits = Vec::new();
        if calls && view.phase == Phase::Blocked {
            // A call's record summarizes its previous attempt: dropped on re-entry; a
            // bound call continues at its children, an unbound one binds again.
            let bound = self.with_node(path, |n| n.binding().is_some());
            edits.push(TreeEdit::remove(path.clone(), &["result", "outcome", "error"]));
            let phase = if bound { Phase::Children } else { Phase::Ready };
            edits.push(TreeEdit::set(path.clone(), vec![NodeField::Phase(phase), NodeField::Active(true)]));
        } else {
            edits.push(TreeEdit::set(path.clone(), vec![NodeField::Active(true)]));
        }
        self.stage(StepDelta { current_step_id: Some(qualified.to_owned()), edits, ..Default::default() })?;
        if announce {
            let kind = def.kind.clone().unwrap_or_else(|| def.type_value.py_str());
            self.log_at(scope, at, LogEvent::StepStarted { step_id: qualified.to_owned(), step_type: kind.clone() })?;
            self.env.events.event(&Event::StepStarted { step_id: qualified, label: &def.label, step_type: &kind });
        }
        let executed = if calls {
            self.call(def, path, scope, at).map(Exec::Leaf)
        } else {
            self.execute_step(def, path, &view, scope, public, qualified, at)
        };
        let outcome = executed.and_then(|exec| self.finish(def, path, scope, public, qualified, exec, at));
        if outcome.is_err() {
            // `leave`: the node keeps its phase, inactive; the run-level handler
            // snapshots the unwound tree.
            let _ = self.stage(StepDelta {
                edits: vec![TreeEdit::set(path.clone(), vec![NodeField::Active(false)])],
                ..Default::default()
            });
        }
        outcome
    }

    fn children_len(&self, path: &NodePath) -> usize {
        let core = self.lock();
        core.state.execution.as_ref().and_then(|t| t.node(path)).map_or(0, |n| n.children().len())
    }

    /// The step list of child `index` of the node at `path` (the reference's
    /// `child_steps`).
    fn child_defs(&self, def: &StepDef, path: &NodePath, index: usize) -> Walk<Defs> {
        enum Src {
            Seq(String),
            Template(String),
            Definition(String),
        }
        let src = {
            let core = self.lock();
            let node = core.state.execution.as_ref().and_then(|t| t.node(path));
            let bad = || Raise::Exception("Invalid execution state: missing child sequence".to_owned());
            let node = node.ok_or_else(bad)?;
            let shares = def.is("workflow") || def.is("fan-out") || (is_loop(def) && index > 0);
            if !shares {
                Src::Seq(node.children().get(index).and_then(|c| c.source.clone()).ok_or_else(bad)?)
            } else if def.is("workflow") {
                Src::Definition(node.binding().and_then(|b| b.definition()).map(str::to_owned).ok_or_else(bad)?)
            } else if def.is("fan-out") {
                Src::Template(node.template().map(str::to_owned).ok_or_else(bad)?)
            } else {
                Src::Seq(node.children().first().and_then(|c| c.source.clone()).ok_or_else(bad)?)
            }
        };
        let defs = match src {
            Src::Seq(text) => defs::from_yaml(&text),
            Src::Template(text) => defs::fan_out_item_yaml(&text),
            Src::Definition(text) => match baton_model::yaml::parse(&text) {
                Ok(doc) => match doc.get("steps").and_then(|s| s.as_seq()) {
                    Some(steps) => defs::from_nodes(steps.to_vec()),
                    None => Err(defs::BAD_SEQUENCE.to_owned()),
                },
                Err(e) => Err(format!("Invalid execution state: {e}")),
            },
        };
        defs.map_err(Raise::Exception)
    }

    /// The nodes of a step list a step returned: the config's own list when it is one
    /// (so YAML key types survive), else a conversion of the values.
    fn child_nodes(def: &StepDef, next: &[Value]) -> Vec<baton_model::yaml::Node> {
        let wanted = Value::List(next.to_vec());
        let mut found = None;
        if let Some(entries) = def.node.as_map() {
            'search: for (_, v) in entries {
                let mut candidates = vec![v];
                if let Some(inner) = v.as_map() {
                    candidates.extend(inner.iter().map(|(_, iv)| iv));
                }
                for c in candidates {
                    if c.as_seq().is_some() && c.to_value() == wanted {
                        found = c.as_seq().map(<[_]>::to_vec);
                        break 'search;
                    }
                }
            }
        }
        found.unwrap_or_else(|| next.iter().map(value_to_node).collect())
    }

    fn step_context<'c>(&'c self, scope: &'c Scope, qualified: &'c str) -> StepContext<'c> {
        StepContext {
            namespace: scope,
            step_id: qualified,
            inside_fan_out: scope.inside_fan_out,
            default_integration: scope.defaults.integration.as_str(),
            default_model: scope.defaults.model.as_str(),
            default_options: &scope.defaults.options,
            project_root: self.env.project_root,
            run_id: &self.run_id,
            is_resume: self.is_resume,
            workflow_dir: scope.workflow_dir.as_deref(),
            env: self.env.env,
            cancel: self.env.cancel,
            interaction: self.env.interaction,
            host: self.env.host,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn execute_step(
        &self,
        def: &StepDef,
        path: &NodePath,
        view: &View,
        scope: &mut Scope,
        public: bool,
        qualified: &str,
        at: &[PathSegment],
    ) -> Walk<Exec> {
        let mut child0: Option<Defs> = None;
        if matches!(view.phase, Phase::Ready | Phase::Blocked) {
            let imp = def.kind.as_deref().and_then(|k| self.env.registry.get(k));
            let Some(imp) = imp else {
                return Ok(Exec::Missing(format!("Unknown step type: {}", def.type_value.py_repr())));
            };
            if self.env.cancel.is_cancelled() {
                return Err(Raise::Interrupted);
            }
            let executed = {
                let ctx = self.step_context(scope, qualified);
                crate::retry::execute(imp.as_ref(), def, &ctx, self.env.cancel, self.env.events)
            };
            if self.env.cancel.is_cancelled() {
                return Err(Raise::Interrupted);
            }
            let mut result = match executed {
                Ok(r) => r,
                Err(StepError::Interrupted) => return Err(Raise::Interrupted),
                Err(StepError::Raised(m)) => return Err(Raise::Exception(m)),
            };
            if !result.input_updates.is_empty() {
                let updates = std::mem::take(&mut result.input_updates);
                let mut core = self.lock();
                for (k, v) in updates {
                    scope.set_input(&k, v.clone());
                    if public {
                        core.state.inputs.insert(k, value_to_json(&v));
                    }
                }
            }
            let mut template = None;
            if def.is("fan-out") {
                result.output.shift_remove("step_template");
                template = def.node.get("step").filter(|n| n.as_map().is_some()).cloned();
            }
            if matches!(result.status, StepStatus::Failed | StepStatus::Paused) {
                return Ok(Exec::Leaf(result));
            }
            let mut children: Vec<Sequence> = Vec::new();
            if def.is("fan-out") {
                let n_items = match result.output.get("items") {
                    Some(Value::List(l)) => l.len(),
                    _ => 0,
                };
                if template.as_ref().is_some_and(|t| t.as_map().is_some_and(|m| !m.is_empty())) {
                    children = (0..n_items).map(|_| Sequence::shared(1)).collect();
                }
            } else if !result.next_steps.is_empty() {
                let nodes = Self::child_nodes(def, &result.next_steps);
                children = vec![Sequence::with_source(defs::dump_list(&nodes), nodes.len())];
                child0 = Some(defs::from_nodes(nodes).map_err(Raise::Exception)?);
            }
            if children.is_empty() {
                if def.is("fan-out") {
                    result.output.insert("results".into(), Value::List(Vec::new()));
                }
                return Ok(Exec::Leaf(result));
            }
            let record: Record = Arc::new(map_to_object(&make_record(def, &result, &scope.defaults)));
            let publish = self.project(scope, &def.id, &record, public, qualified);
            let mut fields = vec![
                NodeField::Phase(Phase::Children),
                NodeField::Active(true),
                NodeField::Result(Some(record)),
                NodeField::Children(children),
            ];
            if let Some(t) = &template {
                fields.push(NodeField::Template(defs::dump(t)));
            }
            self.commit(StepDelta { edits: vec![TreeEdit::set(path.clone(), fields)], publish, ..Default::default() })?;
            self.log_at(
                scope,
                at,
                LogEvent::StepCompleted { step_id: qualified.to_owned(), status: result.status.as_str().to_owned() },
            )?;
        } else if let Some(record) = view.public() {
            let publish = self.project(scope, &def.id, &record, public, qualified);
            self.stage_publish(publish)?;
        }

        if def.is("fan-out") {
            let (outcome, error, outputs) = self.fan_out(def, path, scope, public, qualified, false, at)?;
            return Ok(Exec::Subtree(outcome, error, Some(outputs)));
        }
        let (mut outcome, mut error, defs0) = self.run_children(def, path, scope, public, qualified, child0, at)?;
        if outcome == Outcome::Completed && is_loop(def) {
            let limit = match def.get("max_iterations") {
                Some(Value::Int(i)) if i.sign() == num_bigint::Sign::Plus => i.to_usize().unwrap_or(usize::MAX),
                _ => 10,
            };
            let defs0 = match defs0 {
                Some(d) => d,
                None => self.child_defs(def, path, 0)?,
            };
            loop {
                let n = self.children_len(path);
                if n >= limit || !self.loop_condition(def, scope)? {
                    break;
                }
                // Staged, not committed: the iteration's first commit carries it (one
                // journal line, one sync per iteration). A kill before that commit loses
                // only the push, and resume re-evaluates the same condition.
                self.stage(StepDelta {
                    edits: vec![TreeEdit::push_child(path.clone(), Sequence::shared(defs0.len()))],
                    ..Default::default()
                })?;
                let mut it_at = at.to_vec();
                it_at.push(PathSegment::Index(n as u64));
                let (o, e) = self.run_seq(&Seq::under(path, n), &defs0, scope, public, Some((qualified, n)), &it_at)?;
                outcome = o;
                error = e;
                if outcome.is_halting() {
                    break;
                }
            }
        }
        Ok(Exec::Subtree(outcome, error, None))
    }

    fn loop_condition(&self, def: &StepDef, scope: &Scope) -> Walk<bool> {
        match (&def.condition, def.get("condition")) {
            (Some(t), _) => {
                let v = t.render(scope).map_err(|e| Raise::Exception(e.to_string()))?;
                Ok(condition_truth(&v))
            }
            (None, Some(v)) => Ok(condition_truth(v)),
            (None, None) => Ok(false),
        }
    }

    /// Runs or replays the child sequences in order.
    #[allow(clippy::too_many_arguments)]
    fn run_children(
        &self,
        def: &StepDef,
        path: &NodePath,
        scope: &mut Scope,
        public: bool,
        qualified: &str,
        child0: Option<Defs>,
        at: &[PathSegment],
    ) -> Walk<(Outcome, Option<String>, Option<Defs>)> {
        let n = self.children_len(path);
        let mut defs0 = child0;
        for it in 0..n {
            let defs = if it == 0 || is_loop(def) {
                match &defs0 {
                    Some(d) => d.clone(),
                    None => {
                        let d = self.child_defs(def, path, 0)?;
                        defs0 = Some(d.clone());
                        d
                    }
                }
            } else {
                self.child_defs(def, path, it)?
            };
            let alias = (is_loop(def) && it > 0).then_some((qualified, it));
            let mut it_at = at.to_vec();
            it_at.push(PathSegment::Index(it as u64));
            let (outcome, error) = self.run_seq(&Seq::under(path, it), &defs, scope, public, alias, &it_at)?;
            if outcome.is_halting() {
                return Ok((outcome, error, defs0));
            }
        }
        Ok((Outcome::Completed, None, defs0))
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        def: &StepDef,
        path: &NodePath,
        scope: &mut Scope,
        public: bool,
        qualified: &str,
        exec: Exec,
        at: &[PathSegment],
    ) -> Walk<Outcome> {
        let (result, missing) = match exec {
            Exec::Subtree(outcome, error, outputs) => {
                let phase = if outcome == Outcome::Completed { Phase::Done } else { Phase::Children };
                let mut fields = vec![
                    NodeField::Phase(phase),
                    NodeField::Active(false),
                    NodeField::Outcome(outcome),
                    NodeField::error(error.as_deref()),
                ];
                let mut publish = Vec::new();
                if let Some(results) = outputs {
                    fields.push(NodeField::FanResults(results.clone()));
                    let mut view = self.view(path)?;
                    view.fan_results = Some(results);
                    if let Some(record) = view.public() {
                        publish = self.project(scope, &def.id, &record, public, qualified);
                    }
                }
                self.commit(StepDelta { edits: vec![TreeEdit::set(path.clone(), fields)], publish, ..Default::default() })?;
                self.env.events.event(&Event::StepFinished { step_id: qualified, status: outcome.as_str() });
                return Ok(outcome);
            }
            Exec::Leaf(r) => (r, false),
            Exec::Missing(e) => (StepResult::failed(Map::new(), e), true),
        };
        let outcome = match result.status {
            StepStatus::Paused => Outcome::Paused,
            StepStatus::Failed => {
                if result.output.get("aborted").is_some_and(Value::truthy) {
                    Outcome::Aborted
                } else if !missing && def.continue_on_error {
                    Outcome::Completed
                } else {
                    Outcome::Failed
                }
            }
            _ => Outcome::Completed,
        };
        let record: Record = Arc::new(map_to_object(&make_record(def, &result, &scope.defaults)));
        let mut publish = if missing { Vec::new() } else { self.project(scope, &def.id, &record, public, qualified) };
        if let (false, Some((top, alias))) = (missing, &scope.item_alias) {
            if top == path {
                publish.push((alias.clone(), record.clone()));
            }
        }
        let phase = if outcome == Outcome::Completed { Phase::Done } else { Phase::Blocked };
        let fields = vec![
            NodeField::Phase(phase),
            NodeField::Active(false),
            NodeField::Result(Some(record)),
            NodeField::Outcome(outcome),
            NodeField::error(result.error.as_deref()),
        ];
        self.commit(StepDelta { edits: vec![TreeEdit::set(path.clone(), fields)], publish, ..Default::default() })?;
        if !missing {
            self.log_at(
                scope,
                at,
                LogEvent::StepCompleted { step_id: qualified.to_owned(), status: result.status.as_str().to_owned() },
            )?;
        }
        if result.status == StepStatus::Failed {
            let step_id = qualified.to_owned();
            let error = result.error.clone();
            self.log_at(scope, at, match outcome {
                Outcome::Aborted => LogEvent::WorkflowAborted { step_id, error },
                Outcome::Completed => LogEvent::StepContinueOnError { step_id, error },
                _ => LogEvent::StepFailed { step_id, error },
            })?;
        }
        self.env.events.event(&Event::StepFinished { step_id: qualified, status: result.status.as_str() });
        Ok(outcome)
    }

    /// Runs (or, with `sequential` for a finished fan-out, replays) the items of the
    /// fan-out at `path`: returns the outcome, the halting item's error and the item
    /// outputs in index order.
    #[allow(clippy::too_many_lines, clippy::too_many_arguments)]
    fn fan_out(
        &self,
        def: &StepDef,
        path: &NodePath,
        scope: &mut Scope,
        public: bool,
        qualified: &str,
        sequential: bool,
        at: &[PathSegment],
    ) -> Walk<(Outcome, Option<String>, Vec<Json>)> {
        let view = self.view(path)?;
        let frozen = view.result.as_deref().cloned().unwrap_or_default();
        let output = frozen.get("output").and_then(Json::as_object);
        let items: Vec<Value> = match output.and_then(|o| o.get("items")) {
            Some(Json::Array(a)) => a.iter().map(json_to_value).collect(),
            _ => Vec::new(),
        };
        let mut workers = python_int(output.and_then(|o| o.get("max_concurrency"))).max(1) as usize;
        if sequential {
            workers = 1;
        }
        let workers = workers.min(items.len()).min(1024);
        let frozen_value = Value::Map(object_to_map(&frozen));
        let mut initial = scope.steps().clone();
        for key in [def.id.as_str(), qualified] {
            if initial.contains_key(key) {
                initial.insert(key.to_owned(), frozen_value.clone());
            }
        }
        let template = self.child_defs(def, path, 0)?;
        let template_name = template.first().map(|d| d.id.clone()).unwrap_or_else(|| "item".to_owned());
        let base = scope.with_steps(Map::new());

        let run_item = |index: usize| -> Walk<(Outcome, Option<String>, Option<Record>)> {
            let mut local = base.with_steps(initial.clone());
            local.item = items.get(index).cloned().unwrap_or(Value::Null);
            local.inside_fan_out = true;
            local.projected = Some(Vec::new());
            let seq = Seq::under(path, index);
            if public {
                local.item_alias = Some((seq.node(0), format!("{qualified}:{template_name}:{index}")));
            }
            let mut item_at = at.to_vec();
            item_at.push(PathSegment::Name("item".to_owned()));
            item_at.push(PathSegment::Index(index as u64));
            let (outcome, error) =
                self.run_seq(&seq, &template, &mut local, false, Some((qualified, index)), &item_at)?;
            let projected = local.projected.as_ref().is_some_and(|p| p.contains(&template_name));
            let record = if projected { self.view(&seq.node(0))?.public() } else { None };
            if let (Some(r), true) = (&record, public) {
                // A leaf template published it with its finishing commit already.
                let alias = format!("{qualified}:{template_name}:{index}");
                self.stage_publish(vec![(alias, r.clone())])?;
            }
            Ok((outcome, error, record))
        };
        let alias_of = |index: usize| format!("{qualified}:{template_name}:{index}");
        // An item's aggregate entry: its record's `output` as recorded (or `{}`).
        let output_of = |record: &Option<Record>| -> Json {
            match record.as_ref().and_then(|r| r.get("output")) {
                Some(o) => o.clone(),
                None => Json::Object(JsonObject::new()),
            }
        };

        let mut results = Vec::with_capacity(items.len());
        if workers <= 1 {
            for index in 0..items.len() {
                let (outcome, error, record) = run_item(index)?;
                if let Some(r) = &record {
                    scope.set_step(&alias_of(index), Value::Map(object_to_map(r)));
                }
                results.push(output_of(&record));
                if outcome.is_halting() {
                    return Ok((outcome, error, results));
                }
            }
            return Ok((Outcome::Completed, None, results));
        }

        type ItemResult = Walk<(Outcome, Option<String>, Option<Record>)>;
        let halted = AtomicBool::new(false);
        let n = items.len();
        let (work_tx, work_rx) = mpsc::channel::<usize>();
        let work_rx = Mutex::new(work_rx);
        let (res_tx, res_rx) = mpsc::channel::<(usize, ItemResult)>();
        std::thread::scope(|s| {
            for _ in 0..workers {
                let res_tx = res_tx.clone();
                let (work_rx, halted, run_item) = (&work_rx, &halted, &run_item);
                s.spawn(move || loop {
                    let next = work_rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(index) = next else { break };
                    let r = run_item(index);
                    if !matches!(&r, Ok((o, _, _)) if !o.is_halting()) {
                        halted.store(true, Ordering::SeqCst);
                    }
                    if res_tx.send((index, r)).is_err() {
                        break;
                    }
                });
            }
            drop(res_tx);
            for index in 0..workers {
                let _ = work_tx.send(index);
            }
            let mut done: HashMap<usize, ItemResult> = HashMap::new();
            let mut last: Walk<(Outcome, Option<String>)> = Ok((Outcome::Completed, None));
            for index in 0..n {
                let r = loop {
                    if let Some(r) = done.remove(&index) {
                        break r;
                    }
                    match res_rx.recv() {
                        Ok((i, r)) => {
                            done.insert(i, r);
                        }
                        Err(_) => break Err(Raise::Exception("fan-out worker stopped".to_owned())),
                    }
                };
                match r {
                    Err(e) => {
                        last = Err(e);
                        break;
                    }
                    Ok((outcome, error, record)) => {
                        if let Some(r) = &record {
                            scope.set_step(&alias_of(index), Value::Map(object_to_map(r)));
                        }
                        results.push(output_of(&record));
                        if outcome.is_halting() {
                            last = Ok((outcome, error));
                            break;
                        }
                        let following = index + workers;
                        if following < n && !halted.load(Ordering::SeqCst) {
                            let _ = work_tx.send(following);
                        }
                    }
                }
            }
            drop(work_tx);
            // Items still running finish; their aliases are published as theirs were.
            for (index, r) in done.into_iter().chain(res_rx.iter()) {
                if let Ok((_, _, Some(record))) = r {
                    scope.set_step(&alias_of(index), Value::Map(object_to_map(&record)));
                }
            }
            last.map(|(o, e)| (o, e, results))
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn num(t: &str) -> Json {
        Json::parse(t).unwrap_or(Json::Null)
    }

    #[test]
    fn worker_count_follows_python_int() {
        assert_eq!(python_int(None), 1);
        assert_eq!(python_int(Some(&num("3"))), 3);
        assert_eq!(python_int(Some(&num("2.9"))), 2);
        assert_eq!(python_int(Some(&num("-4"))), -4);
        assert_eq!(python_int(Some(&Json::Bool(true))), 1);
        assert_eq!(python_int(Some(&Json::from(" 7 "))), 7);
        assert_eq!(python_int(Some(&Json::from("abc"))), 1);
        assert_eq!(python_int(Some(&Json::from("3.0"))), 1);
        assert_eq!(python_int(Some(&Json::Null)), 1);
        assert_eq!(python_int(Some(&num("99999999999999999999999"))), i64::MAX);
    }

    #[test]
    fn records_take_the_first_truthy_of_output_config_and_defaults() {
        let node = baton_model::yaml::parse("{id: s, type: shell, options: {}, model: m1, input: null}").unwrap();
        let defs = crate::defs::from_nodes(vec![node]).unwrap();
        let d = &defs[0];
        let defaults = Defaults { integration: Value::from("claude"), model: Value::Null, options: Map::new() };
        let out = Map::from_iter([("options".to_owned(), Value::List(vec![Value::from("a")]))]);
        let r = make_record(d, &StepResult::completed(out), &defaults);
        let keys: Vec<&str> = r.keys().map(String::as_str).collect();
        assert_eq!(keys, ["type", "integration", "model", "options", "input", "output", "status", "error"]);
        assert_eq!(r.get("integration"), Some(&Value::from("claude")));
        assert_eq!(r.get("model"), Some(&Value::from("m1")));
        assert_eq!(r.get("options"), Some(&Value::List(vec![Value::from("a")])));
        // `config.get("input", {})` keeps an explicit null.
        assert_eq!(r.get("input"), Some(&Value::Null));
    }
}
