//! `baton run` / `resume` as processes (issue 16): Ctrl-C pauses the run and ends the
//! step's process group; a timeout kills grandchildren; a second resume of an executing
//! run fails at once with the lock message.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BATON: &str = env!("CARGO_BIN_EXE_baton");

fn baton(dir: &Path) -> Command {
    let mut c = Command::new(BATON);
    c.current_dir(dir)
        .env_remove("SPECIFY_INIT_DIR")
        .env("SPECKIT_WORKFLOW_RUN_ID", "r1")
        .stdin(Stdio::null());
    c
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn project(steps: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("baton-engine-cli-").tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".specify")).unwrap();
    let wf = format!("schema_version: \"1.0\"\nworkflow:\n  id: t\n  name: t\n  version: \"1.0.0\"\nsteps:\n{steps}");
    std::fs::write(dir.path().join("wf.yml"), wf).unwrap();
    dir
}

fn wait_for(path: &Path) -> String {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(t) = std::fs::read_to_string(path) {
            if t.ends_with('\n') {
                return t.trim().to_owned();
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} never appeared", path.display());
}

/// Whether a live (not zombie) process of group `pgid` exists, waiting up to 2 s for
/// it to go (zombies whose parent died wait for init to reap them: they do not count).
fn group_alive(pgid: &str) -> bool {
    let start = Instant::now();
    loop {
        let alive = std::fs::read_dir("/proc").unwrap().filter_map(Result::ok).any(|e| {
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            // pid (comm) state ppid pgrp ...
            let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
            let fields: Vec<&str> = rest.split_whitespace().collect();
            fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid
        });
        if !alive || start.elapsed() > Duration::from_secs(2) {
            return alive;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(child: &Child) {
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
}

/// The long step sleeps on the first run (recording its process group) and completes
/// when re-run.
const LONG: &str = r#"  - id: first
    type: shell
    run: echo first >> first.txt
  - id: long
    type: shell
    run: "if [ -e again ]; then echo resumed; else touch again; echo $$ > pgid; sleep 30; fi"
"#;

#[test]
fn ctrl_c_pauses_the_run_and_resume_reruns_the_step() {
    let dir = project(LONG);
    let child = baton(dir.path()).args(["run", "wf.yml", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pgid = wait_for(&dir.path().join("pgid"));
    assert!(group_alive(&pgid));
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "paused", "{}", text(&out));
    assert_eq!(json["current_step_id"], "long");
    assert!(!group_alive(&pgid), "the step's process group is gone");
    let log = std::fs::read_to_string(dir.path().join(".specify/workflows/runs/r1/log.jsonl")).unwrap();
    assert!(log.lines().last().unwrap().contains("\"workflow_interrupted\""), "{log}");

    let again = baton(dir.path()).args(["resume", "r1", "--json"]).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let json: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(json["status"], "completed");
    assert_eq!(std::fs::read_to_string(dir.path().join("first.txt")).unwrap(), "first\n", "first is not re-run");
    let state = std::fs::read_to_string(dir.path().join(".specify/workflows/runs/r1/state.json")).unwrap();
    assert!(state.contains("\"stdout\": \"resumed\\n\""), "{state}");
}

#[test]
fn a_timeout_kills_the_step_s_grandchildren() {
    let dir = project(
        r#"  - id: spawn
    type: shell
    timeout: 1
    run: "(sleep 2; touch grandchild) & sleep 5"
"#,
    );
    let out = baton(dir.path()).args(["run", "wf.yml", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"], "Shell command timed out after 1 seconds.");
    std::thread::sleep(Duration::from_millis(2500));
    assert!(!dir.path().join("grandchild").exists(), "the background grandchild was killed with the group");
}

#[test]
fn a_second_resume_of_an_executing_run_fails_at_once() {
    let dir = project(LONG);
    let child = baton(dir.path()).args(["run", "wf.yml", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for(&dir.path().join("pgid"));
    let second = baton(dir.path()).args(["resume", "r1"]).output().unwrap();
    // "At once": the refusal came while the first run still holds the lock (it runs
    // until interrupted), so the second resume did not wait for it.
    let mut child = child;
    assert!(child.try_wait().unwrap().is_none(), "the first run ended before the refusal");
    interrupt(&child);
    let first = child.wait_with_output().unwrap();
    assert_eq!(second.status.code(), Some(1), "{}", text(&second));
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(said.contains("Error: run `r1` is in use by another process"), "{}", text(&second));
    assert!(said.contains(&format!("(pid {})", first_pid(&first, &dir))), "{}", text(&second));
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
}

/// The pid of the first process, as the lock file recorded it.
fn first_pid(_out: &Output, dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join(".specify/workflows/runs/r1/run.lock")).unwrap().trim().to_owned()
}

/// The text the reference prints (non-terminal): banner, step lines, status lines;
/// `status RUN_ID` and the listing.
#[test]
fn text_output_of_run_resume_and_status() {
    let dir = project(
        r#"  - id: prep
    type: shell
    run: echo prep
  - id: branch
    type: if
    condition: "{{ true }}"
    then:
      - id: review
        type: gate
        message: "Ship it?"
        options: [approve, reject]
"#,
    );
    let mut transcript = String::new();
    for args in [&["run", "wf.yml"][..], &["status", "r1"], &["status"], &["resume", "r1"], &["status", "nope"]] {
        let out = baton(dir.path()).args(args).output().unwrap();
        transcript.push_str(&format!("$ baton {}\n{}\n", args.join(" "), text(&out)));
    }
    insta::with_settings!({filters => vec![(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", "[TIME]")]}, {
        insta::assert_snapshot!(transcript);
    });
}
