//! `command` and `prompt` (steps.md §5–§7; cases `step-command-*`, `step-prompt-*`):
//! fake agent CLIs on a private `PATH`.

use std::time::{Duration, Instant};

use baton_expr::Value;
use baton_steps::{StepError, StepStatus};

use super::{assert_outcome, json, out, Scripted, World};

/// The conformance cases' fake Claude Code: argv and cwd on stdout, a line on stderr;
/// `FAIL` in the arguments exits 3, `SLOW` sleeps. Each call is also appended to
/// `calls.txt` in the working directory.
const FAKE: &str = r#"#!/bin/sh
printf 'argc=%s\n' "$#"
for a in "$@"; do printf 'arg=%s\n' "$a"; done
printf 'cwd=%s\n' "$(pwd)"
echo "agent-stderr" >&2
{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf ' <%s>' "$a"; done; echo; } >> calls.txt
case "$*" in *FAIL*) exit 3 ;; *SLOW*) sleep 5 ;; esac
exit 0
"#;

fn world_with(agents: &[&str]) -> World {
    let world = World::new();
    for name in agents {
        world.script(name, FAKE);
    }
    world
}

fn s(text: &str) -> Value {
    Value::from(text)
}

#[test]
fn a_captured_command_sends_the_slash_command_with_its_args() {
    let mut world = world_with(&["claude"]);
    world.inputs = json(r#"{"spec": "build a kanban board"}"#);
    let r = world
        .run(
            "command",
            "id: specify\ntype: command\ncommand: speckit.specify\nintegration: claude\ninput:\n  args: '{{ inputs.spec }}'\ncapture: true",
        )
        .expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    let root = world.root.display();
    assert_eq!(out(&r, "stdout"), &s(&format!("argc=2\narg=-p\narg=/speckit-specify build a kanban board\ncwd={root}\n")));
    assert_eq!(out(&r, "stderr"), &s("agent-stderr\n"));
    assert_eq!(out(&r, "input"), &json(r#"{"args": "build a kanban board"}"#));
    assert_eq!(
        r.output.keys().collect::<Vec<_>>(),
        [
            "command", "integration", "model", "options", "input", "integration_args", "integration_options",
            "exit_code", "stdout", "stderr", "dispatched", "stdout_truncated", "stderr_truncated", "timed_out",
            "interrupted"
        ]
    );
    for flag in ["stdout_truncated", "stderr_truncated", "timed_out", "interrupted"] {
        assert_eq!(out(&r, flag), &Value::Bool(false));
    }
    assert_eq!(out(&r, "dispatched"), &Value::Bool(true));
}

#[test]
fn workflow_defaults_supply_integration_model_and_options() {
    let mut world = world_with(&["claude"]);
    world.default_integration = Some("claude".into());
    world.default_model = Some("haiku".into());
    world.default_options = match json(r#"{"wfopt": 1, "shared": "wf"}"#) {
        Value::Map(m) => m,
        _ => unreachable!(),
    };
    let r = world
        .run("command", "id: plan\ncommand: plan\ncapture: true\noptions: {shared: step, stepopt: x}")
        .expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    let root = world.root.display();
    assert_eq!(out(&r, "stdout"), &s(&format!("argc=4\narg=-p\narg=/speckit-plan\narg=--model\narg=haiku\ncwd={root}\n")));
    assert_eq!(out(&r, "options"), &json(r#"{"wfopt": 1, "shared": "step", "stepopt": "x"}"#));
    assert_eq!(out(&r, "integration"), &s("claude"));
    assert_eq!(out(&r, "model"), &s("haiku"));
}

#[test]
fn args_are_str_ed() {
    let mut world = world_with(&["claude"]);
    world.inputs = json(r#"{"tags": ["a", "b"]}"#);
    let r = world
        .run("command", "id: c\ncommand: speckit.plan\nintegration: claude\ncapture: true\ninput: {args: '{{ inputs.missing }}'}")
        .expect("runs");
    assert!(out(&r, "stdout").as_str().is_some_and(|o| o.contains("arg=/speckit-plan None\n")), "{r:?}");
    let r = world
        .run("command", "id: c\ncommand: speckit.plan\nintegration: claude\ncapture: true\ninput: {args: '{{ inputs.tags }}'}")
        .expect("runs");
    assert!(out(&r, "stdout").as_str().is_some_and(|o| o.contains("arg=/speckit-plan ['a', 'b']\n")), "{r:?}");
}

#[test]
fn integration_args_are_refused_before_the_cli_is_looked_for() {
    let world = World::new();
    let r = world
        .run("command", "id: plan\ncommand: speckit.plan\nintegration: claude\nintegration_args: ['--verbose']\ncapture: true")
        .expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Command step 'plan': Integration 'claude' does not support per-step 'integration_args'."));
    assert_eq!(out(&r, "dispatched"), &Value::Bool(false));
    assert_eq!(out(&r, "exit_code"), &Value::from(1));
    assert_eq!(out(&r, "integration_args"), &json(r#"["--verbose"]"#));
    assert!(!r.output.contains_key("stdout"));
}

#[test]
fn not_dispatchable_commands_fail_with_the_reference_message_and_a_hint() {
    let world = World::new();
    let person = Scripted::new([]);
    let r = world.run_with("command", "id: plan\ncommand: speckit.plan\nintegration: claude", &person).expect("runs");
    assert_outcome(
        &r,
        StepStatus::Failed,
        Some("Cannot dispatch command 'speckit.plan': integration 'claude' CLI not found or not installed, or the integration does not support CLI dispatch. If the CLI is missing, install it or check 'specify integration list'; if the integration does not support CLI dispatch, set the step's 'integration' to one that does."),
    );
    assert_eq!((out(&r, "exit_code"), out(&r, "dispatched")), (&Value::from(1), &Value::Bool(false)));
    assert_eq!(
        person.notices(),
        ["    hint: `claude` was not found on PATH; install it or set `SPECKIT_INTEGRATION_CLAUDE_EXECUTABLE` to the executable"]
    );

    let r = world.run("command", "id: plan\ncommand: speckit.plan").expect("runs");
    assert!(r.error.as_deref().is_some_and(|e| e.starts_with("Cannot dispatch command 'speckit.plan': integration None CLI")));
    let r = world.run("command", "id: plan\ncommand: speckit.plan\nintegration: no-such-agent").expect("runs");
    assert!(r.error.as_deref().is_some_and(|e| e.contains("integration 'no-such-agent' CLI")));
    let generic = world_with(&["generic"]);
    let r = generic.run("command", "id: plan\ncommand: speckit.plan\nintegration: generic").expect("runs");
    assert!(r.error.as_deref().is_some_and(|e| e.contains("integration 'generic' CLI")), "{r:?}");
}

#[test]
fn the_executable_override_is_used() {
    let mut world = World::new();
    let exe = world.script("fakeagent", FAKE);
    world.set_env("SPECKIT_INTEGRATION_CLAUDE_EXECUTABLE", &exe.display().to_string());
    let r = world.run("command", "id: c\ncommand: speckit.plan\nintegration: claude\ninput: {args: z}").expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert_eq!(world.read("calls.txt"), "fakeagent <-p> </speckit-plan z>\n");
}

#[test]
fn agent_failures_fail_the_step() {
    let world = world_with(&["claude"]);
    let r = world
        .run("command", "id: impl\ncommand: speckit.implement\nintegration: claude\ninput: {args: FAIL now}\ncapture: true")
        .expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Command exited with code 3"));
    assert_eq!(out(&r, "exit_code"), &Value::from(3));
    assert_eq!(out(&r, "stderr"), &s("agent-stderr\n"));

    // Streaming: nothing recorded, the same error.
    let r = world
        .run("command", "id: impl\ncommand: speckit.implement\nintegration: claude\ninput: {args: FAIL now}")
        .expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Command exited with code 3"));
    assert_eq!((out(&r, "stdout"), out(&r, "stderr")), (&s(""), &s("")));
    assert!(!r.output.contains_key("timed_out"));
}

#[test]
fn a_streaming_command_has_no_timeout() {
    let world = World::new();
    world.script("claude", "#!/bin/sh\nsleep 1\n");
    let r = world.run("command", "id: c\ncommand: plan\nintegration: claude\ntimeout: 0.2").expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
}

#[test]
fn a_captured_command_that_outlives_its_timeout_loses_its_whole_group() {
    let world = World::new();
    world.script(
        "claude",
        "#!/bin/sh\necho spawner start\n(sleep 2; touch marker) &\nsleep 5\necho never\n",
    );
    let started = Instant::now();
    let r = world
        .run("command", "id: c\ncommand: plan\nintegration: claude\ncapture: true\ntimeout: 0.5")
        .expect("runs");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_outcome(&r, StepStatus::Failed, Some("Command timed out after 0.5 seconds."));
    assert_eq!(out(&r, "stdout"), &s("spawner start\n"));
    assert_eq!(out(&r, "timed_out"), &Value::Bool(true));
    assert_eq!(out(&r, "exit_code"), &Value::from(-1));
    std::thread::sleep(Duration::from_millis(2500));
    assert!(!world.root.join("marker").exists(), "the backgrounded grandchild was killed");
}

#[test]
fn ctrl_c_during_a_captured_command_pauses_and_kills_the_group() {
    let world = World::new();
    world.script("claude", "#!/bin/sh\n(sleep 2; touch marker) &\nsleep 30\n");
    let trigger = world.cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        trigger.cancel();
    });
    let err = world
        .run("command", "id: c\ncommand: plan\nintegration: claude\ncapture: true")
        .expect_err("interrupted");
    assert_eq!(err, StepError::Interrupted);
    std::thread::sleep(Duration::from_millis(2500));
    assert!(!world.root.join("marker").exists(), "the backgrounded grandchild was killed");
}

#[test]
fn command_runtime_guards() {
    let world = World::new();
    let cases = [
        ("command: [a]", "Command step 'c': 'command' must be a string, got list."),
        ("command: x\ninput: args", "Command step 'c': 'input' must be a mapping, got str."),
        ("command: x\nintegration: [claude]", "Command step 'c': 'integration' must be a string, got list."),
        ("command: x\nintegration: \"{{ ['claude'] }}\"", "Command step 'c': 'integration' must be a string, got list."),
        ("command: x\nmodel: 5", "Command step 'c': 'model' must be a string, got int."),
        ("command: x\noptions: [1]", "Command step 'c': 'options' must be a mapping, got list."),
        ("command: x\nintegration_args: x", "Command step 'c': 'integration_args' must be a list."),
        ("command: x\nintegration_args: ['{{ 1 }}']", "Command step 'c': 'integration_args[0]' must resolve to a string, got int."),
        ("command: x\nintegration_options: [1]", "Command step 'c': 'integration_options' must be a mapping."),
        ("command: x\ncapture: 'yes'", "Command step 'c': 'capture' must be true or false, got 'yes'."),
        ("command: x\ncapture: true\ncapture_max_bytes: 0", "Command step 'c': 'capture_max_bytes' must be a positive integer or -1 (no limit), got 0."),
        ("command: x\ncapture_max_bytes: 10", "Command step 'c': 'capture_max_bytes' requires 'capture: true'."),
        ("command: x\ncapture: true\ntimeout: 0", "Command step 'c': 'timeout' must be a positive number of seconds, got 0."),
    ];
    for (yaml, message) in cases {
        let r = world.run("command", &format!("id: c\n{yaml}")).expect("runs");
        assert_outcome(&r, StepStatus::Failed, Some(message));
        assert!(r.output.is_empty(), "{yaml}: {r:?}");
    }
    // A streaming command's timeout is not checked.
    let r = world.run("command", "id: c\ncommand: x\ntimeout: 0").expect("runs");
    assert!(r.error.as_deref().is_some_and(|e| e.starts_with("Cannot dispatch")), "{r:?}");
}

#[test]
fn a_captured_prompt_keeps_both_streams() {
    let mut world = world_with(&["claude"]);
    world.inputs = json(r#"{"file": "app.py"}"#);
    let r = world
        .run("prompt", "id: ask\ntype: prompt\nprompt: 'Review {{ inputs.file }}'\nintegration: claude\ncapture: true")
        .expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    let root = world.root.display();
    assert_eq!(out(&r, "stdout"), &s(&format!("argc=2\narg=-p\narg=Review app.py\ncwd={root}\n")));
    assert_eq!(out(&r, "stderr"), &s("agent-stderr\n"));
    assert_eq!(
        r.output.keys().collect::<Vec<_>>(),
        [
            "prompt", "integration", "model", "exit_code", "stdout", "stderr", "dispatched", "stdout_truncated",
            "stderr_truncated", "timed_out", "interrupted"
        ]
    );
}

#[test]
fn capture_max_bytes_cuts_each_stream() {
    let world = world_with(&["claude"]);
    let r = world
        .run("prompt", "id: ask\nprompt: x\nintegration: claude\ncapture: true\ncapture_max_bytes: 10")
        .expect("runs");
    assert_eq!(out(&r, "stdout"), &s("argc=2\narg"));
    assert_eq!(out(&r, "stderr"), &s("agent-stde"));
    assert_eq!(out(&r, "stdout_truncated"), &Value::Bool(true));
    assert_eq!(out(&r, "stderr_truncated"), &Value::Bool(true));
}

#[test]
fn a_cut_inside_a_character_drops_it() {
    let world = World::new();
    world.script("claude", "#!/bin/sh\nprintf 'h\\303\\251llo\\r\\nx\\377'\n");
    let r = world.run("prompt", "id: a\nprompt: x\nintegration: claude\ncapture: true\ncapture_max_bytes: 2").expect("runs");
    assert_eq!(out(&r, "stdout"), &s("h"));
    let r = world.run("prompt", "id: a\nprompt: x\nintegration: claude\ncapture: true\ncapture_max_bytes: -1").expect("runs");
    assert_eq!(out(&r, "stdout"), &s("héllo\nx\u{FFFD}"));
}

#[test]
fn prompt_timeouts_capture_and_stream() {
    let world = world_with(&["claude"]);
    let r = world
        .run("prompt", "id: ask\nprompt: be SLOW\nintegration: claude\ncapture: true\ntimeout: 0.5")
        .expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Prompt timed out after 0.5 seconds."));
    assert_eq!(out(&r, "timed_out"), &Value::Bool(true));
    let root = world.root.display();
    assert_eq!(out(&r, "stdout"), &s(&format!("argc=2\narg=-p\narg=be SLOW\ncwd={root}\n")));

    let quiet = World::new();
    quiet.script("claude", "#!/bin/sh\nsleep 5\n");
    let started = Instant::now();
    let r = quiet.run("prompt", "id: ask\nprompt: hi\nintegration: claude\ntimeout: 0.5").expect("runs");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_outcome(&r, StepStatus::Failed, Some("Prompt timed out after 0.5 seconds."));
    assert_eq!(out(&r, "exit_code"), &Value::from(-1));
    assert_eq!(out(&r, "stderr"), &s("Prompt timed out after 0.5 seconds."));
    assert!(!r.output.contains_key("timed_out"));
}

#[test]
fn a_failing_prompt_reports_the_exit_code() {
    let world = world_with(&["claude"]);
    let r = world.run("prompt", "id: ask\nprompt: please FAIL\nintegration: claude\ncapture: true").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("Prompt exited with code 3"));
    assert_eq!(out(&r, "stderr"), &s("agent-stderr\n"));
}

#[test]
fn prompts_without_a_dispatchable_integration() {
    let world = World::new();
    let message = "Cannot dispatch prompt: integration None CLI not found or not installed, or the integration does not support CLI dispatch. If the CLI is missing, install it; if the integration does not support CLI dispatch, set the step's 'integration' to one that does.";
    let r = world.run("prompt", "id: ask\nprompt: hi").expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some(message));
    assert_eq!(r.output.keys().collect::<Vec<_>>(), ["prompt", "integration", "model", "exit_code", "dispatched"]);
    assert_eq!(out(&r, "integration"), &Value::Null);
    let r = world.run("prompt", "id: ask\nprompt: hi\nintegration: no-such-agent").expect("runs");
    assert_eq!(out(&r, "integration"), &s("no-such-agent"));
    let claude = world_with(&["claude"]);
    let r = claude.run("prompt", "id: ask\nprompt: ''\nintegration: claude").expect("runs");
    assert!(r.error.as_deref().is_some_and(|e| e.starts_with("Cannot dispatch prompt: integration 'claude'")));
}

#[test]
fn a_prompt_is_str_ed() {
    let world = world_with(&["claude"]);
    let r = world.run("prompt", "id: ask\nprompt: \"{{ ['x', 1] }}\"\nintegration: claude\ncapture: true").expect("runs");
    assert_eq!(out(&r, "prompt"), &s("['x', 1]"));
}

#[test]
fn prompt_configuration_errors_escape_the_step() {
    let mut world = world_with(&["claude", "docker-agent"]);
    world.set_env("SPECKIT_INTEGRATION_CLAUDE_EXTRA_ARGS", "  --flag \"unclosed  ");
    let err = world.run("prompt", "id: ask\nprompt: Say hi\nintegration: claude").expect_err("raises");
    assert_eq!(
        err,
        StepError::Raised("SPECKIT_INTEGRATION_CLAUDE_EXTRA_ARGS is not parseable as a POSIX-quoted command line (value: '--flag \"unclosed'). shlex reported: No closing quotation. Use single or double quotes to group multi-word values, e.g. SPECKIT_INTEGRATION_CLAUDE_EXTRA_ARGS='--flag \"value with spaces\"'.".to_owned())
    );
    // The command step reports the same as its own failure.
    let r = world.run("command", "id: cmd\ncommand: speckit.plan\nintegration: claude").expect("runs");
    assert!(r.error.as_deref().is_some_and(|e| e.starts_with("Command step 'cmd': SPECKIT_INTEGRATION_CLAUDE_EXTRA_ARGS is not parseable")));
    assert_eq!(out(&r, "dispatched"), &Value::Bool(false));

    let err = world.run("prompt", "id: ask\nprompt: hi\nintegration: docker-agent").expect_err("raises");
    assert!(matches!(&err, StepError::Raised(m) if m.starts_with("Docker Agent requires an agent configuration reference.")), "{err:?}");
}

#[test]
fn prompt_runtime_guards() {
    let world = World::new();
    let cases = [
        ("prompt: x\nintegration: 5", "Prompt step 'p': 'integration' must be a string, got int."),
        ("prompt: x\ntimeout: -1", "Prompt step 'p': 'timeout' must be a positive number of seconds, got -1."),
        ("prompt: x\ncapture: 'yes'", "Prompt step 'p': 'capture' must be true or false, got 'yes'."),
        ("prompt: x\ncapture_max_bytes: 100", "Prompt step 'p': 'capture_max_bytes' requires 'capture: true'."),
    ];
    for (yaml, message) in cases {
        let r = world.run("prompt", &format!("id: p\n{yaml}")).expect("runs");
        assert_outcome(&r, StepStatus::Failed, Some(message));
        assert!(r.output.is_empty());
    }
}

#[test]
fn slots_skip_outside_fan_out() {
    let mut world = World::new();
    let r = world.run("slot", "id: extension-point\ntype: slot\nname: post-implement").expect("runs");
    assert_outcome(&r, StepStatus::Skipped, None);
    assert_eq!(out(&r, "slot"), &s("post-implement"));
    world.inside_fan_out = true;
    let r = world.run("slot", "id: hole\nname: x").expect("runs");
    assert_outcome(
        &r,
        StepStatus::Failed,
        Some("Slot step 'hole' is not supported inside fan-out templates because overlays cannot address runtime-multiplied templates."),
    );
}
