//! `baton graph`: Mermaid and DOT snapshots of every valid fixture, refusal of invalid
//! workflows with `validate`'s diagnostics.

use crate::{baton, fixtures, stderr, stdout};

#[test]
fn every_valid_fixture_as_mermaid_and_dot() {
    let files = fixtures("fixtures/workflows/valid");
    assert!(files.len() >= 15, "fixtures missing: {files:?}");
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let rel = format!("fixtures/workflows/valid/{stem}.yml");
        for format in ["mermaid", "dot"] {
            let out = baton(&["graph", &rel, "--format", format]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{rel} {format}: {}",
                stderr(&out)
            );
            assert_eq!(
                stderr(&out),
                "",
                "{rel} {format}: a valid fixture has no warnings"
            );
            let text = stdout(&out);
            // Deterministic: a second run prints the same bytes.
            assert_eq!(stdout(&baton(&["graph", &rel, "--format", format])), text);
            insta::assert_snapshot!(format!("graph_{format}_{stem}"), text);
        }
    }
}

#[test]
fn mermaid_is_the_default_format() {
    let a = baton(&["graph", "fixtures/workflows/valid/if.yml"]);
    let b = baton(&[
        "graph",
        "fixtures/workflows/valid/if.yml",
        "--format",
        "mermaid",
    ]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(stdout(&a), stdout(&b));
    assert!(stdout(&a).contains("flowchart TD\n"));
}

#[test]
fn nested_structures_have_their_edges() {
    let text = stdout(&baton(&["graph", "fixtures/workflows/valid/nested.yml"]));
    for edge in [
        // switch cases, and the fall-through when no case matches
        "s_pick -->|\"case quick\"| s_lint",
        "s_pick -->|\"no match\"| s_tasks",
        // a while loop's back edges, from an if nested in its body
        "s_fix ==>|\"repeat\"| s_refine",
        "s_refine -->|\"false\"| s_tasks",
        // the fan-out template, itself an if
        "s_tasks -->|\"each item\"| s_task",
        // fan-in joins
        "s_tasks -.->|\"wait_for\"| s_merge",
        "s_plan -.->|\"wait_for\"| s_merge",
        // the gate's default options: reject aborts
        "s_approve -->|\"approve\"| s_publish",
        "s_approve -->|\"reject\"| aborted",
    ] {
        assert!(text.contains(edge), "missing `{edge}` in\n{text}");
    }
}

#[test]
fn invalid_workflows_are_refused_with_validate_diagnostics() {
    for rel in [
        "fixtures/workflows/invalid/all-errors-reported.yml",
        "fixtures/workflows/invalid/semantic/step-type-unknown.yml",
        "fixtures/workflows/invalid/steps-not-list.yml",
    ] {
        let graph = baton(&["graph", rel]);
        let validate = baton(&["validate", rel]);
        assert_eq!(graph.status.code(), Some(1), "{rel}");
        assert_eq!(stdout(&graph), "", "{rel}: nothing on stdout");
        assert_eq!(
            stderr(&graph),
            stdout(&validate),
            "{rel}: the same report as validate"
        );
    }
}

#[test]
fn a_missing_file_is_an_error() {
    let out = baton(&["graph", "no/such/flow.yml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "Error: Workflow file not found: no/such/flow.yml\n"
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn an_installed_workflow_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let installed = dir.path().join(".specify/workflows/demo");
    std::fs::create_dir_all(&installed).unwrap();
    std::fs::copy(
        crate::repo_root().join("fixtures/workflows/valid/hello.yml"),
        installed.join("workflow.yml"),
    )
    .unwrap();
    let out = std::process::Command::new(crate::BATON)
        .args(["graph", "demo", "--format", "dot"])
        .current_dir(dir.path())
        .env_remove("SPECIFY_INIT_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("digraph "));
    let missing = std::process::Command::new(crate::BATON)
        .args(["graph", "nope"])
        .current_dir(dir.path())
        .env_remove("SPECIFY_INIT_DIR")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(stderr(&missing), "Error: Workflow not found: nope\n");
}

#[test]
fn graphviz_accepts_every_dot_graph() {
    let dot = std::path::Path::new("/usr/bin/dot");
    if !dot.exists() {
        eprintln!("skipped: Graphviz (`dot`) is not installed");
        return;
    }
    for file in fixtures("fixtures/workflows/valid") {
        let text = stdout(&baton(&["graph", file.to_str().unwrap(), "--format", "dot"]));
        let mut child = std::process::Command::new(dot)
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    }
}
