//! `gate` (steps.md §9; cases `step-gate-*`).

use baton_expr::{Map, Value};
use baton_steps::{GateAnswer, StepError, StepStatus};

use super::{assert_outcome, json, out, Scripted, World};

fn with_verdict(value: &str) -> World {
    let mut world = World::new();
    world.inputs = json(&format!(r#"{{"verdict": {value}}}"#));
    world
}

const REVIEW: &str = "id: review\ntype: gate\nmessage: Ship it?\noptions: [approve, reject]\nverdict_input: verdict\n";

#[test]
fn a_verdict_decides_without_asking() {
    let r = with_verdict(r#""approve""#).run("gate", REVIEW).expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert_eq!(out(&r, "choice"), &Value::from("approve"));
    assert_eq!(
        r.output.keys().collect::<Vec<_>>(),
        ["message", "options", "on_reject", "show_file", "choice"]
    );
}

#[test]
fn rejecting_with_abort_fails_and_marks_the_abort() {
    let r = with_verdict(r#""reject""#).run("gate", REVIEW).expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate rejected by user at step 'review'"));
    assert_eq!(out(&r, "choice"), &Value::from("reject"));
    assert_eq!(out(&r, "aborted"), &Value::Bool(true));

    // An option literally named abort rejects too.
    let r = with_verdict(r#""ABORT""#)
        .run("gate", "id: review\nmessage: Proceed?\noptions: [proceed, abort]\nverdict_input: verdict")
        .expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate rejected by user at step 'review'"));
    assert_eq!(out(&r, "choice"), &Value::from("abort"));
}

#[test]
fn rejecting_with_skip_completes() {
    let r = with_verdict(r#""reject""#)
        .run("gate", "id: review\nmessage: Ship it?\non_reject: skip\nverdict_input: verdict")
        .expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert_eq!(out(&r, "choice"), &Value::from("reject"));
    assert_eq!(out(&r, "options"), &json(r#"["approve", "reject"]"#));
}

#[test]
fn rejecting_with_retry_pauses_and_resets_the_verdict() {
    let r = with_verdict(r#""REJECT""#)
        .run("gate", "id: g\nmessage: m\noptions: [Approve, Reject]\non_reject: retry\nverdict_input: verdict")
        .expect("runs");
    assert_outcome(&r, StepStatus::Paused, None);
    assert_eq!(out(&r, "choice"), &Value::from("Reject"));
    assert_eq!(r.input_updates, Map::from_iter([("verdict".to_owned(), Value::from(""))]));
}

#[test]
fn verdicts_match_case_insensitively_and_keep_the_option_spelling() {
    let r = with_verdict(r#""sHIP""#)
        .run("gate", "id: review\nmessage: m\noptions: [Ship, Reject]\nverdict_input: verdict")
        .expect("runs");
    assert_eq!(out(&r, "choice"), &Value::from("Ship"));
}

#[test]
fn bad_verdicts_fail_the_step() {
    let r = with_verdict("1").run("gate", REVIEW).expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate step 'review': verdict input 'verdict' must be a string, got int."));
    assert_eq!(out(&r, "choice"), &Value::Null);
    let r = with_verdict(r#""maybe""#).run("gate", REVIEW).expect("runs");
    assert_outcome(
        &r,
        StepStatus::Failed,
        Some("Gate step 'review': verdict input 'verdict' value 'maybe' does not match any configured option."),
    );
}

#[test]
fn without_a_verdict_and_a_terminal_the_gate_pauses_without_reading_the_file() {
    let mut world = with_verdict(r#""""#);
    world.inputs = json(r#"{"verdict": "", "name": "spec"}"#);
    let r = world
        .run("gate", "id: review\nmessage: Read the file\nshow_file: 'docs/{{ inputs.name }}.md'\nverdict_input: verdict")
        .expect("runs");
    assert_outcome(&r, StepStatus::Paused, None);
    assert_eq!(out(&r, "show_file"), &Value::from("docs/spec.md"));
    assert_eq!(out(&r, "choice"), &Value::Null);
    assert!(r.input_updates.is_empty());
}

#[test]
fn the_message_keeps_its_type() {
    let r = World::new().run("gate", "id: g\nmessage: 5").expect("runs");
    assert_eq!(out(&r, "message"), &Value::from(5));
    let r = World::new().run("gate", "id: g").expect("runs");
    assert_eq!(out(&r, "message"), &Value::from("Review required."));
}

#[test]
fn runtime_guards_fail_the_step() {
    let world = World::new();
    let r = world.run("gate", "id: g\nmessage: m\noptions: approve").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate step 'g': 'options' must be a non-empty list of strings, got str."));
    assert_eq!(r.output.keys().collect::<Vec<_>>(), ["message", "options", "on_reject", "choice"]);
    let r = world.run("gate", "id: g\nmessage: m\noptions: [yes, no]").expect("runs");
    assert_eq!(r.error.as_deref(), Some("Gate step 'g': 'options' must be a non-empty list of strings, got list."));
    let r = world.run("gate", "id: g\nmessage: m\non_reject:").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate step 'g': 'on_reject' must be 'abort', 'skip', or 'retry', got None."));
    let r = world.run("gate", "id: g\nmessage: m\non_reject: Abort").expect("runs");
    assert_eq!(r.error.as_deref(), Some("Gate step 'g': 'on_reject' must be 'abort', 'skip', or 'retry', got 'Abort'."));
    let r = world.run("gate", "id: g\nmessage: m\nverdict_input: ''").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate step 'g': 'verdict_input' must be a non-empty string."));
    assert!(r.output.is_empty());
    let mut fan = World::new();
    fan.inside_fan_out = true;
    let r = fan.run("gate", "id: g\nmessage: m\nverdict_input: v").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate step 'g': 'verdict_input' is not supported inside fan-out templates."));
    // Without verdict_input a gate in a fan-out item just pauses.
    let r = fan.run("gate", "id: g\nmessage: m").expect("runs");
    assert_outcome(&r, StepStatus::Paused, None);
}

#[test]
fn on_a_terminal_the_box_is_shown_and_answers_are_checked() {
    let world = World::new();
    let file = world.file("review.txt", "\u{1b}[31mred\u{1b}[0m\u{7}bell\r\nsecond\n");
    let person = Scripted::new([GateAnswer::Choice("9".into()), GateAnswer::Choice(" REJECT ".into())]);
    let yaml = format!(
        "id: g\nmessage: \"Check\\nthis\"\noptions: [approve, request-changes, reject]\non_reject: skip\nshow_file: {}",
        file.display()
    );
    let r = world.run_with("gate", &yaml, &person).expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert_eq!(out(&r, "choice"), &Value::from("reject"));
    let path = file.display();
    let expected: Vec<String> = [
        "",
        "  ┌─ Gate ─────────────────────────────────────",
        "  │ Check",
        "  │ this",
        "  │",
        &format!("  │ {path}:"),
        "  │   [31mred[0mbell",
        "  │   second",
        "  │",
        "  │  [1] approve",
        "  │  [2] request-changes",
        "  │  [3] reject",
        "  └────────────────────────────────────────────",
        "  Invalid choice. Enter 1-3 or an option name.",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(person.notices(), expected);
    let questions = person.questions.lock().expect("lock");
    assert_eq!(questions.len(), 2);
    assert_eq!(questions[0].0, "Check\nthis");
    assert_eq!(questions[0].2.as_deref(), Some(format!("{path}:\n  [31mred[0mbell\n  second").as_str()));
}

#[test]
fn end_of_input_picks_the_reject_option() {
    let world = World::new();
    let person = Scripted::new([GateAnswer::Eof]);
    let r = world
        .run_with("gate", "id: g\nmessage: m\noptions: [approve, reject, request-changes]", &person)
        .expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate rejected by user at step 'g'"));
    assert_eq!(out(&r, "choice"), &Value::from("reject"));
    assert_eq!(person.notices().last().map(String::as_str), Some(""));

    // With no rejecting option, the last one.
    let person = Scripted::new([GateAnswer::Eof]);
    let r = world.run_with("gate", "id: g\nmessage: m\noptions: [a, b]\non_reject: skip", &person).expect("runs");
    assert_eq!(out(&r, "choice"), &Value::from("b"));
}

#[test]
fn ctrl_c_at_the_prompt_interrupts() {
    let person = Scripted::new([GateAnswer::Interrupted]);
    let err = World::new().run_with("gate", "id: g\nmessage: m", &person).expect_err("interrupted");
    assert_eq!(err, StepError::Interrupted);
}

#[test]
fn a_numbered_answer_approves() {
    let person = Scripted::new([GateAnswer::Choice("1".into())]);
    let r = World::new().run_with("gate", "id: g\nmessage: m", &person).expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert_eq!(out(&r, "choice"), &Value::from("approve"));
}

#[test]
fn show_file_contents_are_bounded_and_errors_are_shown() {
    use baton_steps::builtin::gate::read_show_file;
    let world = World::new();
    let long: String = (1..=250).map(|i| format!("line {i}\n")).collect();
    let lines = read_show_file(&world.file("long.txt", &long).display().to_string());
    assert_eq!(lines.len(), 201);
    assert_eq!(lines[199], "line 200");
    assert_eq!(lines[200], "… (output truncated at 200 lines)");
    let exact: String = (1..=200).map(|i| format!("l{i}\n")).collect();
    assert_eq!(read_show_file(&world.file("exact.txt", &exact).display().to_string()).len(), 200);
    assert_eq!(read_show_file(&world.file("empty.txt", "").display().to_string()), ["(file is empty)"]);
    assert_eq!(read_show_file("no/such/file.md"), ["(could not read file: [Errno 2] No such file or directory: 'no/such/file.md')"]);
    let bad = world.root.join("bad.txt");
    std::fs::write(&bad, b"ok\n\xff\n").expect("write");
    assert_eq!(
        read_show_file(&bad.display().to_string()),
        ["(could not read file: 'utf-8' codec can't decode byte 0xff in position 3: invalid start byte)"]
    );
    assert_eq!(read_show_file(&world.file("nonl.txt", "a\rb").display().to_string()), ["a", "b"]);
}

/// A typed answer records who gave it (`answered_by`, after `choice`); the reference's
/// keys are unchanged. The end-of-input fallback and an unknown user record nobody.
#[test]
fn a_typed_answer_records_the_user_at_the_terminal() {
    let world = World::new();
    let person = Scripted::by("alice", [GateAnswer::Choice("nope".into()), GateAnswer::Choice("2".into())]);
    let r = world.run_with("gate", "id: g\nmessage: m\noptions: [approve, reject]\non_reject: abort", &person).expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Gate rejected by user at step 'g'"));
    assert_eq!(out(&r, "answered_by"), &Value::from("alice"));
    assert_eq!(
        r.output.keys().collect::<Vec<_>>(),
        ["message", "options", "on_reject", "show_file", "choice", "answered_by", "aborted"]
    );

    let person = Scripted::by("alice", [GateAnswer::Eof]);
    let r = world.run_with("gate", "id: g\nmessage: m\non_reject: skip", &person).expect("runs");
    assert_eq!(out(&r, "choice"), &Value::from("reject"));
    assert!(!r.output.contains_key("answered_by"), "{:?}", r.output);

    let person = Scripted::new([GateAnswer::Choice("approve".into())]);
    let r = world.run_with("gate", "id: g\nmessage: m", &person).expect("runs");
    assert_eq!(out(&r, "choice"), &Value::from("approve"));
    assert!(!r.output.contains_key("answered_by"), "{:?}", r.output);
}

/// A `verdict_input` answer keeps the reference's output, even with a person at the
/// terminal: nobody is asked, nobody is recorded.
#[test]
fn a_verdict_input_answer_records_nobody() {
    let person = Scripted::by("alice", []);
    let r = with_verdict(r#""approve""#).run_with("gate", REVIEW, &person).expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert_eq!(r.output.keys().collect::<Vec<_>>(), ["message", "options", "on_reject", "show_file", "choice"]);
    assert!(person.questions.lock().expect("lock").is_empty());
}
