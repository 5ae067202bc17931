//! The step contract: what a step receives ([`StepContext`], its configuration) and what
//! it returns ([`StepResult`]), and the [`StepRegistry`] that maps a `type` key to its
//! implementation.
//!
//! A step is the reference's `execute(config, context)`: it reads its configuration (the
//! step's mapping from the workflow, unrendered — each step renders the fields it
//! documents), evaluates expressions against the context, may start processes, and
//! returns a status, an output mapping and, for control-flow steps, the steps to run next.
//! It never prints and never touches the run state; the engine records its result.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use baton_expr::{Map, Namespace, Value};

use crate::agents;
use crate::Cancel;

/// A step's own status (`spec/steps.md` §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepStatus {
    /// The step did its work.
    Completed,
    /// The step failed; `error` says why.
    Failed,
    /// The step chose not to run (e.g. a gate rejected with `on_reject: skip`).
    Skipped,
    /// The run stops here and resumes at this step (a gate without a verdict).
    Paused,
}

impl StepStatus {
    /// The spelling in records and logs: `completed`, `failed`, `skipped`, `paused`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Completed => "completed",
            StepStatus::Failed => "failed",
            StepStatus::Skipped => "skipped",
            StepStatus::Paused => "paused",
        }
    }
}

/// What a step returns.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    /// The step's own status.
    pub status: StepStatus,
    /// The step's output mapping (`steps.<id>.output`).
    pub output: Map,
    /// Steps to run next, as child sequence of this step (`if`/`switch` branch, loop
    /// body); each is a step mapping as written in the workflow. Empty for leaves.
    pub next_steps: Vec<Value>,
    /// The error of a failed step.
    pub error: Option<String>,
    /// Run inputs the step changes (name → new value), which the engine stores in the
    /// run's inputs (`inputs.json`) before the next step: a gate rejected with
    /// `on_reject: retry` resets its `verdict_input` to `""`. Empty for most steps.
    pub input_updates: Map,
}

impl StepResult {
    /// A completed leaf with this output.
    pub fn completed(output: Map) -> Self {
        StepResult::with_status(StepStatus::Completed, output)
    }

    /// A leaf with this status and output and no error.
    pub fn with_status(status: StepStatus, output: Map) -> Self {
        StepResult { status, output, next_steps: Vec::new(), error: None, input_updates: Map::new() }
    }

    /// A failed leaf with this output and error.
    pub fn failed(output: Map, error: impl Into<String>) -> Self {
        StepResult {
            status: StepStatus::Failed,
            output,
            next_steps: Vec::new(),
            error: Some(error.into()),
            input_updates: Map::new(),
        }
    }
}

/// Why a step did not return a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// The reference's exception escaping `execute` (an expression error, an invalid
    /// value at run time …): the run fails with this text as its error, no record is
    /// written for the step and `continue_on_error` does not apply.
    Raised(String),
    /// Ctrl-C or SIGTERM reached the step (its [`Cancel`] fired): the run is saved
    /// `paused` and the step re-runs on resume.
    Interrupted,
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::Raised(message) => f.write_str(message),
            StepError::Interrupted => f.write_str("interrupted"),
        }
    }
}

impl std::error::Error for StepError {}

impl From<baton_expr::ExprError> for StepError {
    fn from(e: baton_expr::ExprError) -> Self {
        StepError::Raised(e.to_string())
    }
}

/// A gate's question to a person at a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateQuestion<'a> {
    /// The qualified step id.
    pub step_id: &'a str,
    /// The rendered message.
    pub message: &'a str,
    /// The options, in order.
    pub options: &'a [String],
    /// The `show_file` content to show before asking, already read.
    pub file: Option<&'a str>,
}

/// A person's answer to a [`GateQuestion`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateAnswer {
    /// One of the options (or whatever the person typed, for the step to judge).
    Choice(String),
    /// End of input.
    Eof,
    /// Ctrl-C while asking.
    Interrupted,
}

/// The way a step reaches the person running baton. Implemented by the CLI; tests use
/// scripted implementations. `Sync`: fan-out items run on several threads.
pub trait Interaction: Send + Sync {
    /// Whether stdin is a terminal that a gate may ask on (the reference's
    /// `sys.stdin.isatty()`).
    fn stdin_is_terminal(&self) -> bool;
    /// Asks a gate question (only called when [`Interaction::stdin_is_terminal`]).
    fn ask_gate(&self, question: &GateQuestion<'_>) -> GateAnswer;
    /// A line for the person (the reference prints it on stdout; under `--json` it goes
    /// to stderr). Steps use it for what the reference's steps print (gate boxes,
    /// dispatch warnings).
    fn notice(&self, text: &str);
    /// The verdict given ahead of time for the gate `step_id` (`resume --choose`), if
    /// any: the gate takes it without asking and records `answered_by: "--choose"`.
    fn scripted_choice(&self, step_id: &str) -> Option<String> {
        let _ = step_id;
        None
    }
    /// The name of the person at the terminal (the CLI passes the user's login name),
    /// if known: a gate whose option was typed in answer to
    /// [`Interaction::ask_gate`] records it as `answered_by` (a baton addition; a
    /// `verdict_input` answer and the end-of-input fallback record none).
    fn user_name(&self) -> Option<&str> {
        None
    }
}

/// An [`Interaction`] for runs without a person: stdin is not a terminal, notices are
/// dropped.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoInteraction;

impl Interaction for NoInteraction {
    fn stdin_is_terminal(&self) -> bool {
        false
    }
    fn ask_gate(&self, _question: &GateQuestion<'_>) -> GateAnswer {
        GateAnswer::Eof
    }
    fn notice(&self, _text: &str) {}
}

/// Everything a step sees besides its configuration (`spec/steps.md` §1.2).
///
/// The expression roots (`inputs`, `steps`, `item`, `fan_in`, `context`) are reached
/// through [`Namespace`], so steps render templates with `baton_expr::render(…, ctx)`.
pub struct StepContext<'a> {
    /// The expression roots: `inputs`, `steps`, `item`, `fan_in`, `context`.
    pub namespace: &'a dyn Namespace,
    /// The qualified id of this occurrence (`lp:s:1`, `fo:t:0`, `build`).
    pub step_id: &'a str,
    /// Whether this occurrence is a fan-out item (or inside one).
    pub inside_fan_out: bool,
    /// `workflow.integration`.
    pub default_integration: Option<&'a str>,
    /// `workflow.model`.
    pub default_model: Option<&'a str>,
    /// `workflow.options` (`{}` when null).
    pub default_options: &'a Map,
    /// The project root: the working directory of every process a step starts.
    pub project_root: &'a Path,
    /// The run id.
    pub run_id: &'a str,
    /// Whether the run is being resumed (no built-in reads it).
    pub is_resume: bool,
    /// The absolute directory of the workflow file, if any.
    pub workflow_dir: Option<&'a Path>,
    /// The environment baton was started with (libraries never read the process's).
    pub env: &'a BTreeMap<String, String>,
    /// Fires on Ctrl-C / SIGTERM; processes started by the step must end with it.
    pub cancel: &'a Cancel,
    /// The person running baton.
    pub interaction: &'a dyn Interaction,
    /// `PATH` lookups and probes for agent CLIs.
    pub host: &'a dyn agents::Host,
}

impl Namespace for StepContext<'_> {
    fn root(&self, name: &str) -> Option<&Value> {
        self.namespace.root(name)
    }
}

/// A step type.
pub trait Step: Send + Sync {
    /// The `type` key this implementation serves (`shell`, `gate`, …).
    fn type_key(&self) -> &str;
    /// Runs one occurrence of the step. `config` is the step's mapping as written in
    /// the workflow (expressions not yet rendered).
    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError>;

    /// Runs one occurrence with the step's YAML node as well: the value PyYAML builds,
    /// whose mapping keys keep their YAML types (`true:` is the boolean `True`, not the
    /// string `"true"` that `config` spells it as). The engine always calls this one;
    /// the default ignores `node` and calls [`Step::execute`]. `switch` overrides it to
    /// match its cases by Python's `str()` of the keys.
    fn execute_node(
        &self,
        node: &baton_model::yaml::Node,
        config: &Map,
        ctx: &StepContext<'_>,
    ) -> Result<StepResult, StepError> {
        let _ = node;
        self.execute(config, ctx)
    }
}

/// Registering a step type whose key is already taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Step type '{0}' is already registered.")]
pub struct DuplicateStepType(pub String);

/// The step types a run can use, by `type` key.
#[derive(Clone, Default)]
pub struct StepRegistry {
    steps: BTreeMap<String, Arc<dyn Step>>,
}

impl fmt::Debug for StepRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.steps.keys()).finish()
    }
}

impl StepRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a step type; a key already present is refused.
    pub fn register(&mut self, step: Arc<dyn Step>) -> Result<(), DuplicateStepType> {
        let key = step.type_key().to_owned();
        if self.steps.contains_key(&key) {
            return Err(DuplicateStepType(key));
        }
        self.steps.insert(key, step);
        Ok(())
    }

    /// The implementation of `type_key`, if registered.
    pub fn get(&self, type_key: &str) -> Option<&Arc<dyn Step>> {
        self.steps.get(type_key)
    }

    /// Whether `type_key` is registered.
    pub fn contains(&self, type_key: &str) -> bool {
        self.steps.contains_key(type_key)
    }

    /// The registered keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.steps.keys().map(String::as_str)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Fixed(&'static str);
    impl Step for Fixed {
        fn type_key(&self) -> &str {
            self.0
        }
        fn execute(&self, _: &Map, _: &StepContext<'_>) -> Result<StepResult, StepError> {
            Ok(StepResult::completed(Map::new()))
        }
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let mut r = StepRegistry::new();
        assert!(r.register(Arc::new(Fixed("shell"))).is_ok());
        let err = r.register(Arc::new(Fixed("shell"))).unwrap_err();
        assert_eq!(err.to_string(), "Step type 'shell' is already registered.");
        assert!(r.contains("shell"));
        assert!(!r.contains("gate"));
        assert_eq!(r.keys().collect::<Vec<_>>(), ["shell"]);
    }
}
