//! `--durability normal|strict` on `run` and `resume` (baton addition): both complete a
//! run identically; anything else is a usage error before a run exists.

#![allow(clippy::unwrap_used)]

use std::process::Command;

fn baton(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.current_dir(dir).env_remove("SPECIFY_INIT_DIR").env_remove("SPECKIT_WORKFLOW_RUN_ID");
    cmd
}

const WORKFLOW: &str = r#"schema_version: "1.0"
workflow: {id: dur, name: Dur, version: "1.0.0"}
inputs:
  verdict: {type: string, default: ""}
steps:
  - id: a
    type: shell
    run: echo a >> marks.txt
  - id: g
    type: gate
    message: go?
    options: [approve, reject]
    verdict_input: verdict
  - id: b
    type: shell
    run: echo b >> marks.txt
"#;

#[test]
fn strict_and_normal_runs_resume_and_complete_alike() {
    for mode in ["normal", "strict"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("wf.yml"), WORKFLOW).unwrap();
        let run = baton(dir.path())
            .args(["run", "wf.yml", "--json", "--durability", mode])
            .env("SPECKIT_WORKFLOW_RUN_ID", "d1")
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{mode}: {}", String::from_utf8_lossy(&run.stderr));
        let resume = baton(dir.path())
            .args(["resume", "d1", "-i", "verdict=approve", "--json", "--durability", mode])
            .output()
            .unwrap();
        let payload: serde_json::Value = serde_json::from_slice(&resume.stdout).unwrap();
        assert_eq!(payload["status"], "completed", "{mode}");
        assert_eq!(std::fs::read_to_string(dir.path().join("marks.txt")).unwrap(), "a\nb\n", "{mode}");
    }
}

#[test]
fn an_unknown_durability_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wf.yml"), WORKFLOW).unwrap();
    let out = baton(dir.path()).args(["run", "wf.yml", "--durability", "sometimes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join(".specify").exists(), "nothing is created");
}
