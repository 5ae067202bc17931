//! Issue 22's additions through the CLI: `resume --choose`, `logs`, `retry`,
//! `--events`, `rerun`, `prune`. Each test works in its own temporary project.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".specify")).unwrap();
    dir
}

fn baton(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .current_dir(dir)
        .env_remove("SPECKIT_WORKFLOW_RUN_ID")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn runs(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir.join(".specify/workflows/runs"))
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    ids.sort();
    ids
}

fn state(dir: &Path, run: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(".specify/workflows/runs").join(run).join("state.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const GATE: &str = r#"schema_version: "1.0"
workflow:
  id: g
  name: G
  version: 1.0.0
steps:
  - id: pre
    type: shell
    run: echo hello
  - id: review
    type: gate
    message: ok?
    options: [approve, reject]
  - id: post
    type: shell
    run: echo "chose {{ steps.review.output.choice }}"
"#;

fn paused_gate() -> (tempfile::TempDir, String) {
    let dir = project();
    write(dir.path(), "wf.yml", GATE);
    let out = baton(dir.path(), &["run", "wf.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let id = runs(dir.path()).remove(0);
    assert_eq!(state(dir.path(), &id)["status"], "paused");
    (dir, id)
}

#[test]
fn choose_answers_the_paused_gate() {
    let (dir, id) = paused_gate();
    let out = baton(dir.path(), &["resume", &id, "--choose", "Approve", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let st = state(dir.path(), &id);
    assert_eq!(st["status"], "completed");
    let gate = &st["step_results"]["review"]["output"];
    assert_eq!(gate["choice"], "approve");
    assert_eq!(gate["answered_by"], "--choose");
    assert_eq!(st["step_results"]["post"]["output"]["stdout"], "chose approve\n");
}

#[test]
fn choose_rejects_an_unknown_option_and_leaves_the_run() {
    let (dir, id) = paused_gate();
    let before = state(dir.path(), &id);
    let out = baton(dir.path(), &["resume", &id, "--choose", "maybe"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out) + &stderr(&out);
    assert!(text.contains("'maybe' is not an option of gate review; choose one of: approve, reject."), "{text}");
    assert_eq!(state(dir.path(), &id), before);
}

#[test]
fn choose_refuses_a_run_not_at_a_gate() {
    let dir = project();
    write(dir.path(), "wf.yml", "schema_version: \"1.0\"\nworkflow: {id: s, name: S, version: 1.0.0}\nsteps:\n  - {id: a, type: shell, run: 'exit 3'}\n");
    baton(dir.path(), &["run", "wf.yml"]);
    let id = runs(dir.path()).remove(0);
    let out = baton(dir.path(), &["resume", &id, "--choose", "approve"]);
    assert_eq!(out.status.code(), Some(1));
    assert!((stdout(&out) + &stderr(&out)).contains("is not paused at a gate (status: failed)"));
}

#[test]
fn events_file_has_one_json_line_per_event() {
    let dir = project();
    write(dir.path(), "wf.yml", GATE);
    let out = baton(dir.path(), &["run", "wf.yml", "--events", "ev.jsonl"]);
    assert_eq!(out.status.code(), Some(0));
    let id = runs(dir.path()).remove(0);
    let out = baton(dir.path(), &["resume", &id, "--choose", "reject", "--events", "ev2.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let lines = |name: &str| -> Vec<Value> {
        std::fs::read_to_string(dir.path().join(name))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let first = lines("ev.jsonl");
    let names: Vec<&str> = first.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["run_started", "step_started", "step_finished", "step_started", "step_finished", "run_paused"]);
    assert_eq!(first[0]["run_id"], id.as_str());
    assert_eq!(first[0]["workflow_id"], "g");
    assert_eq!(first[1]["step_id"], "pre");
    assert_eq!(first[1]["step_type"], "shell");
    assert_eq!(first[2]["status"], "completed");
    assert!(first[2]["duration_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(first[4]["step_id"], "review");
    assert_eq!(first[4]["status"], "paused");
    assert_eq!(first[5]["status"], "paused");
    for e in &first {
        assert!(e["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    let second = lines("ev2.jsonl");
    let names: Vec<&str> = second.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["run_resumed", "step_started", "step_finished", "run_aborted"]);
    assert_eq!(second[2]["status"], "failed");
    assert_eq!(second[3]["error"], "Gate rejected by user at step 'review'");
}

#[test]
fn without_the_flags_nothing_extra_is_written() {
    let dir = project();
    write(dir.path(), "wf.yml", GATE);
    baton(dir.path(), &["run", "wf.yml"]);
    let id = runs(dir.path()).remove(0);
    let gate = &state(dir.path(), &id)["step_results"]["review"]["output"];
    assert!(gate.get("answered_by").is_none());
    let names: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.contains("jsonl")));
}

const NESTED: &str = r#"schema_version: "1.0"
workflow: {id: n, name: N, version: 1.0.0}
inputs:
  word: {type: string, default: one}
steps:
  - id: a
    type: shell
    run: echo A; echo warn >&2
  - id: br
    type: if
    condition: "{{ true }}"
    then:
      - id: inner
        type: shell
        run: echo "IN {{ inputs.word }}"
  - id: lp
    type: while
    condition: "{{ true }}"
    max_iterations: 2
    steps:
      - id: body
        type: shell
        run: echo "B {{ inputs.word }}"
  - id: last
    type: shell
    run: exit 4
"#;

#[test]
fn logs_text_and_json_with_nested_ids() {
    let dir = project();
    write(dir.path(), "wf.yml", NESTED);
    let out = baton(dir.path(), &["run", "wf.yml"]);
    assert_eq!(out.status.code(), Some(1));
    let id = runs(dir.path()).remove(0);
    let out = baton(dir.path(), &["logs", &id]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("logs_text", stdout(&out));
    let out = baton(dir.path(), &["logs", &id, "lp:body:1", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["run_id"], id.as_str());
    assert_eq!(v["status"], "failed");
    assert_eq!(
        v["steps"],
        serde_json::json!([{"step_id": "lp:body:1", "type": "shell", "status": "completed",
            "exit_code": 0, "stdout": "B one\n", "stderr": "", "error": null}])
    );
    let out = baton(dir.path(), &["logs", &id, "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["steps"].as_array().unwrap().iter().map(|s| s["step_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "br", "inner", "lp", "body", "lp:body:1", "last"]);
    assert_eq!(v["steps"][6]["exit_code"], 4);
    assert_eq!(v["steps"][6]["error"], "Shell command exited with code 4.");
    let out = baton(dir.path(), &["logs", &id, "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!((stdout(&out) + &stderr(&out)).contains(&format!("Step not found in run {id}: nope")));
}

#[test]
fn retry_fails_twice_then_succeeds_with_backoff() {
    let dir = project();
    write(
        dir.path(),
        "wf.yml",
        r#"schema_version: "1.0"
workflow: {id: r, name: R, version: 1.0.0}
steps:
  - id: flaky
    type: shell
    retry: {max_attempts: 5, delay: 0.3, backoff: 2, max_delay: 10}
    run: |
      python3 -c 'import time; print(repr(time.time()))' >> stamps.txt
      n=$(wc -l < stamps.txt)
      echo "attempt $n"
      [ "$n" -ge 3 ]
"#,
    );
    let out = baton(dir.path(), &["run", "wf.yml", "--events", "ev.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    // The attempts' own recorded start times prove the waits: >= 0.3 s, then >= 0.6 s.
    let stamps: Vec<f64> = std::fs::read_to_string(dir.path().join("stamps.txt"))
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(stamps.len(), 3);
    assert!(stamps[1] - stamps[0] >= 0.3, "{stamps:?}");
    assert!(stamps[2] - stamps[1] >= 0.6, "{stamps:?}");
    let id = runs(dir.path()).remove(0);
    let record = &state(dir.path(), &id)["step_results"]["flaky"];
    assert_eq!(record["status"], "completed");
    assert_eq!(record["output"]["attempts"], 3);
    assert_eq!(record["output"]["stdout"], "attempt 3\n");
    let retries = record["output"]["retries"].as_array().unwrap();
    assert_eq!(retries.len(), 2);
    assert_eq!(retries[0]["attempt"], 1);
    assert_eq!(retries[0]["exit_code"], 1);
    assert_eq!(retries[0]["error"], "Shell command exited with code 1.");
    assert_eq!(retries[0]["delay"], 0.3);
    assert_eq!(retries[1]["delay"], 0.6);
    let events: Vec<Value> = std::fs::read_to_string(dir.path().join("ev.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let retrying: Vec<&Value> = events.iter().filter(|e| e["event"] == "step_retrying").collect();
    assert_eq!(retrying.len(), 2);
    assert_eq!(retrying[1]["attempt"], 2);
    assert_eq!(retrying[1]["delay_seconds"], 0.6);
}

#[test]
fn retry_gives_up_after_max_attempts_and_timeouts_count() {
    let dir = project();
    write(
        dir.path(),
        "wf.yml",
        "schema_version: \"1.0\"\nworkflow: {id: r, name: R, version: 1.0.0}\nsteps:\n  - id: slow\n    type: shell\n    timeout: 0.2\n    retry: {max_attempts: 2, delay: 0}\n    run: echo x >> n.txt; sleep 5\n",
    );
    let out = baton(dir.path(), &["run", "wf.yml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.path().join("n.txt")).unwrap(), "x\nx\n");
    let id = runs(dir.path()).remove(0);
    let record = &state(dir.path(), &id)["step_results"]["slow"];
    assert_eq!(record["status"], "failed");
    assert_eq!(record["output"]["attempts"], 2);
}

#[test]
fn malformed_retry_is_a_located_warning() {
    let dir = project();
    write(
        dir.path(),
        "wf.yml",
        "schema_version: \"1.0\"\nworkflow: {id: r, name: R, version: 1.0.0}\nsteps:\n  - id: s\n    type: shell\n    run: 'true'\n    retry:\n      max_attempts: 0\n      delay: fast\n",
    );
    let out = baton(dir.path(), &["validate", "wf.yml", "--json"]);
    let text = stdout(&out);
    assert!(text.contains("'retry.max_attempts' must be an integer from 1 to 100"), "{text}");
    assert!(text.contains("'retry.delay' must be a number of seconds"), "{text}");
    assert!(text.contains("step.retry"), "{text}");
    // The reference ignores `retry`, so the workflow still runs (once).
    let out = baton(dir.path(), &["run", "wf.yml"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn prune_removes_finished_runs_but_never_a_locked_one() {
    let dir = project();
    write(dir.path(), "ok.yml", "schema_version: \"1.0\"\nworkflow: {id: ok, name: O, version: 1.0.0}\nsteps:\n  - {id: a, type: shell, run: 'true'}\n");
    write(dir.path(), "bad.yml", "schema_version: \"1.0\"\nworkflow: {id: bad, name: B, version: 1.0.0}\nsteps:\n  - {id: a, type: shell, run: 'exit 1'}\n");
    write(dir.path(), "slow.yml", "schema_version: \"1.0\"\nworkflow: {id: slow, name: S, version: 1.0.0}\nsteps:\n  - {id: a, type: shell, run: 'touch started; sleep 3'}\n");
    baton(dir.path(), &["run", "ok.yml"]);
    baton(dir.path(), &["run", "bad.yml"]);
    let before = runs(dir.path());
    assert_eq!(before.len(), 2);
    let mut slow = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["run", "slow.yml"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !dir.path().join("started").exists() {
        assert!(std::time::Instant::now() < deadline, "the slow run did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let slow_id = runs(dir.path()).into_iter().find(|r| !before.contains(r)).unwrap();

    // Filters: --status and --older-than.
    let out = baton(dir.path(), &["prune", "--status", "failed", "--dry-run", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["removed"].as_array().unwrap().len(), 1);
    assert_eq!(runs(dir.path()).len(), 3, "a dry run removes nothing");
    let out = baton(dir.path(), &["prune", "--older-than", "1d"]);
    assert!(stdout(&out).contains("Removed 0 run(s)."), "{}", stdout(&out));
    assert_eq!(runs(dir.path()).len(), 3);

    // Everything: the executing run is skipped, the others go.
    let out = baton(dir.path(), &["prune", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["removed"].as_array().unwrap().len(), 2);
    assert_eq!(v["skipped_locked"], serde_json::json!([slow_id.clone()]));
    assert_eq!(runs(dir.path()), std::slice::from_ref(&slow_id));
    assert!(slow.wait().unwrap().success());
    assert_eq!(state(dir.path(), &slow_id)["status"], "completed");
    let out = baton(dir.path(), &["prune", "--older-than", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Checks a line against `schemas/events.schema.json` (its `oneOf` branches: `event`
/// const/enum, required keys, no others, types of strings and numbers).
fn check_event_line(schema: &Value, line: &Value) {
    let name = line["event"].as_str().unwrap();
    let branch = schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            let e = &b["properties"]["event"];
            e["const"] == name || e["enum"].as_array().is_some_and(|a| a.iter().any(|x| x == name))
        })
        .unwrap_or_else(|| panic!("event {name} is not in the schema"));
    let props = branch["properties"].as_object().unwrap();
    for key in branch["required"].as_array().unwrap() {
        assert!(line.get(key.as_str().unwrap()).is_some(), "{name}: missing {key}");
    }
    for (key, value) in line.as_object().unwrap() {
        let prop = props.get(key).unwrap_or_else(|| panic!("{name}: extra key {key}"));
        let types: Vec<&str> = match &prop["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => continue,
        };
        let ok = types.iter().any(|t| match *t {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64(),
            "null" => value.is_null(),
            _ => false,
        });
        assert!(ok, "{name}: {key} = {value} is not {types:?}");
        if let Some(allowed) = prop["enum"].as_array() {
            assert!(allowed.contains(value), "{name}: {key} = {value} not in {allowed:?}");
        }
    }
}

#[test]
fn every_event_line_matches_the_committed_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("../../../schemas/events.schema.json")).unwrap();
    let dir = project();
    write(
        dir.path(),
        "wf.yml",
        "schema_version: \"1.0\"\nworkflow: {id: e, name: E, version: 1.0.0}\nsteps:\n  - id: f\n    type: shell\n    retry: {max_attempts: 2, delay: 0}\n    run: 'exit 2'\n",
    );
    write(dir.path(), "g.yml", GATE);
    baton(dir.path(), &["run", "wf.yml", "--events", "a.jsonl"]);
    baton(dir.path(), &["run", "g.yml", "--events", "b.jsonl"]);
    let mut seen = std::collections::BTreeSet::new();
    for file in ["a.jsonl", "b.jsonl"] {
        for l in std::fs::read_to_string(dir.path().join(file)).unwrap().lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            check_event_line(&schema, &v);
            seen.insert(v["event"].as_str().unwrap().to_owned());
        }
    }
    let seen: Vec<&str> = seen.iter().map(String::as_str).collect();
    assert_eq!(seen, ["run_failed", "run_paused", "run_started", "step_finished", "step_retrying", "step_started"]);
}
