//! The serde types of a workflow definition (its wire form), with a doc comment on
//! every field: they generate the JSON Schema ([`crate::workflow_schema`]) and give
//! typed access to a validated document.
//!
//! Values that the reference evaluates as `{{ }}` templates, or never checks, are typed
//! loosely ([`Any`]), so every document the reference accepts deserializes. Typing here
//! is never stricter than the reference; [`crate::validate()`] is the judge of validity.

mod steps;
mod values;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::yaml::Node;

pub use steps::{
    CommandStep, CustomStep, FanInStep, FanOutStep, GateStep, GithubStep, IfStep, InitStep,
    LoopStep, OnReject, OutputFormat, PromptStep, ShellStep, SlotStep, Step, StepCommon,
    SwitchStep, WorkflowCallStep,
};
pub use values::{Any, AnyMap, Condition, Int, SchemaVersion};

/// A workflow definition file (`workflow.yml`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(title = "Spec Kit workflow", rename = "WorkflowDocument")]
pub struct WorkflowDocument {
    /// The JSON Schema of this file, for editors; ignored by the engine.
    #[serde(rename = "$schema", default)]
    #[schemars(with = "String")]
    pub schema: Option<String>,

    /// The definition format version: `"1.0"` (an unquoted `1.0` is accepted too).
    /// Absent means `"1.0"`.
    #[serde(default)]
    #[schemars(with = "SchemaVersion")]
    pub schema_version: Option<SchemaVersion>,

    /// Who the workflow is: id, name, version and the defaults of agent steps.
    pub workflow: WorkflowMeta,

    /// Advisory pre-conditions (never enforced at run time).
    #[serde(default)]
    #[schemars(with = "Requires")]
    pub requires: Option<Requires>,

    /// The inputs the workflow takes, by name (`-i name=value` on the command line,
    /// `{{ inputs.name }}` in expressions), in declaration order.
    #[serde(default, deserialize_with = "values::opt_key_map")]
    #[schemars(with = "IndexMap<String, InputDecl>")]
    pub inputs: Option<IndexMap<String, InputDecl>>,

    /// Values the workflow returns to a `workflow` step that calls it, by name.
    #[serde(default, deserialize_with = "values::opt_key_map")]
    #[schemars(
        with = "IndexMap<String, OutputDecl>",
        extend("propertyNames" = {
            "pattern": "^(?:[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])$",
            "not": {"enum": ["workflow", "status", "error", "aborted", "integration", "model", "options", "input"]}
        })
    )]
    pub outputs: Option<IndexMap<String, OutputDecl>>,

    /// The steps, run in order.
    #[schemars(extend("minItems" = 1))]
    pub steps: Vec<Step>,
}

impl WorkflowDocument {
    /// The typed view of a loaded document. Every document the reference accepts
    /// converts; so may some that [`crate::validate()`] rejects.
    ///
    /// # Errors
    /// [`ModelError`] when the document does not fit the model (a step that is not a
    /// mapping, a `run` that is not a string, …).
    pub fn from_node(node: &Node) -> Result<Self, ModelError> {
        serde_yaml::from_value(node.to_serde_yaml()).map_err(|e| ModelError(e.to_string()))
    }
}

/// A document that does not fit [`WorkflowDocument`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the document does not fit the workflow model: {0}")]
pub struct ModelError(pub String);

/// The `workflow:` block.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct WorkflowMeta {
    /// The workflow id: lowercase letters, digits and hyphens, not starting or ending
    /// with a hyphen (e.g. `speckit`, `bug-fix`).
    #[schemars(regex(pattern = r"^(?:[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])$"))]
    pub id: String,

    /// A human-readable name.
    #[schemars(length(min = 1))]
    pub name: String,

    /// The workflow's own version, `X.Y.Z` (quote it: `version: "1.0.0"`). Absent
    /// means `0.0.0`.
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r"^[^.]+\.[^.]+\.[^.]+$"))]
    pub version: Option<String>,

    /// Who wrote the workflow (informational).
    #[serde(default)]
    pub author: Option<Any>,

    /// What the workflow does (shown by `list` and `info`).
    #[serde(default)]
    pub description: Option<Any>,

    /// The default integration (agent) of `command` and `prompt` steps, e.g. `claude`;
    /// may be a `{{ }}` expression such as `{{ inputs.integration }}`.
    #[serde(default)]
    pub integration: Option<String>,

    /// The default model of `command` and `prompt` steps.
    #[serde(default)]
    pub model: Option<String>,

    /// Default options recorded with every `command` step (merged under the step's own).
    #[serde(default)]
    pub options: Option<AnyMap>,
}

/// The `requires:` block: advisory, never enforced. Only these two keys are accepted.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// The Spec Kit version the workflow expects, e.g. `">=0.8.5"`.
    #[serde(default)]
    pub speckit_version: Option<Any>,

    /// The integrations the workflow is known to work with, e.g. `{any: [claude, copilot]}`.
    #[serde(default)]
    pub integrations: Option<Any>,
}

/// One input declaration.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct InputDecl {
    /// `string` (default), `number` or `boolean`.
    #[serde(default, rename = "type")]
    #[schemars(schema_with = "values::input_type_schema")]
    pub input_type: Option<Any>,

    /// Whether a value must be given when there is no `default` (any truthy value
    /// means yes).
    #[serde(default)]
    pub required: Option<Any>,

    /// The value used when none is given; it must pass the input's type and `enum`.
    /// `auto` for an input named `integration` means the project's integration.
    #[serde(default)]
    pub default: Option<Any>,

    /// The allowed values.
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<Any>>,

    /// The question asked when prompting for the value on a terminal.
    #[serde(default)]
    pub prompt: Option<Any>,

    /// What the input is for.
    #[serde(default)]
    pub description: Option<Any>,
}

/// One workflow output: exactly a `value`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputDecl {
    /// The value, usually a `{{ }}` expression evaluated when the workflow finishes; it
    /// must be JSON-safe.
    pub value: Any,
}
