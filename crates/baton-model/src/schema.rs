//! The JSON Schema (draft-07) of workflow files, generated from [`crate::model`].

use schemars::generate::SchemaSettings;

use crate::model::WorkflowDocument;

/// The `$comment` of the generated schema.
const COMMENT: &str =
    "Generated from the baton-model types by `cargo xtask schema`; do not edit by hand.";

/// The JSON Schema (draft-07) of a workflow definition file, as committed in
/// `schemas/workflow.schema.json` and printed by `baton schema workflow`.
///
/// It never rejects a document that the reference accepts; it may accept documents that
/// [`crate::validate()`] rejects (cross-field rules, duplicate ids, conditions …).
pub fn workflow_schema() -> serde_json::Value {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<WorkflowDocument>();
    let mut value = schema.to_value();
    tidy(&mut value);
    if let Some(object) = value.as_object_mut() {
        let mut ordered = serde_json::Map::new();
        if let Some(meta) = object.remove("$schema") {
            ordered.insert("$schema".to_owned(), meta);
        }
        ordered.insert("$comment".to_owned(), COMMENT.into());
        ordered.extend(std::mem::take(object));
        *object = ordered;
    }
    value
}

/// Drops the `"default": null` schemars writes for every optional field (null is not
/// the default of most of them) and unwraps doc-comment line breaks in descriptions.
fn tidy(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("default").is_some_and(serde_json::Value::is_null) {
                map.remove("default");
            }
            if let Some(serde_json::Value::String(text)) = map.get_mut("description") {
                *text = text
                    .split("\n\n")
                    .map(|paragraph| paragraph.replace('\n', " "))
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            for (key, child) in map.iter_mut() {
                // `enum`/`const`/`examples` hold data, not schemas.
                if !matches!(key.as_str(), "enum" | "const" | "examples") {
                    tidy(child);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// [`workflow_schema`] as pretty-printed JSON with a trailing newline: the exact
/// content of `schemas/workflow.schema.json`.
pub fn workflow_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&workflow_schema()).unwrap_or_default();
    text.push('\n');
    text
}
