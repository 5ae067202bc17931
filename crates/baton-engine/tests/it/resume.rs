//! Resume: refusals, the lock, inputs, and run folders the reference made.

use baton_state::{RunId, RunStatus, RunStore};

use crate::common::*;

#[test]
fn a_held_lock_refuses_resume_at_once() {
    let p = Project::new();
    let wf = workflow("locked", "  - id: g\n    type: gate\n    message: ok?\n");
    assert_eq!(p.run("r1", &wf, &[]).unwrap().state.status, RunStatus::Paused);
    let _held = p.store().lock(&RunId::new("r1").unwrap()).unwrap();
    let started = std::time::Instant::now();
    let err = p.resume("r1", &[]).unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(err.to_string().contains("in use by another process"), "{err}");
    assert!(err.to_string().contains(&format!("pid {}", std::process::id())), "{err}");
}

#[test]
fn completed_and_aborted_runs_are_refused() {
    let p = Project::new();
    let wf = workflow("done", "  - id: a\n    type: shell\n    run: echo a\n");
    p.run("r1", &wf, &[]).unwrap();
    let err = p.resume("r1", &[]).unwrap_err();
    assert_eq!(err.to_string(), "Cannot resume run 'r1' with status 'completed'.");
}

#[test]
fn a_running_run_whose_process_died_resumes_at_the_step_in_flight() {
    let p = Project::new();
    let wf = workflow("died", "  - id: a\n    type: shell\n    run: echo a >> a.txt\n  - id: g\n    type: gate\n    message: ok?\n");
    p.run("r1", &wf, &[]).unwrap();
    // Pretend the process died while running `g`: status `running`, lock free.
    let state_path = p.run_dir("r1").join("state.json");
    let text = std::fs::read_to_string(&state_path).unwrap().replacen("\"status\": \"paused\"", "\"status\": \"running\"", 1);
    std::fs::write(&state_path, text).unwrap();
    let again = p.resume("r1", &[]).unwrap();
    assert_eq!(again.state.status, RunStatus::Paused);
    assert_eq!(again.state.current_step_id.as_deref(), Some("g"));
    assert_eq!(std::fs::read_to_string(p.root().join("a.txt")).unwrap(), "a\n");
}

#[test]
fn resume_inputs_are_merged_and_checked_before_anything_changes() {
    let p = Project::new();
    let wf = "schema_version: \"1.0\"\nworkflow: {id: inp, name: inp, version: \"1.0.0\"}\ninputs:\n  n: {type: number, default: 1}\n  verdict: {type: string, default: \"\"}\nsteps:\n  - id: g\n    type: gate\n    message: \"n={{ inputs.n }}\"\n    verdict_input: verdict\n  - id: s\n    type: shell\n    run: echo {{ inputs.n }}\n";
    p.run("r1", wf, &[]).unwrap();
    let err = p.resume("r1", &[("n", "many")]).unwrap_err();
    assert_eq!(err.to_string(), "Input 'n' expected a number, got 'many'.");
    assert_eq!(p.state("r1").status, RunStatus::Paused, "a refused resume changes nothing");
    let done = p.resume("r1", &[("n", "7"), ("verdict", "APPROVE")]).unwrap();
    assert_eq!(done.state.status, RunStatus::Completed);
    assert_eq!(output(&done.state, "s", "stdout").as_deref(), Some("7\n"));
    assert_eq!(output(&done.state, "g", "choice").as_deref(), Some("approve"));
}

#[test]
fn resumes_runs_the_reference_paused_in_a_branch() {
    let p = Project::from_fixture("if-gate");
    let done = p.resume("if-gate", &[]).unwrap();
    // The gate pauses again (no terminal); nothing before it re-runs.
    assert_eq!(done.state.status, RunStatus::Paused);
    assert_eq!(done.state.current_step_id.as_deref(), Some("review"));
    let tail: Vec<_> = p.events("if-gate").into_iter().rev().take(3).collect();
    assert_eq!(tail, ev(&[("workflow_finished", "paused"), ("step_completed", "review"), ("step_started", "review")]));
}

#[test]
fn resumes_a_failed_reference_run_and_retries_the_failed_step() {
    let p = Project::from_fixture("failed");
    let before = p.events("failed").len();
    let done = p.resume("failed", &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Failed);
    assert_eq!(done.state.error.as_deref(), Some("Shell command exited with code 3."));
    let new: Vec<_> = p.events("failed").into_iter().skip(before).collect();
    assert_eq!(
        new,
        ev(&[
            ("step_started", "boom"),
            ("step_completed", "boom"),
            ("step_failed", "boom"),
            ("workflow_finished", "failed")
        ])
    );
}

#[test]
fn resumes_a_legacy_reference_run_without_a_tree() {
    let p = Project::from_fixture("legacy");
    assert!(p.state("legacy").execution.is_none());
    let done = p.resume("legacy", &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Paused);
    let tree = done.state.execution.as_ref().unwrap();
    assert_eq!(tree.offset(), 1);
    assert!(tree.initial.as_ref().unwrap().contains_key("fetch"));
    assert_eq!(done.state.current_step_id.as_deref(), Some("approve"));
}

#[test]
fn resumes_a_reference_fan_out_paused_at_an_item_gate() {
    let p = Project::from_fixture("fanout-gate");
    let done = p.resume("fanout-gate", &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Paused);
    let gate = baton_engine::gate_outcome(&done.state).unwrap();
    assert_eq!(gate.get("step_id").and_then(|j| j.as_str()), Some("fan:review:0"));
    let scope = gate.get("scope_path").unwrap().to_python_line();
    assert_eq!(scope, r#"["fan", "0"]"#);
}
