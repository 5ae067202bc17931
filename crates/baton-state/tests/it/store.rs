//! The run folder: ids, refusal to reuse one, file modes, log lines, poisoning.

use crate::common::{finish_step, start_run, store};
use baton_state::*;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
}

#[test]
fn an_existing_run_id_is_refused() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (session, state) = start_run(&st, "same-id", 1);
    drop(session);
    assert!(st.exists(&state.run_id).unwrap_or(false));
    let before = std::fs::read(st.run_dir(&state.run_id).join(STATE_FILE)).unwrap_or_default();
    let err = st.create_run(&state.run_id, "other: yaml\n").err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(err, "run `same-id` already exists");
    assert_eq!(std::fs::read(st.run_dir(&state.run_id).join(STATE_FILE)).unwrap_or_default(), before);
    assert_eq!(st.read_workflow(&state.run_id).ok().flatten().as_deref(), Some("steps: []\n"));
    // a folder left by a run that failed before its first save is reused
    let half = RunId::new("half").unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(st.run_dir(&half)).unwrap_or_else(|e| panic!("{e}"));
    assert!(!st.exists(&half).unwrap_or(true));
    assert!(st.create_run(&half, "x: 1\n").is_ok());
}

#[test]
fn file_modes_match_the_reference() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, mut state) = start_run(&st, "modes", 1);
    session.log(&LogEvent::WorkflowInterrupted, None).unwrap_or_else(|e| panic!("{e}"));
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    let dir = st.run_dir(&state.run_id);
    assert_eq!(mode(&dir.join(STATE_FILE)), 0o600);
    assert_eq!(mode(&dir.join(INPUTS_FILE)), 0o600);
    assert_eq!(mode(&dir.join(JOURNAL_FILE)), 0o600);
    // umask-dependent in the reference; 0644 under the usual 022
    let umask_default = 0o644;
    assert_eq!(mode(&dir.join(LOG_FILE)) | 0o022, umask_default | 0o022);
    assert_eq!(mode(&dir.join(WORKFLOW_FILE)) | 0o022, umask_default | 0o022);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count())
        .into_iter()
        .collect();
    assert_eq!(leftovers, [0]);
}

#[test]
fn state_and_inputs_text() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let id = RunId::new("txt").unwrap_or_else(|e| panic!("{e}"));
    let mut session = st.create_run(&id, "").unwrap_or_else(|e| panic!("{e}"));
    let mut state = RunState::new(id.clone(), "wf", "2026-01-01T00:00:00+00:00".into());
    state.status = RunStatus::Running;
    state.inputs.insert("ratio".into(), Json::parse("1e-5").unwrap_or(Json::Null));
    state.inputs.insert("name".into(), "Zoë \"q\"\t\u{1}".into());
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    let dir = st.run_dir(&id);
    let inputs = std::fs::read_to_string(dir.join(INPUTS_FILE)).unwrap_or_default();
    assert_eq!(inputs, "{\n  \"inputs\": {\n    \"ratio\": 1e-05,\n    \"name\": \"Zoë \\\"q\\\"\\t\\u0001\"\n  }\n}");
    let text = std::fs::read_to_string(dir.join(STATE_FILE)).unwrap_or_default();
    let keys: Vec<&str> = text.lines().filter(|l| l.starts_with("  \"")).map(|l| l[3..].split('"').next().unwrap_or("")).collect();
    assert_eq!(
        keys,
        ["run_id", "workflow_id", "installed_workflow_id", "installed_registry_root", "status", "current_step_index",
         "current_step_id", "step_results", "workflow_dir", "created_at", "updated_at", "error", "inputs"]
    );
    assert!(!text.ends_with('\n'));
    // the stepping clock's first reading has no microseconds: Python then omits the fraction
    assert!(text.contains("\"updated_at\": \"2026-01-01T00:00:00+00:00\""), "{text}");
}

#[test]
fn log_lines() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, state) = start_run(&st, "log", 1);
    let scope = EventScope {
        execution_path: vec![PathSegment::Index(0), PathSegment::Name("workflow".into()), PathSegment::Index(1)],
        workflow_id: "sub".into(),
    };
    session.log(&LogEvent::StepStarted { step_id: "a".into(), step_type: "shell".into() }, None).unwrap_or_else(|e| panic!("{e}"));
    session.log(&LogEvent::StepFailed { step_id: "b".into(), error: None }, Some(&scope)).unwrap_or_else(|e| panic!("{e}"));
    session.log(&LogEvent::WorkflowFinished { status: "paused".into() }, None).unwrap_or_else(|e| panic!("{e}"));
    let log = std::fs::read_to_string(st.run_dir(&state.run_id).join(LOG_FILE)).unwrap_or_default();
    let lines: Vec<String> = log.lines().map(|l| l.split(", \"timestamp\"").next().unwrap_or("").to_owned()).collect();
    assert_eq!(
        lines,
        [
            r#"{"event": "step_started", "step_id": "a", "type": "shell""#,
            r#"{"event": "step_failed", "step_id": "b", "error": null, "execution_path": [0, "workflow", 1], "workflow_id": "sub""#,
            r#"{"event": "workflow_finished", "status": "paused""#,
        ]
    );
    assert!(log.lines().all(|l| l.ends_with("+00:00\"}")));
}

#[test]
fn a_failed_commit_poisons_the_session() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, mut state) = start_run(&st, "poison", 1);
    let bad = StepDelta { edits: vec![TreeEdit::set(NodePath::top(5), vec![])], ..Default::default() };
    assert!(matches!(session.commit(&mut state, bad), Err(Error::Delta(_))));
    let err = session.commit(&mut state, finish_step(0, "x")).err().map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("A previous checkpoint failed; reload the run"));
}

#[test]
fn commit_needs_a_snapshot_first() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let id = RunId::new("early").unwrap_or_else(|e| panic!("{e}"));
    let mut session = st.create_run(&id, "").unwrap_or_else(|e| panic!("{e}"));
    let mut state = RunState::new(id, "wf", st.now());
    assert!(matches!(session.commit(&mut state, StepDelta::default()), Err(Error::NoSnapshot(_))));
}

#[test]
fn lock_needs_an_existing_run() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let id = RunId::new("ghost").unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(store(tmp.path()).lock(&id), Err(Error::NotFound(_))));
}
