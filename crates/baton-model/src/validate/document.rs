//! The document-level rules (engine.md §5, rules 1–9), in the reference's order.

use std::sync::LazyLock;

use regex::Regex;

use super::py::{self, entries, get, is_null, is_str_eq, repr, type_name};
use super::steps::Walk;
use super::suggest::did_you_mean;
use super::{CustomStepTypes, Out};
use crate::codes;
use crate::yaml::{Node, Span, Yaml};

/// Workflow ids (and workflow output names): lowercase alphanumeric with hyphens.
pub(crate) static ID_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])$").unwrap_or_else(|_| unreachable!())
});

/// `workflow.version`: `\d+\.\d+\.\d+` (Unicode digits, as Python's `\d`).
static VERSION_PATTERN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d+\.\d+\.\d+$").unwrap_or_else(|_| unreachable!()));

/// Output names a workflow may not declare.
const RESERVED_OUTPUT_NAMES: [&str; 8] =
    ["workflow", "status", "error", "aborted", "integration", "model", "options", "input"];

/// Top-level keys: the reference reads the first six; `$schema` lets editors find the
/// JSON Schema.
pub const TOP_LEVEL_KEYS: [&str; 7] =
    ["schema_version", "workflow", "requires", "inputs", "outputs", "steps", "$schema"];

/// Keys of the `workflow:` block.
pub const WORKFLOW_KEYS: [&str; 8] =
    ["id", "name", "version", "author", "description", "integration", "model", "options"];

/// Keys of one input definition.
pub const INPUT_KEYS: [&str; 6] = ["type", "required", "default", "enum", "prompt", "description"];

/// Keys the reference accepts under `requires:`, sorted as its message lists them.
const REQUIRES_KEYS: [&str; 2] = ["integrations", "speckit_version"];

/// Runs every document-level rule, then the step rules.
pub(super) fn validate_document(doc: &Node, custom: &dyn CustomStepTypes, out: &mut Out) {
    if entries(doc).is_none() {
        out.error(
            codes::DOCUMENT_NOT_MAPPING,
            format!("Workflow YAML must be a mapping, got {}.", type_name(doc)),
            Some(doc.span),
        );
        return;
    }
    warn_unknown_keys(doc, &TOP_LEVEL_KEYS, out, |key| format!("unknown top-level key `{key}`"));
    outputs(doc, out);
    schema_version(doc, out);
    header(doc, out);
    inputs(doc, out);
    requires(doc, out);
    steps(doc, custom, out);
}

/// The display form of a mapping key in baton's own messages: the text of a string
/// key, the Python repr of anything else.
pub(crate) fn key_text(key: &Node) -> String {
    match &key.value {
        Yaml::Str(s) => s.clone(),
        _ => repr(key),
    }
}

/// A warning for each key of `map` outside `known`, with a did-you-mean hint.
pub(crate) fn warn_unknown_keys(
    map: &Node,
    known: &[&str],
    out: &mut Out,
    message: impl Fn(&str) -> String,
) {
    let Some(entries) = entries(map) else { return };
    for (key, _) in entries {
        let is_known = matches!(&key.value, Yaml::Str(s) if known.contains(&s.as_str()));
        if !is_known {
            let text = key_text(key);
            let hint = did_you_mean(&text, known.iter().copied());
            out.warning(codes::UNKNOWN_FIELD, message(&text), Some(key.span), hint);
        }
    }
}

/// The span of `map[key]` when present, else of `map`.
fn span_at(map: &Node, key: &str) -> Span {
    get(map, key).map_or(map.span, |v| v.span)
}

/// Rule 1: `outputs`.
fn outputs(doc: &Node, out: &mut Out) {
    let Some(outputs) = get(doc, "outputs") else { return };
    let Some(entries) = entries(outputs) else {
        out.error(codes::OUTPUTS_NOT_MAPPING, "'outputs' must be a mapping", Some(outputs.span));
        return;
    };
    for (name, entry) in entries {
        let name_repr = repr(name);
        match &name.value {
            Yaml::Str(s) if ID_PATTERN.is_match(s) => {
                if RESERVED_OUTPUT_NAMES.contains(&s.as_str()) {
                    out.error(
                        codes::OUTPUT_RESERVED,
                        format!("Output {name_repr} is reserved"),
                        Some(name.span),
                    );
                }
            }
            _ => out.error_hint(
                codes::OUTPUT_NAME,
                format!("Output {name_repr} must be a safe identifier"),
                Some(name.span),
                Some("use lowercase letters, digits and hyphens".to_owned()),
            ),
        }
        let value = match py::entries(entry) {
            Some(fields) if !fields.is_empty() && fields.iter().all(|(k, _)| is_str_eq(k, "value")) => {
                get(entry, "value")
            }
            _ => None,
        };
        match value {
            None => out.error_hint(
                codes::OUTPUT_SHAPE,
                format!("Output {name_repr} must contain exactly 'value'"),
                Some(entry.span),
                Some(format!("write `{}: {{value: \"{{{{ ... }}}}\"}}`", key_text(name))),
            ),
            Some(value) => {
                if let Some(reason) = py::json_unsafe_reason(value) {
                    out.error(
                        codes::OUTPUT_NOT_JSON,
                        format!("Output {name_repr}: Value is not JSON-safe: {reason}"),
                        Some(value.span),
                    );
                }
            }
        }
    }
}

/// Rule 2: `schema_version` (absent means `"1.0"`; `str(value)` must be `1.0`).
fn schema_version(doc: &Node, out: &mut Out) {
    let Some(version) = get(doc, "schema_version") else { return };
    let ok = match &version.value {
        Yaml::Str(s) => s == "1.0",
        Yaml::Float(f) => *f == 1.0,
        _ => false,
    };
    if !ok {
        out.error_hint(
            codes::SCHEMA_VERSION,
            format!("Unsupported schema_version {}. Expected '1.0'.", repr(version)),
            Some(version.span),
            Some("write `schema_version: \"1.0\"`".to_owned()),
        );
    }
}

/// A lowercase-with-hyphens spelling of `id`, when one exists.
fn suggest_id(id: &str) -> Option<String> {
    let mut slug = String::new();
    for c in id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-').to_owned();
    (!slug.is_empty() && ID_PATTERN.is_match(&slug) && slug != id).then(|| format!("try `{slug}`"))
}

/// Rules 3–6: the `workflow:` header and the dispatch defaults.
fn header(doc: &Node, out: &mut Out) {
    let block = get(doc, "workflow");
    let workflow = block.filter(|b| entries(b).is_some());
    let block_span = block.map_or(doc.span, |b| b.span);
    let not_mapping_hint = match block {
        None => Some("add a `workflow:` block with `id`, `name` and `version`".to_owned()),
        Some(b) if entries(b).is_none() => {
            Some(format!("`workflow` is a {}, not a mapping", type_name(b)))
        }
        Some(_) => None,
    };
    let field = |key: &str| workflow.and_then(|w| get(w, key));
    let span_of = |key: &str| Some(field(key).map_or(block_span, |v| v.span));

    // Rule 3: workflow.id
    match field("id") {
        None => out.error_hint(
            codes::WORKFLOW_ID_MISSING,
            "Workflow is missing 'workflow.id'.",
            span_of("id"),
            not_mapping_hint.clone(),
        ),
        Some(id) if is_null(id) || is_str_eq(id, "") => out.error(
            codes::WORKFLOW_ID_MISSING,
            "Workflow is missing 'workflow.id'.",
            Some(id.span),
        ),
        Some(id) => match &id.value {
            Yaml::Str(s) => {
                if !ID_PATTERN.is_match(s) {
                    out.error_hint(
                        codes::WORKFLOW_ID_FORMAT,
                        format!("Workflow ID {} must be lowercase alphanumeric with hyphens.", repr(id)),
                        Some(id.span),
                        suggest_id(s),
                    );
                }
            }
            _ => out.error_hint(
                codes::WORKFLOW_ID_TYPE,
                format!("'workflow.id' must be a string, got {} ({}).", type_name(id), repr(id)),
                Some(id.span),
                Some("quote it in YAML".to_owned()),
            ),
        },
    }

    // Rule 4: workflow.name
    match field("name") {
        None => out.error_hint(
            codes::WORKFLOW_NAME_MISSING,
            "Workflow is missing 'workflow.name'.",
            span_of("name"),
            not_mapping_hint,
        ),
        Some(name) if is_null(name) || is_str_eq(name, "") => out.error(
            codes::WORKFLOW_NAME_MISSING,
            "Workflow is missing 'workflow.name'.",
            Some(name.span),
        ),
        Some(name) if py::as_str(name).is_none() => out.error_hint(
            codes::WORKFLOW_NAME_TYPE,
            format!("'workflow.name' must be a string, got {} ({}).", type_name(name), repr(name)),
            Some(name.span),
            Some("quote it in YAML".to_owned()),
        ),
        Some(_) => {}
    }

    // Rule 5: workflow.version (absent means "0.0.0")
    if let Some(version) = field("version") {
        match &version.value {
            Yaml::Null => out.error(
                codes::WORKFLOW_VERSION_MISSING,
                "Workflow is missing 'workflow.version'.",
                Some(version.span),
            ),
            Yaml::Str(s) if s.is_empty() => out.error(
                codes::WORKFLOW_VERSION_MISSING,
                "Workflow is missing 'workflow.version'.",
                Some(version.span),
            ),
            Yaml::Str(s) => {
                if !VERSION_PATTERN.is_match(s) {
                    out.error_hint(
                        codes::WORKFLOW_VERSION_FORMAT,
                        format!(
                            "Workflow version {} is not valid semantic versioning (expected X.Y.Z).",
                            repr(version)
                        ),
                        Some(version.span),
                        Some("use three dot-separated numbers, e.g. `1.0.0`".to_owned()),
                    );
                }
            }
            _ => out.error(
                codes::WORKFLOW_VERSION_TYPE,
                format!(
                    "'workflow.version' must be a string, got {} ({}) — quote it in YAML (version: \"1.0.0\").",
                    type_name(version),
                    repr(version)
                ),
                Some(version.span),
            ),
        }
    }

    // Rule 6: dispatch defaults
    for key in ["integration", "model"] {
        if let Some(value) = field(key) {
            if !is_null(value) && py::as_str(value).is_none() {
                out.error(
                    codes::WORKFLOW_DEFAULT_TYPE,
                    format!(
                        "'workflow.{key}' must be a string or null, got {} ({}).",
                        type_name(value),
                        repr(value)
                    ),
                    Some(value.span),
                );
            }
        }
    }
    if let Some(options) = field("options") {
        if !is_null(options) && entries(options).is_none() {
            out.error(
                codes::WORKFLOW_DEFAULT_TYPE,
                format!(
                    "'workflow.options' must be a mapping or null, got {} ({}).",
                    type_name(options),
                    repr(options)
                ),
                Some(options.span),
            );
        }
    }
    if let Some(workflow) = workflow {
        warn_unknown_keys(workflow, &WORKFLOW_KEYS, out, |key| {
            format!("unknown field `{key}` in `workflow`")
        });
    }
}

/// Rule 7: `inputs`.
fn inputs(doc: &Node, out: &mut Out) {
    let block = get(doc, "inputs");
    super::inputs::validate_inputs(block, out);
    let Some(entries) = block.and_then(entries) else { return };
    for (name, def) in entries {
        if py::entries(def).is_some() {
            let name = key_text(name);
            warn_unknown_keys(def, &INPUT_KEYS, out, |key| {
                format!("unknown field `{key}` in input '{name}'")
            });
        }
    }
}

/// Rule 8: `requires`.
fn requires(doc: &Node, out: &mut Out) {
    let Some(requires) = get(doc, "requires") else { return };
    let Some(entries) = entries(requires) else {
        out.error(
            codes::REQUIRES_NOT_MAPPING,
            "'requires' must be a mapping (or omitted).",
            Some(requires.span),
        );
        return;
    };
    for (key, _) in entries {
        if is_str_eq(key, "permissions") {
            out.error(
                codes::REQUIRES_PERMISSIONS,
                "'requires.permissions' is not a recognized or enforced capability gate — shell \
                 steps always run with the user's privileges. Remove it and gate sensitive steps \
                 with a 'gate' step instead.",
                Some(key.span),
            );
        } else if !matches!(&key.value, Yaml::Str(s) if REQUIRES_KEYS.contains(&s.as_str())) {
            out.error_hint(
                codes::REQUIRES_UNKNOWN_KEY,
                format!(
                    "Unknown 'requires' key {}. Recognized keys: {}.",
                    repr(key),
                    REQUIRES_KEYS.join(", ")
                ),
                Some(key.span),
                did_you_mean(&key_text(key), REQUIRES_KEYS),
            );
        }
    }
}

/// Rules 9–10: `steps`.
fn steps(doc: &Node, custom: &dyn CustomStepTypes, out: &mut Out) {
    let steps: &[Node] = match get(doc, "steps") {
        None => &[],
        Some(node) => match py::items(node) {
            Some(items) => items,
            None => {
                out.error(codes::STEPS_NOT_LIST, "'steps' must be a list.", Some(span_at(doc, "steps")));
                return;
            }
        },
    };
    if steps.is_empty() {
        out.error_hint(
            codes::STEPS_EMPTY,
            "Workflow has no steps defined.",
            Some(span_at(doc, "steps")),
            Some("add a `steps:` list with at least one step".to_owned()),
        );
    }
    // An absent `inputs` block is an empty mapping (a malformed one disables the
    // verdict-input cross-checks).
    let empty = Node { value: Yaml::Map(Vec::new()), span: doc.span };
    let input_defs = match get(doc, "inputs") {
        None => Some(&empty),
        Some(inputs) => Some(inputs).filter(|i| entries(i).is_some()),
    };
    let mut walk = Walk { custom, input_defs, out };
    walk.walk_top(steps);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_suggestions() {
        assert_eq!(suggest_id("Bad_Flow").as_deref(), Some("try `bad-flow`"));
        assert_eq!(suggest_id("--"), None);
        assert!(ID_PATTERN.is_match("a"));
        assert!(!ID_PATTERN.is_match("a-"));
        assert!(!ID_PATTERN.is_match("a\n"));
        assert!(VERSION_PATTERN.is_match("1.2.3"));
        assert!(!VERSION_PATTERN.is_match("1.2"));
    }
}
