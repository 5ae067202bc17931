//! The control flow of a workflow definition as a graph (`baton graph`).
//!
//! [`Graph::of`] turns a [`WorkflowDocument`] into nodes, edges and clusters; the CLI
//! draws them as Mermaid or Graphviz text. The graph is built from the definition
//! alone (nothing is evaluated), in document order, so the same file always gives the
//! same graph.
//!
//! * a sequence of steps is a chain of edges from `start` to `end`;
//! * `if` and `switch` are branch nodes whose edges are labelled `then`/`else`,
//!   `case <key>`/`default` (`no match` when there is no default); an empty branch is an
//!   edge straight to what follows;
//! * `while` and `do-while` are loop nodes; the body sits in a cluster and a back edge
//!   (`EdgeKind::Back`) returns to the loop node (`while`) or to the body's first step
//!   (`do-while`);
//! * `fan-out` is a node carrying the items expression and `max_concurrency`, its
//!   template sits in a cluster labelled the same way;
//! * `fan-in` gets `EdgeKind::WaitFor` edges from each step it waits for;
//! * a gate's edges are labelled with its options: a rejection goes to `aborted`
//!   (`on_reject: abort`), back to the gate (`retry`) or on (`skip`).
//!
//! ```
//! use baton_model::graph::{Graph, NodeKind};
//!
//! let text = "\
//! workflow: {id: demo, name: Demo}
//! steps:
//!   - id: check
//!     type: if
//!     condition: \"{{ inputs.fast }}\"
//!     then:
//!       - {id: quick, type: shell, run: echo quick}
//!   - {id: done, type: shell, run: echo done}
//! ";
//! let doc = baton_model::model::WorkflowDocument::from_node(&baton_model::load(text)?)?;
//! let graph = Graph::of(&doc);
//! let check = graph.nodes.iter().position(|n| n.step_id.as_deref() == Some("check")).unwrap();
//! assert_eq!(graph.nodes[check].kind, NodeKind::Branch);
//! // `then` leads to `quick`; the empty `else` goes straight on to `done`.
//! let labels: Vec<_> = graph.edges.iter().filter(|e| e.from == check)
//!     .map(|e| e.label.clone().unwrap_or_default()).collect();
//! assert_eq!(labels, ["then", "else"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};

use crate::model::{Any, Condition, OnReject, Step, WorkflowDocument};

/// The longest detail line kept on a node label; longer texts end in `…`.
const DETAIL_WIDTH: usize = 48;

/// What a node stands for (it decides the node's shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// Where the run begins.
    Start,
    /// Where a run that went through every step completes.
    End,
    /// Where a gate rejection with `on_reject: abort` ends the run.
    Aborted,
    /// A step that does one thing: `shell`, `command`, `prompt`, `init`, `github`,
    /// `slot`, `workflow` and custom step types.
    Task,
    /// A `gate`.
    Gate,
    /// An `if` or a `switch`.
    Branch,
    /// A `while` or a `do-while` (the node is the condition).
    Loop,
    /// A `fan-out`.
    FanOut,
    /// A `fan-in`.
    FanIn,
}

/// What an edge means (it decides the edge's style).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// The order in which steps run.
    Flow,
    /// A loop going round again (or a gate asking again).
    Back,
    /// A `fan-in` collecting the results of a step (not an order of execution).
    WaitFor,
}

/// One node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    /// A unique identifier made of `[A-Za-z0-9_]` (`s_<step id>` for steps, with `_2`,
    /// `_3` … added when a fan-out template reuses an id; `start`, `finish` (the end; `end`
    /// is a keyword of Mermaid), `aborted`).
    pub key: String,
    /// What the node stands for.
    pub kind: NodeKind,
    /// The step id (none for `start`, `end`, `aborted`).
    pub step_id: Option<String>,
    /// The step type (`command` for a step without `type`).
    pub type_key: Option<String>,
    /// Short lines describing the step: its command, condition, options … each at most
    /// 48 characters, on one line.
    pub details: Vec<String>,
    /// The innermost cluster holding the node (index into [`Graph::clusters`]).
    pub cluster: Option<usize>,
}

impl GraphNode {
    /// The node's first label line: `<id> (<type>)` for a step, the bare word otherwise.
    pub fn title(&self) -> String {
        match (&self.step_id, &self.type_key) {
            (Some(id), Some(type_key)) => format!("{id} ({type_key})"),
            (Some(id), None) => id.clone(),
            _ => match self.kind {
                NodeKind::Start => "start".to_owned(),
                NodeKind::Aborted => "aborted".to_owned(),
                _ => "end".to_owned(),
            },
        }
    }
}

/// One edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEdge {
    /// The source node (index into [`Graph::nodes`]).
    pub from: usize,
    /// The target node (index into [`Graph::nodes`]).
    pub to: usize,
    /// What the edge is taken on (`then`, `case fast`, `approve` …).
    pub label: Option<String>,
    /// What the edge means.
    pub kind: EdgeKind,
}

/// A group of nodes: the body of a loop or the template of a fan-out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// A unique identifier made of `[A-Za-z0-9_]` (`c_` + its owner's node key).
    pub key: String,
    /// The caption, e.g. `while body` or `for each item of {{ steps.list.output.data }}`.
    pub label: String,
    /// The enclosing cluster (index into [`Graph::clusters`]).
    pub parent: Option<usize>,
}

/// A workflow's control flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// `workflow.id`.
    pub workflow_id: String,
    /// `workflow.name`.
    pub workflow_name: String,
    /// The nodes, in document order (`start` first, `end` then `aborted` last).
    pub nodes: Vec<GraphNode>,
    /// The edges, in the order the builder met them.
    pub edges: Vec<GraphEdge>,
    /// The clusters, outer ones before the clusters they hold.
    pub clusters: Vec<Cluster>,
}

impl Graph {
    /// The control-flow graph of a (valid) workflow definition.
    pub fn of(doc: &WorkflowDocument) -> Graph {
        let mut b = Builder {
            graph: Graph {
                workflow_id: doc.workflow.id.clone(),
                workflow_name: doc.workflow.name.clone(),
                nodes: Vec::new(),
                edges: Vec::new(),
                clusters: Vec::new(),
            },
            keys: HashSet::new(),
            by_step_id: HashMap::new(),
            cluster: None,
            aborts: Vec::new(),
            wait_for: Vec::new(),
        };
        let start = b.node(NodeKind::Start, "start", None, None, Vec::new());
        let (_, exits) = b.seq(&doc.steps, vec![Exit::plain(start)]);
        let end = b.node(NodeKind::End, "finish", None, None, Vec::new());
        b.connect(exits, end);
        if !b.aborts.is_empty() {
            b.cluster = None;
            let aborted = b.node(NodeKind::Aborted, "aborted", None, None, Vec::new());
            for (from, label) in std::mem::take(&mut b.aborts) {
                b.edge(from, aborted, Some(label), EdgeKind::Flow);
            }
        }
        for (fan_in, ids) in std::mem::take(&mut b.wait_for) {
            for id in ids {
                if let Some(&from) = b.by_step_id.get(&id) {
                    b.edge(from, fan_in, Some("wait_for".to_owned()), EdgeKind::WaitFor);
                }
            }
        }
        b.graph
    }

    /// The index of the node of step `id` (the first one, outside fan-out templates
    /// when the id is reused there).
    pub fn step_node(&self, id: &str) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.step_id.as_deref() == Some(id))
    }
}

/// A way out of a step, waiting for the node that comes next.
#[derive(Debug, Clone)]
struct Exit {
    from: usize,
    label: Option<String>,
    kind: EdgeKind,
}

impl Exit {
    fn plain(from: usize) -> Exit {
        Exit {
            from,
            label: None,
            kind: EdgeKind::Flow,
        }
    }

    fn labelled(from: usize, label: impl Into<String>) -> Exit {
        Exit {
            from,
            label: Some(label.into()),
            kind: EdgeKind::Flow,
        }
    }
}

struct Builder {
    graph: Graph,
    keys: HashSet<String>,
    /// Step id → node, first occurrence outside fan-out templates (for `wait_for`).
    by_step_id: HashMap<String, usize>,
    /// The cluster new nodes go into.
    cluster: Option<usize>,
    /// Gates whose rejection aborts the run, with the edge label; they lead to the
    /// `aborted` node, made last.
    aborts: Vec<(usize, String)>,
    /// Fan-in nodes and the ids they wait for, linked once every step has a node.
    wait_for: Vec<(usize, Vec<String>)>,
}

impl Builder {
    fn node(
        &mut self,
        kind: NodeKind,
        key: &str,
        step_id: Option<&str>,
        type_key: Option<&str>,
        details: Vec<String>,
    ) -> usize {
        let key = self.unique_key(key);
        self.graph.nodes.push(GraphNode {
            key,
            kind,
            step_id: step_id.map(str::to_owned),
            type_key: type_key.map(str::to_owned),
            details,
            cluster: self.cluster,
        });
        self.graph.nodes.len() - 1
    }

    fn unique_key(&mut self, base: &str) -> String {
        let mut key = base.to_owned();
        let mut n = 2;
        while !self.keys.insert(key.clone()) {
            key = format!("{base}_{n}");
            n += 1;
        }
        key
    }

    fn edge(&mut self, from: usize, to: usize, label: Option<String>, kind: EdgeKind) {
        self.graph.edges.push(GraphEdge {
            from,
            to,
            label,
            kind,
        });
    }

    fn connect(&mut self, exits: Vec<Exit>, to: usize) {
        for exit in exits {
            self.edge(exit.from, to, exit.label, exit.kind);
        }
    }

    fn open_cluster(&mut self, owner: usize, label: String) -> Option<usize> {
        let key = format!("c_{}", self.graph.nodes[owner].key);
        self.graph.clusters.push(Cluster {
            key,
            label,
            parent: self.cluster,
        });
        let outer = self.cluster;
        self.cluster = Some(self.graph.clusters.len() - 1);
        outer
    }

    /// Steps in order: returns the entry node (none for no steps) and the exits.
    fn seq(&mut self, steps: &[Step], mut exits: Vec<Exit>) -> (Option<usize>, Vec<Exit>) {
        let mut entry = None;
        for step in steps {
            let (step_entry, next) = self.step(step, exits, true);
            entry = entry.or(Some(step_entry));
            exits = next;
        }
        (entry, exits)
    }

    /// One step: connects `incoming` to its entry; returns the entry and the exits.
    fn step(&mut self, step: &Step, incoming: Vec<Exit>, register: bool) -> (usize, Vec<Exit>) {
        let id = step.id();
        let key = format!("s_{}", sanitize(id));
        let type_key = step.type_key();
        let mut details = details_of(step);
        if continue_on_error(step) {
            details.push("continue_on_error".to_owned());
        }
        let kind = match step {
            Step::Gate(_) => NodeKind::Gate,
            Step::If(_) | Step::Switch(_) => NodeKind::Branch,
            Step::While(_) | Step::DoWhile(_) => NodeKind::Loop,
            Step::FanOut(_) => NodeKind::FanOut,
            Step::FanIn(_) => NodeKind::FanIn,
            _ => NodeKind::Task,
        };

        if let Step::DoWhile(s) = step {
            // The body runs first, then the condition (this node) sends it round again.
            let node = self.node(kind, &key, Some(id), Some(type_key), details);
            if register {
                self.by_step_id.entry(id.to_owned()).or_insert(node);
            }
            let outer = self.open_cluster(node, "do-while body".to_owned());
            let (body_entry, body_exits) = self.seq(&s.steps, incoming.clone());
            self.cluster = outer;
            let entry = match body_entry {
                Some(body_entry) => {
                    self.connect(body_exits, node);
                    self.edge(node, body_entry, Some("repeat".to_owned()), EdgeKind::Back);
                    body_entry
                }
                None => {
                    self.connect(incoming, node);
                    self.edge(node, node, Some("repeat".to_owned()), EdgeKind::Back);
                    node
                }
            };
            return (entry, vec![Exit::labelled(node, "done")]);
        }

        let node = self.node(kind, &key, Some(id), Some(type_key), details);
        if register {
            self.by_step_id.entry(id.to_owned()).or_insert(node);
        }
        self.connect(incoming, node);
        let exits = match step {
            Step::Gate(g) => self.gate_exits(node, g),
            Step::If(s) => {
                let (_, mut exits) = self.seq(&s.then, vec![Exit::labelled(node, "then")]);
                let otherwise = s.otherwise.as_deref().unwrap_or(&[]);
                let (_, else_exits) = self.seq(otherwise, vec![Exit::labelled(node, "else")]);
                exits.extend(else_exits);
                exits
            }
            Step::Switch(s) => {
                let mut exits = Vec::new();
                for (case, steps) in &s.cases {
                    let (_, case_exits) = self.seq(
                        steps,
                        vec![Exit::labelled(node, format!("case {}", short(case)))],
                    );
                    exits.extend(case_exits);
                }
                match &s.default {
                    Some(steps) => {
                        let (_, default_exits) =
                            self.seq(steps, vec![Exit::labelled(node, "default")]);
                        exits.extend(default_exits);
                    }
                    None => exits.push(Exit::labelled(node, "no match")),
                }
                exits
            }
            Step::While(s) => {
                let outer = self.open_cluster(node, "while body".to_owned());
                let (body_entry, body_exits) =
                    self.seq(&s.steps, vec![Exit::labelled(node, "true")]);
                self.cluster = outer;
                match body_entry {
                    Some(_) => {
                        for exit in body_exits {
                            self.edge(
                                exit.from,
                                node,
                                exit.label.or(Some("repeat".to_owned())),
                                EdgeKind::Back,
                            );
                        }
                    }
                    None => self.edge(node, node, Some("true".to_owned()), EdgeKind::Back),
                }
                vec![Exit::labelled(node, "false")]
            }
            Step::FanOut(s) => {
                let mut label = format!("for each item of {}", short(&flow(&s.items)));
                if let Some(max) = &s.max_concurrency {
                    label.push_str(&format!(", {} at once", short(&flow(max))));
                }
                let outer = self.open_cluster(node, label);
                // The template has its own id space: its ids do not serve `wait_for`.
                let (_, exits) = self.step(&s.step, vec![Exit::labelled(node, "each item")], false);
                self.cluster = outer;
                exits
            }
            Step::FanIn(s) => {
                self.wait_for.push((node, s.wait_for.clone()));
                vec![Exit::plain(node)]
            }
            _ => vec![Exit::plain(node)],
        };
        (node, exits)
    }

    fn gate_exits(&mut self, node: usize, gate: &crate::model::GateStep) -> Vec<Exit> {
        let options: Vec<String> = match &gate.options {
            Some(options) => options.clone(),
            None => vec!["approve".to_owned(), "reject".to_owned()],
        };
        let rejects = |o: &String| matches!(o.to_lowercase().as_str(), "reject" | "abort");
        let going_on: Vec<&String> = options.iter().filter(|o| !rejects(o)).collect();
        let rejecting: Vec<&String> = options.iter().filter(|o| rejects(o)).collect();
        let join = |list: &[&String]| {
            list.iter()
                .map(|o| short(o))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let mut exits = Vec::new();
        if !going_on.is_empty() {
            exits.push(Exit::labelled(node, join(&going_on)));
        }
        if !rejecting.is_empty() {
            let on_reject = gate.on_reject.unwrap_or(OnReject::Abort);
            let label = join(&rejecting);
            match on_reject {
                OnReject::Abort => self.aborts.push((node, label)),
                OnReject::Skip => exits.push(Exit::labelled(node, format!("{label} (skip)"))),
                OnReject::Retry => {
                    self.edge(node, node, Some(format!("{label} (retry)")), EdgeKind::Back)
                }
            }
        }
        exits
    }
}

fn continue_on_error(step: &Step) -> bool {
    let common = match step {
        Step::Command(s) => &s.common,
        Step::Shell(s) => &s.common,
        Step::Prompt(s) => &s.common,
        Step::Init(s) => &s.common,
        Step::Gate(s) => &s.common,
        Step::If(s) => &s.common,
        Step::Switch(s) => &s.common,
        Step::While(s) | Step::DoWhile(s) => &s.common,
        Step::FanOut(s) => &s.common,
        Step::FanIn(s) => &s.common,
        Step::Slot(s) => &s.common,
        Step::Workflow(s) => &s.common,
        Step::Github(s) => return s.continue_on_error == Some(true),
        Step::Custom(s) => {
            return matches!(
                s.config.get("continue_on_error"),
                Some(serde_yaml::Value::Bool(true))
            )
        }
    };
    common.continue_on_error == Some(true)
}

/// The detail lines of a step's node.
fn details_of(step: &Step) -> Vec<String> {
    let mut lines = Vec::new();
    match step {
        Step::Shell(s) => lines.push(short(&s.run)),
        Step::Command(s) => {
            lines.push(short(&s.command));
            if let Some(integration) = &s.integration {
                lines.push(short(&format!("integration: {integration}")));
            }
        }
        Step::Prompt(s) => lines.push(short(&s.prompt)),
        Step::Init(_) => lines.push("specify init".to_owned()),
        Step::Gate(g) => {
            lines.push(short(&flow(&g.message)));
            let options = g
                .options
                .clone()
                .unwrap_or_else(|| vec!["approve".to_owned(), "reject".to_owned()]);
            lines.push(short(&format!("options: {}", options.join(" / "))));
            if let Some(on_reject) = g.on_reject {
                let word = match on_reject {
                    OnReject::Abort => "abort",
                    OnReject::Skip => "skip",
                    OnReject::Retry => "retry",
                };
                lines.push(format!("on_reject: {word}"));
            }
            if let Some(input) = &g.verdict_input {
                lines.push(short(&format!("verdict_input: {input}")));
            }
        }
        Step::If(s) => lines.push(short(&condition(&s.condition))),
        Step::Switch(s) => lines.push(short(&flow(&s.expression))),
        Step::While(s) | Step::DoWhile(s) => {
            lines.push(short(&condition(&s.condition)));
            let max = s
                .max_iterations
                .as_ref()
                .map(|m| m.0.to_string())
                .unwrap_or_else(|| "10".to_owned());
            lines.push(short(&format!("max_iterations: {max}")));
        }
        Step::FanOut(s) => {
            lines.push(short(&format!("items: {}", flow(&s.items))));
            if let Some(max) = &s.max_concurrency {
                lines.push(short(&format!("max_concurrency: {}", flow(max))));
            }
        }
        Step::FanIn(s) => lines.push(short(&format!("wait_for: {}", s.wait_for.join(", ")))),
        Step::Github(s) => lines.push(short(&format!("{} {}", s.operation, s.label))),
        Step::Slot(s) => lines.push(short(&format!("slot: {}", s.name))),
        Step::Workflow(s) => lines.push(short(&format!("workflow: {}", s.workflow))),
        Step::Custom(_) => {}
    }
    lines.retain(|l| !l.is_empty());
    lines
}

fn condition(c: &Condition) -> String {
    match c {
        Condition::Bool(true) => "true".to_owned(),
        Condition::Bool(false) => "false".to_owned(),
        Condition::Expr(text) => text.clone(),
    }
}

/// A YAML value on one line, in flow style: `[1, 2]`, `{a: b}`, `text`.
fn flow(value: &Any) -> String {
    fn go(v: &serde_yaml::Value, out: &mut String, nested: bool) {
        use serde_yaml::Value as V;
        match v {
            V::Null => out.push_str("null"),
            V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            V::Number(n) => out.push_str(&n.to_string()),
            V::String(s)
                if nested && (s.is_empty() || s.contains([',', ':', '[', ']', '{', '}'])) =>
            {
                out.push('\'');
                out.push_str(&s.replace('\'', "''"));
                out.push('\'');
            }
            V::String(s) => out.push_str(s),
            V::Sequence(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    go(item, out, true);
                }
                out.push(']');
            }
            V::Mapping(map) => {
                out.push('{');
                for (i, (k, val)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    go(k, out, true);
                    out.push_str(": ");
                    go(val, out, true);
                }
                out.push('}');
            }
            V::Tagged(tagged) => go(&tagged.value, out, nested),
        }
    }
    let mut out = String::new();
    go(&value.0, &mut out, false);
    out
}

/// One line of at most [`DETAIL_WIDTH`] characters: whitespace runs (newlines too)
/// become one space, control characters are dropped, and a longer text ends in `…`.
fn short(text: &str) -> String {
    let mut clean = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !clean.is_empty() {
            clean.push(' ');
        }
        clean.extend(word.chars().filter(|c| !c.is_control()));
    }
    if clean.chars().count() <= DETAIL_WIDTH {
        return clean;
    }
    let mut cut: String = clean.chars().take(DETAIL_WIDTH - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// `[A-Za-z0-9_]` only: every other character becomes `_`.
fn sanitize(id: &str) -> String {
    let out: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        "_".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_collapses_and_truncates() {
        assert_eq!(short("echo  a\n  b"), "echo a b");
        let long = "x".repeat(60);
        let s = short(&long);
        assert_eq!(s.chars().count(), DETAIL_WIDTH);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn sanitize_keeps_identifier_characters() {
        assert_eq!(sanitize("say-big.2"), "say_big_2");
        assert_eq!(sanitize(""), "_");
    }
}
