//! The malformed-workflow corpus, `fixtures/workflows/invalid/` (issue 20): documents
//! that do not load (`load/`: YAML syntax, encodings, BOMs, tabs, aliases, nesting,
//! empty files, a list or scalar at the top), wrong shapes and types (the folder
//! itself) and semantic mistakes (`semantic/`). Through the real binary, each one is
//! refused by `baton validate` and by `baton run` with exit 1, a message that points
//! into the file (`--> path:line:col`), no panic and no run folder. One snapshot holds
//! every message.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Every file under `fixtures/workflows/invalid/`, as paths relative to the repository
/// root, sorted.
fn corpus() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let root = repo();
    let mut files = Vec::new();
    walk(&root.join("fixtures/workflows/invalid"), &root, &mut files);
    files.sort();
    files
}

fn baton(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .current_dir(dir)
        .env_remove("SPECKIT_WORKFLOW_RUN_ID")
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// stdout then stderr, lossily decoded, with the project folder as `[project]`.
fn text(out: &Output, project: &Path) -> String {
    let mut all = String::from_utf8_lossy(&out.stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(&out.stderr));
    all.replace(&project.display().to_string(), "[project]")
}

#[test]
fn every_malformed_workflow_is_refused_clearly() {
    let files = corpus();
    assert!(files.len() >= 100, "the corpus has {} files; issue 20 asks for at least 100", files.len());

    // A project whose `fixtures` is the repository's, so paths read as in the repo.
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(project.join(".specify")).unwrap();
    std::os::unix::fs::symlink(repo().join("fixtures"), project.join("fixtures")).unwrap();

    let mut report = String::new();
    let mut distinct = std::collections::BTreeMap::<String, String>::new();
    let mut same = Vec::new();
    for rel in &files {
        let validate = baton(&project, &["validate", rel]);
        let run = baton(&project, &["run", rel]);
        let (v, r) = (text(&validate, &project), text(&run, &project));
        for (verb, out, shown) in [("validate", &validate, &v), ("run", &run, &r)] {
            assert_eq!(out.status.code(), Some(1), "{verb} {rel}:\n{shown}");
            assert!(!shown.contains("panicked"), "{verb} {rel} panicked:\n{shown}");
            assert!(
                shown.contains(&format!("--> {rel}:")) || shown.contains(&format!("--> [project]/{rel}:")),
                "{verb} {rel}: the message does not point into the file:\n{shown}"
            );
        }
        assert!(v.contains("error: "), "validate {rel}:\n{v}");
        assert!(
            r.starts_with("Error: Invalid workflow: ") || r.starts_with("Workflow validation failed:\n  • "),
            "run {rel} does not print the reference's refusal:\n{r}"
        );
        assert!(!project.join(".specify/workflows/runs").exists(), "run {rel} created a run folder");
        // Each file is a distinct failure: no two files give the same messages at the
        // same places.
        let key = r.replace(rel.as_str(), "<file>");
        if let Some(other) = distinct.insert(key, rel.clone()) {
            same.push(format!("{rel} fails exactly as {other} does:\n{r}"));
        }
        writeln!(report, "## {rel}\n$ baton validate (exit 1)\n{v}$ baton run (exit 1)\n{r}").unwrap();
    }
    assert!(same.is_empty(), "{}", same.join("\n"));
    insta::assert_snapshot!("invalid_corpus", report);
}
