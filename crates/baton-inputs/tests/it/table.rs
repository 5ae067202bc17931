//! The data table `fixtures/inputs/cases.json` (filled from the reference by
//! `oracle.py`), checked against baton-inputs, one `check_*` helper per section.

use baton_expr::{Map, Value};
use baton_inputs::{
    coerce, parse_cli_input, parse_declarations, project_default_integration, resolve,
    resolve_resume, validate_declarations, DeclField, InputDecl, InputError,
};
use serde_json::Value as J;

use crate::{fixtures_dir, map, value};

fn table() -> J {
    let text = std::fs::read_to_string(fixtures_dir().join("cases.json")).expect("cases.json");
    serde_json::from_str(&text).expect("cases.json is JSON")
}

fn rows<'a>(table: &'a J, section: &str) -> &'a [J] {
    table[section].as_array().expect("a section is a list")
}

/// Compares a result with the row's `expect` (`{"ok": value}` or `{"err": message}`);
/// returns a description of the mismatch.
fn compare(got: Result<Value, InputError>, expect: &J) -> Option<String> {
    match (got, expect.get("ok"), expect.get("err")) {
        (Ok(v), Some(ok), _) if v == value(ok) => None,
        (Err(e), _, Some(J::String(msg))) if e.to_string() == *msg => None,
        (got, _, _) => Some(format!("got {got:?}, expected {expect}")),
    }
}

fn report(section: &str, failures: Vec<String>, total: usize) {
    assert!(total > 0, "section {section} is empty");
    assert!(
        failures.is_empty(),
        "{} of {total} `{section}` rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn decl(name: &str, def: &J) -> InputDecl {
    InputDecl::from_definition(name, &value(def)).expect("a coerce row's def is a mapping")
}

#[test]
fn check_coerce() {
    let table = table();
    let rows = rows(&table, "coerce");
    let mut failures = Vec::new();
    for row in rows {
        let name = row["name"].as_str().expect("name");
        let got = coerce(&decl(name, &row["def"]), &value(&row["value"]));
        if let Some(why) = compare(got, &row["expect"]) {
            failures.push(format!("{row}\n  {why}"));
        }
    }
    report("coerce", failures, rows.len());
}

#[test]
fn check_cli() {
    let table = table();
    let rows = rows(&table, "cli");
    let mut failures = Vec::new();
    for row in rows {
        let raw = row["raw"].as_str().expect("raw");
        let got = parse_cli_input(raw).map(|(k, v)| Value::List(vec![k.into(), v.into()]));
        if let Some(why) = compare(got, &row["expect"]) {
            failures.push(format!("{row}\n  {why}"));
        }
    }
    report("cli", failures, rows.len());
}

fn inputs_block(row: &J) -> Value {
    row.get("inputs").map_or(Value::Map(Map::new()), value)
}

#[test]
fn check_resolve() {
    let table = table();
    let rows = rows(&table, "resolve");
    let mut failures = Vec::new();
    for row in rows {
        let decls = parse_declarations(&inputs_block(row));
        let got = resolve(&decls, &map(&row["provided"]), row["integration_json"].as_str(), None);
        if let Some(why) = compare(got.map(Value::Map), &row["expect"]) {
            failures.push(format!("{row}\n  {why}"));
        }
    }
    report("resolve", failures, rows.len());
}

#[test]
fn check_resume() {
    let table = table();
    let rows = rows(&table, "resume");
    let mut failures = Vec::new();
    for row in rows {
        let decls = parse_declarations(&inputs_block(row));
        let got = resolve_resume(
            &decls,
            &map(&row["persisted"]),
            &map(&row["supplied"]),
            row["integration_json"].as_str(),
            None,
        );
        if let Some(why) = compare(got.map(Value::Map), &row["expect"]) {
            failures.push(format!("{row}\n  {why}"));
        }
    }
    report("resume", failures, rows.len());
}

/// The input name and field a rule-7 message is about, read back from its text.
fn attribution(message: &str, names: &[String]) -> (Option<String>, Option<DeclField>) {
    if message.starts_with("'inputs' must be") {
        return (None, None);
    }
    let input = names
        .iter()
        .find(|n| {
            let repr = value_repr(n);
            message.starts_with(&format!("Input {repr} "))
        })
        .cloned();
    let field = if message.contains(" has invalid type ") {
        Some(DeclField::Type)
    } else if message.contains(" has invalid 'enum'") {
        Some(DeclField::Enum)
    } else if message.contains(" has invalid default: ") {
        Some(DeclField::Default)
    } else {
        None
    };
    (input, field)
}

fn value_repr(name: &str) -> String {
    baton_expr::py::str_repr(name)
}

#[test]
fn check_validate() {
    let table = table();
    let rows = rows(&table, "validate");
    let mut failures = Vec::new();
    for row in rows {
        let inputs = row.get("inputs").map(value);
        let diags = validate_declarations(inputs.as_ref());
        let got: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        let expect: Vec<&str> = row["expect"]
            .as_array()
            .expect("expect is a list")
            .iter()
            .map(|m| m.as_str().expect("a message"))
            .collect();
        if got != expect {
            failures.push(format!("{row}\n  got {got:?}"));
            continue;
        }
        let names: Vec<String> = match &inputs {
            Some(Value::Map(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        };
        for d in &diags {
            let (input, field) = attribution(&d.message, &names);
            if d.input != input || d.field != field {
                failures.push(format!(
                    "{row}\n  {d:?} should name input {input:?}, field {field:?}"
                ));
            }
        }
    }
    report("validate", failures, rows.len());
}

#[test]
fn check_integration() {
    let table = table();
    let rows = rows(&table, "integration");
    let mut failures = Vec::new();
    for row in rows {
        let got = project_default_integration(row["json"].as_str());
        if got.as_deref() != row["expect"].as_str() {
            failures.push(format!("{row}\n  got {got:?}"));
        }
    }
    report("integration", failures, rows.len());
}

/// Rows whose YAML spelling is a timestamp: baton's loader hands the text over (lead's
/// decision), so baton accepts where the reference refuses a `datetime.date`. The
/// table records both outcomes; this pins which rows differ.
#[test]
fn yaml_dates_are_the_only_recorded_divergence() {
    let table = table();
    let diverging: Vec<&str> = rows(&table, "coerce")
        .iter()
        .filter(|r| r.get("reference_expect").is_some())
        .map(|r| r["yaml"].as_str().expect("yaml"))
        .collect();
    assert_eq!(diverging, ["2024-01-01", "2024-01-01"]);
}

#[test]
fn repeated_cli_key_keeps_first_position_and_last_value() {
    let got = baton_inputs::parse_cli_inputs(["b=1", "a=2", "b=3"]).expect("valid");
    let pairs: Vec<(&str, &Value)> = got.iter().map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(pairs, [("b", &Value::from("3")), ("a", &Value::from("2"))]);
    let err = baton_inputs::parse_cli_inputs(["a=1", "oops"]).expect_err("no `=`");
    assert_eq!(err.to_string(), "Invalid input format: 'oops' (expected key=value)");
    assert_eq!(err.input_name(), None);
}
