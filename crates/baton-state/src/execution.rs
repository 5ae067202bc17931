//! The version-2 execution tree (`state.json` → `execution`, engine spec §1.4): typed,
//! written back in the key order it was read or built in (Python `dict` semantics), and
//! validated with the reference's `Invalid execution …` messages.

use crate::error::{invalid, Error, Result};
use crate::json::{write_object, write_str, write_value, Arr, Json, JsonObject, Obj, Out, Style};
use crate::state::Record;
use std::sync::Arc;

/// Parses the YAML `source`/`template`/`definition` texts the tree stores. The engine
/// passes the model's loader (PyYAML `safe_load` semantics); baton-state itself knows no
/// YAML library.
pub trait SourceParser: Send + Sync {
    /// Parses `text` into JSON-shaped values, or returns the parser's message.
    fn parse_yaml(&self, text: &str) -> std::result::Result<Json, String>;
}

/// The version the tree carries (`"version": 2`).
pub const EXECUTION_VERSION: u64 = 2;

/// Where a node is in its life (`phase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Not started.
    Ready,
    /// Own step executed; children expanded or running.
    Children,
    /// Workflow call: children finished, outputs being evaluated.
    Outputs,
    /// Own result paused or failed with a halting outcome.
    Blocked,
    /// Completed.
    Done,
}

impl Phase {
    /// The spelling in `state.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Ready => "ready",
            Phase::Children => "children",
            Phase::Outputs => "outputs",
            Phase::Blocked => "blocked",
            Phase::Done => "done",
        }
    }

    /// Parses the spelling in `state.json`.
    pub fn parse(s: &str) -> Option<Phase> {
        Some(match s {
            "ready" => Phase::Ready,
            "children" => Phase::Children,
            "outputs" => Phase::Outputs,
            "blocked" => Phase::Blocked,
            "done" => Phase::Done,
            _ => return None,
        })
    }
}

/// A node's (subtree) outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Completed (possibly through `continue_on_error`).
    Completed,
    /// Paused (a gate, an interrupt).
    Paused,
    /// Failed.
    Failed,
    /// Aborted (a gate rejection with abort): terminal.
    Aborted,
}

impl Outcome {
    /// The spelling in `state.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Paused => "paused",
            Outcome::Failed => "failed",
            Outcome::Aborted => "aborted",
        }
    }

    /// Parses the spelling in `state.json`.
    pub fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "completed" => Outcome::Completed,
            "paused" => Outcome::Paused,
            "failed" => Outcome::Failed,
            "aborted" => Outcome::Aborted,
            _ => return None,
        })
    }

    /// `paused`, `failed` and `aborted` stop the enclosing sequence.
    pub fn is_halting(self) -> bool {
        self != Outcome::Completed
    }
}

/// A workflow call's `binding`: `{"workflow", "definition", "inputs", "workflow_dir"}`,
/// kept as the object it was read as.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding(JsonObject);

impl Binding {
    /// A binding in the reference's key order.
    pub fn new(workflow: &str, definition: String, inputs: JsonObject, workflow_dir: Option<String>) -> Binding {
        let mut o = JsonObject::new();
        o.insert("workflow".into(), Json::from(workflow));
        o.insert("definition".into(), Json::String(definition));
        o.insert("inputs".into(), Json::Object(inputs));
        o.insert("workflow_dir".into(), Json::from(workflow_dir));
        Binding(o)
    }

    /// The called workflow's id.
    pub fn workflow(&self) -> Option<&str> {
        self.0.get("workflow").and_then(Json::as_str)
    }

    /// The YAML dump of the callee's definition.
    pub fn definition(&self) -> Option<&str> {
        self.0.get("definition").and_then(Json::as_str)
    }

    /// The bound inputs.
    pub fn inputs(&self) -> Option<&JsonObject> {
        self.0.get("inputs").and_then(Json::as_object)
    }

    /// Replaces the bound inputs in place ("rebind").
    pub fn set_inputs(&mut self, inputs: JsonObject) {
        self.0.insert("inputs".into(), Json::Object(inputs));
    }

    /// The callee's `workflow_dir`.
    pub fn workflow_dir(&self) -> Option<&str> {
        self.0.get("workflow_dir").and_then(Json::as_str)
    }

    /// The raw object.
    pub fn as_object(&self) -> &JsonObject {
        &self.0
    }

    /// Wraps a raw object (no checks; validation happens on load).
    pub fn from_object(o: JsonObject) -> Binding {
        Binding(o)
    }
}

/// One field of a node. A node is an ordered list of these, like the Python `dict` it
/// mirrors: setting an existing field keeps its position, a new one goes last.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeField {
    /// `phase`.
    Phase(Phase),
    /// `active`.
    Active(bool),
    /// `result`: the step record (`None` = an explicit `null`), shared with the
    /// `step_results` entry the same commit published.
    Result(Option<Record>),
    /// `children`: child sequences.
    Children(Vec<Sequence>),
    /// `template`: fan-out template YAML.
    Template(String),
    /// `outcome`.
    Outcome(Outcome),
    /// `error`: normally a string or `null`.
    Error(Json),
    /// `fan_results`: fan-out item outputs.
    FanResults(Vec<Json>),
    /// `binding`: workflow call binding (`None` = an explicit `null`).
    Binding(Option<Binding>),
    /// Any other key (kept as read), or a known key whose value had an unexpected type.
    Other(String, Json),
}

impl NodeField {
    /// The field's key.
    pub fn key(&self) -> &str {
        match self {
            NodeField::Phase(_) => "phase",
            NodeField::Active(_) => "active",
            NodeField::Result(_) => "result",
            NodeField::Children(_) => "children",
            NodeField::Template(_) => "template",
            NodeField::Outcome(_) => "outcome",
            NodeField::Error(_) => "error",
            NodeField::FanResults(_) => "fan_results",
            NodeField::Binding(_) => "binding",
            NodeField::Other(k, _) => k,
        }
    }

    /// `error` as a string or `null`.
    pub fn error(e: Option<&str>) -> NodeField {
        NodeField::Error(e.map_or(Json::Null, Json::from))
    }

    /// Reads one `key: value` pair; values of an unexpected type become `Other`.
    pub fn from_json(key: &str, v: Json) -> NodeField {
        match (key, v) {
            ("phase", Json::String(s)) if Phase::parse(&s).is_some() => {
                NodeField::Phase(Phase::parse(&s).unwrap_or(Phase::Ready))
            }
            ("active", Json::Bool(b)) => NodeField::Active(b),
            ("result", Json::Null) => NodeField::Result(None),
            ("result", Json::Object(o)) => NodeField::Result(Some(Arc::new(o))),
            ("children", Json::Array(a)) if a.iter().all(|c| matches!(c, Json::Object(_))) => {
                NodeField::Children(
                    a.into_iter()
                        .filter_map(|c| match c {
                            Json::Object(o) => Some(Sequence::from_object(o)),
                            _ => None,
                        })
                        .collect(),
                )
            }
            ("template", Json::String(s)) => NodeField::Template(s),
            ("outcome", Json::String(s)) if Outcome::parse(&s).is_some() => {
                NodeField::Outcome(Outcome::parse(&s).unwrap_or(Outcome::Failed))
            }
            ("error", v) => NodeField::Error(v),
            ("fan_results", Json::Array(a)) => NodeField::FanResults(a),
            ("binding", Json::Null) => NodeField::Binding(None),
            ("binding", Json::Object(o)) => NodeField::Binding(Some(Binding(o))),
            (k, v) => NodeField::Other(k.to_owned(), v),
        }
    }

    /// The JSON value of the field.
    pub fn to_json(&self) -> Json {
        match self {
            NodeField::Phase(p) => p.as_str().into(),
            NodeField::Active(b) => Json::Bool(*b),
            NodeField::Result(r) => r.as_ref().map_or(Json::Null, |r| Json::Object(JsonObject::clone(r))),
            NodeField::Children(c) => Json::Array(c.iter().map(Sequence::to_json).collect()),
            NodeField::Template(t) => t.as_str().into(),
            NodeField::Outcome(o) => o.as_str().into(),
            NodeField::Error(e) => e.clone(),
            NodeField::FanResults(f) => Json::Array(f.clone()),
            NodeField::Binding(b) => b.as_ref().map_or(Json::Null, |b| Json::Object(b.0.clone())),
            NodeField::Other(_, v) => v.clone(),
        }
    }

    /// Writes [`NodeField::to_json`]'s value without building it.
    pub(crate) fn write_value<O: Out + ?Sized>(&self, out: &mut O, style: Style, level: usize) {
        match self {
            NodeField::Phase(p) => write_str(out, p.as_str()),
            NodeField::Active(b) => out.put(if *b { "true" } else { "false" }),
            NodeField::Result(None) | NodeField::Binding(None) => out.put("null"),
            NodeField::Result(Some(r)) => write_object(out, r, style, level),
            NodeField::Children(c) => {
                let mut arr = Arr::open(out, style, level);
                for seq in c {
                    let (o, style, level) = arr.item();
                    seq.write(o, style, level);
                }
                arr.close();
            }
            NodeField::Template(t) => write_str(out, t),
            NodeField::Outcome(o) => write_str(out, o.as_str()),
            NodeField::Error(e) | NodeField::Other(_, e) => write_value(out, e, style, level),
            NodeField::FanResults(f) => {
                let mut arr = Arr::open(out, style, level);
                for v in f {
                    let (o, style, level) = arr.item();
                    write_value(o, v, style, level);
                }
                arr.close();
            }
            NodeField::Binding(Some(b)) => write_object(out, &b.0, style, level),
        }
    }
}

/// One occurrence of a step in the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    fields: Vec<NodeField>,
}

impl Default for Node {
    fn default() -> Self {
        Node::ready()
    }
}

impl Node {
    /// A fresh node: `{"phase": "ready"}`.
    pub fn ready() -> Node {
        Node { fields: vec![NodeField::Phase(Phase::Ready)] }
    }

    /// The fields in order.
    pub fn fields(&self) -> &[NodeField] {
        &self.fields
    }

    fn field(&self, key: &str) -> Option<&NodeField> {
        self.fields.iter().find(|f| f.key() == key)
    }

    /// Whether the node has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.field(key).is_some()
    }

    /// Sets a field: in place if present, else appended (Python `dict` assignment).
    pub fn set(&mut self, field: NodeField) {
        match self.fields.iter_mut().find(|f| f.key() == field.key()) {
            Some(slot) => *slot = field,
            None => self.fields.push(field),
        }
    }

    /// Sets fields in order, as [`Node::set`] each; room for the new keys is made once
    /// (a node is kept at its exact size: a run holds one per step occurrence).
    pub(crate) fn set_all(&mut self, fields: &[NodeField]) {
        let new = fields.iter().filter(|f| !self.has(f.key())).count();
        self.fields.reserve_exact(new);
        for f in fields {
            self.set(f.clone());
        }
    }

    /// Removes a field (Python `dict.pop`), returning it.
    pub fn remove(&mut self, key: &str) -> Option<NodeField> {
        let i = self.fields.iter().position(|f| f.key() == key)?;
        Some(self.fields.remove(i))
    }

    /// `phase` (a node without a valid phase reads as `ready`; validation rejects it).
    pub fn phase(&self) -> Phase {
        match self.field("phase") {
            Some(NodeField::Phase(p)) => *p,
            _ => Phase::Ready,
        }
    }

    /// `active`, if present.
    pub fn active(&self) -> Option<bool> {
        match self.field("active") {
            Some(NodeField::Active(b)) => Some(*b),
            _ => None,
        }
    }

    /// `result`, if present and not null.
    pub fn result(&self) -> Option<&JsonObject> {
        self.record().map(|r| &**r)
    }

    /// `result` as the shared [`Record`] (cloning it is O(1)).
    pub fn record(&self) -> Option<&Record> {
        match self.field("result") {
            Some(NodeField::Result(r)) => r.as_ref(),
            _ => None,
        }
    }

    /// `children` (empty when absent).
    pub fn children(&self) -> &[Sequence] {
        match self.field("children") {
            Some(NodeField::Children(c)) => c,
            _ => &[],
        }
    }

    /// Mutable `children`, if present.
    pub fn children_mut(&mut self) -> Option<&mut Vec<Sequence>> {
        match self.fields.iter_mut().find(|f| f.key() == "children") {
            Some(NodeField::Children(c)) => Some(c),
            _ => None,
        }
    }

    /// `template`, if present.
    pub fn template(&self) -> Option<&str> {
        match self.field("template") {
            Some(NodeField::Template(t)) => Some(t),
            _ => None,
        }
    }

    /// `outcome`, if present.
    pub fn outcome(&self) -> Option<Outcome> {
        match self.field("outcome") {
            Some(NodeField::Outcome(o)) => Some(*o),
            _ => None,
        }
    }

    /// `error` when it is a string.
    pub fn error(&self) -> Option<&str> {
        match self.field("error") {
            Some(NodeField::Error(e)) => e.as_str(),
            _ => None,
        }
    }

    /// `fan_results`, if present.
    pub fn fan_results(&self) -> Option<&[Json]> {
        match self.field("fan_results") {
            Some(NodeField::FanResults(f)) => Some(f),
            _ => None,
        }
    }

    /// `binding`, if present and not null.
    pub fn binding(&self) -> Option<&Binding> {
        match self.field("binding") {
            Some(NodeField::Binding(b)) => b.as_ref(),
            _ => None,
        }
    }

    /// Reads a node object (never fails: unexpected values are kept as `Other`).
    pub fn from_object(o: JsonObject) -> Node {
        Node { fields: o.into_iter().map(|(k, v)| NodeField::from_json(&k, v)).collect() }
    }

    /// The node as JSON, fields in order.
    pub fn to_json(&self) -> Json {
        Json::Object(self.fields.iter().map(|f| (f.key().to_owned(), f.to_json())).collect())
    }

    /// Writes [`Node::to_json`]'s text without building it.
    pub(crate) fn write<O: Out + ?Sized>(&self, out: &mut O, style: Style, level: usize) {
        let mut obj = Obj::open(out, style, level);
        for f in &self.fields {
            let (o, style, level) = obj.key(f.key());
            f.write_value(o, style, level);
        }
        obj.close();
    }
}

/// A list of nodes, one per step of its `source` (or of the parent's shared source).
#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    /// The YAML dump of the steps (absent when shared with the parent).
    pub source: Option<String>,
    /// One node per step.
    pub nodes: Vec<Node>,
    /// Unknown keys, kept.
    pub extra: JsonObject,
}

impl Sequence {
    /// A sequence with its own `source` and `n` ready nodes.
    pub fn with_source(source: String, n: usize) -> Sequence {
        Sequence { source: Some(source), nodes: vec![Node::ready(); n], extra: JsonObject::new() }
    }

    /// A sequence sharing its parent's source, with `n` ready nodes.
    pub fn shared(n: usize) -> Sequence {
        Sequence { source: None, nodes: vec![Node::ready(); n], extra: JsonObject::new() }
    }

    fn from_object(mut o: JsonObject) -> Sequence {
        let source = match o.get("source") {
            Some(Json::String(_)) => match o.shift_remove("source") {
                Some(Json::String(s)) => Some(s),
                _ => None,
            },
            _ => None,
        };
        let nodes = match o.get("nodes") {
            Some(Json::Array(a)) if a.iter().all(|n| matches!(n, Json::Object(_))) => {
                match o.shift_remove("nodes") {
                    Some(Json::Array(a)) => a
                        .into_iter()
                        .filter_map(|n| match n {
                            Json::Object(o) => Some(Node::from_object(o)),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        Sequence { source, nodes, extra: o }
    }

    /// The sequence as JSON: `source` (if any), `nodes`, then unknown keys.
    pub fn to_json(&self) -> Json {
        let mut o = JsonObject::new();
        if let Some(s) = &self.source {
            o.insert("source".into(), s.as_str().into());
        }
        o.insert("nodes".into(), Json::Array(self.nodes.iter().map(Node::to_json).collect()));
        for (k, v) in &self.extra {
            o.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Json::Object(o)
    }

    /// Writes [`Sequence::to_json`]'s text without building it.
    pub(crate) fn write<O: Out + ?Sized>(&self, out: &mut O, style: Style, level: usize) {
        let mut obj = Obj::open(out, style, level);
        if let Some(s) = &self.source {
            obj.str("source", s);
        }
        let (o, style, level) = obj.key("nodes");
        let mut arr = Arr::open(o, style, level);
        for n in &self.nodes {
            let (o, style, level) = arr.item();
            n.write(o, style, level);
        }
        arr.close();
        for (k, v) in &self.extra {
            // `to_json`'s `entry().or_insert`: a key written above wins.
            if k == "nodes" || (k == "source" && self.source.is_some()) {
                continue;
            }
            obj.json(k, v);
        }
        obj.close();
    }
}

/// The root: `{"version": 2, "sequence", "offset", "initial"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// The top-level sequence (covers `steps[offset:]`).
    pub sequence: Sequence,
    /// Index of the first top-level step the tree covers (`None` = key absent, read as 0).
    pub offset: Option<u64>,
    /// Step results that existed before the tree (`None` = key absent).
    pub initial: Option<JsonObject>,
    /// Unknown keys, kept.
    pub extra: JsonObject,
}

impl Execution {
    /// A fresh tree over `n` top-level steps whose YAML dump is `source`.
    pub fn new(source: String, n: usize, offset: u64, initial: JsonObject) -> Execution {
        Execution {
            sequence: Sequence::with_source(source, n),
            offset: Some(offset),
            initial: Some(initial),
            extra: JsonObject::new(),
        }
    }

    /// `offset` (0 when absent).
    pub fn offset(&self) -> u64 {
        self.offset.unwrap_or(0)
    }

    /// Reads a tree that [`validate_execution`] accepted.
    pub fn from_json(v: Json) -> Result<Execution> {
        let Json::Object(mut o) = v else {
            return Err(invalid("Unsupported execution version"));
        };
        o.shift_remove("version");
        let sequence = match o.shift_remove("sequence") {
            Some(Json::Object(s)) => Sequence::from_object(s),
            _ => return Err(invalid("Invalid execution sequence")),
        };
        let offset = match o.shift_remove("offset") {
            None => None,
            Some(Json::Number(n)) if n.as_u64().is_some() => n.as_u64(),
            Some(_) => return Err(invalid("Invalid execution offset or initial aliases")),
        };
        let initial = match o.shift_remove("initial") {
            None => None,
            Some(Json::Object(i)) => Some(i),
            Some(_) => return Err(invalid("Invalid execution offset or initial aliases")),
        };
        Ok(Execution { sequence, offset, initial, extra: o })
    }

    /// The tree as JSON, in the reference's key order.
    pub fn to_json(&self) -> Json {
        let mut o = JsonObject::new();
        o.insert("version".into(), Json::from(EXECUTION_VERSION));
        o.insert("sequence".into(), self.sequence.to_json());
        if let Some(off) = self.offset {
            o.insert("offset".into(), Json::from(off));
        }
        if let Some(i) = &self.initial {
            o.insert("initial".into(), Json::Object(i.clone()));
        }
        for (k, v) in &self.extra {
            o.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Json::Object(o)
    }

    /// Writes [`Execution::to_json`]'s text without building it.
    pub(crate) fn write<O: Out + ?Sized>(&self, out: &mut O, style: Style, level: usize) {
        let mut obj = Obj::open(out, style, level);
        obj.raw("version", &EXECUTION_VERSION.to_string());
        let (o, style, level) = obj.key("sequence");
        self.sequence.write(o, style, level);
        if let Some(off) = self.offset {
            obj.raw("offset", &off.to_string());
        }
        if let Some(i) = &self.initial {
            obj.object("initial", i);
        }
        for (k, v) in &self.extra {
            // `to_json`'s `entry().or_insert`: a key written above wins.
            let taken = match k.as_str() {
                "version" | "sequence" => true,
                "offset" => self.offset.is_some(),
                "initial" => self.initial.is_some(),
                _ => false,
            };
            if !taken {
                obj.json(k, v);
            }
        }
        obj.close();
    }

    /// Calls `f` on every node's record, parents before children, in tree order.
    pub(crate) fn for_each_record_mut(&mut self, f: &mut impl FnMut(&mut Record)) {
        fn walk(seq: &mut Sequence, f: &mut impl FnMut(&mut Record)) {
            for node in &mut seq.nodes {
                for field in &mut node.fields {
                    match field {
                        NodeField::Result(Some(r)) => f(r),
                        NodeField::Children(children) => {
                            for c in children {
                                walk(c, f);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        walk(&mut self.sequence, f);
    }

    /// Validates the whole tree (see [`validate_execution`]).
    pub fn validate(&self, parser: &dyn SourceParser, resume: Option<ResumeCheck<'_>>) -> Result<()> {
        validate_execution(&self.to_json(), parser, resume)
    }

    /// The node at `path`.
    pub fn node(&self, path: &NodePath) -> Option<&Node> {
        let (first, rest) = path.0.split_first()?;
        let mut node = self.sequence.nodes.get(*first)?;
        for pair in rest.chunks(2) {
            let [c, n] = pair else { return None };
            node = node.children().get(*c)?.nodes.get(*n)?;
        }
        Some(node)
    }

    /// The node at `path`, mutably.
    pub fn node_mut(&mut self, path: &NodePath) -> Option<&mut Node> {
        let (first, rest) = path.0.split_first()?;
        let mut node = self.sequence.nodes.get_mut(*first)?;
        for pair in rest.chunks(2) {
            let [c, n] = pair else { return None };
            node = node.children_mut()?.get_mut(*c)?.nodes.get_mut(*n)?;
        }
        Some(node)
    }
}

/// The address of a node: `[top-level index, child index, node index, child index, node
/// index, …]` — always an odd length. `[2, 0, 1]` is node 1 of child sequence 0 of
/// top-level node 2.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NodePath(pub Vec<usize>);

impl NodePath {
    /// A top-level node.
    pub fn top(index: usize) -> NodePath {
        NodePath(vec![index])
    }

    /// The node `node` of child sequence `child` of this node.
    pub fn child(&self, child: usize, node: usize) -> NodePath {
        let mut v = self.0.clone();
        v.push(child);
        v.push(node);
        NodePath(v)
    }
}

/// The extra checks `resume` makes against the persisted workflow copy.
#[derive(Debug, Clone, Copy)]
pub struct ResumeCheck<'a> {
    /// The workflow copy's `steps`, parsed.
    pub workflow_steps: &'a [Json],
    /// The run's `current_step_index`.
    pub current_step_index: u64,
}

// ---------------------------------------------------------------------------------------
// validation, on the raw JSON, in the reference's order of checks

enum VErr {
    /// A `ValueError` message, final.
    Value(&'static str),
    /// A `KeyError`/`TypeError`/YAML error, wrapped as `Invalid execution state: …`.
    Caught(String),
}

type V<T> = std::result::Result<T, VErr>;

const STEP_STATUSES: &[&str] = &["pending", "running", "completed", "failed", "skipped", "paused"];
const PHASES: &[&str] = &["ready", "children", "outputs", "blocked", "done"];
const OUTCOMES: &[&str] = &["completed", "paused", "failed", "aborted"];
const HALTING: &[&str] = &["paused", "failed", "aborted"];

/// `x in {set}`: an unhashable value raises `TypeError` as in Python.
fn member(v: Option<&Json>, set: &[&str]) -> V<bool> {
    match v {
        Some(Json::String(s)) => Ok(set.contains(&s.as_str())),
        Some(v @ (Json::Array(_) | Json::Object(_))) => {
            Err(VErr::Caught(format!("unhashable type: '{}'", v.type_name())))
        }
        _ => Ok(false),
    }
}

fn is(v: Option<&Json>, s: &str) -> bool {
    v.and_then(Json::as_str) == Some(s)
}

/// `v[key]` with Python's errors.
fn subscript<'a>(v: &'a Json, key: &str) -> V<&'a Json> {
    match v {
        Json::Object(o) => o.get(key).ok_or_else(|| VErr::Caught(format!("'{key}'"))),
        Json::Array(_) => Err(VErr::Caught("list indices must be integers or slices, not str".into())),
        Json::String(_) => Err(VErr::Caught("string indices must be integers, not 'str'".into())),
        other => Err(VErr::Caught(format!("'{}' object is not subscriptable", other.type_name()))),
    }
}

fn shares_source(kind: Option<&Json>, index: usize) -> V<bool> {
    Ok(member(kind, &["workflow", "fan-out"])? || (member(kind, &["while", "do-while"])? && index > 0))
}

struct Checker<'p> {
    parser: &'p dyn SourceParser,
}

impl Checker<'_> {
    fn yaml(&self, text: &Json) -> V<Json> {
        match text {
            Json::String(s) => self.parser.parse_yaml(s).map_err(VErr::Caught),
            other => Err(VErr::Caught(format!("'{}' object has no attribute 'read'", other.type_name()))),
        }
    }

    fn steps_of(&self, seq: &Json) -> V<Json> {
        self.yaml(subscript(seq, "source")?)
    }

    fn child_steps(&self, step: &JsonObject, node: &Json, index: usize) -> V<Json> {
        let kind = step.get("type");
        let child = |i: usize| -> V<&Json> {
            match subscript(node, "children")? {
                Json::Array(a) => a.get(i).ok_or_else(|| VErr::Caught("list index out of range".into())),
                _ => Err(VErr::Caught("'dict' object is not subscriptable".into())),
            }
        };
        if !shares_source(kind, index)? {
            return self.steps_of(child(index)?);
        }
        if is(kind, "workflow") {
            let def = self.yaml(subscript(subscript(node, "binding")?, "definition")?)?;
            return Ok(subscript(&def, "steps")?.clone());
        }
        if is(kind, "fan-out") {
            let template = self.yaml(subscript(node, "template")?)?;
            let Json::Object(t) = template else {
                return Err(VErr::Caught(format!("'{}' object is not a mapping", template.type_name())));
            };
            let mut item = JsonObject::new();
            item.insert("id".into(), "item".into());
            item.extend(t);
            return Ok(Json::Array(vec![Json::Object(item)]));
        }
        self.steps_of(child(0)?)
    }

    /// `check_sequence` / `check_sequence_shape`: returns the checked (steps, nodes).
    fn sequence_shape<'a>(&self, seq: &'a Json, steps: Option<Json>, shared: bool) -> V<(Json, &'a [Json])> {
        let Json::Object(o) = seq else { return Err(VErr::Value("Invalid execution sequence")) };
        if shared && o.contains_key("source") {
            return Err(VErr::Value("Invalid execution sequence"));
        }
        let steps = if shared {
            match steps {
                Some(s @ Json::Array(_)) => s,
                _ => return Err(VErr::Value("Invalid shared execution source")),
            }
        } else {
            if !matches!(o.get("source"), Some(Json::String(_))) {
                return Err(VErr::Value("Invalid execution sequence"));
            }
            self.steps_of(seq)?
        };
        let ok = match (&steps, o.get("nodes")) {
            (Json::Array(s), Some(Json::Array(n))) => {
                s.iter().all(|x| matches!(x, Json::Object(_))) && n.len() == s.len()
            }
            _ => false,
        };
        if !ok {
            return Err(VErr::Value("Invalid execution sequence length or steps"));
        }
        let nodes = match o.get("nodes") {
            Some(Json::Array(n)) => n.as_slice(),
            _ => &[],
        };
        Ok((steps, nodes))
    }

    fn sequence(&self, seq: &Json, steps: Option<Json>, shared: bool) -> V<()> {
        let (steps, nodes) = self.sequence_shape(seq, steps, shared)?;
        let Json::Array(steps) = &steps else { return Ok(()) };
        for (step, node) in steps.iter().zip(nodes) {
            let Json::Object(step) = step else { continue };
            self.node(step, node)?;
            if let Some(Json::Array(children)) = node.as_object().and_then(|n| n.get("children")) {
                for (index, child) in children.iter().enumerate() {
                    if shares_source(step.get("type"), index)? {
                        self.sequence(child, Some(self.child_steps(step, node, index)?), true)?;
                    } else {
                        self.sequence(child, None, false)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// `check_node` as run on load (every check).
    fn node(&self, step: &JsonObject, node_json: &Json) -> V<()> {
        let node = match node_json {
            Json::Object(o) if member(o.get("phase"), PHASES)? => o,
            _ => return Err(VErr::Value("Invalid execution phase")),
        };
        let phase = node.get("phase").and_then(Json::as_str).unwrap_or("");
        let result = match node.get("result") {
            None | Some(Json::Null) => None,
            Some(r) => Some(r),
        };
        if let Some(r) = result {
            let ok = match r {
                Json::Object(ro) => {
                    member(ro.get("status"), STEP_STATUSES)? && matches!(ro.get("output"), Some(Json::Object(_)))
                }
                _ => false,
            };
            if !ok {
                return Err(VErr::Value("Invalid execution result"));
            }
        }
        let result = result.and_then(Json::as_object);
        if phase == "done" && result.is_none() {
            return Err(VErr::Value("Completed execution lacks a result"));
        }
        if node.get("active").is_some_and(|a| !matches!(a, Json::Bool(_))) {
            return Err(VErr::Value("Invalid execution activity"));
        }
        if phase == "done" && matches!(node.get("active"), Some(Json::Bool(true))) {
            return Err(VErr::Value("Completed execution is still active"));
        }
        let outcome_default = Json::from("completed");
        let outcome = node.get("outcome").unwrap_or(&outcome_default);
        if !member(Some(outcome), OUTCOMES)? {
            return Err(VErr::Value("Invalid execution outcome"));
        }
        if phase == "done" && !is(Some(outcome), "completed") {
            return Err(VErr::Value("Completed execution has a blocking outcome"));
        }
        if phase == "blocked"
            && (result.is_none_or(|r| !is(r.get("status"), "failed") && !is(r.get("status"), "paused"))
                || !member(node.get("outcome"), HALTING)?)
        {
            return Err(VErr::Value("Blocked execution lacks a blocking result"));
        }
        let empty = Vec::new();
        let children = match node.get("children") {
            None => &empty,
            Some(Json::Array(a)) => a,
            Some(_) => return Err(VErr::Value("Invalid execution children")),
        };
        let kind = step.get("type");
        if node.get("fan_results").is_some_and(|f| !is(kind, "fan-out") || !matches!(f, Json::Array(_))) {
            return Err(VErr::Value("Invalid fan-out aggregate results"));
        }
        if node.get("template").is_some_and(|t| !is(kind, "fan-out") || !matches!(t, Json::String(_))) {
            return Err(VErr::Value("Invalid fan-out template"));
        }
        let binding = match node.get("binding") {
            None | Some(Json::Null) => None,
            Some(b) => Some(b),
        };
        if let Some(b) = binding {
            let Json::Object(bo) = b else { return Err(VErr::Value("Invalid workflow binding")) };
            if !is(kind, "workflow") {
                return Err(VErr::Value("Invalid workflow binding"));
            }
            let bad = VErr::Value("Invalid bound workflow definition or inputs");
            let source = bo.get("definition");
            if !matches!(source, Some(Json::String(_))) {
                return Err(bad);
            }
            let def = self.yaml(source.unwrap_or(&Json::Null))?;
            let null = Json::Null;
            let ok = match &def {
                Json::Object(d) => match d.get("workflow") {
                    Some(Json::Object(w)) => {
                        w.get("id").unwrap_or(&null).py_eq(bo.get("workflow").unwrap_or(&null))
                            && matches!(bo.get("inputs"), Some(Json::Object(_)))
                            && matches!(bo.get("workflow_dir"), Some(Json::String(_) | Json::Null))
                            && children.len() == 1
                            && matches!(d.get("steps"), Some(Json::Array(_)))
                    }
                    _ => false,
                },
                _ => false,
            };
            if !ok {
                return Err(bad);
            }
        } else if is(kind, "workflow") && !children.is_empty() {
            return Err(VErr::Value("Workflow children require a binding"));
        }
        if is(kind, "fan-out") && !children.is_empty() {
            let template = match node.get("template") {
                Some(t @ Json::String(_)) => Some(self.yaml(t)?),
                _ => None,
            };
            if !matches!(template, Some(Json::Object(_))) {
                return Err(VErr::Value("Invalid fan-out template"));
            }
        }
        let mut shared_steps: Option<Json> = None;
        for (index, child) in children.iter().enumerate() {
            if shares_source(kind, index)? {
                if shared_steps.is_none() {
                    shared_steps = Some(self.child_steps(step, node_json, index)?);
                }
                self.sequence_shape(child, shared_steps.clone(), true)?;
            } else {
                self.sequence_shape(child, None, false)?;
            }
        }
        let handled_child_failure = is(kind, "workflow")
            && matches!(step.get("continue_on_error"), Some(Json::Bool(true)))
            && is(node.get("outcome"), "completed")
            && result.is_some_and(|r| is(r.get("status"), "failed"));
        if phase == "done" && !handled_child_failure {
            for child in children {
                let Some(Json::Array(nested)) = child.as_object().and_then(|c| c.get("nodes")) else {
                    continue;
                };
                for n in nested {
                    if !is(Some(subscript(n, "phase")?), "done") {
                        return Err(VErr::Value("Completed execution has unfinished children"));
                    }
                }
            }
        }
        if phase == "outputs" && binding.is_none() {
            return Err(VErr::Value("Output finalization requires a workflow binding"));
        }
        if phase == "children" && (children.is_empty() || (binding.is_none() && result.is_none())) {
            return Err(VErr::Value("Expanded execution lacks its children or result"));
        }
        if phase == "ready" && (result.is_some() || !children.is_empty() || binding.is_some()) {
            return Err(VErr::Value("Unstarted execution already has progress"));
        }
        if is(kind, "fan-out") && !children.is_empty() {
            let items = result.and_then(|r| r.get("output")).and_then(Json::as_object).and_then(|o| o.get("items"));
            if !matches!(items, Some(Json::Array(a)) if a.len() == children.len()) {
                return Err(VErr::Value("Fan-out items do not match execution children"));
            }
        }
        Ok(())
    }
}

/// The reference's `validate_execution`: version 2, a non-negative integer `offset`, an
/// object `initial`, every sequence and node shape and phase invariant; with `resume`,
/// also the offset against the workflow and the root `source` against
/// `steps[offset:]`. Errors are the reference's `Invalid execution …` / `Unsupported
/// execution version` messages.
pub fn validate_execution(tree: &Json, parser: &dyn SourceParser, resume: Option<ResumeCheck<'_>>) -> Result<()> {
    let checker = Checker { parser };
    let run = || -> V<()> {
        let two = Json::from(EXECUTION_VERSION);
        let Json::Object(o) = tree else { return Err(VErr::Value("Unsupported execution version")) };
        if !o.get("version").is_some_and(|v| v.py_eq(&two)) {
            return Err(VErr::Value("Unsupported execution version"));
        }
        let offset = match o.get("offset") {
            None => Some(0u64),
            Some(Json::Number(n)) if n.is_integer() => n.as_u64(),
            Some(_) => None,
        };
        let Some(offset) = offset.filter(|_| !matches!(o.get("initial"), Some(i) if !matches!(i, Json::Object(_))))
        else {
            return Err(VErr::Value("Invalid execution offset or initial aliases"));
        };
        let seq = subscript(tree, "sequence")?;
        checker.sequence(seq, None, false)?;
        if let Some(check) = resume {
            let len = check.workflow_steps.len() as u64;
            if offset >= len || offset > check.current_step_index {
                return Err(VErr::Value("Invalid execution offset for workflow position"));
            }
            let root = checker.steps_of(seq)?;
            let tail = Json::Array(check.workflow_steps[offset as usize..].to_vec());
            if !root.py_eq(&tail) {
                return Err(VErr::Value("Invalid execution state: root sequence differs from workflow snapshot"));
            }
        }
        Ok(())
    };
    run().map_err(|e| match e {
        VErr::Value(m) => invalid(m),
        VErr::Caught(m) => Error::Invalid(format!("Invalid execution state: {m}")),
    })
}
