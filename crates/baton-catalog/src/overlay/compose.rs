//! Composition of a base workflow with overlays (ecosystem.md §14.3): anchor checks,
//! the winning fate of each anchor, anchor conflicts, the single pass over a copy of
//! the base step tree, and per-step attribution.
//!
//! The composition works on the YAML tree ([`Node`]) and is not semantically
//! validated: the caller validates the composed definition (an inserted duplicate id
//! composes fine and is refused by validation afterwards).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use baton_model::yaml::{Node, Yaml};

use super::manifest::{Edit, Operation, Overlay};

/// Keys whose list values hold nested steps (besides every list under `cases`).
const NESTED_LIST_KEYS: [&str; 4] = ["then", "else", "steps", "default"];

/// The attribution source of base steps.
pub const BASE_SOURCE: &str = "base";

/// The source of a step id nothing recorded.
pub const UNKNOWN_SOURCE: &str = "unknown";

/// One overlay taking part in a composition, with its attribution source
/// (`project:<id>`).
#[derive(Debug, Clone, Copy)]
pub struct OverlayInput<'a> {
    /// The validated overlay.
    pub overlay: &'a Overlay,
    /// Its source label, `project:<id>`.
    pub source: &'a str,
}

/// Where one step of the composed tree came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// The step id.
    pub step_id: String,
    /// `base`, `project:<overlay-id>` or `unknown`.
    pub source: String,
}

/// Why overlays cannot be composed onto a base.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// Anchors of one overlay that name no step of the original base.
    #[error("Overlay '{overlay}' has invalid edits:\n  - {}", errors.join("\n  - "))]
    InvalidEdits {
        /// The overlay id.
        overlay: String,
        /// `Edit <n>: anchor '<a>' does not match any base step id.` lines.
        errors: Vec<String>,
    },
    /// A replaced or removed anchor is an ancestor of another anchor of the set.
    #[error("Overlay anchor conflict(s) detected:\n  - {}", .0.join("\n  - "))]
    AnchorConflicts(Vec<String>),
}

/// The result of [`compose`].
#[derive(Debug, Clone, PartialEq)]
pub struct Composition {
    /// The base document with its `steps` replaced by the composed list.
    pub definition: Node,
    /// The source of each step id, in a pre-order walk of the composed tree.
    pub attribution: Vec<Attribution>,
}

/// Python's `step.get("id")` when it is a string.
fn step_id(step: &Node) -> Option<&str> {
    step.get("id").and_then(Node::as_str)
}

/// The nested step lists of a step, in the reference's order: `then`, `else`,
/// `steps`, `default`, then every list under a `cases` mapping.
fn nested_lists(step: &Node) -> impl Iterator<Item = &[Node]> {
    let plain = NESTED_LIST_KEYS.into_iter().filter_map(move |key| step.get(key).and_then(Node::as_seq));
    let cases = step.get("cases").and_then(Node::as_map).unwrap_or(&[]);
    plain.chain(cases.iter().filter_map(|(_, v)| v.as_seq()))
}

/// Every string step id reachable in a step list (fan-out templates excluded).
fn reachable_ids(steps: &[Node], out: &mut BTreeSet<String>) {
    for step in steps.iter().filter(|s| s.as_map().is_some()) {
        if let Some(id) = step_id(step) {
            out.insert(id.to_owned());
        }
        for list in nested_lists(step) {
            reachable_ids(list, out);
        }
    }
}

/// The first step (pre-order) whose id is `id`.
fn find_step<'a>(steps: &'a [Node], id: &str) -> Option<&'a Node> {
    for step in steps.iter().filter(|s| s.as_map().is_some()) {
        if step_id(step) == Some(id) {
            return Some(step);
        }
        for list in nested_lists(step) {
            if let Some(found) = find_step(list, id) {
                return Some(found);
            }
        }
    }
    None
}

/// Records `source` for a step and every nested step.
fn record_sources(step: &Node, source: &str, sources: &mut HashMap<String, String>) {
    if let Some(id) = step_id(step) {
        sources.insert(id.to_owned(), source.to_owned());
    }
    for list in nested_lists(step) {
        for child in list.iter().filter(|c| c.as_map().is_some()) {
            record_sources(child, source, sources);
        }
    }
}

/// Forgets the `base` source of a step and its nested steps (a replaced subtree).
fn remove_base_sources(step: &Node, sources: &mut HashMap<String, String>) {
    if let Some(id) = step_id(step) {
        if sources.get(id).map(String::as_str) == Some(BASE_SOURCE) {
            sources.remove(id);
        }
    }
    for list in nested_lists(step) {
        for child in list.iter().filter(|c| c.as_map().is_some()) {
            remove_base_sources(child, sources);
        }
    }
}

/// An edit in merge order: which overlay (its index in merge order) and which edit.
#[derive(Clone, Copy)]
struct Ref<'a> {
    layer: usize,
    source: &'a str,
    edit: &'a Edit,
}

/// The edit that decides an anchor's fate: normally the last in merge order, but a
/// trailing insert does not cancel a `replace` the same overlay declared on the anchor
/// (unless that overlay also removes it).
fn winning_fate<'a>(edits: &[Ref<'a>]) -> Option<Ref<'a>> {
    let last = *edits.last()?;
    if !last.edit.operation.is_insert() {
        return Some(last);
    }
    let mut replacement = None;
    for r in edits.iter().filter(|r| r.layer == last.layer) {
        match r.edit.operation {
            Operation::Remove => return Some(last),
            Operation::Replace => replacement = Some(*r),
            _ => {}
        }
    }
    Some(replacement.unwrap_or(last))
}

/// The single pass over (a copy of) the original tree.
fn apply(steps: Vec<Node>, by_anchor: &HashMap<&str, Vec<Ref<'_>>>, sources: &mut HashMap<String, String>) -> Vec<Node> {
    let mut out = Vec::with_capacity(steps.len());
    for mut step in steps {
        if step.as_map().is_none() {
            out.push(step);
            continue;
        }
        let edits: &[Ref<'_>] = step_id(&step).and_then(|id| by_anchor.get(id)).map_or(&[], Vec::as_slice);
        let fate = winning_fate(edits);
        if fate.is_some_and(|f| f.edit.operation == Operation::Remove) {
            continue;
        }
        for r in edits.iter().filter(|r| r.edit.operation == Operation::InsertBefore) {
            if let Some(new) = &r.edit.step {
                record_sources(new, r.source, sources);
                out.push(new.clone());
            }
        }
        match fate {
            Some(f) if f.edit.operation == Operation::Replace => {
                remove_base_sources(&step, sources);
                if let Some(new) = &f.edit.step {
                    record_sources(new, f.source, sources);
                    out.push(new.clone());
                }
            }
            _ => {
                recurse(&mut step, by_anchor, sources);
                out.push(step);
            }
        }
        // insert_after: groups of consecutive edits of one overlay, highest
        // precedence (last in merge order) first; declared order kept in a group.
        let mut groups: Vec<Vec<Ref<'_>>> = Vec::new();
        for r in edits.iter().filter(|r| r.edit.operation == Operation::InsertAfter) {
            match groups.last_mut() {
                Some(group) if group[0].layer == r.layer => group.push(*r),
                _ => groups.push(vec![*r]),
            }
        }
        for group in groups.iter().rev() {
            for r in group {
                if let Some(new) = &r.edit.step {
                    record_sources(new, r.source, sources);
                    out.push(new.clone());
                }
            }
        }
    }
    out
}

/// Applies the edits inside a kept step's nested lists, in the reference's order.
fn recurse(step: &mut Node, by_anchor: &HashMap<&str, Vec<Ref<'_>>>, sources: &mut HashMap<String, String>) {
    let Yaml::Map(entries) = &mut step.value else { return };
    for key in NESTED_LIST_KEYS {
        if let Some((_, value)) = entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some(key)) {
            if let Yaml::Seq(items) = &mut value.value {
                let taken = std::mem::take(items);
                *items = apply(taken, by_anchor, sources);
            }
        }
    }
    if let Some((_, cases)) = entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some("cases")) {
        if let Yaml::Map(case_entries) = &mut cases.value {
            for (_, value) in case_entries.iter_mut() {
                if let Yaml::Seq(items) = &mut value.value {
                    let taken = std::mem::take(items);
                    *items = apply(taken, by_anchor, sources);
                }
            }
        }
    }
}

/// The attribution list: a pre-order walk of the composed tree.
fn attribution(steps: &[Node], sources: &HashMap<String, String>, out: &mut Vec<Attribution>) {
    for step in steps.iter().filter(|s| s.as_map().is_some()) {
        if let Some(id) = step_id(step) {
            let source = sources.get(id).map_or(UNKNOWN_SOURCE, String::as_str);
            out.push(Attribution { step_id: id.to_owned(), source: source.to_owned() });
        }
        for list in nested_lists(step) {
            attribution(list, sources, out);
        }
    }
}

/// The merge order: priority descending, then id ascending (the last applied wins, so
/// the lowest priority number wins and, on a tie, the alphabetically last id).
pub fn merge_order<'a>(overlays: &[OverlayInput<'a>]) -> Vec<OverlayInput<'a>> {
    let mut order = overlays.to_vec();
    order.sort_by(|a, b| b.overlay.priority.cmp(&a.overlay.priority).then_with(|| a.overlay.id.cmp(&b.overlay.id)));
    order
}

/// Composes `overlays` (any order; they are applied in [`merge_order`]) onto the base
/// workflow document `base`.
///
/// A base whose `steps` is not a list is returned unchanged with no attribution (so
/// validation can report it); an absent `steps` counts as an empty list.
///
/// # Errors
/// [`ComposeError::InvalidEdits`] for the first overlay (in merge order) with an anchor
/// that names no base step; [`ComposeError::AnchorConflicts`] when a replaced or
/// removed anchor is an ancestor of another anchor.
pub fn compose(base: &Node, overlays: &[OverlayInput<'_>]) -> Result<Composition, ComposeError> {
    let empty: &[Node] = &[];
    let base_steps = match base.get("steps") {
        None => empty,
        Some(node) => match node.as_seq() {
            Some(items) => items,
            None => return Ok(Composition { definition: base.clone(), attribution: Vec::new() }),
        },
    };
    let order = merge_order(overlays);
    let mut base_ids = BTreeSet::new();
    reachable_ids(base_steps, &mut base_ids);
    for layer in &order {
        let errors: Vec<String> = layer
            .overlay
            .edits
            .iter()
            .enumerate()
            .filter(|(_, e)| !base_ids.contains(&e.anchor))
            .map(|(i, e)| format!("Edit {i}: anchor '{}' does not match any base step id.", e.anchor))
            .collect();
        if !errors.is_empty() {
            return Err(ComposeError::InvalidEdits { overlay: layer.overlay.id.clone(), errors });
        }
    }

    let mut by_anchor: HashMap<&str, Vec<Ref<'_>>> = HashMap::new();
    for (layer, input) in order.iter().enumerate() {
        for edit in &input.overlay.edits {
            by_anchor.entry(edit.anchor.as_str()).or_default().push(Ref { layer, source: input.source, edit });
        }
    }

    // Anchor conflicts, anchors in sorted order.
    let fates: BTreeMap<&str, Operation> = by_anchor
        .iter()
        .filter_map(|(anchor, edits)| winning_fate(edits).map(|f| (*anchor, f.edit.operation)))
        .collect();
    let mut conflicts = Vec::new();
    for (anchor, op) in &fates {
        if op.is_insert() {
            continue;
        }
        let Some(step) = find_step(base_steps, anchor) else { continue };
        let mut descendants = BTreeSet::new();
        for list in nested_lists(step) {
            reachable_ids(list, &mut descendants);
        }
        for child in descendants.iter().filter(|d| fates.contains_key(d.as_str())) {
            conflicts.push(format!(
                "Anchor conflict: '{anchor}' is an ancestor of '{child}'. Targeting both anchors in the same overlay set produces order-dependent results; restructure edits to avoid nesting."
            ));
        }
    }
    if !conflicts.is_empty() {
        return Err(ComposeError::AnchorConflicts(conflicts));
    }

    let mut sources = HashMap::new();
    for id in &base_ids {
        sources.insert(id.clone(), BASE_SOURCE.to_owned());
    }
    let composed = apply(base_steps.to_vec(), &by_anchor, &mut sources);
    let mut attr = Vec::new();
    attribution(&composed, &sources, &mut attr);

    let mut definition = base.clone();
    let steps_node = Node { value: Yaml::Seq(composed), span: base.get("steps").map_or(base.span, |s| s.span) };
    if let Yaml::Map(entries) = &mut definition.value {
        match entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some("steps")) {
            Some((_, value)) => *value = steps_node,
            None => entries.push((Node { value: Yaml::Str("steps".to_owned()), span: base.span }, steps_node)),
        }
    }
    Ok(Composition { definition, attribution: attr })
}
