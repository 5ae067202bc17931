//! Step definitions as the executor uses them: the YAML node of each step (typed keys
//! kept, for `switch` and for dumping child sequences), its mapping as [`Map`] (what
//! step implementations read), and what the engine itself looks at, computed once per
//! definition rather than per execution.

use std::sync::Arc;

use baton_expr::{Map, Template, Value};
use baton_model::yaml::{self, DumpOptions, Node, Span, Yaml};

/// One step of a sequence.
#[derive(Debug)]
pub(crate) struct StepDef {
    /// The step as written (no defaults added): what child sequences dump.
    pub node: Node,
    /// The step as the implementation sees it: `{"id": "step-<i>", **config}`.
    pub map: Map,
    /// The step id (`step-<i>` when missing; non-strings in Python's `str()`).
    pub id: String,
    /// `config.get("type", "command")`.
    pub type_value: Value,
    /// The type as a registry key, when it is a string.
    pub kind: Option<String>,
    /// `continue_on_error` is the literal `true`.
    pub continue_on_error: bool,
    /// The label of the step-start line: a non-empty `command`, else the type.
    pub label: String,
    /// `condition` of a loop, parsed once (string conditions only).
    pub condition: Option<Template>,
}

/// The steps of one sequence, shared by every occurrence of it (loop iterations, fan-out
/// items).
pub(crate) type Defs = Arc<[StepDef]>;

fn str_node(s: &str) -> Node {
    Node { value: Yaml::Str(s.to_owned()), span: Span::default() }
}

impl StepDef {
    fn new(node: Node, index: usize) -> Option<StepDef> {
        let Value::Map(mut map) = node.to_value() else { return None };
        if !map.contains_key("id") {
            let mut with_id = Map::with_capacity(map.len() + 1);
            with_id.insert("id".into(), Value::Str(format!("step-{index}")));
            with_id.extend(map);
            map = with_id;
        }
        let id = match map.get("id") {
            Some(Value::Str(s)) => s.clone(),
            Some(other) => other.py_str(),
            None => format!("step-{index}"),
        };
        let type_value = map.get("type").cloned().unwrap_or_else(|| Value::from("command"));
        let kind = type_value.as_str().map(str::to_owned);
        let continue_on_error = matches!(map.get("continue_on_error"), Some(Value::Bool(true)));
        let label = match map.get("command") {
            Some(c) if c.truthy() && kind.as_deref() != Some("workflow") => c.py_str(),
            _ => kind.clone().unwrap_or_else(|| type_value.py_str()),
        };
        let condition = match (kind.as_deref(), map.get("condition")) {
            (Some("while" | "do-while"), Some(Value::Str(s))) => Some(Template::parse(s)),
            _ => None,
        };
        Some(StepDef { node, map, id, type_value, kind, continue_on_error, label, condition })
    }

    /// `config.get(key)`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key)
    }

    /// Whether the step is of this type.
    pub fn is(&self, kind: &str) -> bool {
        self.kind.as_deref() == Some(kind)
    }
}

/// Why a list of steps cannot be used.
pub(crate) const BAD_SEQUENCE: &str = "Invalid execution sequence length or steps";

/// Definitions of a list of step nodes; every item must be a mapping.
pub(crate) fn from_nodes(nodes: Vec<Node>) -> Result<Defs, String> {
    let mut defs = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.into_iter().enumerate() {
        defs.push(StepDef::new(n, i).ok_or_else(|| BAD_SEQUENCE.to_owned())?);
    }
    Ok(defs.into())
}

/// Definitions from a sequence's YAML `source`.
pub(crate) fn from_yaml(text: &str) -> Result<Defs, String> {
    let node = yaml::parse(text).map_err(|e| format!("Invalid execution state: {e}"))?;
    match node.value {
        Yaml::Seq(items) => from_nodes(items),
        _ => Err(BAD_SEQUENCE.to_owned()),
    }
}

/// The one-step sequence of a fan-out item: `[{"id": "item", **template}]`.
pub(crate) fn fan_out_item(template: &Node) -> Result<Defs, String> {
    let Some(entries) = template.as_map() else {
        return Err("Invalid fan-out template".to_owned());
    };
    let mut out: Vec<(Node, Node)> = vec![(str_node("id"), str_node("item"))];
    for (k, v) in entries {
        if k.as_str() == Some("id") {
            out[0].1 = v.clone();
        } else {
            out.push((k.clone(), v.clone()));
        }
    }
    from_nodes(vec![Node { value: Yaml::Map(out), span: template.span }])
}

/// The fan-out item sequence from the `template` text kept in the tree.
pub(crate) fn fan_out_item_yaml(text: &str) -> Result<Defs, String> {
    let node = yaml::parse(text).map_err(|e| format!("Invalid execution state: {e}"))?;
    fan_out_item(&node)
}

/// `yaml.safe_dump(value, sort_keys=False)`, as the tree stores step lists.
pub(crate) fn dump(node: &Node) -> String {
    yaml::dump_with(node, DumpOptions { allow_unicode: false })
}

/// The dump of a list of steps.
pub(crate) fn dump_list(nodes: &[Node]) -> String {
    dump(&Node { value: Yaml::Seq(nodes.to_vec()), span: Span::default() })
}
