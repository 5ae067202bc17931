//! Every step occurrence of a run, in execution order, with its record: what
//! `baton logs` prints and where `baton rerun --from` finds its step.

use baton_state::{JsonObject, NodePath, RunState};

use crate::report::{root_defs, Visit, Walker};

/// One step occurrence of a run's execution tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// The qualified occurrence id (`lp:body:1`, `fo:t:0`, `build`).
    pub step_id: String,
    /// Enclosing step ids (with loop/item indices as strings), then its own id.
    pub names: Vec<String>,
    /// The step type, as written.
    pub step_type: String,
    /// The node's address in the tree.
    pub path: NodePath,
    /// Its record (`type`, `output`, `status`, `error` …), once it has run.
    pub record: Option<JsonObject>,
}

/// Every occurrence of `state`'s execution tree, parents before their children (empty
/// for a run without a version-2 tree).
pub fn occurrences(state: &RunState) -> Vec<Occurrence> {
    let (Some(tree), Some(defs)) = (state.execution.as_ref(), root_defs(state)) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut f = |v: &Visit<'_>| {
        found.push(Occurrence {
            step_id: v.qualified.to_owned(),
            names: v.names.to_vec(),
            step_type: v.def.kind.clone().unwrap_or_else(|| v.def.type_value.py_str()),
            path: v.path.clone(),
            record: v.node.result().cloned(),
        });
        false
    };
    Walker { children_first: false, skip_done: false, f: &mut f }.walk(&tree.sequence, &defs, &[], None, 0, None);
    found
}
