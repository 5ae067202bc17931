//! `type: workflow` calls: binding, private callee records, outputs, scoped events.

use baton_state::{Json, RunStatus};

use crate::common::*;

const CHILD: &str = "schema_version: \"1.0\"\nworkflow: {id: child, name: C, version: \"1.0.0\"}\ninputs:\n  who: {type: string, default: world}\noutputs:\n  greeting: {value: \"{{ steps.hi.output.stdout }}\"}\nsteps:\n  - id: hi\n    type: shell\n    run: \"printf 'hello %s' '{{ inputs.who }}'\"\n";

#[test]
fn a_call_runs_the_callee_privately_and_exposes_its_outputs() {
    let mut p = Project::new();
    p.callees = Callees(vec![("child", CHILD.to_owned())]);
    let wf = workflow(
        "parent",
        "  - id: call\n    type: workflow\n    workflow: child\n    input: {who: bob}\n  - id: nope\n    type: workflow\n    workflow: child\n    input: {bogus: 1}\n    continue_on_error: true\n  - id: after\n    type: shell\n    run: \"echo {{ steps.call.output.greeting }}/{{ steps.hi.output.stdout }}\"\n",
    );
    let done = p.run("r1", &wf, &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Completed, "{:?}", done.state.error);
    assert_eq!(output(&done.state, "call", "greeting").as_deref(), Some("hello bob"));
    assert_eq!(output(&done.state, "call", "status").as_deref(), Some("completed"));
    assert_eq!(output(&done.state, "after", "stdout").as_deref(), Some("hello bob/\n"), "callee records are private");
    assert!(!done.state.step_results.contains_key("hi"));
    assert_eq!(
        output(&done.state, "nope", "error").as_deref(),
        Some("Undeclared inputs for workflow 'child': ['bogus']")
    );
    let log = std::fs::read_to_string(p.run_dir("r1").join("log.jsonl")).unwrap();
    let scoped = log.lines().find(|l| l.contains("\"step_id\": \"hi\"")).unwrap();
    assert!(scoped.contains("\"execution_path\": [0, \"workflow\", 0], \"workflow_id\": \"child\", \"timestamp\""), "{scoped}");
    let payload = baton_engine::outcome_payload(&done.state);
    let scopes = payload.get("workflow_scopes").map(Json::to_python_line).unwrap_or_default();
    assert_eq!(scopes, r#"[{"scope_path": ["call"], "workflow_id": "child", "status": "completed"}]"#);
}

#[test]
fn a_cycle_fails_the_calling_step() {
    let mut p = Project::new();
    let selfcall = "schema_version: \"1.0\"\nworkflow: {id: selfcall, name: S, version: \"1.0.0\"}\nsteps:\n  - id: again\n    type: workflow\n    workflow: selfcall\n";
    p.callees = Callees(vec![("selfcall", selfcall.to_owned())]);
    let done = p.run("r1", selfcall, &[]).unwrap();
    assert_eq!(done.state.status, RunStatus::Failed);
    assert_eq!(done.state.error.as_deref(), Some("Workflow composition cycle: selfcall -> selfcall"));
}
