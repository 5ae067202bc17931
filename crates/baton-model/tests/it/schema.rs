//! The generated JSON Schema: committed copy up to date, coverage of every step type
//! and field, and agreement with the fixtures.

use baton_model::{workflow_schema, workflow_schema_text, STEP_FIELDS};
use serde_json::Value;

use crate::common::{fixtures, read, repo_root, schema_errors, schema_validator, short};

#[test]
fn committed_schema_is_up_to_date() {
    let path = repo_root().join("schemas/workflow.schema.json");
    let fresh = workflow_schema_text();
    if std::env::var("BATON_UPDATE_SCHEMAS").as_deref() == Ok("1") {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `cargo xtask schema` (or set BATON_UPDATE_SCHEMAS=1)",
        path.display()
    );
}

#[test]
fn schema_is_draft_07_and_says_how_it_is_made() {
    let schema = workflow_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(schema["$comment"].as_str().unwrap().contains("cargo xtask schema"));
    assert!(schema["definitions"].is_object());
    assert!(workflow_schema_text().ends_with("}\n"));
}

/// The definition a `$ref` points at.
fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    match node["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/definitions/");
            &schema["definitions"][name]
        }
        None => node,
    }
}

#[test]
fn schema_names_every_step_type_and_field() {
    let schema = workflow_schema();
    let step = &schema["definitions"]["Step"];
    let branches = step["allOf"].as_array().unwrap();
    for (type_key, fields) in STEP_FIELDS {
        let branch = branches
            .iter()
            .find(|b| b["if"]["properties"]["type"]["const"] == *type_key)
            .unwrap_or_else(|| panic!("no schema branch for step type {type_key}"));
        let definition = resolve(&schema, &branch["then"]);
        let properties = definition["properties"].as_object().unwrap_or_else(|| panic!("{type_key}: no properties"));
        for field in fields.iter() {
            assert!(properties.contains_key(*field), "step type {type_key}: field {field} missing from the schema");
            let description = properties[*field]["description"].as_str().unwrap_or_default();
            let nested = properties[*field].get("$ref").is_some();
            assert!(nested || !description.is_empty(), "{type_key}.{field} has no description");
        }
        for common in ["id", "continue_on_error"] {
            assert!(properties.contains_key(common), "step type {type_key}: {common} missing");
        }
    }
    let types = step["properties"]["type"]["anyOf"][0]["enum"].as_array().unwrap();
    assert_eq!(types.len(), 14);
    let untyped = &branches[0];
    assert_eq!(untyped["if"]["not"]["required"][0], "type", "a step without type is a command step");
}

#[test]
fn valid_fixtures_satisfy_the_schema() {
    let validator = schema_validator();
    for path in fixtures("valid") {
        let node = baton_model::load(&read(&path)).unwrap();
        let errors = schema_errors(&validator, &node);
        assert!(errors.is_empty(), "{}: {errors:#?}", short(&path));
    }
}

#[test]
fn invalid_fixtures_fail_the_schema_unless_semantic() {
    let validator = schema_validator();
    for path in fixtures("invalid") {
        let node = baton_model::load(&read(&path)).unwrap();
        assert!(!schema_errors(&validator, &node).is_empty(), "{} passes the schema", short(&path));
    }
    for path in fixtures("invalid/semantic") {
        let node = baton_model::load(&read(&path)).unwrap();
        let errors = schema_errors(&validator, &node);
        assert!(
            errors.is_empty(),
            "{} fails the schema, so it is not semantic-only: {errors:#?}",
            short(&path)
        );
    }
}
