//! `baton rerun RUN_ID --from STEP_ID` (issue 22) through the binary, in temp projects.

#![allow(clippy::unwrap_used)]

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

const GATED: &str = r#"schema_version: "1.0"
workflow:
  id: gated
  name: Gated
  version: "1.0.0"
inputs:
  verdict:
    type: string
    default: reject
  n:
    type: number
    default: 1
steps:
  - id: a
    type: shell
    run: echo a >> marks.txt
  - id: g
    type: gate
    message: Go?
    options: [approve, reject]
    on_reject: abort
    verdict_input: verdict
  - id: b
    type: shell
    run: echo b >> marks.txt
"#;

fn runs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(".specify/workflows/runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn both(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn rerun_origin_survives_a_gate_pause_and_resume() {
    let dir = project(GATED);
    let out = baton(dir.path(), "r1", &["run", "wf.yml", "-i", "verdict=approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    // the verdict is cleared so the gate pauses the rerun
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "a", "-i", "verdict=", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let payload: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(payload["status"], "paused", "{payload}");
    let st = state(dir.path(), "r2");
    assert_eq!((st["status"].as_str(), st["rerun_of"].as_str(), st["rerun_from"].as_str()), (Some("paused"), Some("r1"), Some("a")));
    assert_eq!(marks(dir.path()), ["a", "b", "a"]);

    let out = baton(dir.path(), "ignored", &["resume", "r2", "-i", "verdict=approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let st = state(dir.path(), "r2");
    assert_eq!(st["status"], "completed");
    assert_eq!(st["rerun_of"], "r1");
    assert_eq!(st["rerun_from"], "a");
    let keys: Vec<&String> = st.as_object().unwrap().keys().collect();
    assert_eq!(keys[keys.len() - 2..], ["rerun_of", "rerun_from"]);
    assert_eq!(marks(dir.path()), ["a", "b", "a", "b"]);
    // status reads the run (snapshot + journal) without complaint
    let out = baton(dir.path(), "ignored", &["status", "r2", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn rerun_of_an_aborted_run_from_the_gate_completes() {
    let dir = project(GATED);
    let out = baton(dir.path(), "r1", &["run", "wf.yml"]);
    assert_eq!(out.status.code(), Some(1));
    let old = state(dir.path(), "r1");
    assert_eq!(old["status"], "aborted", "{old}");
    let before = state_bytes(dir.path(), "r1");
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "g", "-i", "verdict=approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let st = state(dir.path(), "r2");
    assert_eq!(st["status"], "completed");
    assert_eq!(st["error"], serde_json::Value::Null);
    assert_eq!(st["step_results"]["g"]["output"]["choice"], "approve", "{st}");
    assert_eq!(st["rerun_of"], "r1");
    assert_eq!(marks(dir.path()), ["a", "b"]);
    assert_eq!(state_bytes(dir.path(), "r1"), before, "old run changed");
}

#[test]
fn refused_reruns_leave_no_run_folder() {
    let dir = project(GATED);
    let out = baton(dir.path(), "r1", &["run", "wf.yml"]);
    assert_eq!(out.status.code(), Some(1));
    let before = state_bytes(dir.path(), "r1");
    // an input override that fails its check
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "g", "-i", "n=abc"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(both(&out).contains("Error: Input 'n' expected a number, got 'abc'."), "{}", both(&out));
    // a step after the aborted gate: the gate is terminal, nothing after it can run
    let out = baton(dir.path(), "r3", &["rerun", "r1", "--from", "b", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        both(&out).contains("Cannot rerun run 'r1' from step 'b': step 'g' before it was aborted."),
        "{}",
        both(&out)
    );
    assert_eq!(runs(dir.path()), ["r1"]);
    assert_eq!(state_bytes(dir.path(), "r1"), before);
    assert_eq!(marks(dir.path()), ["a"]);
}

const HELD: &str = r#"schema_version: "1.0"
workflow:
  id: held
  name: Held
  version: "1.0.0"
steps:
  - id: a
    type: shell
    run: echo a >> marks.txt
  - id: hold
    type: shell
    run: "touch started; for i in $(seq 600); do [ -e release ] && break; sleep 0.05; done; echo hold >> marks.txt"
"#;

#[test]
fn rerun_of_a_run_locked_by_a_live_process_is_refused_and_changes_nothing() {
    let dir = project(HELD);
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["run", "wf.yml"])
        .current_dir(dir.path())
        .env("SPECKIT_WORKFLOW_RUN_ID", "r1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while !dir.path().join("started").exists() {
        assert!(t0.elapsed().as_secs() < 20, "the held step never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before = state_bytes(dir.path(), "r1");
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "a"]);
    let during = state_bytes(dir.path(), "r1");
    std::fs::write(dir.path().join("release"), "").unwrap();
    let status = child.wait().unwrap();
    assert_eq!(during, before, "the refused rerun changed the old run");
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let msg = format!("run `r1` is in use by another process (pid {})", child.id());
    assert!(both(&out).contains(&msg), "{}", both(&out));
    assert_eq!(runs(dir.path()), ["r1"], "a run folder was made");
    assert_eq!(marks(dir.path()), ["a", "hold"], "a step ran again");
    assert!(status.success());
    assert_ne!(state_bytes(dir.path(), "r1"), before, "the holder finished the run");
    assert_eq!(state(dir.path(), "r1")["status"], "completed");
    // once the holder is gone, the same rerun proceeds
    let out = baton(dir.path(), "r2", &["rerun", "r1", "--from", "hold"]);
    std::fs::write(dir.path().join("release"), "").unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(marks(dir.path()), ["a", "hold", "hold"]);
}
