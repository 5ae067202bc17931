//! Differential test against the reference (`specify-cli` 1.2.3): the same error
//! messages, in the same order, for every fixture, every conformance case and a
//! generated corpus of malformed documents.
//!
//! Needs `BATON_REFERENCE_PYTHON` (a python that can `import specify_cli`); without it
//! the test is skipped, except under `CI=true`, where it fails.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use baton_model::{check, error_messages, STEP_FIELDS};

use crate::common::{fixtures, read, repo_root};

/// Prints, for each path given, the reference's validation errors or load error.
const ORACLE: &str = r#"
import json, sys, pathlib
import specify_cli.workflows  # registers the built-in step types
from specify_cli.workflows.engine import WorkflowDefinition, validate_workflow
out = []
for path in sys.argv[1:]:
    try:
        definition = WorkflowDefinition.from_yaml(pathlib.Path(path))
    except ValueError as exc:
        out.append({"load_error": str(exc)})
        continue
    out.append({"errors": validate_workflow(definition)})
print(json.dumps(out))
"#;

/// The reference python, or `None` (skip) when it is not configured.
fn reference_python() -> Option<String> {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let python = match std::env::var("BATON_REFERENCE_PYTHON") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            assert!(!ci, "BATON_REFERENCE_PYTHON is not set");
            eprintln!("skipping the reference comparison: BATON_REFERENCE_PYTHON is not set");
            return None;
        }
    };
    let usable = Command::new(&python)
        .args(["-c", "import specify_cli.workflows"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !usable {
        assert!(!ci, "{python} cannot import specify_cli");
        eprintln!("skipping the reference comparison: {python} cannot import specify_cli");
        return None;
    }
    Some(python)
}

/// The reference's verdict on each file.
fn reference(python: &str, paths: &[PathBuf]) -> Vec<serde_json::Value> {
    let mut results = Vec::new();
    for chunk in paths.chunks(400) {
        let output = Command::new(python).arg("-c").arg(ORACLE).args(chunk).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let parsed: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
        results.extend(parsed);
    }
    results
}

/// The reference lists a github step's unsupported fields in (arbitrary) set order;
/// sort each run of them so the comparison is order-insensitive there only.
fn normalise(mut messages: Vec<String>) -> Vec<String> {
    let mut i = 0;
    while i < messages.len() {
        let is_field = |m: &String| m.starts_with("GitHub step has unsupported field ");
        if is_field(&messages[i]) {
            let start = i;
            while i < messages.len() && is_field(&messages[i]) {
                i += 1;
            }
            messages[start..i].sort();
        } else {
            i += 1;
        }
    }
    messages
}

/// baton's verdict in the reference's shape.
fn ours(path: &Path) -> serde_json::Value {
    let text = read(path);
    match check(&text) {
        Err(e) => serde_json::json!({ "load_error": e.message(Some(&path.display().to_string())) }),
        Ok((_, d)) => {
            serde_json::json!({ "errors": error_messages(&d) })
        }
    }
}

fn compare(python: &str, paths: &[PathBuf]) {
    let theirs = reference(python, paths);
    assert_eq!(theirs.len(), paths.len());
    let mut report = String::new();
    let mut failures = 0;
    for (path, want) in paths.iter().zip(theirs) {
        let got = ours(path);
        let same = match (want.get("errors"), got.get("errors")) {
            (Some(w), Some(g)) => {
                let w: Vec<String> = serde_json::from_value(w.clone()).unwrap();
                let g: Vec<String> = serde_json::from_value(g.clone()).unwrap();
                normalise(w) == normalise(g)
            }
            // The wording of PyYAML's syntax errors is the YAML loader's concern (its
            // own tables test it); here both must refuse the text as YAML.
            (None, None) => {
                let yaml_error = |v: &serde_json::Value| {
                    v["load_error"].as_str().is_some_and(|m| m.starts_with("Invalid YAML"))
                };
                if yaml_error(&want) { yaml_error(&got) } else { want == got }
            }
            _ => false,
        };
        if !same {
            failures += 1;
            if failures <= 10 {
                writeln!(
                    report,
                    "== {}\n{}\n-- reference: {want:#}\n-- baton: {got:#}",
                    path.display(),
                    read(path)
                )
                .unwrap();
            }
        }
    }
    assert!(failures == 0, "{failures} of {} documents differ:\n{report}", paths.len());
}

#[test]
fn fixtures_and_conformance_cases_match_the_reference() {
    let Some(python) = reference_python() else { return };
    let mut paths = fixtures("valid");
    paths.extend(fixtures("invalid"));
    paths.extend(fixtures("invalid/semantic"));
    let cases = repo_root().join("../shared/conformance/cases");
    if let Ok(entries) = std::fs::read_dir(&cases) {
        for case in entries {
            let dir = case.unwrap().path();
            for file in std::fs::read_dir(&dir).into_iter().flatten() {
                let file = file.unwrap().path();
                let yml = file.extension().is_some_and(|e| e == "yml" || e == "yaml");
                if yml && file.is_file() && file.file_name().is_some_and(|n| n != "catalog.yml") {
                    paths.push(file);
                }
            }
        }
    }
    compare(&python, &paths);
}

/// A small deterministic generator of malformed workflows.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A YAML flow-context value.
    fn value(&mut self) -> String {
        const POOL: &[&str] = &[
            "null", "true", "false", "0", "-1", "1", "5", "1.5", ".inf", ".nan", "''", "' '",
            "x", "'{{ true }}'", "'{{ x'", "'a }}'", "'{{ a }} and {{ b }}'", "'inputs.count > 1'",
            "'true'", "'False'", "[]", "[a]", "[1, b]", "{}", "{a: 1}", "{1: a}", "json", "yaml",
            "abort", "skip", "retry", "Abort", "sh", "ps", "bash", "'{{ 3 }}'", "2024-01-01",
            "add-label", "issue", "pull_request", "o/r", "'o/..'", "runs", "hello", "Bad_Id",
            "[approve, later]", "[Approve, Reject]", "[reject]", "[yes, no]", "verdict", "'3'",
            "'07'", "100000000000000000000000", "'x:y'", "'{{ inputs.v | default(''a }}'",
            "'(a'", "'{{ a or }}'", "' {{ x }} '", "1.0", "'1.0.0'", "[{a: 1}]", "{value: 1}",
            "[fo, self, later, 7]", "speckit.plan", "'{{ item }}'",
            "!!binary aGVsbG8=", "[x, 2024-01-02]", "2024-01-01 10:00:00",
        ];
        self.pick(POOL).to_owned()
    }

    fn step(&mut self, depth: usize, ids: &mut Vec<String>) -> String {
        if self.chance(4) {
            return self.value();
        }
        let mut fields: Vec<(String, String)> = Vec::new();
        let id = match self.below(20) {
            0 => None,
            1 => Some("7".to_owned()),
            2 => Some("''".to_owned()),
            3 => Some("'a:b'".to_owned()),
            4 if !ids.is_empty() => Some(ids[self.below(ids.len())].clone()),
            _ => {
                let id = format!("s{}", ids.len());
                ids.push(id.clone());
                Some(id)
            }
        };
        if let Some(id) = id {
            fields.push(("id".to_owned(), id));
        }
        let types: Vec<&str> = STEP_FIELDS.iter().map(|(t, _)| *t).collect();
        let ty = match self.below(20) {
            0 => None,
            1 => Some("bogus"),
            2 => Some("[shell]"),
            _ => Some(types[self.below(types.len())]),
        };
        if let Some(ty) = ty {
            fields.push(("type".to_owned(), ty.to_owned()));
        }
        let known = STEP_FIELDS
            .iter()
            .find(|(t, _)| Some(*t) == ty.or(Some("command")))
            .map_or(&[][..], |(_, f)| *f);
        for _ in 0..self.below(6) {
            let key = if !known.is_empty() && self.chance(80) {
                known[self.below(known.len())]
            } else {
                self.pick(&["continue_on_error", "then", "steps", "step", "cases", "default", "else", "extra", "1"])
            };
            let value = match key {
                "then" | "else" | "steps" | "default" if depth < 2 && self.chance(60) => {
                    let n = self.below(3);
                    let items: Vec<String> = (0..n).map(|_| self.step(depth + 1, ids)).collect();
                    format!("[{}]", items.join(", "))
                }
                "step" if depth < 2 && self.chance(60) => {
                    let mut fresh = Vec::new();
                    self.step(depth + 1, &mut fresh)
                }
                "cases" if depth < 2 && self.chance(60) => {
                    let a = self.step(depth + 1, ids);
                    format!("{{a: [{a}], true: x, 3: []}}")
                }
                "wait_for" if self.chance(50) => {
                    let mut entries: Vec<String> = ids.iter().take(2).cloned().collect();
                    entries.push(self.value());
                    format!("[{}]", entries.join(", "))
                }
                "verdict_input" if self.chance(50) => "verdict".to_owned(),
                _ => self.value(),
            };
            fields.retain(|(k, _)| k != key);
            fields.push((key.to_owned(), value));
        }
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{{{}}}", body.join(", "))
    }

    fn document(&mut self) -> String {
        let mut doc = String::new();
        if self.chance(80) {
            doc.push_str("schema_version: ");
            doc.push_str(if self.chance(80) { "'1.0'" } else { "1.0" });
            doc.push('\n');
        } else if self.chance(50) {
            writeln!(doc, "schema_version: {}", self.value()).unwrap();
        }
        if self.chance(90) {
            doc.push_str("workflow:\n");
            for key in ["id", "name", "version", "integration", "model", "options", "autor"] {
                if self.chance(75) {
                    let value = match key {
                        "id" if self.chance(70) => "gen".to_owned(),
                        "name" if self.chance(70) => "Gen".to_owned(),
                        "version" if self.chance(60) => "'1.0.0'".to_owned(),
                        "autor" if self.chance(80) => continue,
                        _ => self.value(),
                    };
                    writeln!(doc, "  {key}: {value}").unwrap();
                }
            }
        } else if self.chance(50) {
            writeln!(doc, "workflow: {}", self.value()).unwrap();
        }
        if self.chance(60) {
            doc.push_str("inputs:\n  verdict: {type: string, enum: ");
            doc.push_str(self.pick(&["['', approve, reject]", "[approve, reject]", "null"]));
            doc.push_str("}\n");
            if self.chance(50) {
                writeln!(doc, "  other: {{type: {}, default: {}, enum: {}}}", self.value(), self.value(), self.value()).unwrap();
            }
        } else if self.chance(20) {
            writeln!(doc, "inputs: {}", self.value()).unwrap();
        }
        if self.chance(20) {
            writeln!(doc, "outputs: {{{}: {}}}", self.pick(&["ok", "status", "Bad", "1"]), self.value()).unwrap();
        }
        if self.chance(20) {
            writeln!(doc, "requires: {{{}: {}}}", self.pick(&["speckit_version", "permissions", "foo", "integrations"]), self.value()).unwrap();
        }
        let mut ids = Vec::new();
        if self.chance(95) {
            doc.push_str("steps:\n");
            for _ in 0..1 + self.below(5) {
                writeln!(doc, "  - {}", self.step(0, &mut ids)).unwrap();
            }
        } else {
            writeln!(doc, "steps: {}", self.value()).unwrap();
        }
        doc
    }
}

#[test]
fn generated_documents_match_the_reference() {
    let Some(python) = reference_python() else { return };
    let seed = std::env::var("BATON_ORACLE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_1234_u64);
    let count = std::env::var("BATON_ORACLE_COUNT").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let mut gen = Gen(seed | 1);
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for i in 0..count {
        let path = dir.path().join(format!("gen-{i:04}.yml"));
        std::fs::write(&path, gen.document()).unwrap();
        paths.push(path);
    }
    compare(&python, &paths);
}
