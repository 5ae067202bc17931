//! `baton run --dry-run SOURCE [-i KEY=VALUE]... [--json]` (baton addition): the steps
//! a run would execute, in order and nested, with their `{{ }}` expressions resolved as
//! far as the inputs allow. Nothing runs, no run folder is created, nobody is asked for
//! an input.
//!
//! The checks are `run`'s, in its order and with its messages (source, load, validation,
//! `--input` parsing, input coercion); a required input without a value is not an
//! error here: expressions that read it stay unresolved. An expression is resolved
//! only when every path it reads is known before the run starts: declared inputs
//! (given, defaulted, or optional and absent), `context.workflow_dir`, and `item` /
//! `fan_in` outside a fan-out template / fan-in output (where they are fixed). Step
//! outputs, `context.run_id` and missing inputs leave it unresolved, shown as written.
//! `if` and `switch` whose condition resolves are decided with the built-in step types
//! themselves (so a dry run takes the branch a run would), a `while` whose condition
//! resolves to false has no body.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use baton_expr::{Map, MapNamespace, Template, Value};
use baton_model::yaml::Node;
use baton_state::{Json, JsonObject};
use baton_steps::{Cancel, NoInteraction, Step, StepContext};

use super::run;
use crate::exit::CliError;
use crate::output;
use crate::project::Context;

/// One field of a step as the dry run shows it.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    /// A value with no expression in it.
    Literal(Value),
    /// An expression resolved from the inputs alone.
    Resolved { value: Value, expression: String },
    /// An expression that reads something only a run knows (`needs`: those paths).
    Unresolved { expression: String, needs: Vec<String> },
    /// An expression that fails with the inputs given (the run would fail there).
    Failed { expression: String, error: String },
}

#[derive(Debug, Clone)]
struct Field {
    name: String,
    shown: Shown,
}

/// A group of nested steps: a branch, a loop body, a fan-out template.
#[derive(Debug, Clone)]
struct Block {
    label: String,
    /// `Some(true)`: the branch the inputs decide; `None`: not decided before the run.
    taken: Option<bool>,
    note: Option<String>,
    steps: Vec<PlanStep>,
}

#[derive(Debug, Clone)]
struct PlanStep {
    id: String,
    type_key: String,
    fields: Vec<Field>,
    continue_on_error: bool,
    /// For `if`, `switch`, `while`: whether the inputs alone decide which blocks run.
    decided: Option<bool>,
    note: Option<String>,
    blocks: Vec<Block>,
}

/// What the expressions of a step can know.
#[derive(Debug, Clone, Copy)]
struct Scope<'a> {
    missing: &'a BTreeSet<String>,
    in_fan_out: bool,
    in_fan_in_output: bool,
}

impl Scope<'_> {
    /// The paths of `template` that only a run can resolve.
    fn unknown(&self, template: &Template) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in template.paths() {
            if !self.known(&p.path) && !out.contains(&p.path) {
                out.push(p.path);
            }
        }
        out
    }

    fn known(&self, path: &str) -> bool {
        let mut parts = path.split('.');
        let head = parts.next().unwrap_or_default();
        let root = head.split('[').next().unwrap_or_default().trim();
        let next = || path.split('.').nth(1).map(|s| s.split('[').next().unwrap_or_default().trim().to_owned());
        match root {
            "steps" => false,
            "item" => !self.in_fan_out,
            "fan_in" => !self.in_fan_in_output,
            "context" => next().as_deref() == Some("workflow_dir") && !head.contains('['),
            "inputs" => match next() {
                Some(key) if !head.contains('[') => !self.missing.contains(&key),
                _ => self.missing.is_empty(),
            },
            _ => true,
        }
    }
}

/// Everything the walk needs.
struct Planner<'a> {
    ns: MapNamespace,
    missing: BTreeSet<String>,
    defaults: &'a Node,
    workflow_dir: Option<&'a Path>,
    project_root: &'a Path,
    env: BTreeMap<String, String>,
    cancel: Cancel,
}

struct NoHost;

impl baton_steps::agents::Host for NoHost {
    fn which(&self, _name: &str) -> Option<String> {
        None
    }
    fn docker_agent_plugin(&self, _docker: &str) -> bool {
        false
    }
}

impl Planner<'_> {
    fn show(&self, scope: Scope<'_>, value: &Value) -> Shown {
        let Value::Str(text) = value else { return Shown::Literal(value.clone()) };
        if !text.contains("{{") {
            return Shown::Literal(value.clone());
        }
        let template = Template::parse(text);
        if template.is_plain_text() {
            return Shown::Literal(value.clone());
        }
        let needs = scope.unknown(&template);
        if !needs.is_empty() {
            return Shown::Unresolved { expression: text.clone(), needs };
        }
        match template.render(&self.ns) {
            Ok(v) => Shown::Resolved { value: v, expression: text.clone() },
            Err(e) => Shown::Failed { expression: text.clone(), error: e.to_string() },
        }
    }

    fn field(&self, scope: Scope<'_>, fields: &mut Vec<Field>, name: &str, value: &Value) {
        fields.push(Field { name: name.to_owned(), shown: self.show(scope, value) });
    }

    /// `key` of the step, if present.
    fn opt(&self, scope: Scope<'_>, fields: &mut Vec<Field>, config: &Map, key: &str) {
        if let Some(v) = config.get(key) {
            self.field(scope, fields, key, v);
        }
    }

    /// Each entry of a mapping field as `key.entry`.
    fn entries(&self, scope: Scope<'_>, fields: &mut Vec<Field>, config: &Map, key: &str) {
        match config.get(key) {
            Some(Value::Map(m)) => {
                for (k, v) in m {
                    self.field(scope, fields, &format!("{key}.{k}"), v);
                }
            }
            Some(other) => self.field(scope, fields, key, other),
            None => {}
        }
    }

    /// `integration` / `model`: the step's own, else `workflow.<key>`.
    fn dispatch(&self, scope: Scope<'_>, fields: &mut Vec<Field>, config: &Map, key: &str) {
        let own = config.get(key).filter(|v| !matches!(v, Value::Null) && v.as_str() != Some(""));
        let fallback = self.defaults.get(key).map(Node::to_value).filter(|v| !v.is_null());
        if let Some(v) = own.cloned().or(fallback) {
            self.field(scope, fields, key, &v);
        }
    }

    fn context<'c>(&'c self, scope: Scope<'_>, id: &'c str, options: &'c Map) -> StepContext<'c> {
        StepContext {
            namespace: &self.ns,
            step_id: id,
            inside_fan_out: scope.in_fan_out,
            default_integration: None,
            default_model: None,
            default_options: options,
            project_root: self.project_root,
            run_id: "",
            is_resume: false,
            workflow_dir: self.workflow_dir,
            env: &self.env,
            cancel: &self.cancel,
            interaction: &NoInteraction,
            host: &NoHost,
        }
    }

    fn seq(&self, scope: Scope<'_>, nodes: Option<&Node>) -> Vec<PlanStep> {
        let Some(items) = nodes.and_then(Node::as_seq) else { return Vec::new() };
        items.iter().enumerate().filter_map(|(i, n)| self.step(scope, n, i)).collect()
    }

    fn block(&self, scope: Scope<'_>, label: &str, nodes: Option<&Node>, taken: Option<bool>) -> Block {
        Block { label: label.to_owned(), taken, note: None, steps: self.seq(scope, nodes) }
    }

    fn step(&self, scope: Scope<'_>, node: &Node, index: usize) -> Option<PlanStep> {
        let Value::Map(config) = node.to_value() else { return None };
        let id = match config.get("id") {
            Some(Value::Str(s)) => s.clone(),
            Some(other) => other.py_str(),
            None => format!("step-{index}"),
        };
        let type_key = config.get("type").map_or_else(|| "command".to_owned(), Value::py_str);
        let mut step = PlanStep {
            id,
            type_key,
            fields: Vec::new(),
            continue_on_error: matches!(config.get("continue_on_error"), Some(Value::Bool(true))),
            decided: None,
            note: None,
            blocks: Vec::new(),
        };
        let f = &mut step.fields;
        match step.type_key.as_str() {
            "shell" => {
                for key in ["run", "timeout", "output_format"] {
                    self.opt(scope, f, &config, key);
                }
            }
            "command" => {
                self.opt(scope, f, &config, "command");
                self.entries(scope, f, &config, "input");
                self.dispatch(scope, f, &config, "integration");
                self.dispatch(scope, f, &config, "model");
                for key in ["integration_args", "capture", "timeout"] {
                    self.opt(scope, f, &config, key);
                }
            }
            "prompt" => {
                self.opt(scope, f, &config, "prompt");
                self.dispatch(scope, f, &config, "integration");
                self.dispatch(scope, f, &config, "model");
                for key in ["capture", "timeout"] {
                    self.opt(scope, f, &config, key);
                }
            }
            "gate" => {
                let message = config.get("message").cloned().unwrap_or_else(|| Value::from("Review required."));
                self.field(scope, f, "message", &message);
                let options = config.get("options").cloned().unwrap_or_else(|| {
                    Value::List(vec![Value::from("approve"), Value::from("reject")])
                });
                self.field(scope, f, "options", &options);
                for key in ["on_reject", "show_file", "verdict_input"] {
                    self.opt(scope, f, &config, key);
                }
            }
            "if" => {
                let condition = config.get("condition").cloned().unwrap_or(Value::Bool(false));
                self.field(scope, f, "condition", &condition);
                let decided = self.decide(scope, &step.fields, "condition", &baton_steps::builtin::If, node, &config, &step.id);
                match decided.as_ref().and_then(|o| o.get("condition_result")) {
                    Some(Value::Bool(truth)) => {
                        let (label, key) = if *truth { ("then", "then") } else { ("else", "else") };
                        step.decided = Some(true);
                        step.blocks.push(self.block(scope, label, node.get(key), Some(true)));
                    }
                    _ => {
                        step.decided = Some(false);
                        step.blocks.push(self.block(scope, "then", node.get("then"), None));
                        step.blocks.push(self.block(scope, "else", node.get("else"), None));
                    }
                }
            }
            "switch" => {
                let expression = config.get("expression").cloned().unwrap_or_else(|| Value::from(""));
                self.field(scope, f, "expression", &expression);
                let decided =
                    self.decide(scope, &step.fields, "expression", &baton_steps::builtin::Switch, node, &config, &step.id);
                let cases: Vec<(String, &Node)> = node
                    .get("cases")
                    .and_then(Node::as_map)
                    .map(|m| m.iter().map(|(k, v)| (k.to_value().py_str(), v)).collect())
                    .unwrap_or_default();
                match decided.as_ref().and_then(|o| o.get("matched_case")).and_then(Value::as_str) {
                    Some(matched) => {
                        step.decided = Some(true);
                        let taken = cases.iter().find(|(k, _)| k == matched);
                        step.blocks.push(match taken {
                            Some((k, steps)) => self.block(scope, &format!("case {k}"), Some(steps), Some(true)),
                            None => self.block(scope, "default", node.get("default"), Some(true)),
                        });
                    }
                    None => {
                        step.decided = Some(false);
                        for (k, steps) in &cases {
                            step.blocks.push(self.block(scope, &format!("case {k}"), Some(steps), None));
                        }
                        step.blocks.push(self.block(scope, "default", node.get("default"), None));
                    }
                }
            }
            kind @ ("while" | "do-while") => {
                let condition = config.get("condition").cloned().unwrap_or(Value::Bool(false));
                self.field(scope, f, "condition", &condition);
                let max = config.get("max_iterations").cloned().unwrap_or_else(|| Value::from(10));
                self.field(scope, f, "max_iterations", &max);
                let first = match &step.fields[0].shown {
                    Shown::Literal(v) | Shown::Resolved { value: v, .. } => Some(baton_expr::condition_truth(v)),
                    _ => None,
                };
                if kind == "while" {
                    step.decided = Some(first.is_some());
                    if first == Some(false) {
                        step.note = Some("the condition is false: the body never runs".to_owned());
                        return Some(step);
                    }
                }
                step.blocks.push(self.block(scope, "body", node.get("steps"), first.map(|_| true)));
            }
            "fan-out" => {
                let items = config.get("items").cloned().unwrap_or_else(|| Value::from("[]"));
                let shown = match &items {
                    Value::List(_) => Shown::Literal(items.clone()),
                    other => self.show(scope, other),
                };
                let count = match &shown {
                    Shown::Literal(Value::List(l)) | Shown::Resolved { value: Value::List(l), .. } => Some(l.len()),
                    _ => None,
                };
                f.push(Field { name: "items".to_owned(), shown });
                self.opt(scope, f, &config, "max_concurrency");
                let inner = Scope { in_fan_out: true, ..scope };
                let template = node.get("step").and_then(|t| {
                    let Value::Map(mut m) = t.to_value() else { return None };
                    m.entry("id".to_owned()).or_insert_with(|| Value::from("item"));
                    self.step_from(inner, t, m)
                });
                let mut block = Block {
                    label: "for each item".to_owned(),
                    taken: None,
                    note: count.map(|n| format!("{n} item{}", if n == 1 { "" } else { "s" })),
                    steps: template.into_iter().collect(),
                };
                if count == Some(0) {
                    block.steps.clear();
                }
                step.blocks.push(block);
            }
            "fan-in" => {
                self.opt(scope, f, &config, "wait_for");
                self.entries(Scope { in_fan_in_output: true, ..scope }, f, &config, "output");
            }
            "slot" => self.opt(scope, f, &config, "name"),
            "github" => {
                for key in ["operation", "target", "repository", "number", "label"] {
                    self.opt(scope, f, &config, key);
                }
            }
            "workflow" => {
                self.opt(scope, f, &config, "workflow");
                self.entries(scope, f, &config, "input");
            }
            _ => {
                for (k, v) in &config {
                    if !matches!(k.as_str(), "id" | "type" | "continue_on_error") {
                        self.field(scope, f, k, v);
                    }
                }
            }
        }
        Some(step)
    }

    /// A fan-out template (its `id` defaulted to `item`).
    fn step_from(&self, scope: Scope<'_>, node: &Node, config: Map) -> Option<PlanStep> {
        let mut step = self.step(scope, node, 0)?;
        if let Some(Value::Str(id)) = config.get("id") {
            step.id = id.clone();
        }
        Some(step)
    }

    /// Runs a branching step type (`if`, `switch`) when its deciding field resolved,
    /// returning its output (`None`: not decided before the run).
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        scope: Scope<'_>,
        fields: &[Field],
        name: &str,
        step: &dyn Step,
        node: &Node,
        config: &Map,
        id: &str,
    ) -> Option<Map> {
        let field = fields.iter().find(|f| f.name == name)?;
        if !matches!(field.shown, Shown::Literal(_) | Shown::Resolved { .. }) {
            return None;
        }
        let options = Map::new();
        let ctx = self.context(scope, id, &options);
        match step.execute_node(node, config, &ctx) {
            Ok(result) if result.error.is_none() => Some(result.output),
            _ => None,
        }
    }
}

/// The dry run of `run SOURCE`.
pub fn dry_run(source: &str, inputs: &[String], json: bool) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let resolved = run::resolve_source(&ctx, source, json)?;
    let custom = run::custom_steps(&resolved.root);
    let node = match resolved.composed.clone() {
        Some(node) => run::check_definition(node, &resolved.path, &custom, json)?,
        None => run::load_checked(&resolved.path, &custom, json)?,
    };
    let provided = run::parse_inputs(inputs, json)?;
    let block = node.get("inputs").map_or(Value::Map(Map::new()), Node::to_value);
    let decls = baton_inputs::parse_declarations(&block);
    let missing: BTreeSet<String> = decls
        .iter()
        .filter(|d| d.required && d.default.is_none() && !provided.contains_key(&d.name))
        .map(|d| d.name.clone())
        .collect();
    let present: Vec<_> = decls.iter().filter(|d| !missing.contains(&d.name)).cloned().collect();
    let integration_json = run::read_integration_json(&resolved.root);
    let values = baton_inputs::resolve(&present, &provided, integration_json.as_deref(), None)
        .map_err(|e| CliError::user(e, json))?;
    let workflow_dir = resolved.path.canonicalize().ok().and_then(|p| p.parent().map(Path::to_path_buf));
    let dir_text = workflow_dir.as_ref().map(|d| d.display().to_string());
    let ns = MapNamespace::new()
        .with("inputs", Value::Map(values.clone()))
        .with("steps", Value::Map(Map::new()))
        .with("item", Value::Null)
        .with("fan_in", Value::Map(Map::new()))
        .with("context", baton_expr::context_value(None, dir_text.as_deref()));
    let empty = Node { value: baton_model::yaml::Yaml::Null, span: Default::default() };
    let wf = node.get("workflow").unwrap_or(&empty);
    let planner = Planner {
        ns,
        missing: missing.clone(),
        defaults: wf,
        workflow_dir: workflow_dir.as_deref(),
        project_root: &resolved.root,
        env: BTreeMap::new(),
        cancel: Cancel::new(),
    };
    let scope = Scope { missing: &planner.missing, in_fan_out: false, in_fan_in_output: false };
    let steps = planner.seq(scope, node.get("steps"));
    let text = |k: &str| wf.get(k).map(|v| v.to_value().py_str());
    let header = Header {
        id: text("id").unwrap_or_default(),
        name: text("name").unwrap_or_default(),
        version: text("version").unwrap_or_else(|| "0.0.0".to_owned()),
    };
    if json {
        run::print_payload(&payload(&header, &decls, &values, &missing, &steps))?;
    } else {
        output::write_stdout(render_text(&header, &decls, &values, &missing, &steps).as_bytes())?;
    }
    Ok(0)
}

struct Header {
    id: String,
    name: String,
    version: String,
}

fn value_json(v: &Value) -> Json {
    baton_engine::value_to_json(v)
}

fn field_json(field: &Field) -> Json {
    let mut o = JsonObject::new();
    o.insert("name".into(), Json::String(field.name.clone()));
    match &field.shown {
        Shown::Literal(v) => {
            o.insert("value".into(), value_json(v));
            o.insert("resolved".into(), Json::Bool(true));
        }
        Shown::Resolved { value, expression } => {
            o.insert("value".into(), value_json(value));
            o.insert("expression".into(), Json::String(expression.clone()));
            o.insert("resolved".into(), Json::Bool(true));
        }
        Shown::Unresolved { expression, needs } => {
            o.insert("expression".into(), Json::String(expression.clone()));
            o.insert("resolved".into(), Json::Bool(false));
            o.insert("needs".into(), Json::Array(needs.iter().map(|n| Json::String(n.clone())).collect()));
        }
        Shown::Failed { expression, error } => {
            o.insert("expression".into(), Json::String(expression.clone()));
            o.insert("resolved".into(), Json::Bool(false));
            o.insert("error".into(), Json::String(error.clone()));
        }
    }
    Json::Object(o)
}

fn step_json(step: &PlanStep) -> Json {
    let mut o = JsonObject::new();
    o.insert("id".into(), Json::String(step.id.clone()));
    o.insert("type".into(), Json::String(step.type_key.clone()));
    o.insert("fields".into(), Json::Array(step.fields.iter().map(field_json).collect()));
    if step.continue_on_error {
        o.insert("continue_on_error".into(), Json::Bool(true));
    }
    if let Some(decided) = step.decided {
        o.insert("decided".into(), Json::Bool(decided));
    }
    if let Some(note) = &step.note {
        o.insert("note".into(), Json::String(note.clone()));
    }
    if !step.blocks.is_empty() {
        let blocks = step
            .blocks
            .iter()
            .map(|b| {
                let mut bo = JsonObject::new();
                bo.insert("label".into(), Json::String(b.label.clone()));
                if let Some(taken) = b.taken {
                    bo.insert("taken".into(), Json::Bool(taken));
                }
                if let Some(note) = &b.note {
                    bo.insert("note".into(), Json::String(note.clone()));
                }
                bo.insert("steps".into(), Json::Array(b.steps.iter().map(step_json).collect()));
                Json::Object(bo)
            })
            .collect();
        o.insert("blocks".into(), Json::Array(blocks));
    }
    Json::Object(o)
}

fn payload(
    header: &Header,
    decls: &[baton_inputs::InputDecl],
    values: &Map,
    missing: &BTreeSet<String>,
    steps: &[PlanStep],
) -> JsonObject {
    let mut o = JsonObject::new();
    o.insert("dry_run".into(), Json::Bool(true));
    o.insert("workflow_id".into(), Json::String(header.id.clone()));
    o.insert("name".into(), Json::String(header.name.clone()));
    o.insert("version".into(), Json::String(header.version.clone()));
    o.insert("inputs".into(), baton_engine::value_to_json(&Value::Map(values.clone())));
    let missing_list = decls
        .iter()
        .filter(|d| missing.contains(&d.name))
        .map(|d| Json::String(d.name.clone()))
        .collect();
    o.insert("missing_inputs".into(), Json::Array(missing_list));
    o.insert("steps".into(), Json::Array(steps.iter().map(step_json).collect()));
    o
}

/// A value as a line shows it: strings as they are, anything else in Python spelling.
fn display(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => other.py_repr(),
    }
}

/// `name: value`, continuation lines of a multi-line value indented under it.
fn push_value(out: &mut String, indent: &str, name: &str, text: &str, mark: &str) {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    out.push_str(&format!("{indent}{name}: {first}"));
    let pad = " ".repeat(name.chars().count() + 2);
    for line in lines {
        out.push_str(&format!("\n{indent}{pad}{line}"));
    }
    out.push_str(mark);
    out.push('\n');
}

fn render_steps(out: &mut String, steps: &[PlanStep], indent: &str) {
    for step in steps {
        out.push_str(&format!("{indent}\u{25b8} {} ({})", step.id, step.type_key));
        if step.continue_on_error {
            out.push_str(" [continue_on_error]");
        }
        out.push('\n');
        let inner = format!("{indent}    ");
        for field in &step.fields {
            match &field.shown {
                Shown::Literal(v) => push_value(out, &inner, &field.name, &display(v), ""),
                Shown::Resolved { value, expression } => {
                    // What decides the flow also shows where its value came from.
                    let deciding = matches!(field.name.as_str(), "condition" | "expression" | "items");
                    let mark = if deciding && !expression.contains('\n') {
                        format!("   (from {})", expression.trim())
                    } else {
                        String::new()
                    };
                    push_value(out, &inner, &field.name, &display(value), &mark);
                }
                Shown::Unresolved { expression, needs } => {
                    let mark = format!("   [unresolved: needs {}]", needs.join(", "));
                    push_value(out, &inner, &field.name, expression, &mark);
                }
                Shown::Failed { expression, error } => {
                    let mark = format!("   [error: {error}]");
                    push_value(out, &inner, &field.name, expression, &mark);
                }
            }
        }
        if let Some(note) = &step.note {
            out.push_str(&format!("{inner}({note})\n"));
        }
        for block in &step.blocks {
            let mut line = format!("{inner}\u{2192} {}", block.label);
            let mut notes = Vec::new();
            if let Some(note) = &block.note {
                notes.push(note.clone());
            }
            if block.taken == Some(true) && matches!(step.type_key.as_str(), "if" | "switch") {
                notes.push("taken: decided by the inputs".to_owned());
            }
            if !notes.is_empty() {
                line.push_str(&format!(" ({})", notes.join("; ")));
            }
            out.push_str(&line);
            out.push('\n');
            if block.steps.is_empty() {
                out.push_str(&format!("{inner}  (no steps)\n"));
            } else {
                render_steps(out, &block.steps, &format!("{inner}  "));
            }
        }
    }
}

fn render_text(
    header: &Header,
    decls: &[baton_inputs::InputDecl],
    values: &Map,
    missing: &BTreeSet<String>,
    steps: &[PlanStep],
) -> String {
    let mut out = format!(
        "\nDry run of workflow: {} ({})\nVersion: {}\nNothing is executed and no run is created.\n",
        header.name, header.id, header.version
    );
    if !decls.is_empty() {
        out.push_str("\nInputs:\n");
        for decl in decls {
            match values.get(&decl.name) {
                Some(v) => out.push_str(&format!("  {}: {}\n", decl.name, v.py_repr())),
                None if missing.contains(&decl.name) => {
                    out.push_str(&format!("  {}: (missing: required, no value given)\n", decl.name));
                }
                None => out.push_str(&format!("  {}: (not set)\n", decl.name)),
            }
        }
    }
    out.push_str("\nSteps:\n");
    if steps.is_empty() {
        out.push_str("  (no steps)\n");
    }
    render_steps(&mut out, steps, "  ");
    out
}
