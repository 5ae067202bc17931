//! `fixtures/yaml/scalars.jsonl`: a YAML document per line with what PyYAML 6.0.4's
//! `yaml.safe_load` makes of it: `repr` of the value, or the text of the `YAMLError`
//! (`yaml_error`) or other Python exception (`python_error`) it raises. A row may carry
//! `baton_repr`/`baton_error` where baton deliberately differs, with a `note`.

use baton_model::yaml::{parse, YamlErrorKind};
use serde_json::Value as Json;

pub(crate) fn rows() -> Vec<serde_json::Map<String, Json>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/yaml/scalars.jsonl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match serde_json::from_str(l).unwrap() {
            Json::Object(m) => m,
            other => panic!("bad row {other}"),
        })
        .collect()
}

fn field<'a>(row: &'a serde_json::Map<String, Json>, name: &str) -> Option<&'a str> {
    row.get(name).and_then(Json::as_str)
}

/// Checks one row; returns a description of the mismatch.
fn check(row: &serde_json::Map<String, Json>) -> Result<(), String> {
    let text = field(row, "yaml").unwrap();
    let got = parse(text);
    let expected = field(row, "baton_repr").or(field(row, "repr"));
    if let (Some(expected), None) = (expected, field(row, "baton_error")) {
        return match got {
            Ok(node) if node.py_repr() == expected => Ok(()),
            Ok(node) => Err(format!("{text:?}: got {}, want {expected}", node.py_repr())),
            Err(e) => Err(format!("{text:?}: got error {e:?}, want {expected}")),
        };
    }
    let want_error = field(row, "baton_error")
        .or(field(row, "yaml_error"))
        .or(field(row, "python_error"))
        .unwrap();
    match got {
        Ok(node) => Err(format!("{text:?}: got {}, want error {want_error:?}", node.py_repr())),
        Err(e) => {
            let ok = if field(row, "baton_error").is_some() {
                e.message.contains(want_error) || want_error.contains(&e.message)
            } else if field(row, "yaml_error").is_some() {
                // Both refuse the document; the wording may differ where yaml-rust2
                // detects the problem differently from PyYAML's scanner.
                e.is_yaml_error()
            } else {
                e.kind == YamlErrorKind::Python && want_error.ends_with(&e.message)
            };
            if ok {
                Ok(())
            } else {
                Err(format!("{text:?}: got error {:?} ({:?}), want {want_error:?}", e.message, e.kind))
            }
        }
    }
}

#[test]
fn scalars_table() {
    let failures: Vec<String> = rows().iter().filter_map(|r| check(r).err()).collect();
    assert!(failures.is_empty(), "{} of the rows differ:\n{}", failures.len(), failures.join("\n"));
}
