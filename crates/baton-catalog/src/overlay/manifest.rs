//! The overlay manifest (ecosystem.md §14.1): the file format, its validation with the
//! reference's messages (every problem collected), and the priority normalisation.

use baton_expr::py::str_repr;
use baton_model::yaml::{Node, Yaml};
use num_bigint::BigInt;
use num_traits::{One, ToPrimitive};

/// The four edit operations, sorted (the order of the reference's "expected one of" list).
pub const OPERATIONS: [&str; 4] = ["insert_after", "insert_before", "remove", "replace"];

/// The priority an overlay has when it declares none, or an unusable one.
pub const DEFAULT_PRIORITY: u32 = 10;

/// Workflow ids an overlay may not `extend`.
pub const RESERVED_WORKFLOW_IDS: [&str; 3] = ["overlays", "runs", "steps"];

/// What an edit does to its anchor step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Put `step` right after the anchor.
    InsertAfter,
    /// Put `step` right before the anchor.
    InsertBefore,
    /// Put `step` in place of the anchor (its children are dropped with it).
    Replace,
    /// Drop the anchor (and its children).
    Remove,
}

impl Operation {
    /// The spelling in overlay files: `insert_after`, `insert_before`, `replace`, `remove`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::InsertAfter => "insert_after",
            Operation::InsertBefore => "insert_before",
            Operation::Replace => "replace",
            Operation::Remove => "remove",
        }
    }

    /// The operation spelled `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "insert_after" => Some(Operation::InsertAfter),
            "insert_before" => Some(Operation::InsertBefore),
            "replace" => Some(Operation::Replace),
            "remove" => Some(Operation::Remove),
            _ => None,
        }
    }

    /// `insert_after` or `insert_before`.
    pub fn is_insert(self) -> bool {
        matches!(self, Operation::InsertAfter | Operation::InsertBefore)
    }
}

/// One validated edit.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// What it does.
    pub operation: Operation,
    /// The id of the base step it targets.
    pub anchor: String,
    /// The step it inserts or puts in place (a mapping with a string `id`); `None` for
    /// `remove`.
    pub step: Option<Node>,
}

/// A validated overlay manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// The overlay's id (a safe id, not `overlays`).
    pub id: String,
    /// The id of the workflow it edits.
    pub extends: String,
    /// Its normalised priority (≥ 1; lower numbers win).
    pub priority: BigInt,
    /// Whether it applies when the workflow is resolved.
    pub enabled: bool,
    /// The edits, in file order.
    pub edits: Vec<Edit>,
}

/// The reference's safe id: `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`.
pub fn is_safe_id(id: &str) -> bool {
    crate::ids::matches_workflow_id_pattern(id)
}

/// A workflow id that may name installed storage: a safe id, not reserved.
pub fn is_workflow_id(id: &str) -> bool {
    is_safe_id(id) && !RESERVED_WORKFLOW_IDS.contains(&id)
}

/// The reference's priority normalisation: Python's `int(value)` (a string of digits,
/// a float truncated toward zero, an int as is); a bool, anything `int()` refuses, and
/// results below 1 give [`DEFAULT_PRIORITY`].
pub fn normalize_priority(value: Option<&Node>) -> BigInt {
    let default = BigInt::from(DEFAULT_PRIORITY);
    let Some(node) = value else { return default };
    let int = match &node.value {
        Yaml::Int(i) => Some(i.clone()),
        Yaml::Float(f) if f.is_finite() => float_to_int(*f),
        Yaml::Str(s) => baton_expr::py::parse_int(s).ok(),
        _ => None,
    };
    match int {
        Some(i) if i >= BigInt::one() => i,
        _ => default,
    }
}

/// Python's `int(float)`: truncation toward zero, exact for every finite float.
fn float_to_int(f: f64) -> Option<BigInt> {
    let t = f.trunc();
    if let Some(i) = t.to_i64() {
        return Some(BigInt::from(i));
    }
    // Beyond i64: the float is an integer times a power of two.
    let bits = t.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let mantissa = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    if exponent < 0 {
        return None;
    }
    let magnitude = BigInt::from(mantissa) << (exponent as usize);
    Some(if t < 0.0 { -magnitude } else { magnitude })
}

/// The error for a bad `id` or `extends`, if any.
fn safe_id_error(value: Option<&Node>, field: &str, reserved: &[&str]) -> Option<String> {
    let text = match value.map(|n| &n.value) {
        Some(Yaml::Str(s)) if !s.is_empty() => s,
        _ => return Some(format!("Overlay '{field}' is required and must be a non-empty string.")),
    };
    if !is_safe_id(text) {
        return Some(format!(
            "Overlay '{field}' {} contains invalid characters; only lowercase letters, digits, and hyphens are allowed.",
            str_repr(text)
        ));
    }
    if reserved.contains(&text.as_str()) {
        return Some(format!("Overlay '{field}' {} is reserved.", str_repr(text)));
    }
    None
}

/// Parses one edit mapping (`idx` is its position in `edits`).
fn parse_edit(raw: &Node, idx: usize) -> Result<Edit, String> {
    let entries = raw.as_map().unwrap_or(&[]);
    let shorthand: Vec<&str> = entries
        .iter()
        .filter_map(|(k, _)| k.as_str())
        .filter(|k| OPERATIONS.contains(k))
        .collect();
    let has_operation = raw.get("operation").is_some();
    if !shorthand.is_empty() && has_operation {
        return Err(format!(
            "Edit at index {idx} mixes shorthand operation key ({}) with explicit 'operation' field.",
            str_repr(shorthand[0])
        ));
    }
    if shorthand.len() > 1 {
        let keys: Vec<String> = shorthand.iter().map(|k| str_repr(k)).collect();
        return Err(format!("Edit at index {idx} has multiple operation keys: {}.", keys.join(", ")));
    }
    let null = Node { value: Yaml::Null, span: raw.span };
    let (operation, anchor) = if let Some(op) = shorthand.first() {
        (Operation::parse(op), raw.get(op).unwrap_or(&null))
    } else if has_operation {
        let op = raw.get("operation").unwrap_or(&null);
        match op.as_str().and_then(Operation::parse) {
            Some(op) => (Some(op), raw.get("anchor").unwrap_or(&null)),
            None => {
                return Err(format!("Edit at index {idx} has invalid operation {}.", op.py_repr()));
            }
        }
    } else {
        let expected: Vec<String> = OPERATIONS.iter().map(|k| str_repr(k)).collect();
        return Err(format!("Edit at index {idx} has no operation; expected one of [{}].", expected.join(", ")));
    };
    let Some(operation) = operation else {
        return Err(format!("Edit at index {idx} has invalid operation None."));
    };
    let anchor = match anchor.as_str() {
        Some(a) if !a.is_empty() => a.to_owned(),
        _ => return Err(format!("Edit at index {idx} has invalid 'anchor'.")),
    };
    let step = raw.get("step").filter(|s| !matches!(s.value, Yaml::Null));
    if operation == Operation::Remove {
        if step.is_some() {
            return Err(format!("Edit at index {idx} ('remove') must not include 'step'."));
        }
        return Ok(Edit { operation, anchor, step: None });
    }
    let Some(step) = step.filter(|s| s.as_map().is_some()) else {
        return Err(format!("Edit at index {idx} ('{}') requires 'step' mapping.", operation.as_str()));
    };
    let step_id = match step.get("id").and_then(Node::as_str) {
        Some(id) if !id.is_empty() => id,
        _ => return Err(format!("Edit at index {idx} step is missing required 'id'.")),
    };
    if step_id.contains(':') {
        return Err(format!(
            "Edit at index {idx} step id {} contains ':' which is reserved for engine-generated nested IDs.",
            str_repr(step_id)
        ));
    }
    Ok(Edit { operation, anchor, step: Some(step.clone()) })
}

/// Validates an overlay manifest (the parsed YAML document), collecting every problem
/// with the reference's messages, in its order. Keys other than the manifest's own are
/// ignored; step contents are not validated here.
///
/// # Errors
/// The list of messages (`Overlay manifest must be a mapping.` alone for a non-mapping).
pub fn validate_manifest(doc: &Node) -> Result<Overlay, Vec<String>> {
    if doc.as_map().is_none() {
        return Err(vec!["Overlay manifest must be a mapping.".to_owned()]);
    }
    let mut errors = Vec::new();
    let id = doc.get("id");
    if let Some(err) = safe_id_error(id, "id", &["overlays"]) {
        errors.push(err);
    }
    let extends = doc.get("extends");
    if let Some(err) = safe_id_error(extends, "extends", &RESERVED_WORKFLOW_IDS) {
        errors.push(err);
    }
    let priority = normalize_priority(doc.get("priority"));
    let mut edits = Vec::new();
    match doc.get("edits").map(|e| &e.value) {
        Some(Yaml::Seq(items)) if items.is_empty() => {
            errors.push("Overlay 'edits' must be a non-empty list.".to_owned());
        }
        Some(Yaml::Seq(items)) => {
            for (idx, raw) in items.iter().enumerate() {
                if raw.as_map().is_none() {
                    errors.push(format!("Edit at index {idx} must be a mapping."));
                    continue;
                }
                match parse_edit(raw, idx) {
                    Ok(edit) => edits.push(edit),
                    Err(err) => errors.push(err),
                }
            }
        }
        _ => errors.push("Overlay 'edits' is required and must be a list.".to_owned()),
    }
    let enabled = match doc.get("enabled").map(|e| &e.value) {
        None => true,
        Some(Yaml::Bool(b)) => *b,
        Some(_) => {
            errors.push("Overlay 'enabled' must be a boolean.".to_owned());
            true
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = |n: Option<&Node>| n.and_then(Node::as_str).unwrap_or_default().to_owned();
    Ok(Overlay { id: text(id), extends: text(extends), priority, enabled, edits })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use baton_model::yaml::parse;

    fn errors(text: &str) -> Vec<String> {
        validate_manifest(&parse(text).unwrap()).unwrap_err()
    }

    #[test]
    fn priorities_follow_python_int() {
        let p = |text: &str| normalize_priority(parse(text).unwrap().get("p")).to_string();
        assert_eq!(p("p: 5"), "5");
        assert_eq!(p("p: '7'"), "7");
        assert_eq!(p("p: ' 7 '"), "7");
        assert_eq!(p("p: 2.7"), "2");
        assert_eq!(p("p: 1e3"), "10"); // a string in YAML 1.1, not an int literal
        assert_eq!(p("p: 1.0e+3"), "1000");
        assert_eq!(p("p: true"), "10");
        assert_eq!(p("p: 0"), "10");
        assert_eq!(p("p: -4"), "10");
        assert_eq!(p("p: .inf"), "10");
        assert_eq!(p("p: .nan"), "10");
        assert_eq!(p("p: abc"), "10");
        assert_eq!(p("p: 1.0e+30"), "1000000000000000019884624838656");
        assert_eq!(p("q: 1"), "10");
    }

    #[test]
    fn explicit_and_shorthand_edits() {
        let o = validate_manifest(
            &parse(
                "id: o\nextends: w\nedits:\n  - insert_after: a\n    step: {id: x}\n  - operation: remove\n    anchor: b\n    step: null\n",
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(o.edits.len(), 2);
        assert_eq!(o.edits[0].operation, Operation::InsertAfter);
        assert_eq!(o.edits[1].operation, Operation::Remove);
        assert_eq!(o.edits[1].anchor, "b");
        assert!(o.enabled);
        assert_eq!(o.priority, BigInt::from(10));
    }

    #[test]
    fn operation_values_are_reprs() {
        let e = errors("id: o\nextends: w\nedits:\n  - operation: 5\n  - operation: [a]\n  - operation: null\n");
        assert_eq!(
            e,
            [
                "Edit at index 0 has invalid operation 5.",
                "Edit at index 1 has invalid operation ['a'].",
                "Edit at index 2 has invalid operation None.",
            ]
        );
    }

    #[test]
    fn non_mapping_and_ids() {
        assert_eq!(validate_manifest(&parse("- a").unwrap()).unwrap_err(), ["Overlay manifest must be a mapping."]);
        assert_eq!(
            errors("id: 5\nextends: ''\nedits: {}\nenabled: 1\n"),
            [
                "Overlay 'id' is required and must be a non-empty string.",
                "Overlay 'extends' is required and must be a non-empty string.",
                "Overlay 'edits' is required and must be a list.",
                "Overlay 'enabled' must be a boolean.",
            ]
        );
        assert_eq!(
            errors("id: a-\nextends: overlays\nedits: [x]\n"),
            [
                "Overlay 'id' 'a-' contains invalid characters; only lowercase letters, digits, and hyphens are allowed.",
                "Overlay 'extends' 'overlays' is reserved.",
                "Edit at index 0 must be a mapping.",
            ]
        );
        // `runs` is a valid overlay id.
        assert!(validate_manifest(&parse("id: runs\nextends: w\nedits: [{remove: a}]\n").unwrap()).is_ok());
    }

    #[test]
    fn ids() {
        assert!(is_safe_id("a"));
        assert!(is_safe_id("a--b"));
        assert!(!is_safe_id(""));
        assert!(!is_safe_id("-a"));
        assert!(!is_safe_id("A"));
        assert!(!is_safe_id("a\n"));
        assert!(!is_workflow_id("steps"));
    }
}
