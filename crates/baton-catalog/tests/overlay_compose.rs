//! Data-driven composition tables: every `fixtures/overlays/compose/*.yml` (a base
//! workflow and overlay manifests) is composed and compared with
//! `fixtures/overlays/compose/expected.json`, which the reference recorded
//! (`overlay_oracle.py --record`). With `BATON_REFERENCE_PYTHON` set, the reference is
//! asked again and must still agree with the table.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use baton_catalog::overlay::compose::{compose, OverlayInput};
use baton_catalog::overlay::manifest::validate_manifest;
use baton_model::yaml::{parse, Node};
use serde_json::{json, Value};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/overlays/compose")
}

fn shape(steps: &[Node]) -> String {
    steps.iter().map(shape_step).collect::<Vec<_>>().join(", ")
}

fn shape_step(step: &Node) -> String {
    if step.as_map().is_none() {
        return "<item>".to_owned();
    }
    let mut text = match step.get("id") {
        Some(id) => id.as_str().map_or_else(|| id.py_repr(), str::to_owned),
        None => "None".to_owned(),
    };
    let mut parts = Vec::new();
    for key in ["then", "else", "steps", "default"] {
        if let Some(list) = step.get(key).and_then(Node::as_seq) {
            parts.push(format!("{key}: {}", shape(list)));
        }
    }
    if let Some(cases) = step.get("cases").and_then(Node::as_map) {
        for (k, v) in cases {
            if let Some(list) = v.as_seq() {
                let key = k.as_str().map_or_else(|| k.py_repr(), str::to_owned);
                parts.push(format!("cases.{key}: {}", shape(list)));
            }
        }
    }
    if !parts.is_empty() {
        text.push_str(&format!("[{}]", parts.join("; ")));
    }
    text
}

fn run_fixture(path: &Path) -> Value {
    let doc = parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let base = doc.get("base").expect("fixture has a base");
    let overlays: Vec<_> = doc
        .get("overlays")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|raw| validate_manifest(raw).expect("fixture overlays are valid"))
        .collect();
    let sources: Vec<String> = overlays.iter().map(|o| format!("project:{}", o.id)).collect();
    let inputs: Vec<_> =
        overlays.iter().zip(&sources).map(|(overlay, source)| OverlayInput { overlay, source }).collect();
    match compose(base, &inputs) {
        Err(err) => json!({ "error": err.to_string() }),
        Ok(done) => {
            let steps = done.definition.get("steps").expect("composed steps");
            let shape = match steps.as_seq() {
                Some(list) => shape(list),
                None => steps.py_repr(),
            };
            let attribution: Vec<String> =
                done.attribution.iter().map(|a| format!("{}: {}", a.step_id, a.source)).collect();
            json!({ "attribution": attribution, "shape": shape })
        }
    }
}

fn expected() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(fixture_dir().join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn composition_tables_match_the_reference_recording() {
    let expected = expected();
    let mut names: Vec<_> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    names.sort();
    assert!(names.len() >= 18, "fixtures missing");
    let mut failures = Vec::new();
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let want = expected.get(&name).unwrap_or_else(|| panic!("{name} has no recorded expectation"));
        let got = run_fixture(path);
        if &got != want {
            failures.push(format!("{name}:\n  want {want}\n  got  {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn composition_keeps_the_base_document_but_its_steps() {
    let base = parse("schema_version: '1.0'\nworkflow: {id: w, name: W}\ninputs: {x: {type: string}}\nsteps: [{id: a}]\noutputs: {}\n")
        .unwrap();
    let done = compose(&base, &[]).unwrap();
    assert!(done.definition.value_eq(&base));
    // An absent `steps` is appended as an empty list, as the reference's dict update does.
    let bare = parse("workflow: {id: w, name: W}\n").unwrap();
    let done = compose(&bare, &[]).unwrap();
    assert_eq!(baton_model::yaml::dump(&done.definition), "workflow:\n  id: w\n  name: W\nsteps: []\n");
}

#[test]
fn the_reference_still_agrees() {
    let Ok(python) = std::env::var("BATON_REFERENCE_PYTHON") else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "BATON_REFERENCE_PYTHON must be set on CI");
        println!("skipped: BATON_REFERENCE_PYTHON is not set");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/overlay_oracle.py");
    let out = std::process::Command::new(python).arg(script).arg(fixture_dir()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got, expected());
}
