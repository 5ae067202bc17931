//! Several baton processes on one project at once (issue 20, DESIGN §3): concurrent
//! `resume` of one run → exactly one proceeds, the others fail fast with the lock message
//! and change nothing; many concurrent runs in one project → all complete and the
//! listing reads them all.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use serde_json::Value;

const BATON: &str = env!("CARGO_BIN_EXE_baton");

fn baton(dir: &Path) -> Command {
    let mut c = Command::new(BATON);
    c.current_dir(dir)
        .env_remove("SPECIFY_INIT_DIR")
        .env_remove("SPECKIT_WORKFLOW_RUN_ID")
        .stdin(Stdio::null());
    c
}

fn text(o: &Output) -> String {
    format!("exit {:?}\nstdout:\n{}\nstderr:\n{}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn project(workflow: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("baton-conc-").tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".specify")).unwrap();
    std::fs::write(dir.path().join("wf.yml"), workflow).unwrap();
    dir
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(o)))
}

const RACE: &str = r#"schema_version: "1.0"
workflow:
  id: "lock-race"
  name: "lock race"
  version: "1.0.0"
inputs:
  verdict:
    type: string
    default: ""
steps:
  - id: review
    type: gate
    message: "Go?"
    options: [approve, reject]
    verdict_input: verdict
  - id: slow
    type: shell
    run: "echo slow >> counter.txt; sleep 1.5"
"#;

/// 8 `resume` of one paused run at once: one wins the run lock and completes the run;
/// the 7 others exit non-zero at once with the lock message, and change nothing.
#[test]
fn concurrent_resumes_of_one_paused_run() {
    let p = project(RACE);
    let dir = p.path();
    let o = baton(dir).args(["run", "wf.yml", "--json"]).env("SPECKIT_WORKFLOW_RUN_ID", "race").output().unwrap();
    assert_eq!(json(&o)["status"], "paused", "{}", text(&o));
    let run_dir = dir.join(".specify/workflows/runs/race");
    let log_before = std::fs::read_to_string(run_dir.join("log.jsonl")).unwrap();

    // One thread per contender, each timing its own process.
    let barrier = std::sync::Barrier::new(8);
    let results: Vec<(Instant, Output)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    let o = baton(dir).args(["resume", "race", "-i", "verdict=approve", "--json"]).output().unwrap();
                    (Instant::now(), o)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for (ended, o) in results {
        if o.status.success() {
            winners.push((ended, o));
        } else {
            losers.push((ended, o));
        }
    }
    assert_eq!(winners.len(), 1, "exactly one resume proceeds; losers: {:?}", losers.iter().map(|(_, o)| text(o)).collect::<Vec<_>>());
    let (winner_ended, winner) = &winners[0];
    assert_eq!(json(winner)["status"], "completed", "{}", text(winner));
    assert_eq!(losers.len(), 7);
    for (ended, o) in &losers {
        let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(all.contains("race") && all.contains("is in use by another process"), "lock message: {}", text(o));
        assert!(o.stdout.is_empty() || !String::from_utf8_lossy(&o.stdout).contains("\"status\""), "no outcome: {}", text(o));
        // Failing fast: a loser that met the held lock ended before the winner released
        // it (one that waited for the lock would end after the winner).
        assert!(ended < winner_ended, "a loser waited for the lock: {}", text(o));
    }
    // The losers changed nothing: the slow step ran once, and the log holds the first
    // pass plus exactly one resumed pass.
    let counter = std::fs::read_to_string(dir.join("counter.txt")).unwrap();
    assert_eq!(counter, "slow\n");
    let log = std::fs::read_to_string(run_dir.join("log.jsonl")).unwrap();
    assert!(log.starts_with(&log_before));
    let finished = log.lines().filter(|l| l.contains("\"workflow_finished\"")).count();
    assert_eq!(finished, 2, "{log}");
    let st = json(&baton(dir).args(["status", "race", "--json"]).output().unwrap());
    assert_eq!(st["status"], "completed");
    assert_eq!(st["steps"]["slow"], "completed");
}

/// 8 runs of one workflow at once in one project: all complete with distinct run ids, and
/// `status` lists every one of them, completed.
#[test]
fn many_concurrent_runs_in_one_project() {
    let mut wf = String::from("schema_version: \"1.0\"\nworkflow:\n  id: \"many\"\n  name: \"many\"\n  version: \"1.0.0\"\nsteps:\n");
    for i in 0..10 {
        wf.push_str(&format!("  - id: s{i}\n    type: shell\n    run: \"echo s{i}\"\n"));
    }
    let p = project(&wf);
    let dir = p.path();
    let children: Vec<_> = (0..8)
        .map(|_| baton(dir).args(["run", "wf.yml", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap())
        .collect();
    let mut ids = Vec::new();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", text(&o));
        let v = json(&o);
        assert_eq!(v["status"], "completed", "{}", text(&o));
        ids.push(v["run_id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "distinct run ids: {ids:?}");

    let o = baton(dir).args(["status", "--json"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let listed = json(&o);
    let runs = listed["runs"].as_array().unwrap();
    let mut listed_ids: Vec<String> = runs.iter().map(|r| r["run_id"].as_str().unwrap().to_owned()).collect();
    assert!(runs.iter().all(|r| r["status"] == "completed"), "{listed}");
    listed_ids.sort();
    assert_eq!(listed_ids, ids);
    for id in &ids {
        let o = baton(dir).args(["status", id, "--json"]).output().unwrap();
        let st = json(&o);
        let steps = st["steps"].as_object().unwrap();
        assert_eq!(steps.len(), 10, "{st}");
        assert!(steps.values().all(|s| s == "completed"), "{st}");
    }
}
