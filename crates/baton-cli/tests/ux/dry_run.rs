//! `baton run --dry-run`: the plan of every kind of step (text and `--json`), branches
//! decided by the inputs alone, expressions left unresolved where only a run knows the
//! value, `run`'s refusals, installed ids, and nothing created on disk.

use std::path::Path;

use crate::{baton_in, repo_root, stderr, stdout, tree};

fn fixture(rel: &str) -> String {
    repo_root().join(rel).display().to_string()
}

/// Output with the fixture folder and temp folders replaced.
fn filtered(text: &str, dir: &Path) -> String {
    text.replace(&repo_root().display().to_string(), "[REPO]").replace(&dir.display().to_string(), "[TMP]")
}

fn dry(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["run", "--dry-run"];
    all.extend_from_slice(args);
    let out = baton_in(dir, &all);
    (out.status.code(), filtered(&stdout(&out), dir), filtered(&stderr(&out), dir))
}

#[test]
fn plans_in_text_and_json_without_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = fixture("fixtures/dry-run/inputs.yml");
    let nested = fixture("fixtures/workflows/valid/nested.yml");
    let cases: [(&str, Vec<&str>); 6] = [
        ("inputs_missing_required", vec![inputs.as_str()]),
        ("inputs_given", vec![inputs.as_str(), "-i", "feature=a,b", "-i", "fast=no"]),
        ("inputs_given_json", vec![inputs.as_str(), "-i", "feature=a,b", "-i", "fast=no", "--json"]),
        ("nested_defaults", vec![nested.as_str()]),
        ("nested_thorough", vec![nested.as_str(), "-i", "mode=thorough"]),
        ("nested_json", vec![nested.as_str(), "--json"]),
    ];
    for (name, args) in cases {
        let (code, out, err) = dry(dir.path(), &args);
        assert_eq!(code, Some(0), "{name}: {err}");
        assert_eq!(err, "", "{name}");
        insta::assert_snapshot!(format!("dry_run_{name}"), out);
    }
    assert_eq!(tree(dir.path()), Vec::<String>::new(), "a dry run creates nothing");
}

#[test]
fn branches_follow_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let switch = fixture("fixtures/workflows/valid/switch.yml");
    let (_, out, _) = dry(dir.path(), &[&switch, "-i", "scope=backend"]);
    assert!(out.contains("→ case backend (taken: decided by the inputs)"), "{out}");
    assert!(!out.contains("case full"), "only the branch taken is shown:\n{out}");
    let json = |args: &[&str]| -> serde_json::Value {
        let (_, out, _) = dry(dir.path(), args);
        serde_json::from_str(&out).unwrap()
    };
    let v = json(&[&switch, "--json"]);
    let route = &v["steps"][0];
    assert_eq!(route["decided"], true);
    assert_eq!(route["blocks"].as_array().unwrap().len(), 1);
    assert_eq!(route["blocks"][0]["label"], "case full");
    // An if whose condition needs a step output shows both branches.
    let inputs = fixture("fixtures/dry-run/inputs.yml");
    let v = json(&[&inputs, "--json"]);
    let check = v["steps"].as_array().unwrap().iter().find(|s| s["id"] == "check").unwrap();
    assert_eq!(check["decided"], false);
    let labels: Vec<_> = check["blocks"].as_array().unwrap().iter().map(|b| b["label"].clone()).collect();
    assert_eq!(labels, ["then", "else"]);
    assert_eq!(check["fields"][0]["resolved"], false);
    assert_eq!(check["fields"][0]["expression"], "{{ steps.greet.output.exit_code == 0 }}");
    assert_eq!(v["missing_inputs"], serde_json::json!(["feature"]));
}

#[test]
fn refusals_are_runs_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = fixture("fixtures/dry-run/inputs.yml");
    // A -i value the input's type refuses: `run`'s message and exit code.
    let bad = ["--input", "feature=x", "-i", "count=many"];
    let mut run_args = vec!["run", inputs.as_str()];
    run_args.extend_from_slice(&bad);
    let real = baton_in(dir.path(), &run_args);
    let (code, out, _) = dry(dir.path(), &[&[inputs.as_str()][..], &bad[..]].concat());
    assert_eq!(code, real.status.code());
    assert_eq!(code, Some(1));
    assert_eq!(out, "Error: Input 'count' expected a number, got 'many'.\n");
    assert!(stdout(&real).ends_with(&out), "{}", stdout(&real));
    let (code, out, err) = dry(dir.path(), &[&[inputs.as_str(), "--json"][..], &bad[..]].concat());
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert_eq!(err, "Error: Input 'count' expected a number, got 'many'.\n");
    // A malformed -i.
    let (code, out, _) = dry(dir.path(), &[&inputs, "-i", "novalue"]);
    assert_eq!((code, out.as_str()), (Some(1), "Error: Invalid input format: 'novalue' (expected key=value)\n"));
    // An invalid workflow: byte for byte what `run` prints.
    for rel in ["fixtures/workflows/invalid/all-errors-reported.yml", "fixtures/workflows/invalid/steps-not-list.yml"] {
        let path = fixture(rel);
        let real = baton_in(dir.path(), &["run", &path]);
        let (code, out, err) = dry(dir.path(), &[&path]);
        assert_eq!(code, real.status.code(), "{rel}");
        assert_eq!(out, filtered(&stdout(&real), dir.path()), "{rel}");
        assert_eq!(err, filtered(&stderr(&real), dir.path()), "{rel}");
    }
    // The real `run` above created its run folder; the dry runs none.
    let runs = dir.path().join(".specify/workflows/runs");
    let folders = std::fs::read_dir(&runs).map(|d| d.count()).unwrap_or(0);
    assert_eq!(folders, 1, "only the real run made a folder: {:?}", tree(dir.path()));
}

#[test]
fn installed_ids_resolve_as_run_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".specify")).unwrap();
    let add = baton_in(dir.path(), &["add", &fixture("fixtures/workflows/valid/switch.yml")]);
    assert_eq!(add.status.code(), Some(0), "{}", stderr(&add));
    let before = tree(dir.path());
    let (code, out, err) = dry(dir.path(), &["switch-all-fields", "-i", "scope=backend"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Dry run of workflow: Switch step, every field (switch-all-fields)"), "{out}");
    assert!(out.contains("run: echo api only"), "{out}");
    assert_eq!(tree(dir.path()), before, "no run folder, no state");
    assert!(!dir.path().join(".specify/workflows/runs").exists());
    let (code, out, _) = dry(dir.path(), &["not-installed"]);
    let real = baton_in(dir.path(), &["run", "not-installed"]);
    assert_eq!(code, real.status.code());
    assert_eq!(out, stdout(&real));
    assert_eq!(out, "Error: Workflow not found: not-installed\n");
}
