//! [`Engine::rerun`]: a new run of an old run's `workflow.yml` copy that reuses the
//! recorded results of every occurrence before a given step and executes from it on.
//!
//! The old run's execution tree is copied; the chosen occurrence and everything after
//! it in walk order are reset to `ready` (their ancestors go back to `children` with
//! their outcome cleared, later loop iterations are dropped), their `step_results`
//! entries are removed, and the new run is handed to the resume path, which replays the
//! `done` nodes without running them again.

use baton_expr::Map;
use baton_inputs::Prompter;
use baton_state::{Execution, FileStore, Json, Node, NodePath, RunId, RunState, RunStatus, RunStore, STATE_FILE};

use crate::error::{Error, Result};
use crate::occurrences::{occurrences, Occurrence};
use crate::run::{Engine, Finished, ResumeRun};

/// A rerun request.
pub struct RerunRun<'a> {
    /// The run whose results are reused (left untouched).
    pub from_run: RunId,
    /// The new run's id (validated; the caller applies `SPECKIT_WORKFLOW_RUN_ID`).
    pub run_id: RunId,
    /// The qualified occurrence id to execute from (`build`, `lp:s:1`).
    pub from_step: String,
    /// `--input` overrides (strings), re-resolved like `resume`.
    pub inputs: Map,
    /// The text of `.specify/integration.json`, if present.
    pub integration_json: Option<&'a str>,
    /// Asks for required inputs, if any.
    pub prompter: Option<&'a mut dyn Prompter>,
}

fn quote(s: &str) -> String {
    baton_expr::py::str_repr(s)
}

fn is_loop_type(t: &str) -> bool {
    matches!(t, "while" | "do-while")
}

/// Builds the new run's tree from `tree`, executing from `occs[idx]` on.
fn reset_tree(tree: &mut Execution, occs: &[Occurrence], idx: usize) -> Result<()> {
    let target = &occs[idx].path.0;
    let broken = || Error::Refused(format!("Invalid execution tree at step {}.", quote(&occs[idx].step_id)));
    let top = *target.first().ok_or_else(broken)?;
    for node in tree.sequence.nodes.iter_mut().skip(top + 1) {
        *node = Node::ready();
    }
    let mut depth = 1;
    while depth + 1 < target.len() {
        let anc = NodePath(target[..depth].to_vec());
        let (c, n) = (target[depth], target[depth + 1]);
        let anc_type = occs.iter().find(|o| o.path == anc).map(|o| o.step_type.clone()).unwrap_or_default();
        let node = tree.node_mut(&anc).ok_or_else(broken)?;
        node.set(baton_state::NodeField::Phase(baton_state::Phase::Children));
        node.remove("outcome");
        node.remove("error");
        let children = node.children_mut().ok_or_else(broken)?;
        if is_loop_type(&anc_type) {
            children.truncate(c + 1);
        } else {
            for seq in children.iter_mut().skip(c + 1) {
                for n in &mut seq.nodes {
                    *n = Node::ready();
                }
            }
        }
        let seq = children.get_mut(c).ok_or_else(broken)?;
        for later in seq.nodes.iter_mut().skip(n + 1) {
            *later = Node::ready();
        }
        depth += 2;
    }
    let node = tree.node_mut(&occs[idx].path).ok_or_else(broken)?;
    *node = Node::ready();
    Ok(())
}

/// Writes `rerun_of` / `rerun_from` at the end of the new run's `state.json`.
fn mark(store: &FileStore, state: &RunState, of: &RunId, from: &str) -> Result<()> {
    let mut json = state.to_json();
    if let Json::Object(o) = &mut json {
        o.insert("rerun_of".into(), of.as_str().into());
        o.insert("rerun_from".into(), from.into());
    }
    let dir = store.run_dir(&state.run_id);
    let tmp = dir.join(format!("{STATE_FILE}.rerun.tmp"));
    let io = |e: std::io::Error| Error::Refused(format!("Cannot write {}: {e}", dir.join(STATE_FILE).display()));
    std::fs::write(&tmp, json.to_python_indented()).map_err(io)?;
    std::fs::rename(&tmp, dir.join(STATE_FILE)).map_err(io)
}

impl Engine<'_> {
    /// Starts a new run of `req.from_run`'s workflow copy that reuses the results of
    /// every occurrence before `req.from_step` and executes from it on. The old run is
    /// only read.
    ///
    /// # Errors
    /// [`Error::Refused`] for a running (locked) run, a run without an execution tree,
    /// an unknown step id (the message lists the valid ids) or the resume path's
    /// refusals; [`Error::State`] when the store refuses.
    pub fn rerun(&self, store: &FileStore, req: RerunRun<'_>) -> Result<Finished> {
        let old = store.open_run(&req.from_run)?;
        if old.status == RunStatus::Running && store.lock_holder(&req.from_run)?.is_some() {
            return Err(Error::Refused(format!(
                "Cannot rerun run {}: it is running.",
                quote(req.from_run.as_str())
            )));
        }
        let Some(text) = store.read_workflow(&req.from_run)? else {
            return Err(Error::Refused(format!("Workflow not found: {}", old.workflow_id)));
        };
        let occs = occurrences(&old);
        let Some(mut tree) = old.execution.clone().filter(|_| !occs.is_empty()) else {
            return Err(Error::Refused(format!(
                "Run {} has no recorded steps to rerun from.",
                quote(req.from_run.as_str())
            )));
        };
        let Some(idx) = occs.iter().position(|o| o.step_id == req.from_step) else {
            let valid: Vec<&str> = occs.iter().map(|o| o.step_id.as_str()).collect();
            return Err(Error::Refused(format!(
                "Unknown step id {} in run {}. Valid step ids: {}",
                quote(&req.from_step),
                quote(req.from_run.as_str()),
                valid.join(", ")
            )));
        };
        reset_tree(&mut tree, &occs, idx)?;
        let mut state = old.clone();
        for o in &occs[idx..] {
            state.step_results.shift_remove(&o.step_id);
        }
        state.run_id = req.run_id.clone();
        state.status = RunStatus::Paused;
        state.error = None;
        state.current_step_index = tree.offset() + occs[idx].path.0.first().copied().unwrap_or(0) as u64;
        state.current_step_id = Some(req.from_step.clone());
        state.execution = Some(tree);
        let now = store.now();
        state.created_at = now.clone();
        state.updated_at = now;
        {
            let mut session = store.create_run(&req.run_id, &text)?;
            baton_state::RunSession::snapshot(&mut session, &mut state)?;
        }
        mark(store, &state, &req.from_run, &req.from_step)?;
        let finished = self.resume(
            store,
            ResumeRun {
                run_id: req.run_id,
                inputs: req.inputs,
                integration_json: req.integration_json,
                prompter: req.prompter,
                load_installed: None,
            },
        )?;
        mark(store, &finished.state, &req.from_run, &req.from_step)?;
        Ok(finished)
    }
}
