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
use baton_state::{Execution, FileStore, Json, Node, NodePath, Outcome, RunId, RunStatus, RunStore};

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

/// The last occurrence before `occs[idx]` that the reset tree still holds as aborted: an
/// aborted occurrence is terminal (a resume cannot get past it), so nothing after it can
/// be rerun.
fn aborted_before<'o>(tree: &Execution, occs: &'o [Occurrence], idx: usize) -> Option<&'o Occurrence> {
    occs[..idx].iter().rev().find(|o| tree.node(&o.path).and_then(Node::outcome) == Some(Outcome::Aborted))
}

impl Engine<'_> {
    /// Starts a new run of `req.from_run`'s workflow copy that reuses the results of
    /// every occurrence before `req.from_step` and executes from it on. The old run is
    /// only read. The new run's `state.json` carries `rerun_of` and `rerun_from` (kept by
    /// every later snapshot, through pauses and resumes). Every check, the resume's
    /// included, runs before the new run's folder is made: a refused rerun leaves
    /// nothing behind.
    ///
    /// # Errors
    /// [`Error::State`] ([`baton_state::Error::Locked`]) when a live process holds the
    /// old run's lock; [`Error::Refused`] for a run without an execution tree, an
    /// unknown step id (the message lists the valid ids), a step after an aborted one,
    /// or the resume path's refusals (inputs …); [`Error::State`] when the store
    /// refuses.
    pub fn rerun(&self, store: &FileStore, req: RerunRun<'_>) -> Result<Finished> {
        if let Some(pid) = store.lock_holder(&req.from_run)? {
            return Err(Error::State(baton_state::Error::Locked { run_id: req.from_run.to_string(), pid }));
        }
        let old = store.open_run(&req.from_run)?;
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
        if let Some(stop) = aborted_before(&tree, &occs, idx) {
            return Err(Error::Refused(format!(
                "Cannot rerun run {} from step {}: step {} before it was aborted. Rerun from {} or an earlier step.",
                quote(req.from_run.as_str()),
                quote(&req.from_step),
                quote(&stop.step_id),
                quote(&stop.step_id)
            )));
        }
        let mut state = old;
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
        for (key, value) in [("rerun_of", req.from_run.as_str()), ("rerun_from", req.from_step.as_str())] {
            state.extra.shift_remove(key);
            state.extra.insert(key.to_owned(), Json::from(value));
        }
        let mut resume = ResumeRun {
            run_id: req.run_id.clone(),
            inputs: req.inputs,
            integration_json: req.integration_json,
            prompter: req.prompter,
            load_installed: None,
        };
        let path = store.run_dir(&req.from_run).join(baton_state::WORKFLOW_FILE);
        let ready = self.prepare_resume(&mut state, || Ok(Some((text.clone(), path))), &mut resume)?;
        let session = store.create_run(&req.run_id, &text)?;
        self.resume_prepared(state, session, ready, resume)
    }
}
