//! [`StepDelta`]: what one journal line records — the change one finished step (or any
//! transition) made to the run state, in O(size of the change).
//!
//! The engine builds a delta, and [`RunState::apply_delta`] (which a session's `commit`
//! calls) applies it to the in-memory state; loading a run applies the journal's deltas
//! the same way, so memory and disk cannot drift apart.

use crate::error::{Error, Result};
use crate::execution::{Execution, Node, NodeField, NodePath, Sequence};
use crate::json::{write_object, write_str, Arr, Json, JsonObject, Obj, Out, Style};
use crate::state::{Record, RunState};
use std::sync::Arc;

/// One change to one node of the execution tree.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeOp {
    /// Set fields, in order, with Python `dict` semantics (an existing key keeps its
    /// position, a new key is appended) — the reference's `{**node, **changes}`.
    Set(Vec<NodeField>),
    /// Remove fields (Python `dict.pop`).
    Remove(Vec<String>),
    /// Append a child sequence (a loop's next iteration) without rewriting the others.
    PushChild(Sequence),
    /// Replace the whole node (O(size of its subtree)).
    Replace(Node),
}

/// A [`NodeOp`] at a [`NodePath`].
#[derive(Debug, Clone, PartialEq)]
pub struct TreeEdit {
    /// The node.
    pub path: NodePath,
    /// The change.
    pub op: NodeOp,
}

impl TreeEdit {
    /// `Set` at `path`.
    pub fn set(path: NodePath, fields: Vec<NodeField>) -> TreeEdit {
        TreeEdit { path, op: NodeOp::Set(fields) }
    }

    /// `Remove` at `path`.
    pub fn remove(path: NodePath, keys: &[&str]) -> TreeEdit {
        TreeEdit { path, op: NodeOp::Remove(keys.iter().map(|k| (*k).to_owned()).collect()) }
    }

    /// `PushChild` at `path`.
    pub fn push_child(path: NodePath, child: Sequence) -> TreeEdit {
        TreeEdit { path, op: NodeOp::PushChild(child) }
    }

    /// `Replace` at `path`.
    pub fn replace(path: NodePath, node: Node) -> TreeEdit {
        TreeEdit { path, op: NodeOp::Replace(node) }
    }
}

/// The change one commit makes to a [`RunState`]. Fields left `None`/empty are unchanged.
/// `updated_at` is stamped by the session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepDelta {
    /// New `current_step_index`.
    pub current_step_index: Option<u64>,
    /// New `current_step_id`.
    pub current_step_id: Option<String>,
    /// Records published to `step_results`, in order (insert or replace in place).
    pub publish: Vec<(String, Record)>,
    /// A whole new execution tree (once per run, when the engine creates it); applied
    /// before `edits`.
    pub execution: Option<Execution>,
    /// Node changes, in order.
    pub edits: Vec<TreeEdit>,
    /// The `updated_at` this delta sets (stamped by the session's `commit`).
    pub updated_at: Option<String>,
}

impl StepDelta {
    /// The journal line's JSON (compact).
    pub fn to_json(&self) -> Json {
        let mut o = JsonObject::new();
        if let Some(t) = &self.updated_at {
            o.insert("updated_at".into(), t.as_str().into());
        }
        if let Some(i) = self.current_step_index {
            o.insert("current_step_index".into(), i.into());
        }
        if let Some(s) = &self.current_step_id {
            o.insert("current_step_id".into(), s.as_str().into());
        }
        if !self.publish.is_empty() {
            o.insert(
                "publish".into(),
                Json::Array(
                    self.publish
                        .iter()
                        .map(|(k, r)| Json::Array(vec![k.as_str().into(), Json::Object(JsonObject::clone(r))]))
                        .collect(),
                ),
            );
        }
        if let Some(e) = &self.execution {
            o.insert("execution".into(), e.to_json());
        }
        if !self.edits.is_empty() {
            o.insert("edits".into(), Json::Array(self.edits.iter().map(edit_to_json).collect()));
        }
        Json::Object(o)
    }

    /// Reads a journal line's JSON.
    pub fn from_json(v: Json) -> std::result::Result<StepDelta, String> {
        let Json::Object(mut o) = v else { return Err("entry is not an object".into()) };
        let mut d = StepDelta::default();
        if let Some(t) = o.shift_remove("updated_at") {
            d.updated_at = Some(t.as_str().ok_or("`updated_at` is not a string")?.to_owned());
        }
        if let Some(i) = o.shift_remove("current_step_index") {
            d.current_step_index = Some(match &i {
                Json::Number(n) => n.as_u64().ok_or("bad `current_step_index`")?,
                _ => return Err("bad `current_step_index`".into()),
            });
        }
        if let Some(s) = o.shift_remove("current_step_id") {
            d.current_step_id = Some(s.as_str().ok_or("`current_step_id` is not a string")?.to_owned());
        }
        if let Some(p) = o.shift_remove("publish") {
            let Json::Array(items) = p else { return Err("`publish` is not an array".into()) };
            for item in items {
                match item {
                    Json::Array(pair) => match <[Json; 2]>::try_from(pair) {
                        Ok([Json::String(k), Json::Object(r)]) => d.publish.push((k, Arc::new(r))),
                        _ => return Err("bad `publish` entry".into()),
                    },
                    _ => return Err("bad `publish` entry".into()),
                }
            }
        }
        if let Some(e) = o.shift_remove("execution") {
            d.execution = Some(Execution::from_json(e).map_err(|e| e.to_string())?);
        }
        if let Some(Json::Array(edits)) = o.shift_remove("edits") {
            for e in edits {
                d.edits.push(edit_from_json(e)?);
            }
        }
        d.share_records();
        Ok(d)
    }

    /// A node result equal to a record the same delta publishes becomes that record (one
    /// copy in memory, as when the engine made the delta). O(size of the delta).
    fn share_records(&mut self) {
        if self.publish.is_empty() {
            return;
        }
        for e in &mut self.edits {
            let NodeOp::Set(fields) = &mut e.op else { continue };
            for f in fields {
                if let NodeField::Result(Some(r)) = f {
                    if let Some((_, p)) = self.publish.iter().find(|(_, p)| Arc::ptr_eq(p, r) || **p == **r) {
                        *r = Arc::clone(p);
                    }
                }
            }
        }
    }

    /// The journal line of this delta: [`StepDelta::to_json`] in compact form, written
    /// from the delta itself (no intermediate JSON value), without a newline.
    pub fn to_line(&self) -> String {
        let mut out = String::new();
        self.write_line(&mut out);
        out
    }

    fn write_line<O: Out + ?Sized>(&self, out: &mut O) {
        let style = Style::Compact;
        let mut o = Obj::open(out, style, 0);
        if let Some(t) = &self.updated_at {
            o.str("updated_at", t);
        }
        if let Some(i) = self.current_step_index {
            o.raw("current_step_index", &i.to_string());
        }
        if let Some(s) = &self.current_step_id {
            o.str("current_step_id", s);
        }
        if !self.publish.is_empty() {
            let (out, style, level) = o.key("publish");
            let mut arr = Arr::open(out, style, level);
            for (k, r) in &self.publish {
                let (out, style, level) = arr.item();
                let mut pair = Arr::open(out, style, level);
                let (out, _, _) = pair.item();
                write_str(out, k);
                let (out, style, level) = pair.item();
                write_object(out, r, style, level);
                pair.close();
            }
            arr.close();
        }
        if let Some(e) = &self.execution {
            let (out, style, level) = o.key("execution");
            e.write(out, style, level);
        }
        if !self.edits.is_empty() {
            let (out, style, level) = o.key("edits");
            let mut arr = Arr::open(out, style, level);
            for e in &self.edits {
                let (out, style, level) = arr.item();
                write_edit(out, e, style, level);
            }
            arr.close();
        }
        o.close();
    }
}

fn write_edit<O: Out + ?Sized>(out: &mut O, e: &TreeEdit, style: Style, level: usize) {
    let mut o = Obj::open(out, style, level);
    {
        let (out, style, level) = o.key("path");
        let mut arr = Arr::open(out, style, level);
        for i in &e.path.0 {
            let (out, _, _) = arr.item();
            out.put(&i.to_string());
        }
        arr.close();
    }
    match &e.op {
        NodeOp::Set(fields) => {
            let (out, style, level) = o.key("set");
            let mut arr = Arr::open(out, style, level);
            for f in fields {
                let (out, style, level) = arr.item();
                let mut pair = Arr::open(out, style, level);
                let (out, _, _) = pair.item();
                write_str(out, f.key());
                let (out, style, level) = pair.item();
                f.write_value(out, style, level);
                pair.close();
            }
            arr.close();
        }
        NodeOp::Remove(keys) => {
            let (out, style, level) = o.key("remove");
            let mut arr = Arr::open(out, style, level);
            for k in keys {
                let (out, _, _) = arr.item();
                write_str(out, k);
            }
            arr.close();
        }
        NodeOp::PushChild(s) => {
            let (out, style, level) = o.key("push");
            s.write(out, style, level);
        }
        NodeOp::Replace(n) => {
            let (out, style, level) = o.key("node");
            n.write(out, style, level);
        }
    }
    o.close();
}

fn edit_to_json(e: &TreeEdit) -> Json {
    let mut o = JsonObject::new();
    o.insert("path".into(), Json::Array(e.path.0.iter().map(|i| Json::from(*i as u64)).collect()));
    match &e.op {
        NodeOp::Set(fields) => {
            o.insert(
                "set".into(),
                Json::Array(fields.iter().map(|f| Json::Array(vec![f.key().into(), f.to_json()])).collect()),
            );
        }
        NodeOp::Remove(keys) => {
            o.insert("remove".into(), Json::Array(keys.iter().map(|k| k.as_str().into()).collect()));
        }
        NodeOp::PushChild(s) => {
            o.insert("push".into(), s.to_json());
        }
        NodeOp::Replace(n) => {
            o.insert("node".into(), n.to_json());
        }
    }
    Json::Object(o)
}

fn edit_from_json(v: Json) -> std::result::Result<TreeEdit, String> {
    let Json::Object(mut o) = v else { return Err("edit is not an object".into()) };
    let Some(Json::Array(p)) = o.shift_remove("path") else { return Err("edit lacks `path`".into()) };
    let path = p
        .iter()
        .map(|i| match i {
            Json::Number(n) => n.as_u64().map(|u| u as usize),
            _ => None,
        })
        .collect::<Option<Vec<usize>>>()
        .ok_or("bad `path`")?;
    let path = NodePath(path);
    let op = if let Some(Json::Array(fields)) = o.shift_remove("set") {
        let mut out = Vec::new();
        for f in fields {
            match f {
                Json::Array(pair) => match <[Json; 2]>::try_from(pair) {
                    Ok([Json::String(k), v]) => out.push(NodeField::from_json(&k, v)),
                    _ => return Err("bad `set` field".into()),
                },
                _ => return Err("bad `set` field".into()),
            }
        }
        NodeOp::Set(out)
    } else if let Some(Json::Array(keys)) = o.shift_remove("remove") {
        NodeOp::Remove(keys.into_iter().filter_map(|k| k.as_str().map(str::to_owned)).collect())
    } else if let Some(s @ Json::Object(_)) = o.shift_remove("push") {
        let mut n = Node::ready();
        n.set(NodeField::from_json("children", Json::Array(vec![s])));
        match n.remove("children") {
            Some(NodeField::Children(mut c)) if c.len() == 1 => NodeOp::PushChild(c.remove(0)),
            _ => return Err("bad `push` sequence".into()),
        }
    } else if let Some(Json::Object(n)) = o.shift_remove("node") {
        NodeOp::Replace(Node::from_object(n))
    } else {
        return Err("edit has no operation".into());
    };
    Ok(TreeEdit { path, op })
}

impl StepDelta {
    /// Folds a later delta into this one, so one journal line records both: the later
    /// one's scalar fields win, its publications and edits follow this one's.
    pub fn merge(&mut self, later: StepDelta) {
        if later.current_step_index.is_some() {
            self.current_step_index = later.current_step_index;
        }
        if later.current_step_id.is_some() {
            self.current_step_id = later.current_step_id;
        }
        self.publish.extend(later.publish);
        if later.execution.is_some() {
            self.execution = later.execution;
        }
        self.edits.extend(later.edits);
        if later.updated_at.is_some() {
            self.updated_at = later.updated_at;
        }
    }
}

impl RunState {
    /// Applies a delta: the one way a commit (and a journal replay) changes the state.
    /// Cost: O(size of the delta) plus the depth of each edited path.
    ///
    /// An edit addressing a missing node fails with [`Error::Delta`]; the edits before it
    /// stay applied (a session that sees this refuses further writes).
    pub fn apply_delta(&mut self, delta: &StepDelta) -> Result<()> {
        if let Some(e) = &delta.execution {
            self.execution = Some(e.clone());
        }
        if !delta.edits.is_empty() {
            let tree = self
                .execution
                .as_mut()
                .ok_or_else(|| Error::Delta("edit without an execution tree".into()))?;
            for e in &delta.edits {
                apply_edit(tree, e)?;
            }
        }
        if let Some(i) = delta.current_step_index {
            self.current_step_index = i;
        }
        if let Some(s) = &delta.current_step_id {
            self.current_step_id = Some(s.clone());
        }
        for (k, r) in &delta.publish {
            self.step_results.insert(k.clone(), Arc::clone(r));
        }
        if let Some(t) = &delta.updated_at {
            self.updated_at = t.clone();
        }
        Ok(())
    }
}

fn apply_edit(tree: &mut Execution, e: &TreeEdit) -> Result<()> {
    let node = tree
        .node_mut(&e.path)
        .ok_or_else(|| Error::Delta(format!("no node at path {:?}", e.path.0)))?;
    match &e.op {
        NodeOp::Set(fields) => node.set_all(fields),
        NodeOp::Remove(keys) => {
            for k in keys {
                node.remove(k);
            }
        }
        NodeOp::PushChild(s) => match node.children_mut() {
            Some(c) => c.push(s.clone()),
            None => node.set(NodeField::Children(vec![s.clone()])),
        },
        NodeOp::Replace(n) => *node = n.clone(),
    }
    Ok(())
}
