//! `type: workflow` steps (steps.md §18, ecosystem.md §16): the engine binds the
//! callee (target, inputs, a snapshot of its definition), runs its steps in a private
//! context, and turns its outcome and declared `outputs` into the call step's result.

use baton_expr::py::str_repr;
use baton_expr::{Map, Value};
use baton_model::yaml::{self, Node};
use baton_state::{Binding, NodeField, NodePath, Outcome, PathSegment, Phase, RunSession, Sequence, StepDelta, TreeEdit};
use baton_steps::{StepResult, StepStatus};

use crate::convert::{map_to_object, object_to_map};
use crate::defs::{self, StepDef};
use crate::driver::{Driver, Raise};
use crate::scope::{Defaults, Scope};

/// A resolved, validated callee.
#[derive(Debug, Clone)]
pub struct CalledWorkflow {
    /// The callee's definition (overlays applied).
    pub definition: Node,
    /// The absolute directory of its file.
    pub workflow_dir: Option<String>,
}

/// Finds the callee of a `type: workflow` step. The catalog implements it (installed
/// registry, overlays, the project's step types).
pub trait CallResolver: Send + Sync {
    /// Resolves `target` (the evaluated `workflow` value) called from the workflows in
    /// `ancestry` (outermost first, the run's own workflow included).
    ///
    /// # Errors
    /// The reference's message, which fails the calling step: `Workflow target must be
    /// an exact safe workflow ID`, `Workflow 'x' is reserved`, `Workflow composition
    /// cycle: a -> b -> a`, `Workflow composition exceeds maximum depth 16`, `Workflow
    /// 'x' is not installed`, `Workflow 'x' is disabled`, a resolution failure, an id
    /// mismatch, `Invalid workflow 'x': …`.
    fn resolve(&self, target: &Value, ancestry: &[String]) -> Result<CalledWorkflow, String>;
}

/// Why binding failed: the reference's `CallError` (the step fails), or an exception.
enum Fail {
    Call(String),
    Raise(Raise),
}

impl From<Raise> for Fail {
    fn from(r: Raise) -> Self {
        Fail::Raise(r)
    }
}

const RESERVED: [&str; 3] = ["overlays", "runs", "steps"];

fn is_safe_id(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match b {
        [] => false,
        [one] => ok(one),
        [first, mid @ .., last] => ok(first) && ok(last) && mid.iter().all(|c| ok(c) || *c == b'-'),
    }
}

/// `require_json`: values JSON cannot carry unchanged (NaN, infinities).
fn require_json(v: &Value) -> Result<(), String> {
    match v {
        Value::Float(f) if !f.is_finite() => {
            Err("Value is not JSON-safe: Out of range float values are not JSON compliant".to_owned())
        }
        Value::List(items) => items.iter().try_for_each(require_json),
        Value::Map(m) => m.values().try_for_each(require_json),
        _ => Ok(()),
    }
}

/// The reference's `validate_call`, errors joined with `; `.
fn validate_call(def: &StepDef) -> Result<(), String> {
    let mut errors = Vec::new();
    match def.get("workflow") {
        Some(Value::Str(t)) => {
            if !t.contains("{{") && (!is_safe_id(t) || RESERVED.contains(&t.as_str())) {
                errors.push("'workflow' must be an exact, safe, non-reserved workflow ID".to_owned());
            }
        }
        _ => errors.push("'workflow' must be a string".to_owned()),
    }
    match def.get("input") {
        None => {}
        Some(Value::Map(m)) => {
            if let Err(e) = require_json(&Value::Map(m.clone())) {
                errors.push(e);
            }
        }
        Some(_) => errors.push("'input' must be a mapping with string keys".to_owned()),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn workflow_id(doc: &Node) -> String {
    doc.get("workflow").and_then(|w| w.get("id")).map(|n| n.to_value().py_str()).unwrap_or_default()
}

/// The dispatch defaults of a definition.
pub(crate) fn defaults_of(doc: &Node) -> Defaults {
    let wf = doc.get("workflow").filter(|w| w.as_map().is_some());
    let get = |k: &str| wf.and_then(|w| w.get(k)).map_or(Value::Null, Node::to_value);
    let options = match get("options") {
        Value::Map(m) => m,
        _ => Map::new(),
    };
    Defaults { integration: get("integration"), model: get("model"), options }
}

fn raise(e: baton_expr::ExprError) -> Raise {
    Raise::Exception(e.to_string())
}

impl<S: RunSession + Send> Driver<'_, S> {
    /// The reference's `bind_inputs`: the call's `input` evaluated in the caller's
    /// context, checked against the callee's declarations, then resolved (over
    /// `previous` when re-binding).
    fn bind_inputs(&self, callee: &Node, def: &StepDef, scope: &Scope, previous: Option<&Map>) -> Result<Map, Fail> {
        let mapping = match def.get("input") {
            None => Map::new(),
            Some(Value::Map(m)) => m.clone(),
            Some(_) => return Err(Fail::Call("'input' must be a mapping with string keys".to_owned())),
        };
        let mut provided = Map::new();
        for (k, v) in &mapping {
            provided.insert(k.clone(), baton_expr::render_value(v, scope).map_err(raise)?);
        }
        require_json(&Value::Map(provided.clone())).map_err(Fail::Call)?;
        let declared = callee.get("inputs").map_or(Value::Map(Map::new()), Node::to_value);
        let names: Vec<&String> = match &declared {
            Value::Map(m) => m.keys().collect(),
            _ => Vec::new(),
        };
        let mut unknown: Vec<&String> = provided.keys().filter(|k| !names.contains(k)).collect();
        if !unknown.is_empty() {
            unknown.sort();
            let list: Vec<String> = unknown.iter().map(|k| str_repr(k)).collect();
            return Err(Fail::Call(format!(
                "Undeclared inputs for workflow {}: [{}]",
                str_repr(&workflow_id(callee)),
                list.join(", ")
            )));
        }
        let mut merged = previous.cloned().unwrap_or_default();
        merged.extend(provided);
        let decls = baton_inputs::parse_declarations(&declared);
        let resolved = baton_inputs::resolve(&decls, &merged, self.integration_json.as_deref(), None)
            .map_err(|e| Fail::Call(e.to_string()))?;
        require_json(&Value::Map(resolved.clone())).map_err(Fail::Call)?;
        Ok(resolved)
    }

    /// The callee's `outputs`, evaluated in its context.
    fn evaluate_outputs(callee: &Node, child: &Scope) -> Result<Map, Fail> {
        let outputs = callee.get("outputs").map_or(Value::Map(Map::new()), Node::to_value);
        let Value::Map(outputs) = outputs else {
            return Err(Fail::Call("'outputs' must be a mapping".to_owned()));
        };
        let mut errors = Vec::new();
        for (name, entry) in &outputs {
            if !is_safe_id(name) {
                errors.push(format!("Output {} must be a safe identifier", str_repr(name)));
            } else if ["workflow", "status", "error", "aborted", "integration", "model", "options", "input"]
                .contains(&name.as_str())
            {
                errors.push(format!("Output {} is reserved", str_repr(name)));
            }
            match entry {
                Value::Map(e) if e.len() == 1 && e.contains_key("value") => {
                    if let Err(m) = require_json(e.get("value").unwrap_or(&Value::Null)) {
                        errors.push(format!("Output {}: {m}", str_repr(name)));
                    }
                }
                _ => errors.push(format!("Output {} must contain exactly 'value'", str_repr(name))),
            }
        }
        if !errors.is_empty() {
            return Err(Fail::Call(errors.join("; ")));
        }
        let mut out = Map::new();
        for (name, entry) in &outputs {
            let expr = match entry {
                Value::Map(e) => e.get("value").cloned().unwrap_or(Value::Null),
                _ => Value::Null,
            };
            out.insert(name.clone(), baton_expr::render_value(&expr, child).map_err(raise)?);
        }
        require_json(&Value::Map(out.clone())).map_err(Fail::Call)?;
        Ok(out)
    }

    /// Runs a `type: workflow` occurrence: binds it (once), runs the callee's steps,
    /// and returns the call's own result.
    pub(crate) fn call(&self, def: &StepDef, path: &NodePath, scope: &Scope, at: &[PathSegment]) -> Result<StepResult, Raise> {
        let bound = self.with_node(path, |n| n.binding().cloned());
        let mut shown = def.get("workflow").cloned().unwrap_or(Value::Null);
        let (target, callee, binding) = match bound {
            None => {
                let attempt = (|| -> Result<(String, Node, Binding), Fail> {
                    validate_call(def).map_err(Fail::Call)?;
                    let t = baton_expr::render_value(&shown, scope).map_err(raise)?;
                    shown = t.clone();
                    let called = match self.env.calls {
                        Some(r) => r.resolve(&t, &scope.ancestry).map_err(Fail::Call)?,
                        None => {
                            return Err(Fail::Call(format!(
                                "Workflow {} is not installed",
                                str_repr(&t.py_str())
                            )))
                        }
                    };
                    let target = t.py_str();
                    let inputs = self.bind_inputs(&called.definition, def, scope, None)?;
                    let binding = Binding::new(
                        &target,
                        defs::dump(&called.definition),
                        map_to_object(&inputs),
                        called.workflow_dir.clone(),
                    );
                    Ok((target, called.definition, binding))
                })();
                match attempt {
                    Ok((target, callee, binding)) => {
                        let n = callee.get("steps").and_then(Node::as_seq).map_or(0, <[Node]>::len);
                        self.commit(StepDelta {
                            edits: vec![TreeEdit::set(
                                path.clone(),
                                vec![
                                    NodeField::Phase(Phase::Children),
                                    NodeField::Binding(Some(binding.clone())),
                                    NodeField::Children(vec![Sequence::shared(n)]),
                                ],
                            )],
                            ..Default::default()
                        })?;
                        (target, callee, binding)
                    }
                    Err(Fail::Raise(r)) => return Err(r),
                    Err(Fail::Call(message)) => {
                        let workflow = match &shown {
                            Value::Str(s) => s.clone(),
                            other => other.py_repr(),
                        };
                        let output = Map::from_iter([
                            ("workflow".to_owned(), Value::Str(workflow)),
                            ("status".to_owned(), Value::from("failed")),
                            ("error".to_owned(), Value::Str(message.clone())),
                        ]);
                        return Ok(StepResult::failed(output, message));
                    }
                }
            }
            Some(mut binding) => {
                let text = binding.definition().unwrap_or_default().to_owned();
                let callee = yaml::parse(&text).map_err(|e| Raise::Exception(e.to_string()))?;
                let target = binding.workflow().unwrap_or_default().to_owned();
                if self.rebind {
                    let previous = binding.inputs().map(object_to_map).unwrap_or_default();
                    let inputs = match self.bind_inputs(&callee, def, scope, Some(&previous)) {
                        Ok(i) => i,
                        Err(Fail::Call(m)) => return Err(Raise::Exception(m)),
                        Err(Fail::Raise(r)) => return Err(r),
                    };
                    binding.set_inputs(map_to_object(&inputs));
                    self.commit(StepDelta {
                        edits: vec![TreeEdit::set(path.clone(), vec![NodeField::Binding(Some(binding.clone()))])],
                        ..Default::default()
                    })?;
                }
                (target, callee, binding)
            }
        };
        let steps = callee.get("steps").and_then(Node::as_seq).map(<[Node]>::to_vec).unwrap_or_default();
        let child_defs = defs::from_nodes(steps).map_err(Raise::Exception)?;
        let mut ancestry = scope.ancestry.clone();
        ancestry.push(target.clone());
        let workflow_dir = binding.workflow_dir().map(str::to_owned);
        let mut child = Scope::new(
            binding.inputs().map(object_to_map).unwrap_or_default(),
            Map::new(),
            baton_expr::context_value(Some(&self.run_id), workflow_dir.as_deref()),
            ancestry,
            defaults_of(&callee),
            workflow_dir.map(Into::into),
        );
        child.inside_fan_out = scope.inside_fan_out;
        let mut child_at = at.to_vec();
        child_at.push(PathSegment::Name("workflow".to_owned()));
        let (outcome, error) = self.run_child_workflow(path, &child_defs, &mut child, &child_at)?;
        let mut output = Map::new();
        output.insert("workflow".into(), Value::Str(target));
        output.insert("status".into(), Value::from(outcome.as_str()));
        if outcome == Outcome::Completed {
            self.commit(StepDelta {
                edits: vec![TreeEdit::set(path.clone(), vec![NodeField::Phase(Phase::Outputs)])],
                ..Default::default()
            })?;
            match Self::evaluate_outputs(&callee, &child) {
                Ok(outs) => output.extend(outs),
                Err(Fail::Raise(r)) => return Err(r),
                Err(Fail::Call(message)) => {
                    output.insert("status".into(), Value::from("failed"));
                    output.insert("error".into(), Value::Str(message.clone()));
                    return Ok(StepResult::failed(output, message));
                }
            }
        } else if outcome == Outcome::Aborted {
            output.insert("aborted".into(), Value::Bool(true));
        }
        if let Some(e) = &error {
            output.insert("error".into(), Value::Str(e.clone()));
        }
        let status = match outcome {
            Outcome::Completed => StepStatus::Completed,
            Outcome::Paused => StepStatus::Paused,
            _ => StepStatus::Failed,
        };
        let mut result = StepResult::with_status(status, output);
        result.error = error;
        Ok(result)
    }
}
