//! The step types (steps.md §3–§18).

use std::borrow::Cow;

use indexmap::IndexMap;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::values::{key_map, Any, AnyMap, Condition, Int};
use crate::validate::BUILTIN_STEP_TYPES;

/// The fields every step has.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct StepCommon {
    /// The step id: unique across the workflow (nested steps included), without `:`.
    /// Later steps read this step's result as `{{ steps.<id>.output... }}`.
    pub id: String,

    /// The step type; absent means `command`. One of the 14 built-in types, or a
    /// custom step type installed in the project.
    #[serde(default, rename = "type")]
    #[schemars(with = "String", extend("examples" = BUILTIN_STEP_TYPES))]
    pub type_key: Option<String>,

    /// When `true`, a failure of this step is recorded and the run goes on (never for
    /// a gate abort, and not for failures of nested steps). Must be a literal boolean.
    #[serde(default)]
    #[schemars(with = "bool")]
    pub continue_on_error: Option<bool>,
}

/// The `retry` mapping of `shell`, `command` and `prompt` steps (baton extension).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read through `baton_model::retry`; this type shapes the schema
pub struct Retry {
    /// Attempts in all, the first included (default 3).
    #[schemars(range(min = 1, max = 100))]
    pub max_attempts: Option<u32>,
    /// Seconds to wait before the second attempt (default 1).
    #[schemars(range(min = 0, max = 86400))]
    pub delay: Option<f64>,
    /// Factor applied to the wait after each further failure (default 2).
    #[schemars(range(min = 1, max = 10))]
    pub backoff: Option<f64>,
    /// The longest wait, in seconds (default: no cap).
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 86400))]
    pub max_delay: Option<f64>,
}

/// `output_format` of a shell step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Parse stdout as JSON into `output.data`.
    Json,
}

/// A `shell` step: runs `run` with `/bin/sh -c` in the project root.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ShellStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The command line; `{{ }}` expressions in it are replaced before it runs.
    pub run: String,

    /// Seconds before the command is killed (default 300): a positive number.
    #[serde(default)]
    #[schemars(with = "f64", extend("exclusiveMinimum" = 0))]
    pub timeout: Option<f64>,

    /// `json`: parse stdout as JSON into `output.data` (the step fails if it is not JSON).
    #[serde(default)]
    pub output_format: Option<OutputFormat>,

    /// baton extension (ignored by the reference): run the step again after a failure
    /// (a timeout included), waiting `delay × backoff^(n−1)` seconds, at most
    /// `max_delay`, up to `max_attempts` attempts in all.
    #[serde(default)]
    #[schemars(with = "Option<Retry>")]
    pub retry: Option<Any>,
}

/// A `command` step (the default type): runs an agent command such as `speckit.plan`
/// through the integration's CLI.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(extend(
    "if" = { "properties": { "capture": { "const": true } }, "required": ["capture"] },
    "then" = { "properties": { "timeout": { "type": "number", "exclusiveMinimum": 0 } } },
    "dependencies" = { "capture_max_bytes": { "properties": { "capture": { "const": true } }, "required": ["capture"] } }
))]
pub struct CommandStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The agent command: `speckit.plan`, bare `plan`, or an extension command such as
    /// `speckit.git.commit`.
    pub command: String,

    /// Values passed to the command; only `input.args` reaches the agent. Each value
    /// may be a `{{ }}` expression.
    #[serde(default)]
    #[schemars(with = "AnyMap")]
    pub input: Option<AnyMap>,

    /// The integration (agent) to use, e.g. `claude`; null or absent means
    /// `workflow.integration`. May be a `{{ }}` expression.
    #[serde(default)]
    pub integration: Option<String>,

    /// The model; null or absent means `workflow.model`.
    #[serde(default)]
    pub model: Option<String>,

    /// Options merged over `workflow.options` and recorded with the step (never passed
    /// to the agent).
    #[serde(default)]
    #[schemars(with = "AnyMap")]
    pub options: Option<AnyMap>,

    /// Extra arguments for integrations that accept them (each may be a `{{ }}` expression).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub integration_args: Option<Vec<String>>,

    /// Integration-specific options (string keys; values may be `{{ }}` expressions).
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Any>")]
    pub integration_options: Option<IndexMap<String, Any>>,

    /// `true`: capture the agent's output into `output.stdout`/`stderr` instead of
    /// streaming it to the terminal.
    #[serde(default)]
    #[schemars(with = "bool")]
    pub capture: Option<bool>,

    /// With `capture: true`: the most bytes kept per stream (default 1048576), or -1
    /// for no limit.
    #[serde(default)]
    #[schemars(schema_with = "capture_max_bytes_schema")]
    pub capture_max_bytes: Option<Int>,

    /// With `capture: true`: seconds before the agent is stopped (default 600). A
    /// streaming command has no timeout and this value is then ignored.
    #[serde(default)]
    pub timeout: Option<Any>,

    /// baton extension (ignored by the reference): run the step again after a failure
    /// (a timeout included), waiting `delay × backoff^(n−1)` seconds, at most
    /// `max_delay`, up to `max_attempts` attempts in all.
    #[serde(default)]
    #[schemars(with = "Option<Retry>")]
    pub retry: Option<Any>,
}

/// A `prompt` step: sends free text to an agent.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(extend(
    "dependencies" = { "capture_max_bytes": { "properties": { "capture": { "const": true } }, "required": ["capture"] } }
))]
pub struct PromptStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The text sent to the agent; `{{ }}` expressions in it are replaced.
    pub prompt: String,

    /// The integration (agent) to use; null or absent means `workflow.integration`.
    #[serde(default)]
    pub integration: Option<String>,

    /// The model; null or absent means `workflow.model`.
    #[serde(default)]
    pub model: Option<String>,

    /// Seconds before the agent is stopped (default 300): a positive number.
    #[serde(default)]
    #[schemars(with = "f64", extend("exclusiveMinimum" = 0))]
    pub timeout: Option<f64>,

    /// `true`: capture the agent's output instead of streaming it.
    #[serde(default)]
    #[schemars(with = "bool")]
    pub capture: Option<bool>,

    /// With `capture: true`: the most bytes kept per stream (default 1048576), or -1
    /// for no limit.
    #[serde(default)]
    #[schemars(schema_with = "capture_max_bytes_schema")]
    pub capture_max_bytes: Option<Int>,

    /// baton extension (ignored by the reference): run the step again after a failure
    /// (a timeout included), waiting `delay × backoff^(n−1)` seconds, at most
    /// `max_delay`, up to `max_attempts` attempts in all.
    #[serde(default)]
    #[schemars(with = "Option<Retry>")]
    pub retry: Option<Any>,
}

fn capture_max_bytes_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "With `capture: true`: the most bytes kept per stream (default 1048576), or -1 for no limit.",
        "anyOf": [
            { "type": "integer", "minimum": 1 },
            { "const": -1 }
        ]
    })
}

/// An `init` step: runs `specify init` in the project. Only `script` is validated;
/// string values may be `{{ }}` expressions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct InitStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The directory to create the project in (ignored when `here` is true).
    #[serde(default)]
    pub project: Option<Any>,

    /// Initialise the current directory (bool, or a string such as `"yes"`).
    #[serde(default)]
    pub here: Option<Any>,

    /// The integration to set up; default `workflow.integration`, else
    /// `SPECKIT_INTEGRATION_DEFAULT`, else `copilot`.
    #[serde(default)]
    pub integration: Option<Any>,

    /// Passed to `--integration-options` as text.
    #[serde(default)]
    pub integration_options: Option<Any>,

    /// The script flavour: `sh`, `ps` or `py` (or a `{{ }}` expression).
    #[serde(default)]
    #[schemars(schema_with = "script_schema")]
    pub script: Option<String>,

    /// A preset to apply.
    #[serde(default)]
    pub preset: Option<Any>,

    /// Merge into a non-empty directory.
    #[serde(default)]
    pub force: Option<Any>,

    /// Pass `--ignore-agent-tools` (default true).
    #[serde(default)]
    pub ignore_agent_tools: Option<Any>,
}

fn script_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The script flavour: `sh`, `ps` or `py` (or a `{{ }}` expression).",
        "anyOf": [
            { "enum": ["sh", "ps", "py", null] },
            { "type": "string", "pattern": "\\{\\{" }
        ]
    })
}

/// What a gate does when its choice is `reject` (or `abort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnReject {
    /// Stop the run as `aborted` (the default).
    Abort,
    /// Go on with the next step.
    Skip,
    /// Pause again (resetting the bound verdict input to `""`).
    Retry,
}

/// A `gate` step: pauses for a human decision.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct GateStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// What the reviewer is asked; may be a `{{ }}` expression.
    pub message: Any,

    /// The choices (default `[approve, reject]`); `reject` or `abort` rejects.
    #[serde(default)]
    #[schemars(with = "Vec<String>", extend("minItems" = 1))]
    pub options: Option<Vec<String>>,

    /// What a rejection does: `abort` (default), `skip` or `retry`.
    #[serde(default)]
    #[schemars(with = "OnReject")]
    pub on_reject: Option<OnReject>,

    /// A file shown with the message on a terminal; may be a `{{ }}` expression.
    #[serde(default)]
    pub show_file: Option<Any>,

    /// The name of a declared input that carries the decision
    /// (`baton resume <run> -i <name>=approve`); not allowed inside a fan-out.
    #[serde(default)]
    #[schemars(with = "String", length(min = 1))]
    pub verdict_input: Option<String>,
}

/// An `if` step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct IfStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// `true`/`false`, or one whole `{{ }}` expression.
    pub condition: Condition,

    /// The steps run when the condition holds.
    pub then: Vec<Step>,

    /// The steps run otherwise.
    #[serde(default, rename = "else")]
    pub otherwise: Option<Vec<Step>>,
}

/// A `switch` step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SwitchStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The value to match, usually a `{{ }}` expression.
    pub expression: Any,

    /// Value → steps. The value's text (Python `str()`, stripped) is compared with each
    /// key in order; YAML keys such as `true` or `3` match `True` and `3`.
    #[serde(deserialize_with = "key_map")]
    pub cases: IndexMap<String, Vec<Step>>,

    /// The steps run when no case matches.
    #[serde(default)]
    pub default: Option<Vec<Step>>,
}

/// A `while` or `do-while` step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct LoopStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// `true`/`false`, or one whole `{{ }}` expression, evaluated after each iteration
    /// (and, for `while`, before the first).
    pub condition: Condition,

    /// The loop body.
    pub steps: Vec<Step>,

    /// The most iterations (default 10): a literal integer of at least 1.
    #[serde(default)]
    #[schemars(with = "Option<Int>", extend("minimum" = 1))]
    pub max_iterations: Option<Int>,
}

/// A `fan-out` step: runs the `step` template once per item.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct FanOutStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The items: a `{{ }}` expression giving a list, or a YAML list.
    pub items: Any,

    /// The step template run for each item (`{{ item }}` is the item); its own id space.
    pub step: Box<Step>,

    /// How many items run at once (default 1).
    #[serde(default)]
    pub max_concurrency: Option<Any>,
}

/// A `fan-in` step: collects the results of earlier steps.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct FanInStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The ids of earlier steps whose outputs are collected into `output.results`.
    #[schemars(extend("minItems" = 1))]
    pub wait_for: Vec<String>,

    /// Extra output keys; string values with `{{ }}` are evaluated with
    /// `fan_in.results` available.
    #[serde(default)]
    pub output: Option<AnyMap>,
}

/// A `slot` step: a named placeholder that project overlays can fill; skipped when
/// unfilled.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SlotStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The slot label.
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
}

/// A `github` step: adds one label to an issue or pull request with the `gh` CLI.
/// No other keys are allowed.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubStep {
    /// The step id.
    pub id: String,

    /// `github`.
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub type_key: Option<String>,

    /// `add-label`, the only operation.
    #[schemars(with = "String", extend("const" = "add-label"))]
    pub operation: String,

    /// `issue` or `pull_request`.
    #[schemars(with = "String", extend("enum" = ["issue", "pull_request"]))]
    pub target: String,

    /// `owner/repo`, or a `{{ }}` expression.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$|\{\{"))]
    pub repository: String,

    /// The issue or pull-request number: a positive integer, a digit string, or a
    /// `{{ }}` expression.
    #[schemars(schema_with = "github_number_schema")]
    pub number: Any,

    /// The label: at most 50 characters, no control characters (or a `{{ }}` expression).
    pub label: String,

    /// When `true`, a failure is recorded and the run goes on.
    #[serde(default)]
    #[schemars(with = "bool")]
    pub continue_on_error: Option<bool>,
}

fn github_number_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The issue or pull-request number: a positive integer, a digit string, or a `{{ }}` expression.",
        "anyOf": [
            { "type": "integer", "minimum": 1 },
            { "type": "string", "pattern": "^[1-9][0-9]*$|\\{\\{" }
        ]
    })
}

/// A `workflow` step: runs an installed workflow and returns its outputs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct WorkflowCallStep {
    /// The fields every step has.
    #[serde(flatten)]
    pub common: StepCommon,

    /// The id of the installed workflow to call (or a `{{ }}` expression).
    #[schemars(regex(pattern = r"^(?:[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])$|\{\{"))]
    pub workflow: String,

    /// The callee's inputs (string keys, JSON-safe values; `{{ }}` expressions are
    /// evaluated in the caller).
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Any>")]
    pub input: Option<IndexMap<String, Any>>,
}

/// A step of a custom type (an installed step package): its fields as written.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomStep {
    /// The step id.
    pub id: String,
    /// The custom type key.
    pub type_key: String,
    /// The whole step mapping.
    pub config: serde_yaml::Mapping,
}

/// One step of any type.
#[derive(Debug, Clone)]
pub enum Step {
    /// `command` (also a step without `type`).
    Command(CommandStep),
    /// `shell`.
    Shell(ShellStep),
    /// `prompt`.
    Prompt(PromptStep),
    /// `init`.
    Init(InitStep),
    /// `gate`.
    Gate(GateStep),
    /// `if`.
    If(IfStep),
    /// `switch`.
    Switch(SwitchStep),
    /// `while`.
    While(LoopStep),
    /// `do-while`.
    DoWhile(LoopStep),
    /// `fan-out`.
    FanOut(FanOutStep),
    /// `fan-in`.
    FanIn(FanInStep),
    /// `github`.
    Github(GithubStep),
    /// `slot`.
    Slot(SlotStep),
    /// `workflow`.
    Workflow(WorkflowCallStep),
    /// Any other type: a custom step type.
    Custom(CustomStep),
}

impl Step {
    /// The step's type key (`command` when the step has no `type`).
    pub fn type_key(&self) -> &str {
        match self {
            Step::Command(_) => "command",
            Step::Shell(_) => "shell",
            Step::Prompt(_) => "prompt",
            Step::Init(_) => "init",
            Step::Gate(_) => "gate",
            Step::If(_) => "if",
            Step::Switch(_) => "switch",
            Step::While(_) => "while",
            Step::DoWhile(_) => "do-while",
            Step::FanOut(_) => "fan-out",
            Step::FanIn(_) => "fan-in",
            Step::Github(_) => "github",
            Step::Slot(_) => "slot",
            Step::Workflow(_) => "workflow",
            Step::Custom(c) => &c.type_key,
        }
    }

    /// The step id.
    pub fn id(&self) -> &str {
        match self {
            Step::Command(s) => &s.common.id,
            Step::Shell(s) => &s.common.id,
            Step::Prompt(s) => &s.common.id,
            Step::Init(s) => &s.common.id,
            Step::Gate(s) => &s.common.id,
            Step::If(s) => &s.common.id,
            Step::Switch(s) => &s.common.id,
            Step::While(s) | Step::DoWhile(s) => &s.common.id,
            Step::FanOut(s) => &s.common.id,
            Step::FanIn(s) => &s.common.id,
            Step::Github(s) => &s.id,
            Step::Slot(s) => &s.common.id,
            Step::Workflow(s) => &s.common.id,
            Step::Custom(s) => &s.id,
        }
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_yaml::Value::deserialize(d)?;
        let serde_yaml::Value::Mapping(map) = value else {
            return Err(de::Error::custom("a step must be a mapping"));
        };
        let type_key = match map.get("type") {
            None => "command".to_owned(),
            Some(serde_yaml::Value::String(s)) => s.clone(),
            Some(_) => return Err(de::Error::custom("a step `type` must be a string")),
        };
        fn typed<T: serde::de::DeserializeOwned, E: de::Error>(
            map: serde_yaml::Mapping,
            f: fn(T) -> Step,
        ) -> Result<Step, E> {
            serde_yaml::from_value(serde_yaml::Value::Mapping(map)).map(f).map_err(E::custom)
        }
        match type_key.as_str() {
            "command" => typed(map, Step::Command),
            "shell" => typed(map, Step::Shell),
            "prompt" => typed(map, Step::Prompt),
            "init" => typed(map, Step::Init),
            "gate" => typed(map, Step::Gate),
            "if" => typed(map, Step::If),
            "switch" => typed(map, Step::Switch),
            "while" => typed(map, Step::While),
            "do-while" => typed(map, Step::DoWhile),
            "fan-out" => typed(map, Step::FanOut),
            "fan-in" => typed(map, Step::FanIn),
            "github" => typed(map, Step::Github),
            "slot" => typed(map, Step::Slot),
            "workflow" => typed(map, Step::Workflow),
            _ => {
                let id = match map.get("id") {
                    Some(serde_yaml::Value::String(s)) => s.clone(),
                    _ => return Err(de::Error::custom("a step `id` must be a string")),
                };
                Ok(Step::Custom(CustomStep { id, type_key, config: map }))
            }
        }
    }
}

/// Makes the schema of one step type's struct.
type DefinitionFn = fn(&mut SchemaGenerator) -> Schema;

/// The schema definition of each built-in step type's struct.
const STEP_DEFINITIONS: [(&str, DefinitionFn); 14] = [
    ("command", |g| g.subschema_for::<CommandStep>()),
    ("do-while", |g| g.subschema_for::<LoopStep>()),
    ("fan-in", |g| g.subschema_for::<FanInStep>()),
    ("fan-out", |g| g.subschema_for::<FanOutStep>()),
    ("gate", |g| g.subschema_for::<GateStep>()),
    ("github", |g| g.subschema_for::<GithubStep>()),
    ("if", |g| g.subschema_for::<IfStep>()),
    ("init", |g| g.subschema_for::<InitStep>()),
    ("prompt", |g| g.subschema_for::<PromptStep>()),
    ("shell", |g| g.subschema_for::<ShellStep>()),
    ("slot", |g| g.subschema_for::<SlotStep>()),
    ("switch", |g| g.subschema_for::<SwitchStep>()),
    ("while", |g| g.subschema_for::<LoopStep>()),
    ("workflow", |g| g.subschema_for::<WorkflowCallStep>()),
];

impl JsonSchema for Step {
    fn schema_name() -> Cow<'static, str> {
        "Step".into()
    }

    /// A mapping with an `id`; its `type` (default `command`) selects the definition
    /// the rest must satisfy. Other types (custom step packages) are accepted as is.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut branches = vec![json_schema!({
            "if": { "not": { "required": ["type"] } },
            "then": generator.subschema_for::<CommandStep>()
        })];
        for (type_key, definition) in STEP_DEFINITIONS {
            branches.push(json_schema!({
                "if": {
                    "properties": { "type": { "const": type_key } },
                    "required": ["type"]
                },
                "then": definition(generator)
            }));
        }
        json_schema!({
            "description": "One step. `type` (default `command`) selects its fields.",
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {
                    "description": "The step id: unique across the workflow, without `:`.",
                    "type": "string",
                    "minLength": 1,
                    "pattern": "^[^:]*$"
                },
                "type": {
                    "description": "The step type; absent means `command`. A custom step type installed in the project is accepted too.",
                    "anyOf": [
                        { "enum": BUILTIN_STEP_TYPES },
                        { "type": "string" }
                    ]
                }
            },
            "allOf": branches
        })
    }
}
