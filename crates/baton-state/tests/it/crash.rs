//! kill -9 of a writer at random points, hundreds of times: every run still loads and
//! holds every step whose commit had returned.

use crate::common::{child_dir, child_role, finish_step, say, spawn_child, start_run, store};
use baton_state::*;
use std::io::Read;
use std::time::{Duration, Instant};

const STEPS: usize = 300;

/// Child role `write`: commit STEPS steps, re-snapshotting now and then, printing
/// `ack i` after each commit returns.
#[test]
fn child_writer() {
    if child_role().as_deref() != Some("write") {
        return;
    }
    let st = store(&child_dir());
    let (mut session, mut state) = start_run(&st, "crash", STEPS);
    say("started");
    for i in 0..STEPS {
        session.commit(&mut state, finish_step(i, &format!("step {i}\n"))).unwrap_or_else(|e| panic!("{e}"));
        say(&format!("ack {i}"));
        if i % 37 == 36 {
            session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    state.status = RunStatus::Completed;
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    say("done");
}

#[test]
#[allow(clippy::print_stderr)]
fn kill_9_loses_no_acknowledged_step() {
    let started = Instant::now();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(std::process::id());
    let mut rounds = 0;
    let (mut killed_mid_run, mut completed) = (0, 0);
    while rounds < 400 && started.elapsed() < Duration::from_secs(25) {
        rounds += 1;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut child = spawn_child("crash::child_writer", "write", tmp.path());
        std::thread::sleep(Duration::from_micros(seed % 120_000));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let mut out = String::new();
        if let Some(mut s) = child.stdout.take() {
            let _ = s.read_to_string(&mut out);
        }
        if !out.contains("started") {
            continue; // killed before the run existed
        }
        let acked = out.lines().filter(|l| l.starts_with("ack ")).count();
        if out.contains("done") {
            completed += 1;
        } else if acked > 0 {
            killed_mid_run += 1;
        }
        let st = store(tmp.path());
        let id = RunId::new("crash").unwrap_or_else(|e| panic!("{e}"));
        let state = st.open_run(&id).unwrap_or_else(|e| panic!("round {rounds}: {e}"));
        assert!(state.step_results.len() >= acked, "round {rounds}: {} < {acked}", state.step_results.len());
        for (i, k) in state.step_results.keys().enumerate() {
            assert_eq!(k, &format!("s{i}"), "round {rounds}");
        }
        let tree = state.execution.as_ref().unwrap_or_else(|| panic!("no tree"));
        let done = tree.sequence.nodes.iter().filter(|n| n.phase() == Phase::Done).count();
        assert_eq!(done, state.step_results.len(), "round {rounds}");
    }
    eprintln!("kill -9: {rounds} rounds, {killed_mid_run} mid-run, {completed} completed, {:?}", started.elapsed());
    assert!(rounds >= 100, "only {rounds} rounds");
    assert!(killed_mid_run >= 20, "only {killed_mid_run} kills landed mid-run ({completed} completed)");
}
