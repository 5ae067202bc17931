//! Ctrl-C / SIGTERM during a step: the run is saved paused at that step.

use baton_state::{Phase, RunStatus};

use crate::common::*;

#[test]
fn an_interrupt_pauses_the_run_and_resume_reruns_the_step() {
    let p = Project::new();
    let wf = workflow(
        "intr",
        "  - id: a\n    type: shell\n    run: echo a >> a.txt\n  - id: b\n    type: interrupt\n  - id: c\n    type: shell\n    run: echo c\n",
    );
    let done = p.run("r1", &wf, &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Paused);
    assert_eq!(done.state.current_step_id.as_deref(), Some("b"));
    assert!(!done.state.step_results.contains_key("b"));
    assert_eq!(
        p.events("r1"),
        ev(&[
            ("step_started", "a"),
            ("step_completed", "a"),
            ("step_started", "b"),
            ("workflow_interrupted", ""),
        ])
    );
    let on_disk = p.state("r1");
    let node = &on_disk.execution.as_ref().unwrap().sequence.nodes[1];
    assert_eq!((node.phase(), node.active()), (Phase::Ready, Some(false)));

    let again = p.resume("r1", &[]).unwrap();
    assert_eq!(again.state.status, RunStatus::Completed);
    assert_eq!(output(&again.state, "b", "again").as_deref(), Some("true"));
    assert_eq!(std::fs::read_to_string(p.root().join("a.txt")).unwrap(), "a\n", "a is not re-run");
}

#[test]
fn an_interrupt_inside_a_branch_resumes_inside_it() {
    let p = Project::new();
    let wf = workflow(
        "intr2",
        "  - id: br\n    type: if\n    condition: true\n    then:\n      - id: x\n        type: shell\n        run: echo x >> x.txt\n      - id: y\n        type: interrupt\n",
    );
    let done = p.run("r1", &wf, &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Paused);
    assert_eq!(done.state.current_step_id.as_deref(), Some("y"));
    let again = p.resume("r1", &[]).unwrap();
    assert_eq!(again.state.status, RunStatus::Completed);
    assert_eq!(std::fs::read_to_string(p.root().join("x.txt")).unwrap(), "x\n");
    let tail: Vec<_> = p.events("r1").into_iter().rev().take(3).collect();
    assert_eq!(
        tail,
        ev(&[("workflow_finished", "completed"), ("step_completed", "y"), ("step_started", "y")]),
        "the branch is not re-decided, only y re-runs"
    );
}
