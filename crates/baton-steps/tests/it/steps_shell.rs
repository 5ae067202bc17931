//! `shell` (steps.md §4; cases `step-shell-*`).

use std::time::{Duration, Instant};

use baton_expr::Value;
use baton_steps::{StepError, StepStatus};

use super::{assert_outcome, json, out, World};

#[test]
fn captures_output_exactly_in_the_project_root() {
    let mut world = World::new();
    world.workflow_dir = Some(world.root.join("wf"));
    world.set_env("SPECKIT_WORKFLOW_DIR", "/somewhere/else");
    world.set_env("CONF_GREETING", "hi there");
    let r = world
        .run(
            "shell",
            r#"
id: s
type: shell
run: "echo hello; echo err >&2; printf 'a\r\nb\rc\n'; pwd; echo WD=$SPECKIT_WORKFLOW_DIR; echo $0; printf '%s' \"$CONF_GREETING\""
"#,
        )
        .expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    let root = world.root.display();
    assert_eq!(
        out(&r, "stdout"),
        &Value::from(format!("hello\na\nb\nc\n{root}\nWD={root}/wf\n/bin/sh\nhi there").as_str())
    );
    assert_eq!(out(&r, "stderr"), &Value::from("err\n"));
    assert_eq!(out(&r, "exit_code"), &Value::from(0));
    assert_eq!(r.output.keys().collect::<Vec<_>>(), ["exit_code", "stdout", "stderr"]);
}

#[test]
fn without_a_workflow_dir_the_callers_variable_is_removed() {
    let mut world = World::new();
    world.set_env("SPECKIT_WORKFLOW_DIR", "/bogus");
    let r = world.run("shell", "id: s\nrun: 'echo \"[${SPECKIT_WORKFLOW_DIR-unset}]\"'").expect("runs");
    assert_eq!(out(&r, "stdout"), &Value::from("[unset]\n"));
}

#[test]
fn the_environment_is_the_engines_not_the_test_process() {
    // PATH comes from the world; HOME is not in it even though the test process has one.
    let world = World::new();
    let r = world.run("shell", "id: s\nrun: 'echo \"[${HOME-none}]\"'").expect("runs");
    assert_eq!(out(&r, "stdout"), &Value::from("[none]\n"));
}

#[test]
fn a_failing_command_fails_the_step_with_its_output() {
    let world = World::new();
    let r = world.run("shell", "id: s\nrun: 'echo partial; exit 2'").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Shell command exited with code 2."));
    assert_eq!(out(&r, "exit_code"), &Value::from(2));
    assert_eq!(out(&r, "stdout"), &Value::from("partial\n"));

    let r = world.run("shell", "id: s\nrun: 'kill -9 $$'").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Shell command exited with code -9."));
    assert_eq!(out(&r, "exit_code"), &Value::from(-9));
}

#[test]
fn a_multiline_script_is_one_shell_program() {
    let world = World::new();
    let r = world
        .run("shell", "id: script\nrun: |\n  printf 'b\\na\\n' | sort > sorted.txt\n  echo one\n  echo two\n")
        .expect("runs");
    assert_eq!(out(&r, "stdout"), &Value::from("one\ntwo\n"));
    assert_eq!(world.read("sorted.txt"), "a\nb\n");
}

#[test]
fn output_format_json_parses_stdout() {
    let world = World::new();
    let r = world
        .run("shell", "id: j\nrun: \"echo ' {\\\"a\\\": [1, 2], \\\"b\\\": \\\"x\\\"} '\"\noutput_format: json")
        .expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert_eq!(out(&r, "data"), &json(r#"{"a": [1, 2], "b": "x"}"#));

    let r = world.run("shell", "id: emit\nrun: echo not json\noutput_format: json").expect("runs");
    assert_outcome(
        &r,
        StepStatus::Failed,
        Some("Shell step 'emit' declared output_format: json but stdout is not valid JSON: Expecting value: line 1 column 1 (char 0)"),
    );
    assert_eq!(out(&r, "stdout"), &Value::from("not json\n"));
    assert!(!r.output.contains_key("data"));

    // A failing command is not parsed.
    let r = world.run("shell", "id: e\nrun: 'echo nope; exit 1'\noutput_format: json").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Shell command exited with code 1."));
}

#[test]
fn run_is_rendered_and_str_ed() {
    let mut world = World::new();
    world.inputs = json(r#"{"cmd": "echo from-input", "tags": ["a"]}"#);
    let r = world.run("shell", "id: s\nrun: '{{ inputs.cmd }}'").expect("runs");
    assert_eq!(out(&r, "stdout"), &Value::from("from-input\n"));
    let r = world.run("shell", "id: s\nrun: 'echo {{ inputs.tags }}'").expect("runs");
    assert_eq!(out(&r, "stdout"), &Value::from("[a]\n"));
    let r = world.run("shell", "id: s\nrun: '{{ inputs.missing }}'").expect("runs");
    assert_eq!(r.error.as_deref(), Some("Shell command exited with code 127."));
    assert!(out(&r, "stderr").as_str().is_some_and(|e| e.contains("None")), "{r:?}");
}

#[test]
fn a_timeout_stops_the_whole_group_and_discards_output() {
    let world = World::new();
    let started = Instant::now();
    let r = world
        .run(
            "shell",
            "id: slow\nrun: \"echo started; (sleep 2; touch grandchild.txt) & sleep 5; echo never > never.txt\"\ntimeout: 0.5",
        )
        .expect("runs");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert_outcome(&r, StepStatus::Failed, Some("Shell command timed out after 0.5 seconds."));
    assert_eq!(out(&r, "exit_code"), &Value::from(-1));
    assert_eq!(out(&r, "stdout"), &Value::from(""));
    assert_eq!(out(&r, "stderr"), &Value::from("timeout"));
    std::thread::sleep(Duration::from_millis(2500));
    assert!(!world.root.join("never.txt").exists());
    assert!(!world.root.join("grandchild.txt").exists(), "baton kills the group (DESIGN §1.5)");
}

#[test]
fn an_invalid_timeout_fails_without_running() {
    let world = World::new();
    for (value, repr) in [("true", "True"), ("0", "0"), ("-1", "-1"), (".inf", "inf"), ("'5'", "'5'")] {
        let r = world.run("shell", &format!("id: s\nrun: touch ran.txt\ntimeout: {value}")).expect("runs");
        let message = format!("Shell step 's': 'timeout' must be a positive number of seconds, got {repr}.");
        assert_outcome(&r, StepStatus::Failed, Some(&message));
        assert_eq!(out(&r, "stderr"), &Value::from("invalid timeout"));
        assert_eq!(out(&r, "exit_code"), &Value::from(-1));
    }
    assert!(!world.root.join("ran.txt").exists());
}

#[test]
fn invalid_utf8_escapes_the_step() {
    let world = World::new();
    let err = world.run("shell", r"id: s
run: printf 'ok\377\n'").expect_err("raises");
    assert_eq!(
        err,
        StepError::Raised("'utf-8' codec can't decode byte 0xff in position 2: invalid start byte".to_owned())
    );
}

#[test]
fn ctrl_c_interrupts_the_step() {
    let world = World::new();
    let trigger = world.cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        trigger.cancel();
    });
    let started = Instant::now();
    let err = world.run("shell", "id: s\nrun: sleep 30").expect_err("interrupted");
    assert_eq!(err, StepError::Interrupted);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_missing_project_root_is_a_spawn_failure() {
    let world = World::new();
    std::fs::remove_dir(&world.root).expect("rmdir");
    let r = world.run("shell", "id: s\nrun: 'true'").expect("runs");
    let text = format!("[Errno 2] No such file or directory: '{}'", world.root.display());
    assert_outcome(&r, StepStatus::Failed, Some(&format!("Shell command failed: {text}")));
    assert_eq!(out(&r, "stderr"), &Value::from(text.as_str()));
}
