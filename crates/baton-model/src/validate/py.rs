//! Python semantics over [`Node`]s, as the reference's validation sees its parsed
//! YAML: `dict.get`, `type(x).__name__`, `repr(x)`, truthiness, `str.strip()`, and the
//! JSON-safety check of workflow-call inputs and outputs.


use crate::yaml::{Node, Yaml};

/// The entries of a mapping node (`None` for any other node).
pub(crate) fn entries(node: &Node) -> Option<&[(Node, Node)]> {
    node.as_map()
}

/// The items of a sequence node (`None` for any other node).
pub(crate) fn items(node: &Node) -> Option<&[Node]> {
    node.as_seq()
}

/// `node.get(key)` for a mapping node.
pub(crate) fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key)
}

/// The text of a string node.
pub(crate) fn as_str(node: &Node) -> Option<&str> {
    node.as_str()
}

/// Whether the node is `None`.
pub(crate) fn is_null(node: &Node) -> bool {
    matches!(node.value, Yaml::Null)
}

/// Whether the node is the string `text` (Python `node == "text"`).
pub(crate) fn is_str_eq(node: &Node, text: &str) -> bool {
    as_str(node) == Some(text)
}

/// `type(x).__name__` of the value PyYAML builds for the node.
pub(crate) fn type_name(node: &Node) -> &'static str {
    node.type_name()
}

/// The qualified type name (`type(x).__qualname__` with its module for the datetime
/// types), as `json.dumps` names an unsupported key type.
fn qualified_type_name(node: &Node) -> &'static str {
    match type_name(node) {
        "date" => "datetime.date",
        "datetime" => "datetime.datetime",
        other => other,
    }
}

/// Python `repr()` of the value PyYAML builds for the node.
pub(crate) fn repr(node: &Node) -> String {
    node.py_repr()
}


/// Python's `str.isspace()` for one character.
pub(crate) fn is_py_space(c: char) -> bool {
    matches!(c, '\u{1c}'..='\u{1f}') || c.is_whitespace()
}

/// Whether `s.strip()` is empty in Python.
pub(crate) fn is_blank(s: &str) -> bool {
    s.chars().all(is_py_space)
}

/// The reason `json.dumps(value, allow_nan=False)` followed by a round-trip comparison
/// rejects the value, as the reference words it after `Value is not JSON-safe: `;
/// `None` when the value is JSON-safe.
pub(crate) fn json_unsafe_reason(node: &Node) -> Option<String> {
    let mut changes = false;
    match json_encode_error(node, &mut changes, 0) {
        Some(err) => Some(err),
        None if changes => Some("JSON encoding changes the value".to_owned()),
        None => None,
    }
}

/// The first error `json.dumps` raises while encoding `node` (in encoding order);
/// sets `changes` when a key would come back as a different value.
fn json_encode_error(node: &Node, changes: &mut bool, depth: usize) -> Option<String> {
    if depth > 900 {
        return Some("maximum recursion depth exceeded while encoding a JSON object".to_owned());
    }
    match &node.value {
        Yaml::Null | Yaml::Bool(_) | Yaml::Int(_) | Yaml::Str(_) => None,
        Yaml::Float(f) if !f.is_finite() => {
            Some("Out of range float values are not JSON compliant".to_owned())
        }
        Yaml::Float(_) => None,
        Yaml::Timestamp(_) | Yaml::Binary(_) => {
            Some(format!("Object of type {} is not JSON serializable", type_name(node)))
        }
        Yaml::Seq(items) => items.iter().find_map(|i| json_encode_error(i, changes, depth + 1)),
        Yaml::Map(entries) => {
            for (k, v) in entries {
                match &k.value {
                    Yaml::Str(_) => {}
                    Yaml::Float(f) if !f.is_finite() => {
                        return Some(
                            "Out of range float values are not JSON compliant".to_owned(),
                        )
                    }
                    Yaml::Null | Yaml::Bool(_) | Yaml::Int(_) | Yaml::Float(_) => {
                        *changes = true;
                    }
                    _ => {
                        return Some(format!(
                            "keys must be str, int, float, bool or None, not {}",
                            qualified_type_name(k)
                        ))
                    }
                }
                if let Some(err) = json_encode_error(v, changes, depth + 1) {
                    return Some(err);
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Span;

    fn n(value: Yaml) -> Node {
        Node { value, span: Span::default() }
    }

    #[test]
    fn json_safety() {
        let nan = n(Yaml::Float(f64::NAN));
        assert_eq!(
            json_unsafe_reason(&nan).as_deref(),
            Some("Out of range float values are not JSON compliant")
        );
        let int_key = n(Yaml::Map(vec![(n(Yaml::Int(1.into())), n(Yaml::Float(f64::INFINITY)))]));
        assert_eq!(
            json_unsafe_reason(&int_key).as_deref(),
            Some("Out of range float values are not JSON compliant")
        );
        let int_key = n(Yaml::Map(vec![(n(Yaml::Int(1.into())), n(Yaml::Null))]));
        assert_eq!(json_unsafe_reason(&int_key).as_deref(), Some("JSON encoding changes the value"));
        let date_key = n(Yaml::Map(vec![(n(Yaml::Timestamp("2024-01-01".into())), n(Yaml::Null))]));
        assert_eq!(
            json_unsafe_reason(&date_key).as_deref(),
            Some("keys must be str, int, float, bool or None, not datetime.date")
        );
        assert_eq!(json_unsafe_reason(&n(Yaml::Str("x".into()))), None);
    }
}
