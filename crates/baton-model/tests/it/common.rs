//! Helpers shared by the test modules: fixture paths, JSON views of nodes, the schema.

use std::path::{Path, PathBuf};

use baton_expr::Value;
use baton_model::yaml::Node;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.yml` files directly in `fixtures/workflows/<dir>`, sorted.
pub fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = repo_root().join("fixtures/workflows").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", root.display());
    files
}

/// The path of a fixture relative to `fixtures/workflows/` (for messages and snapshots).
pub fn short(path: &Path) -> String {
    let base = repo_root().join("fixtures/workflows");
    path.strip_prefix(&base).unwrap_or(path).display().to_string()
}

/// The text of a file.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The JSON view of a node, as an editor validating the YAML against the schema sees
/// it (keys as strings).
pub fn to_json(node: &Node) -> serde_json::Value {
    value_to_json(&node.to_value())
}

fn value_to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => match i64::try_from(i) {
            Ok(n) => J::from(n),
            Err(_) => {
                use num_traits::ToPrimitive;
                J::from(i.to_f64().unwrap_or(f64::MAX))
            }
        },
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(value_to_json).collect()),
        Value::Map(map) => J::Object(map.iter().map(|(k, v)| (k.clone(), value_to_json(v))).collect()),
    }
}

/// A validator for the generated workflow schema.
pub fn schema_validator() -> jsonschema::Validator {
    jsonschema::validator_for(&baton_model::workflow_schema()).expect("the schema compiles")
}

/// The schema errors of a document, one line each.
pub fn schema_errors(validator: &jsonschema::Validator, node: &Node) -> Vec<String> {
    let instance = to_json(node);
    validator.iter_errors(&instance).map(|e| format!("{}: {e}", e.instance_path)).collect()
}
