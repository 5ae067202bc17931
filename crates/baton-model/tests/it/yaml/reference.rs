//! PyYAML itself as the oracle, when `BATON_REFERENCE_PYTHON` names a python that can
//! `import specify_cli` (skipped otherwise; a failure under `CI=true`): the tables'
//! PyYAML fields are re-checked, and generated documents are loaded and dumped by both.

use std::io::Write;
use std::process::{Command, Stdio};

use baton_model::yaml::{dump, dump_with, parse, DumpOptions};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRng, TestRunner};
use serde_json::{json, Value as Json};

use super::{corpus, props, table};

/// The reference python, or `None` after printing why the test is skipped.
fn reference_python() -> Option<String> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let skip = |why: String| {
        assert!(!ci, "CI=true but the reference cannot be used: {why}");
        eprintln!("skipped: {why}");
        None
    };
    let Ok(python) = std::env::var("BATON_REFERENCE_PYTHON") else {
        return skip("BATON_REFERENCE_PYTHON is not set".to_owned());
    };
    let ok = Command::new(&python)
        .args(["-c", "import specify_cli.workflows, yaml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return skip(format!("`{python}` cannot import specify_cli"));
    }
    Some(python)
}

fn pyyaml_version(python: &str) -> String {
    Command::new(python)
        .args(["-c", "import yaml; print(yaml.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// What PyYAML makes of each text (see `oracle.py`).
fn ask(python: &str, texts: &[String]) -> Vec<serde_json::Map<String, Json>> {
    let harness = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/yaml/oracle.py");
    let mut child = Command::new(python)
        .arg(harness)
        .env("PYTHONHASHSEED", "0")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input: String = texts.iter().map(|t| json!({ "yaml": t }).to_string() + "\n").collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "the oracle harness failed");
    let answers: Vec<_> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| match serde_json::from_str(l).unwrap() {
            Json::Object(m) => m,
            other => panic!("bad oracle line {other}"),
        })
        .collect();
    assert_eq!(answers.len(), texts.len());
    answers
}

fn text_of(row: &serde_json::Map<String, Json>, key: &str) -> Option<String> {
    row.get(key).and_then(Json::as_str).map(str::to_owned)
}

#[test]
fn tables_agree_with_pyyaml() {
    let Some(python) = reference_python() else { return };
    let mut mismatches = Vec::new();
    let scalars = table::rows();
    let texts: Vec<String> = scalars.iter().map(|r| text_of(r, "yaml").unwrap()).collect();
    for ((row, live), text) in scalars.iter().zip(ask(&python, &texts)).zip(&texts) {
        for key in ["repr", "python_error"] {
            if text_of(row, key) != text_of(&live, key) {
                mismatches.push(format!("scalars {text:?}: {key} {:?} != live {:?}", text_of(row, key), text_of(&live, key)));
            }
        }
        if row.contains_key("yaml_error") != live.contains_key("yaml_error") {
            mismatches.push(format!("scalars {text:?}: yaml_error presence differs"));
        }
    }
    let rows = corpus::rows();
    let texts: Vec<String> = rows.iter().map(|r| text_of(r, "yaml").unwrap()).collect();
    for (row, live) in rows.iter().zip(ask(&python, &texts)) {
        let name = text_of(row, "name").unwrap();
        for key in ["repr", "dump", "dump_ascii"] {
            if text_of(row, key) != text_of(&live, key) {
                mismatches.push(format!("corpus {name}: {key} {:?} != live {:?}", text_of(row, key), text_of(&live, key)));
            }
        }
        let live_error = live.contains_key("yaml_error") || live.contains_key("python_error");
        if row.contains_key("error") != live_error {
            mismatches.push(format!("corpus {name}: error presence differs"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "the tables were recorded with PyYAML 6.0.4, the reference has {}; if that is the \
         reason, regenerate with `PYTHONHASHSEED=0 python oracle.py regenerate FILE...`:\n{}",
        pyyaml_version(&python),
        mismatches.join("\n")
    );
}

#[test]
fn generated_documents_load_and_dump_like_pyyaml() {
    let Some(python) = reference_python() else { return };
    let config = Config { rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha));
    let strategy = props::value();
    let mut texts = Vec::new();
    for i in 0..400 {
        let node = strategy.new_tree(&mut runner).unwrap().current();
        // Alternate both dumpers' output as the documents.
        let options = DumpOptions { allow_unicode: i % 2 == 0 };
        texts.push(dump_with(&node, options));
    }
    let mut mismatches = Vec::new();
    for (text, live) in texts.iter().zip(ask(&python, &texts)) {
        let node = match parse(text) {
            Ok(node) => node,
            Err(e) => {
                mismatches.push(format!("{text:?}: baton fails ({e}), PyYAML gives {live:?}"));
                continue;
            }
        };
        let checks = [
            ("repr", node.py_repr()),
            ("dump", dump(&node)),
            ("dump_ascii", dump_with(&node, DumpOptions { allow_unicode: false })),
        ];
        for (key, got) in checks {
            if Some(&got) != text_of(&live, key).as_ref() {
                mismatches.push(format!("{text:?}: {key}\n  baton:  {got:?}\n  PyYAML: {:?}", text_of(&live, key)));
            }
        }
    }
    assert!(mismatches.is_empty(), "{} of 400 differ:\n{}", mismatches.len(), mismatches.join("\n"));
}
