//! The terminal side, through a pseudo-terminal (rexpect): the gate picker (message,
//! options, `show_file` without control characters), an invalid choice, EOF, Ctrl-C at
//! the gate (the run is saved `paused`), the prompt for a missing required input,
//! progress lines with durations, and `status` as a table and a step tree.
//!
//! Nothing here measures time: output is awaited with a generous timeout only.

use std::path::Path;
use std::process::Command;

use rexpect::session::{spawn_command, PtySession};

use crate::{baton_in, stdout, BATON};

/// Generous: only how long to wait for output that must come.
const WAIT_MS: u64 = 60_000;

/// baton in a pseudo-terminal in `dir` (stdin, stdout and stderr all the terminal),
/// with `NO_COLOR` set unless `colour`, and the run id pinned when given.
fn pty(dir: &Path, args: &[&str], run_id: Option<&str>, colour: bool) -> PtySession {
    let mut cmd = Command::new(BATON);
    cmd.args(args)
        .current_dir(dir)
        .env("TERM", "xterm")
        .env_remove("SPECIFY_INIT_DIR")
        .env_remove("SPECKIT_WORKFLOW_RUN_ID");
    if colour {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    if let Some(id) = run_id {
        cmd.env("SPECKIT_WORKFLOW_RUN_ID", id);
    }
    spawn_command(cmd, Some(WAIT_MS)).unwrap()
}

/// rexpect hands each byte over as one `char`: the text as UTF-8 again, lines ending in
/// `\n`.
fn decode(raw: &str) -> String {
    let bytes: Vec<u8> = raw.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
    without_spinner(&String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

/// The text without the spinner: each `\r ESC[2K` erases the line drawn since the
/// previous one (the spinner never ends a line), so a drawn spinner and its erasure go.
fn without_spinner(text: &str) -> String {
    const ERASE: &str = "\r\x1b[2K";
    let mut out = String::new();
    let mut parts = text.split(ERASE);
    out.push_str(parts.next().unwrap_or_default());
    for part in parts {
        // After an erase: a spinner frame up to the next erase, or real text.
        let spinner = part.starts_with(|c: char| ('\u{2800}'..='\u{28ff}').contains(&c)) && !part.contains('\n');
        if !spinner {
            out.push_str(part);
        }
    }
    out
}

/// `needle` spelt as rexpect sees it (one `char` per UTF-8 byte).
fn encode(needle: &str) -> String {
    needle.bytes().map(char::from).collect()
}

/// Waits for `needle`; returns what came before it, decoded.
fn expect(session: &mut PtySession, needle: &str) -> String {
    decode(&session.exp_string(&encode(needle)).unwrap())
}

/// Everything the process prints until it exits, decoded.
fn rest(session: &mut PtySession) -> String {
    decode(&session.exp_eof().unwrap())
}

/// `status --json RUN_ID` (not a terminal) as JSON.
fn status_json(dir: &Path, run_id: &str) -> serde_json::Value {
    let out = baton_in(dir, &["status", run_id, "--json"]);
    serde_json::from_str(&stdout(&out)).unwrap()
}

const GATE: &str = r#"workflow: {id: gated, name: Gated}
steps:
  - {id: before, type: shell, run: "echo one"}
  - id: review
    type: gate
    message: "Ship it?"
    options: [approve, revise, reject]
    show_file: notes.txt
  - {id: after, type: shell, run: "echo two"}
"#;

/// A project folder with the gate workflow and a `show_file` full of control characters.
fn gate_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gate.yml"), GATE).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "line one\n\x1b[31mred\x07 text\x7f\n").unwrap();
    dir
}

#[test]
fn gate_picker_shows_the_question_and_refuses_an_invalid_choice() {
    let dir = gate_project();
    let mut s = pty(dir.path(), &["run", "gate.yml"], Some("ptygate"), false);
    let shown = expect(&mut s, "Choose [1-3]: ");
    let box_start = shown.find("  ┌─ Gate ").unwrap_or_else(|| panic!("no gate box in\n{shown}"));
    insta::assert_snapshot!("pty_gate_box", &shown[box_start..]);
    // ESC, BEL and DEL are gone; the printable rest of the colour sequence stays.
    assert!(shown.contains("  │   [31mred text\n"), "{shown}");
    assert!(!shown.contains('\x1b') && !shown.contains('\x07'), "{shown:?}");
    s.send_line("maybe").unwrap();
    expect(&mut s, "  Invalid choice. Enter 1-3 or an option name.");
    expect(&mut s, "Choose [1-3]: ");
    s.send_line("0").unwrap();
    expect(&mut s, "  Invalid choice. Enter 1-3 or an option name.");
    expect(&mut s, "Choose [1-3]: ");
    // An option name, any case, surrounding blanks ignored.
    s.send_line("  REVISE ").unwrap();
    let tail = rest(&mut s);
    assert!(tail.contains("  ▸ [after] shell …"), "{tail}");
    assert!(tail.contains("Status: completed"), "{tail}");
    let state = status_json(dir.path(), "ptygate");
    assert_eq!(state["status"], "completed");
    let results = std::fs::read_to_string(dir.path().join(".specify/workflows/runs/ptygate/state.json")).unwrap();
    let results: serde_json::Value = serde_json::from_str(&results).unwrap();
    assert_eq!(results["step_results"]["review"]["output"]["choice"], "revise");
}

#[test]
fn eof_at_the_gate_takes_the_rejecting_option_else_the_last() {
    // With a `reject` option: EOF rejects, and the default on_reject aborts the run.
    let dir = gate_project();
    let mut s = pty(dir.path(), &["run", "gate.yml"], Some("ptyeof"), false);
    expect(&mut s, "Choose [1-3]: ");
    s.send_control('d').unwrap();
    let tail = rest(&mut s);
    assert!(tail.contains("Status: aborted"), "{tail}");
    assert!(!tail.contains("[after]"), "{tail}");
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".specify/workflows/runs/ptyeof/state.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(state["step_results"]["review"]["output"]["choice"], "reject");

    // Without one: EOF takes the last option.
    std::fs::write(
        dir.path().join("gate.yml"),
        GATE.replace("[approve, revise, reject]", "[approve, revise]\n    on_reject: skip"),
    )
    .unwrap();
    let mut s = pty(dir.path(), &["run", "gate.yml"], Some("ptyeof2"), false);
    expect(&mut s, "Choose [1-2]: ");
    s.send_control('d').unwrap();
    let tail = rest(&mut s);
    assert!(tail.contains("Status: completed"), "{tail}");
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".specify/workflows/runs/ptyeof2/state.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(state["step_results"]["review"]["output"]["choice"], "revise");
}

#[test]
fn ctrl_c_at_the_gate_saves_the_run_paused() {
    let dir = gate_project();
    let mut s = pty(dir.path(), &["run", "gate.yml"], Some("ptyctrlc"), false);
    expect(&mut s, "Choose [1-3]: ");
    s.send_control('c').unwrap();
    let tail = rest(&mut s);
    assert!(tail.contains("Status: paused"), "{tail}");
    assert!(tail.contains("Resume with: baton resume ptyctrlc"), "{tail}");
    let state = status_json(dir.path(), "ptyctrlc");
    assert_eq!(state["status"], "paused");
    assert_eq!(state["current_step_id"], "review");
    // The gate has no record: it asks again on resume.
    let mut s = pty(dir.path(), &["resume", "ptyctrlc"], None, false);
    expect(&mut s, "Choose [1-3]: ");
    s.send_line("1").unwrap();
    assert!(rest(&mut s).contains("Status: completed"));
    assert_eq!(status_json(dir.path(), "ptyctrlc")["status"], "completed");
}

#[test]
fn missing_required_inputs_are_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ask.yml"),
        r#"workflow: {id: ask, name: Ask}
inputs:
  feature:
    type: string
    required: true
    enum: [login, signup]
    description: What to build
  count:
    type: number
    required: true
  mode:
    type: string
    default: fast
steps:
  - {id: show, type: shell, run: "echo {{ inputs.feature }} x{{ inputs.count }} {{ inputs.mode }}"}
"#,
    )
    .unwrap();
    let mut s = pty(dir.path(), &["run", "ask.yml"], Some("ptyask"), false);
    expect(&mut s, "feature (string, one of: login, signup) \u{2014} What to build: ");
    s.send_line("nope").unwrap();
    expect(&mut s, "Input 'feature' value 'nope' not in allowed values");
    expect(&mut s, "feature (string, one of: login, signup) \u{2014} What to build: ");
    s.send_line("signup").unwrap();
    expect(&mut s, "count (number): ");
    s.send_line("three").unwrap();
    expect(&mut s, "Input 'count' expected a number, got 'three'.");
    expect(&mut s, "count (number): ");
    s.send_line("3").unwrap();
    let tail = rest(&mut s);
    assert!(tail.contains("Status: completed"), "{tail}");
    let logs = baton_in(dir.path(), &["logs", "ptyask", "show", "--json"]);
    let logs: serde_json::Value = serde_json::from_str(&stdout(&logs)).unwrap();
    assert_eq!(logs["steps"][0]["stdout"], "signup x3 fast\n");
}

/// Replaces what changes from run to run: durations and ages.
fn steady(text: &str) -> String {
    let durations = regex_lite(text, |w| w.ends_with('s') && w[..w.len() - 1].parse::<f64>().is_ok(), "[DUR]");
    durations
        .lines()
        .map(|l| match l.find(" ago") {
            Some(end) => {
                let start = l[..end].rfind([' ', '(']).map_or(0, |i| i + 1);
                format!("{}[AGE]{}", &l[..start], &l[end..])
            }
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces each whitespace-separated word (parentheses trimmed) that `is` accepts.
fn regex_lite(text: &str, is: impl Fn(&str) -> bool, with: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let mut rebuilt = String::new();
        let mut word = String::new();
        let flush = |word: &mut String, rebuilt: &mut String| {
            let core = word.trim_matches(|c| c == '(' || c == ')');
            if !core.is_empty() && is(core) {
                rebuilt.push_str(&word.replace(core, with));
            } else {
                rebuilt.push_str(word);
            }
            word.clear();
        };
        for c in line.chars() {
            if c.is_whitespace() {
                flush(&mut word, &mut rebuilt);
                rebuilt.push(c);
            } else {
                word.push(c);
            }
        }
        flush(&mut word, &mut rebuilt);
        out.push_str(&rebuilt);
    }
    out
}

#[test]
fn progress_lines_carry_durations() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("steps.yml"),
        r#"workflow: {id: three, name: Three steps}
steps:
  - {id: first, type: shell, run: "echo 1"}
  - {id: second, type: shell, run: "echo 2"}
  - id: items
    type: fan-out
    items: [a, b]
    step: {id: each, type: shell, run: "echo {{ item }}"}
"#,
    )
    .unwrap();
    let mut s = pty(dir.path(), &["run", "steps.yml"], Some("ptyprogress"), false);
    let text = rest(&mut s);
    for id in ["first", "second", "items", "items:each:0", "items:each:1"] {
        assert!(text.contains(&format!("  ▸ [{id}] ")), "no start line for {id} in\n{text}");
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("    {id}: completed (")))
            .unwrap_or_else(|| panic!("no end line for {id} in\n{text}"));
        let secs = line.rsplit('(').next().unwrap().trim_end_matches(")").trim_end_matches('s');
        assert!(secs.parse::<f64>().is_ok(), "{line}");
    }
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("first") || l.contains("second")).collect();
    insta::assert_snapshot!("pty_progress_lines", steady(&lines.join("\n")));
}

/// A project with three finished runs: completed, failed (nested), paused at a gate.
fn runs_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nested.yml"),
        r#"workflow: {id: nested, name: Nested}
steps:
  - {id: setup, type: shell, run: "echo setup"}
  - id: loop
    type: do-while
    condition: "{{ false }}"
    steps:
      - {id: body, type: shell, run: "echo body"}
  - id: fan
    type: fan-out
    items: [1, 2]
    step: {id: job, type: shell, run: "echo {{ item }}"}
  - {id: broken, type: shell, run: "echo oops >&2; exit 3"}
  - {id: never, type: shell, run: "echo never"}
"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("gate.yml"), GATE).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "notes\n").unwrap();
    for (id, file) in [("run-a-done", "gate.yml"), ("run-b-failed", "nested.yml"), ("run-c-paused", "gate.yml")] {
        let out = Command::new(BATON)
            .args(["run", file])
            .current_dir(dir.path())
            .env("SPECKIT_WORKFLOW_RUN_ID", id)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.code().is_some(), "{id}");
    }
    let done = baton_in(dir.path(), &["resume", "run-a-done", "--choose", "approve"]);
    assert_eq!(done.status.code(), Some(0), "{}", stdout(&done));
    dir
}

#[test]
fn status_is_a_table_and_a_tree_on_a_terminal() {
    let dir = runs_project();
    let mut s = pty(dir.path(), &["status"], None, false);
    let table = rest(&mut s);
    insta::assert_snapshot!("pty_status_table", steady(&table));
    let mut s = pty(dir.path(), &["status", "run-b-failed"], None, false);
    let tree = rest(&mut s);
    insta::assert_snapshot!("pty_status_tree_failed", steady(&tree));
    let mut s = pty(dir.path(), &["status", "run-c-paused"], None, false);
    insta::assert_snapshot!("pty_status_tree_paused", steady(&rest(&mut s)));
    // Colour only without NO_COLOR: the failed status in red.
    let mut s = pty(dir.path(), &["status", "run-b-failed"], None, true);
    assert!(rest(&mut s).contains("\x1b[31m\u{2717} failed\x1b[0m"));
    // Not a terminal, or --json: the reference's output, no table.
    let piped = stdout(&baton_in(dir.path(), &["status"]));
    assert!(piped.starts_with("\nWorkflow Runs:\n\n"), "{piped}");
    let mut s = pty(dir.path(), &["status", "--json"], None, false);
    let json: serde_json::Value = serde_json::from_str(&rest(&mut s)).unwrap();
    assert_eq!(json["runs"].as_array().unwrap().len(), 3);
}

/// The reference's `specify` next to `BATON_REFERENCE_PYTHON`, if set (a skip is printed
/// otherwise; on CI the reference must be there).
fn reference() -> Option<std::path::PathBuf> {
    let python = std::env::var_os("BATON_REFERENCE_PYTHON").filter(|p| !p.is_empty());
    let specify = python.map(std::path::PathBuf::from).and_then(|p| p.parent().map(|d| d.join("specify")));
    match specify {
        Some(s) if s.is_file() => Some(s),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but the reference is missing (set BATON_REFERENCE_PYTHON)")
        }
        _ => {
            eprintln!("skipped: BATON_REFERENCE_PYTHON is not set (no reference gate picker to compare with)");
            None
        }
    }
}

/// Drives a gate picker: an invalid answer, then `2`; returns the whole session's text.
fn answer_gate(mut s: PtySession) -> String {
    let mut text = expect(&mut s, "Choose [1-3]: ");
    s.send_line("maybe").unwrap();
    text.push_str(&expect(&mut s, "Choose [1-3]: "));
    s.send_line("2").unwrap();
    text.push_str(&rest(&mut s));
    text
}

/// The gate box and the invalid-choice line, as printed.
fn gate_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| l.starts_with("  ┌") || l.starts_with("  │") || l.starts_with("  └") || l.contains("Invalid choice"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn gate_picker_matches_the_reference() {
    let Some(specify) = reference() else { return };
    let ours_dir = gate_project();
    let ours = answer_gate(pty(ours_dir.path(), &["run", "gate.yml"], Some("ptyref"), false));
    let theirs_dir = gate_project();
    let mut cmd = Command::new(specify);
    cmd.args(["workflow", "run", "gate.yml"])
        .current_dir(theirs_dir.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("COLUMNS", "100")
        .env_remove("SPECIFY_INIT_DIR")
        .env("SPECKIT_WORKFLOW_RUN_ID", "ptyref");
    let theirs = answer_gate(spawn_command(cmd, Some(WAIT_MS)).unwrap());
    let lines = gate_lines(&ours);
    assert!(lines.len() >= 12, "{ours}");
    assert_eq!(lines, gate_lines(&theirs), "ours:\n{ours}\ntheirs:\n{theirs}");
    for text in [&ours, &theirs] {
        assert!(text.contains("Status: completed"), "{text}");
    }
}
