//! [`Scope`]: the expression namespace of one execution context (the reference's
//! `StepContext` data): `inputs`, `steps`, `item`, `fan_in`, `context`.

use std::path::PathBuf;
use std::sync::Arc;

use baton_expr::{Map, Namespace, Value};
use baton_state::NodePath;

/// The workflow-level dispatch defaults (`workflow.integration`, `.model`, `.options`).
#[derive(Debug, Clone)]
pub(crate) struct Defaults {
    pub integration: Value,
    pub model: Value,
    pub options: Map,
}

/// The roots an expression sees while a step of this context runs.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// `inputs` (a map).
    pub inputs: Value,
    /// `steps` (a map): id → record, published as steps finish.
    steps: Value,
    /// `item` (null outside a fan-out).
    pub item: Value,
    /// `fan_in` (`{}`; a fan-in step overlays its own while evaluating `output`).
    pub fan_in: Value,
    /// `context`: `{"run_id", "workflow_dir"}`.
    pub context: Value,
    /// Inside a fan-out item.
    pub inside_fan_out: bool,
    /// Names projected so far (kept only where the caller asks: fan-out items).
    pub projected: Option<Vec<String>>,
    /// A fan-out item's top node and the alias (`fan:step:i`) its record is published
    /// under: a leaf there publishes it with its own finishing commit, so a finished
    /// item is never in the tree without its record.
    pub item_alias: Option<(NodePath, String)>,
    /// The ids of the workflows running, outermost first (the run's own included).
    pub ancestry: Vec<String>,
    /// The running workflow's dispatch defaults.
    pub defaults: Arc<Defaults>,
    /// The running workflow's directory.
    pub workflow_dir: Option<PathBuf>,
}

impl Scope {
    /// A workflow's context.
    pub fn new(
        inputs: Map,
        steps: Map,
        context: Value,
        ancestry: Vec<String>,
        defaults: Defaults,
        workflow_dir: Option<PathBuf>,
    ) -> Scope {
        Scope {
            ancestry,
            defaults: Arc::new(defaults),
            workflow_dir,
            inputs: Value::Map(inputs),
            steps: Value::Map(steps),
            item: Value::Null,
            fan_in: Value::Map(Map::new()),
            context,
            inside_fan_out: false,
            projected: None,
            item_alias: None,
        }
    }

    /// The published records.
    pub fn steps(&self) -> &Map {
        static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        match &self.steps {
            Value::Map(m) => m,
            _ => EMPTY.get_or_init(Map::new),
        }
    }

    /// A copy of this scope with other `steps` (fan-out items).
    pub fn with_steps(&self, steps: Map) -> Scope {
        Scope {
            inputs: self.inputs.clone(),
            steps: Value::Map(steps),
            item: Value::Null,
            fan_in: self.fan_in.clone(),
            context: self.context.clone(),
            inside_fan_out: self.inside_fan_out,
            projected: None,
            item_alias: None,
            ancestry: self.ancestry.clone(),
            defaults: Arc::clone(&self.defaults),
            workflow_dir: self.workflow_dir.clone(),
        }
    }

    /// Publishes a record under `name`.
    pub fn set_step(&mut self, name: &str, record: Value) {
        if let Value::Map(m) = &mut self.steps {
            m.insert(name.to_owned(), record);
        }
        if let Some(p) = &mut self.projected {
            p.push(name.to_owned());
        }
    }

    /// Sets an input (a gate's `input_updates`).
    pub fn set_input(&mut self, name: &str, value: Value) {
        if let Value::Map(m) = &mut self.inputs {
            m.insert(name.to_owned(), value);
        }
    }
}

impl Namespace for Scope {
    fn root(&self, name: &str) -> Option<&Value> {
        match name {
            "inputs" => Some(&self.inputs),
            "steps" => Some(&self.steps),
            "item" => Some(&self.item),
            "fan_in" => Some(&self.fan_in),
            "context" => Some(&self.context),
            _ => None,
        }
    }
}
