//! The stable codes of [`Diagnostic`](crate::Diagnostic)s: one per rule, dotted and
//! lower-case (`<area>.<rule>`). They never change once published; new rules get new codes.

/// The document is not a mapping.
pub const DOCUMENT_NOT_MAPPING: &str = "document.not-mapping";
/// Warning: a key the reference ignores (likely a typo).
pub const UNKNOWN_FIELD: &str = "unknown-field";
/// `outputs` is not a mapping.
pub const OUTPUTS_NOT_MAPPING: &str = "outputs.not-mapping";
/// An output name is not a safe identifier.
pub const OUTPUT_NAME: &str = "outputs.name";
/// An output name is reserved.
pub const OUTPUT_RESERVED: &str = "outputs.reserved";
/// An output is not a mapping with exactly `value`.
pub const OUTPUT_SHAPE: &str = "outputs.shape";
/// An output value does not survive a JSON round trip.
pub const OUTPUT_NOT_JSON: &str = "outputs.not-json";
/// `schema_version` is not `1.0`.
pub const SCHEMA_VERSION: &str = "schema-version";
/// `workflow.id` is missing or empty.
pub const WORKFLOW_ID_MISSING: &str = "workflow.id-missing";
/// `workflow.id` is not a string.
pub const WORKFLOW_ID_TYPE: &str = "workflow.id-type";
/// `workflow.id` is not lowercase alphanumeric with hyphens.
pub const WORKFLOW_ID_FORMAT: &str = "workflow.id-format";
/// `workflow.name` is missing or empty.
pub const WORKFLOW_NAME_MISSING: &str = "workflow.name-missing";
/// `workflow.name` is not a string.
pub const WORKFLOW_NAME_TYPE: &str = "workflow.name-type";
/// `workflow.version` is null or empty.
pub const WORKFLOW_VERSION_MISSING: &str = "workflow.version-missing";
/// `workflow.version` is not a string.
pub const WORKFLOW_VERSION_TYPE: &str = "workflow.version-type";
/// `workflow.version` is not `X.Y.Z`.
pub const WORKFLOW_VERSION_FORMAT: &str = "workflow.version-format";
/// `workflow.integration`/`model`/`options` has the wrong type.
pub const WORKFLOW_DEFAULT_TYPE: &str = "workflow.default-type";
/// `inputs` is not a mapping.
pub const INPUTS_NOT_MAPPING: &str = "inputs.not-mapping";
/// An input definition is not a mapping.
pub const INPUT_NOT_MAPPING: &str = "inputs.definition";
/// An input `type` is not string, number or boolean.
pub const INPUT_TYPE: &str = "inputs.type";
/// An input `enum` is not a list.
pub const INPUT_ENUM: &str = "inputs.enum";
/// An input `default` fails the input's type or enum.
pub const INPUT_DEFAULT: &str = "inputs.default";
/// `requires` is not a mapping.
pub const REQUIRES_NOT_MAPPING: &str = "requires.not-mapping";
/// `requires.permissions` is declared (it is not enforced).
pub const REQUIRES_PERMISSIONS: &str = "requires.permissions";
/// An unknown key under `requires`.
pub const REQUIRES_UNKNOWN_KEY: &str = "requires.unknown-key";
/// `steps` is not a list.
pub const STEPS_NOT_LIST: &str = "steps.not-list";
/// `steps` is empty.
pub const STEPS_EMPTY: &str = "steps.empty";
/// A step is not a mapping.
pub const STEP_NOT_MAPPING: &str = "step.not-mapping";
/// A step has no `id`.
pub const STEP_ID_MISSING: &str = "step.id-missing";
/// A step `id` is not a string.
pub const STEP_ID_TYPE: &str = "step.id-type";
/// A step `id` contains `:`.
pub const STEP_ID_COLON: &str = "step.id-colon";
/// A step `id` is used twice.
pub const STEP_ID_DUPLICATE: &str = "step.id-duplicate";
/// A step `type` is not a string.
pub const STEP_TYPE_TYPE: &str = "step.type-type";
/// A step `type` is neither built in nor a loaded custom type.
pub const STEP_TYPE_UNKNOWN: &str = "step.type-unknown";
/// `continue_on_error` is not a literal boolean.
pub const STEP_CONTINUE_ON_ERROR: &str = "step.continue-on-error";
/// `timeout` is not a positive number of seconds.
pub const STEP_TIMEOUT: &str = "step.timeout";
/// `capture` is not a boolean.
pub const STEP_CAPTURE: &str = "step.capture";
/// `capture_max_bytes` is invalid or set without `capture: true`.
pub const STEP_CAPTURE_MAX_BYTES: &str = "step.capture-max-bytes";
/// `retry` (baton extension) is malformed: a warning, since the reference ignores it.
pub const STEP_RETRY: &str = "step.retry";
/// A step `integration` or `model` is not a string.
pub const STEP_DISPATCH_TYPE: &str = "step.dispatch-type";
/// A nested step list (`then`, `else`, `steps`, a case, `default`) is not a list.
pub const STEP_LIST_TYPE: &str = "step.list-type";
/// A message from a custom step type's own validation.
pub const CUSTOM_STEP: &str = "step.custom";
/// A shell step has no `run`.
pub const SHELL_RUN_MISSING: &str = "shell.run-missing";
/// A shell `run` is not a string.
pub const SHELL_RUN_TYPE: &str = "shell.run-type";
/// A shell `output_format` is not `json`.
pub const SHELL_OUTPUT_FORMAT: &str = "shell.output-format";
/// A command step has no `command`.
pub const COMMAND_MISSING: &str = "command.missing";
/// A command `command` is not a string.
pub const COMMAND_TYPE: &str = "command.type";
/// A command `input`, `options`, `integration_args` or `integration_options` has the wrong shape.
pub const COMMAND_FIELD_TYPE: &str = "command.field-type";
/// A prompt step has no `prompt`.
pub const PROMPT_MISSING: &str = "prompt.missing";
/// A prompt `prompt` is not a string.
pub const PROMPT_TYPE: &str = "prompt.type";
/// An init `script` is not sh, ps or py.
pub const INIT_SCRIPT: &str = "init.script";
/// A gate has no `message`.
pub const GATE_MESSAGE_MISSING: &str = "gate.message-missing";
/// Gate `options` are not a non-empty list of strings.
pub const GATE_OPTIONS: &str = "gate.options";
/// A gate `on_reject` is not abort, skip or retry.
pub const GATE_ON_REJECT: &str = "gate.on-reject";
/// A gate `verdict_input` is not a non-empty string.
pub const GATE_VERDICT_INPUT: &str = "gate.verdict-input";
/// A rejecting gate has no reject or abort option.
pub const GATE_NO_REJECT_OPTION: &str = "gate.no-reject-option";
/// A gate `verdict_input` inside a fan-out template.
pub const GATE_VERDICT_IN_FAN_OUT: &str = "gate.verdict-in-fan-out";
/// A gate `verdict_input` names an undeclared input.
pub const GATE_VERDICT_UNDECLARED: &str = "gate.verdict-undeclared";
/// A retrying gate's verdict input has an enum without `''`.
pub const GATE_RETRY_ENUM: &str = "gate.retry-enum";
/// An if/while/do-while step has no `condition`.
pub const CONDITION_MISSING: &str = "condition.missing";
/// A `condition` is neither a string nor a boolean.
pub const CONDITION_TYPE: &str = "condition.type";
/// A string `condition` is not a `{{ }}` block, so it is always true.
pub const CONDITION_NEVER_EVALUATED: &str = "condition.never-evaluated";
/// A `condition` opens a `{{` the interpolator cannot close.
pub const CONDITION_MALFORMED: &str = "condition.malformed";
/// A `condition` is text around or between `{{ }}` blocks.
pub const CONDITION_INTERPOLATED: &str = "condition.interpolated";
/// An if step has no `then`.
pub const IF_THEN_MISSING: &str = "if.then-missing";
/// A switch has no `expression`.
pub const SWITCH_EXPRESSION_MISSING: &str = "switch.expression-missing";
/// A switch has no `cases`.
pub const SWITCH_CASES_MISSING: &str = "switch.cases-missing";
/// Switch `cases` are not a mapping.
pub const SWITCH_CASES_TYPE: &str = "switch.cases-type";
/// A loop `max_iterations` is not an integer >= 1.
pub const LOOP_MAX_ITERATIONS: &str = "loop.max-iterations";
/// A loop has no `steps`.
pub const LOOP_STEPS_MISSING: &str = "loop.steps-missing";
/// A fan-out has no `items`.
pub const FAN_OUT_ITEMS_MISSING: &str = "fan-out.items-missing";
/// A fan-out has no `step` template.
pub const FAN_OUT_STEP_MISSING: &str = "fan-out.step-missing";
/// A fan-out `step` is not a mapping.
pub const FAN_OUT_STEP_TYPE: &str = "fan-out.step-type";
/// A fan-in `wait_for` is not a non-empty list.
pub const FAN_IN_WAIT_FOR: &str = "fan-in.wait-for";
/// A fan-in `output` is not a mapping.
pub const FAN_IN_OUTPUT: &str = "fan-in.output";
/// A `wait_for` entry is not a string.
pub const FAN_IN_ENTRY_TYPE: &str = "fan-in.entry-type";
/// A fan-in waits for itself.
pub const FAN_IN_SELF: &str = "fan-in.self";
/// A `wait_for` entry names no step declared before.
pub const FAN_IN_UNKNOWN: &str = "fan-in.unknown";
/// A slot has no `name`.
pub const SLOT_NAME_MISSING: &str = "slot.name-missing";
/// A slot `name` is blank or not a string.
pub const SLOT_NAME_TYPE: &str = "slot.name-type";
/// A slot inside a fan-out template.
pub const SLOT_IN_FAN_OUT: &str = "slot.in-fan-out";
/// A github `operation` is not add-label.
pub const GITHUB_OPERATION: &str = "github.operation";
/// A github `target` is not issue or pull_request.
pub const GITHUB_TARGET: &str = "github.target";
/// A github step key outside the allowed set.
pub const GITHUB_UNSUPPORTED_FIELD: &str = "github.unsupported-field";
/// A github `number` is missing or invalid.
pub const GITHUB_NUMBER: &str = "github.number";
/// A github `repository` is missing or invalid.
pub const GITHUB_REPOSITORY: &str = "github.repository";
/// A github `label` is missing or invalid.
pub const GITHUB_LABEL: &str = "github.label";
/// A workflow call's `workflow` is not a safe workflow id.
pub const WORKFLOW_CALL_TARGET: &str = "workflow-call.target";
/// A workflow call's `input` is not a JSON-safe mapping with string keys.
pub const WORKFLOW_CALL_INPUT: &str = "workflow-call.input";

/// Every code, in the order the rules run.
pub const ALL: [&str; 89] = [
    DOCUMENT_NOT_MAPPING,
    UNKNOWN_FIELD,
    OUTPUTS_NOT_MAPPING,
    OUTPUT_NAME,
    OUTPUT_RESERVED,
    OUTPUT_SHAPE,
    OUTPUT_NOT_JSON,
    SCHEMA_VERSION,
    WORKFLOW_ID_MISSING,
    WORKFLOW_ID_TYPE,
    WORKFLOW_ID_FORMAT,
    WORKFLOW_NAME_MISSING,
    WORKFLOW_NAME_TYPE,
    WORKFLOW_VERSION_MISSING,
    WORKFLOW_VERSION_TYPE,
    WORKFLOW_VERSION_FORMAT,
    WORKFLOW_DEFAULT_TYPE,
    INPUTS_NOT_MAPPING,
    INPUT_NOT_MAPPING,
    INPUT_TYPE,
    INPUT_ENUM,
    INPUT_DEFAULT,
    REQUIRES_NOT_MAPPING,
    REQUIRES_PERMISSIONS,
    REQUIRES_UNKNOWN_KEY,
    STEPS_NOT_LIST,
    STEPS_EMPTY,
    STEP_NOT_MAPPING,
    STEP_ID_MISSING,
    STEP_ID_TYPE,
    STEP_ID_COLON,
    STEP_ID_DUPLICATE,
    STEP_TYPE_TYPE,
    STEP_TYPE_UNKNOWN,
    STEP_CONTINUE_ON_ERROR,
    STEP_TIMEOUT,
    STEP_CAPTURE,
    STEP_CAPTURE_MAX_BYTES,
    STEP_RETRY,
    STEP_DISPATCH_TYPE,
    STEP_LIST_TYPE,
    CUSTOM_STEP,
    SHELL_RUN_MISSING,
    SHELL_RUN_TYPE,
    SHELL_OUTPUT_FORMAT,
    COMMAND_MISSING,
    COMMAND_TYPE,
    COMMAND_FIELD_TYPE,
    PROMPT_MISSING,
    PROMPT_TYPE,
    INIT_SCRIPT,
    GATE_MESSAGE_MISSING,
    GATE_OPTIONS,
    GATE_ON_REJECT,
    GATE_VERDICT_INPUT,
    GATE_NO_REJECT_OPTION,
    GATE_VERDICT_IN_FAN_OUT,
    GATE_VERDICT_UNDECLARED,
    GATE_RETRY_ENUM,
    CONDITION_MISSING,
    CONDITION_TYPE,
    CONDITION_NEVER_EVALUATED,
    CONDITION_MALFORMED,
    CONDITION_INTERPOLATED,
    IF_THEN_MISSING,
    SWITCH_EXPRESSION_MISSING,
    SWITCH_CASES_MISSING,
    SWITCH_CASES_TYPE,
    LOOP_MAX_ITERATIONS,
    LOOP_STEPS_MISSING,
    FAN_OUT_ITEMS_MISSING,
    FAN_OUT_STEP_MISSING,
    FAN_OUT_STEP_TYPE,
    FAN_IN_WAIT_FOR,
    FAN_IN_OUTPUT,
    FAN_IN_ENTRY_TYPE,
    FAN_IN_SELF,
    FAN_IN_UNKNOWN,
    SLOT_NAME_MISSING,
    SLOT_NAME_TYPE,
    SLOT_IN_FAN_OUT,
    GITHUB_OPERATION,
    GITHUB_TARGET,
    GITHUB_UNSUPPORTED_FIELD,
    GITHUB_NUMBER,
    GITHUB_REPOSITORY,
    GITHUB_LABEL,
    WORKFLOW_CALL_TARGET,
    WORKFLOW_CALL_INPUT,
];
