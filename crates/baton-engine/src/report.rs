//! What `run --json`, `resume --json` and `status` report about a run (engine spec
//! §3.5, §3.6): the first unfinished leaf of the tree, the gate a run rests on, the
//! workflow-call scopes, and the payload objects themselves.

use baton_state::{Json, JsonObject, Node, NodePath, RunState, RunStatus, Sequence};

use crate::convert::json_to_value;
use crate::defs::{self, Defs, StepDef};
use crate::driver::qualified_id;

/// The first unfinished leaf of a run's tree (the reference's `active_step`).
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveStep {
    /// The scope path: enclosing step ids, with loop/item indices as strings, ending
    /// with the step's own id.
    pub names: Vec<String>,
    /// The node's address.
    pub path: NodePath,
    /// The qualified occurrence id.
    pub step_id: String,
}

/// One visited occurrence.
pub(crate) struct Visit<'a> {
    pub(crate) def: &'a StepDef,
    pub(crate) node: &'a Node,
    pub(crate) names: &'a [String],
    pub(crate) path: &'a NodePath,
    pub(crate) qualified: &'a str,
}

/// The reference's `walk_execution`: every occurrence with its names path and id.
/// `f` returns `true` to stop.
pub(crate) struct Walker<'f> {
    pub(crate) children_first: bool,
    pub(crate) skip_done: bool,
    pub(crate) f: &'f mut dyn FnMut(&Visit<'_>) -> bool,
}

fn child_defs(def: &StepDef, node: &Node, index: usize) -> Option<Defs> {
    let is_loop = def.is("while") || def.is("do-while");
    let shares = def.is("workflow") || def.is("fan-out") || (is_loop && index > 0);
    let seq_source = |i: usize| node.children().get(i).and_then(|c: &Sequence| c.source.clone());
    if !shares {
        return defs::from_yaml(&seq_source(index)?).ok();
    }
    if def.is("workflow") {
        let text = node.binding()?.definition()?.to_owned();
        let doc = baton_model::yaml::parse(&text).ok()?;
        return defs::from_nodes(doc.get("steps")?.as_seq()?.to_vec()).ok();
    }
    if def.is("fan-out") {
        return defs::fan_out_item_yaml(node.template()?).ok();
    }
    defs::from_yaml(&seq_source(0)?).ok()
}

impl Walker<'_> {
    /// Returns `true` when stopped.
    pub(crate) fn walk(
        &mut self,
        seq: &Sequence,
        defs: &Defs,
        names: &[String],
        parent: Option<&NodePath>,
        child: usize,
        alias: Option<(&str, usize)>,
    ) -> bool {
        for (index, (def, node)) in defs.iter().zip(&seq.nodes).enumerate() {
            if self.skip_done && node.phase() == baton_state::Phase::Done {
                continue;
            }
            let path = match parent {
                None => NodePath::top(index),
                Some(p) => p.child(child, index),
            };
            let mut here = names.to_vec();
            here.push(def.id.clone());
            let qualified = qualified_id(&def.id, alias);
            let visit = Visit { def, node, names: &here, path: &path, qualified: &qualified };
            if !self.children_first && (self.f)(&visit) {
                return true;
            }
            let is_loop = def.is("while") || def.is("do-while");
            let mut shared: Option<Defs> = None;
            for (item, c) in node.children().iter().enumerate() {
                let child_names = if def.is("fan-out") || is_loop {
                    let mut n = here.clone();
                    n.push(item.to_string());
                    n
                } else {
                    here.clone()
                };
                let cdefs = if def.is("fan-out") || (is_loop && item > 0) || def.is("workflow") {
                    if shared.is_none() {
                        shared = child_defs(def, node, item);
                    }
                    shared.clone()
                } else {
                    child_defs(def, node, item)
                };
                let Some(cdefs) = cdefs else { continue };
                let child_alias = (def.is("fan-out") || (is_loop && item > 0)).then_some((qualified.as_str(), item));
                if self.walk(c, &cdefs, &child_names, Some(&path), item, child_alias) {
                    return true;
                }
            }
            let visit = Visit { def, node, names: &here, path: &path, qualified: &qualified };
            if self.children_first && (self.f)(&visit) {
                return true;
            }
        }
        false
    }
}

pub(crate) fn root_defs(state: &RunState) -> Option<Defs> {
    let tree = state.execution.as_ref()?;
    defs::from_yaml(tree.sequence.source.as_deref()?).ok()
}

/// The first unfinished leaf in execution order (children first, finished subtrees
/// skipped), as the reference's `active_step`.
pub fn active_step(state: &RunState) -> Option<ActiveStep> {
    let defs = root_defs(state)?;
    active_step_with(state, &defs)
}

pub(crate) fn active_step_with(state: &RunState, defs: &Defs) -> Option<ActiveStep> {
    let tree = state.execution.as_ref()?;
    let mut found = None;
    let mut f = |v: &Visit<'_>| {
        found = Some(ActiveStep { names: v.names.to_vec(), path: v.path.clone(), step_id: v.qualified.to_owned() });
        let _ = v.def;
        true
    };
    Walker { children_first: true, skip_done: true, f: &mut f }.walk(&tree.sequence, defs, &[], None, 0, None);
    found
}

/// One workflow-call scope (`workflow_scopes`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeSummary {
    /// Enclosing step ids (and indices) down to the call.
    pub scope_path: Vec<String>,
    /// The called workflow.
    pub workflow_id: String,
    /// The call's status.
    pub status: String,
}

/// The reference's `scope_summaries`: one entry per bound workflow call.
pub fn scope_summaries(state: &RunState) -> Vec<ScopeSummary> {
    let Some(tree) = state.execution.as_ref() else { return Vec::new() };
    let Some(defs) = root_defs(state) else { return Vec::new() };
    let run_status = state.status.as_str();
    let halting = matches!(state.status, RunStatus::Paused | RunStatus::Failed | RunStatus::Aborted);
    let active = active_step_with(state, &defs).map(|a| a.names).unwrap_or_default();
    let mut out = Vec::new();
    let mut f = |v: &Visit<'_>| {
        if let Some(b) = v.node.binding() {
            let status = v
                .node
                .result()
                .and_then(|r| r.get("output"))
                .and_then(Json::as_object)
                .and_then(|o| o.get("status"))
                .and_then(Json::as_str)
                .map(str::to_owned);
            let status = status.unwrap_or_else(|| {
                if halting && active.len() >= v.names.len() && active[..v.names.len()] == *v.names {
                    run_status.to_owned()
                } else {
                    "running".to_owned()
                }
            });
            out.push(ScopeSummary {
                scope_path: v.names.to_vec(),
                workflow_id: b.workflow().unwrap_or_default().to_owned(),
                status,
            });
        }
        false
    };
    Walker { children_first: false, skip_done: false, f: &mut f }.walk(&tree.sequence, &defs, &[], None, 0, None);
    out
}

fn is_gate(record: &JsonObject) -> bool {
    match record.get("type") {
        Some(Json::String(t)) if t == "gate" => true,
        Some(t) if json_to_value(t).truthy() => false,
        _ => matches!(record.get("output"), Some(Json::Object(o)) if o.contains_key("on_reject")),
    }
}

fn py_str(j: &Json) -> Json {
    Json::String(json_to_value(j).py_str())
}

/// The `gate` block of the outcome payload, when the run rests on a gate.
pub fn gate_outcome(state: &RunState) -> Option<JsonObject> {
    if !matches!(state.status, RunStatus::Paused | RunStatus::Aborted) {
        return None;
    }
    let (record, step_id, scope_path) = if state.execution.is_some() {
        let active = active_step(state)?;
        let node = state.execution.as_ref()?.node(&active.path)?;
        let scope: Vec<String> = active.names[..active.names.len().saturating_sub(1)].to_vec();
        (node.result().cloned(), Json::String(active.step_id), scope)
    } else {
        let id = state.current_step_id.clone();
        let rec = id.as_ref().and_then(|i| state.step_results.get(i)).map(|r| JsonObject::clone(r));
        (rec, id.map_or(Json::Null, Json::String), Vec::new())
    };
    let record = record?;
    if !is_gate(&record) {
        return None;
    }
    let empty = JsonObject::new();
    let output = match record.get("output") {
        Some(Json::Object(o)) => o,
        _ => &empty,
    };
    let mut g = JsonObject::new();
    g.insert("step_id".into(), step_id);
    g.insert("message".into(), output.get("message").filter(|m| **m != Json::Null).map_or(Json::Null, py_str));
    let options = match output.get("options") {
        None | Some(Json::Null) => Json::Null,
        Some(Json::Array(a)) => Json::Array(a.iter().map(py_str).collect()),
        Some(other) => Json::Array(vec![py_str(other)]),
    };
    g.insert("options".into(), options);
    g.insert("choice".into(), output.get("choice").filter(|m| **m != Json::Null).map_or(Json::Null, py_str));
    if !scope_path.is_empty() {
        g.insert("scope_path".into(), Json::Array(scope_path.into_iter().map(Json::String).collect()));
    }
    Some(g)
}

/// The run-level error shown for failed and aborted runs.
pub fn failed_error(state: &RunState) -> Option<&str> {
    match state.status {
        RunStatus::Failed | RunStatus::Aborted => state.error.as_deref(),
        _ => None,
    }
}

/// The outcome payload of `run --json` / `resume --json` (engine spec §3.5).
pub fn outcome_payload(state: &RunState) -> JsonObject {
    let mut p = JsonObject::new();
    p.insert("run_id".into(), state.run_id.as_str().into());
    p.insert("workflow_id".into(), state.workflow_id.as_str().into());
    p.insert("status".into(), state.status.as_str().into());
    p.insert("current_step_id".into(), state.current_step_id.clone().into());
    p.insert("current_step_index".into(), Json::from(state.current_step_index));
    if let Some(g) = gate_outcome(state) {
        p.insert("gate".into(), Json::Object(g));
    }
    if let Some(e) = failed_error(state) {
        p.insert("error".into(), e.into());
    }
    let scopes = scope_summaries(state);
    if !scopes.is_empty() {
        p.insert("workflow_scopes".into(), Json::Array(scopes.iter().map(scope_json).collect()));
    }
    p
}

fn scope_json(s: &ScopeSummary) -> Json {
    let mut o = JsonObject::new();
    o.insert("scope_path".into(), Json::Array(s.scope_path.iter().map(|p| Json::from(p.as_str())).collect()));
    o.insert("workflow_id".into(), s.workflow_id.as_str().into());
    o.insert("status".into(), s.status.as_str().into());
    Json::Object(o)
}

/// `status RUN_ID --json`: the outcome payload plus `created_at`, `updated_at` and
/// `steps` (id → record status).
pub fn status_payload(state: &RunState) -> JsonObject {
    let mut p = outcome_payload(state);
    p.insert("created_at".into(), state.created_at.as_str().into());
    p.insert("updated_at".into(), state.updated_at.as_str().into());
    let steps = state
        .step_results
        .iter()
        .map(|(k, r)| {
            let s = r.get("status").cloned().unwrap_or_else(|| "unknown".into());
            (k.clone(), s)
        })
        .collect();
    p.insert("steps".into(), Json::Object(steps));
    p
}

