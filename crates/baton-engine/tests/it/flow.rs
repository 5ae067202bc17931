//! Fresh runs: records, ids, events, halting, fan-out concurrency.

use baton_state::{Outcome, Phase, RunStatus};

use crate::common::*;

#[test]
fn nested_ids_records_and_events() {
    let p = Project::new();
    let wf = workflow(
        "nested",
        r#"  - id: lp
    type: do-while
    condition: "{{ (steps.c.output.stdout | length) < 2 }}"
    max_iterations: 5
    steps:
      - id: c
        type: shell
        run: "echo x >> n.txt; cat n.txt | tr -d '\n'"
      - id: br
        type: if
        condition: "{{ true }}"
        then:
          - id: deep
            type: shell
            run: echo deep
  - id: sw
    type: switch
    expression: "{{ true }}"
    cases:
      true:
        - id: hit
          type: shell
          run: echo hit
      "True": []
"#,
    );
    let done = p.run("r1", &wf, &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Completed, "{:?}", done.state.error);
    let keys: Vec<&str> = done.state.step_results.keys().map(String::as_str).collect();
    assert_eq!(keys, ["lp", "c", "br", "deep", "lp:c:1", "lp:br:1", "sw", "hit"]);
    // The plain id is the latest iteration's alias.
    assert_eq!(output(&done.state, "c", "stdout").as_deref(), Some("xx"));
    assert_eq!(output(&done.state, "lp:c:1", "stdout").as_deref(), Some("xx"));
    assert_eq!(output(&done.state, "sw", "matched_case").as_deref(), Some("True"));
    assert_eq!(
        p.events("r1"),
        ev(&[
            ("step_started", "lp"),
            ("step_completed", "lp"),
            ("step_started", "c"),
            ("step_completed", "c"),
            ("step_started", "br"),
            ("step_completed", "br"),
            ("step_started", "deep"),
            ("step_completed", "deep"),
            ("step_started", "lp:c:1"),
            ("step_completed", "lp:c:1"),
            ("step_started", "lp:br:1"),
            ("step_completed", "lp:br:1"),
            ("step_started", "deep"),
            ("step_completed", "deep"),
            ("step_started", "sw"),
            ("step_completed", "sw"),
            ("step_started", "hit"),
            ("step_completed", "hit"),
            ("workflow_finished", "completed"),
        ])
    );
    let tree = done.state.execution.as_ref().unwrap();
    assert_eq!(tree.sequence.nodes[0].children().len(), 2, "two iterations");
    assert_eq!(done.state.current_step_id.as_deref(), Some("hit"));
}

#[test]
fn continue_on_error_and_failure_halt() {
    let p = Project::new();
    let wf = workflow(
        "halt",
        r#"  - id: soft
    type: shell
    run: "exit 2"
    continue_on_error: true
  - id: hard
    type: shell
    run: "exit 3"
  - id: never
    type: shell
    run: "echo never"
"#,
    );
    let done = p.run("r1", &wf, &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Failed);
    assert_eq!(done.state.error.as_deref(), Some("Shell command exited with code 3."));
    assert_eq!(status(&done.state, "soft").as_deref(), Some("failed"));
    assert!(!done.state.step_results.contains_key("never"));
    assert_eq!(done.state.current_step_index, 1);
    let events = p.events("r1");
    assert!(events.contains(&("step_continue_on_error".into(), "soft".into())));
    assert!(events.contains(&("step_failed".into(), "hard".into())));
    let tree = done.state.execution.as_ref().unwrap();
    assert_eq!(tree.sequence.nodes[1].phase(), Phase::Blocked);
    assert_eq!(tree.sequence.nodes[1].outcome(), Some(Outcome::Failed));
    assert_eq!(tree.sequence.nodes[2].phase(), Phase::Ready);
}

#[test]
fn an_exception_fails_the_run_without_a_record() {
    let p = Project::new();
    let wf = workflow("exc", "  - id: a\n    type: shell\n    run: echo a\n  - id: bad\n    type: raise\n    continue_on_error: true\n");
    let done = p.run("r1", &wf, &[]).unwrap();
    assert_eq!(done.exception.as_deref(), Some("boom from raise"));
    assert_eq!(done.state.status, RunStatus::Failed);
    assert_eq!(done.state.current_step_id.as_deref(), Some("bad"));
    assert!(!done.state.step_results.contains_key("bad"));
    assert_eq!(p.events("r1").last().map(|e| e.0.as_str()), Some("workflow_failed"));
    let tree = done.state.execution.as_ref().unwrap();
    assert_eq!(tree.sequence.nodes[1].phase(), Phase::Ready);
    assert_eq!(tree.sequence.nodes[1].active(), Some(false));
}

#[test]
fn an_existing_run_id_is_refused() {
    let p = Project::new();
    let wf = workflow("twice", "  - id: a\n    type: shell\n    run: echo a\n");
    p.run("same", &wf, &[]).unwrap();
    let err = p.run("same", &wf, &[]).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(p.state("same").status, RunStatus::Completed);
}

fn parallel_workflow(concurrency: usize, tries: usize) -> String {
    // Each item creates its marker, then waits (at most `tries` × 50 ms) until all four exist: the
    // fan-out completes only if the items run at the same time.
    workflow(
        "par",
        &format!(
            r#"  - id: fo
    type: fan-out
    items: [0, 1, 2, 3]
    max_concurrency: {concurrency}
    step:
      id: w
      type: shell
      run: "touch m{{{{ item }}}}; for i in $(seq {tries}); do [ -e m0 ] && [ -e m1 ] && [ -e m2 ] && [ -e m3 ] && exit 0; sleep 0.05; done; exit 1"
"#
        ),
    )
}

#[test]
fn fan_out_items_run_at_the_same_time() {
    let p = Project::new();
    let done = p.run("r1", &parallel_workflow(4, 400), &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Completed, "{:?}", done.state.error);
    for i in 0..4 {
        assert_eq!(status(&done.state, &format!("fo:w:{i}")).as_deref(), Some("completed"));
    }
    let results = output(&done.state, "fo", "results").unwrap();
    assert_eq!(results.matches("exit_code").count(), 4);
}

#[test]
fn fan_out_with_one_worker_runs_items_in_turn() {
    // The same workflow with one worker: item 0 waits alone and gives up.
    let p = Project::new();
    let done = p.run("r1", &parallel_workflow(1, 20), &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Failed);
    assert!(!done.state.step_results.contains_key("fo:w:1"), "later items never start");
}

#[test]
fn fan_out_halts_at_a_failed_item_and_resume_reruns_only_it() {
    let p = Project::new();
    let wf = workflow(
        "fo-resume",
        r#"  - id: fo
    type: fan-out
    items: [1, 2, 3]
    max_concurrency: 3
    step:
      id: w
      type: shell
      run: "echo {{ item }} >> ran.txt; test {{ item }} != 2 || test -f ok"
  - id: after
    type: shell
    run: echo after
"#,
    );
    let done = p.run("r1", &wf, &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Failed);
    assert_eq!(done.state.current_step_id.as_deref(), Some("fo:w:1"));
    std::fs::write(p.root().join("ok"), "").unwrap();
    let again = p.resume("r1", &[]).unwrap();
    assert_eq!(again.state.status, RunStatus::Completed);
    let ran = std::fs::read_to_string(p.root().join("ran.txt")).unwrap();
    let mut lines: Vec<&str> = ran.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["1", "2", "2", "3"], "only the failed item re-ran");
    assert_eq!(output(&again.state, "fo", "results").unwrap().matches("exit_code").count(), 3);
}

/// A loop iteration costs one journal line (one sync): the iteration's push is staged and
/// written with its body's first commit. The body reads the journal's length each pass.
#[test]
fn each_loop_iteration_appends_one_journal_line() {
    let p = Project::new();
    let journal = p.run_dir("r1").join("journal.jsonl");
    let wf = workflow(
        "lines",
        &format!(
            r#"  - id: lp
    type: do-while
    condition: "{{{{ true }}}}"
    max_iterations: 5
    steps:
      - id: c
        type: shell
        run: "wc -l < '{}'"
"#,
            journal.display()
        ),
    );
    let done = p.run("r1", &wf, &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Completed, "{:?}", done.state.error);
    let counts: Vec<i64> = (1..5)
        .map(|i| output(&done.state, &format!("lp:c:{i}"), "stdout").unwrap().trim().parse().unwrap())
        .collect();
    let steps: Vec<i64> = counts.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(steps, [1, 1, 1], "journal lengths seen by iterations 1..4: {counts:?}");
    assert_eq!(done.state.execution.as_ref().unwrap().sequence.nodes[0].children().len(), 5);
}
