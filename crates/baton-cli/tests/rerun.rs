//! `baton rerun RUN_ID --from STEP_ID` (issue 22) through the binary, in temp projects.

use std::path::Path;
use std::process::{Command, Output};

const WF: &str = r#"schema_version: "1.0"
workflow:
  id: rr
  name: Rerun
  version: "1.0.0"
inputs:
  who:
    type: string
    default: world
steps:
  - id: a
    type: shell
    run: echo a >> marks.txt
  - id: c
    type: if
    condition: "{{ true }}"
    then:
      - id: t1
        type: shell
        run: echo t1 >> marks.txt
      - id: t2
        type: shell
        run: echo t2-{{ inputs.who }} >> marks.txt
  - id: lp
    type: do-while
    max_iterations: 3
    condition: "{{ true }}"
    steps:
      - id: s
        type: shell
        run: echo s >> marks.txt
  - id: b
    type: shell
    run: echo b-{{ inputs.who }} >> marks.txt
"#;

fn project(wf: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".specify")).unwrap();
    std::fs::write(dir.path().join("wf.yml"), wf).unwrap();
    dir
}

fn baton(dir: &Path, run_id: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .current_dir(dir)
        .env("SPECKIT_WORKFLOW_RUN_ID", run_id)
        .output()
        .unwrap()
}

fn marks(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("marks.txt")).unwrap_or_default().lines().map(str::to_owned).collect()
}

fn state(dir: &Path, id: &str) -> serde_json::Value {
    let p = dir.join(".specify/workflows/runs").join(id).join("state.json");
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn state_bytes(dir: &Path, id: &str) -> Vec<u8> {
    std::fs::read(dir.join(".specify/workflows/runs").join(id).join("state.json")).unwrap()
}

fn first_run(dir: &Path) {
    let out = baton(dir, "r1", &["run", "wf.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(marks(dir), ["a", "t1", "t2-world", "s", "s", "s", "b-world"]);
}

#[test]
fn rerun_from_top_level_step_reuses_earlier_results_and_leaves_old_run() {
    let dir = project(WF);
    first_run(dir.path());
    let before = state_bytes(dir.path(), "r1");
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "b"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Status: completed") && stdout.contains("Run ID: r2"), "{stdout}");
    assert_eq!(marks(dir.path())[7..], ["b-world"]);
    assert_eq!(state_bytes(dir.path(), "r1"), before, "old run changed");
    let st = state(dir.path(), "r2");
    assert_eq!(st["status"], "completed");
    assert_eq!(st["rerun_of"], "r1");
    assert_eq!(st["rerun_from"], "b");
    let keys: Vec<&String> = st.as_object().unwrap().keys().collect();
    assert_eq!(keys[keys.len() - 2..], ["rerun_of", "rerun_from"]);
    assert!(st["step_results"].get("a").is_some());
}

#[test]
fn rerun_from_if_branch_step_with_input_override() {
    let dir = project(WF);
    first_run(dir.path());
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "t2", "-i", "who=bob"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(marks(dir.path())[7..], ["t2-bob", "s", "s", "s", "b-bob"]);
    assert_eq!(state(dir.path(), "r2")["inputs"]["who"], "bob");
    assert_eq!(state(dir.path(), "r1")["inputs"]["who"], "world");
}

#[test]
fn rerun_from_loop_iteration() {
    let dir = project(WF);
    first_run(dir.path());
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "lp:s:1", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Iteration 0 is reused; iterations 1 and 2 run again (max_iterations 3), then b.
    assert_eq!(marks(dir.path())[7..], ["s", "s", "b-world"]);
    let payload: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(payload["status"], "completed", "{payload}");
    assert_eq!(payload["run_id"], "r2");
}

#[test]
fn rerun_of_failed_run_executes_from_failed_step() {
    let wf = r#"schema_version: "1.0"
workflow:
  id: rf
  name: RerunFail
  version: "1.0.0"
steps:
  - id: a
    type: shell
    run: echo a >> marks.txt
  - id: f
    type: shell
    run: echo f >> marks.txt; test -e ok
"#;
    let dir = project(wf);
    let out = baton(dir.path(), "r1", &["run", "wf.yml"]);
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(state(dir.path(), "r1")["status"], "failed");
    std::fs::write(dir.path().join("ok"), "").unwrap();
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "f"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(marks(dir.path()), ["a", "f", "f"]);
    assert_eq!(state(dir.path(), "r1")["status"], "failed");
    assert_eq!(state(dir.path(), "r2")["status"], "completed");
}

#[test]
fn unknown_step_id_is_refused_with_valid_ids() {
    let dir = project(WF);
    first_run(dir.path());
    let before = state_bytes(dir.path(), "r1");
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("Unknown step id 'nope'"), "{text}");
    assert!(text.contains("Valid step ids: a, c, t1, t2, lp, "), "{text}");
    assert!(text.contains("lp:s:1") && text.trim_end().ends_with(", b"), "{text}");
    assert!(!dir.path().join(".specify/workflows/runs/r2/state.json").exists());
    assert_eq!(state_bytes(dir.path(), "r1"), before);
    assert_eq!(marks(dir.path()).len(), 7);
}
