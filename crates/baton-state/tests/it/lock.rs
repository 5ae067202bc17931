//! The run lock: one holder at a time, across processes; a killed holder frees it.

use crate::common::{child_dir, child_role, say, spawn_child};
use baton_state::*;
use std::io::{BufRead, BufReader};
use std::time::Duration;

fn id() -> RunId {
    RunId::new("locked-run").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn second_acquirer_fails_at_once_naming_the_pid() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let held = RunLock::acquire(tmp.path(), &id()).unwrap_or_else(|e| panic!("{e}"));
    let err = RunLock::acquire(tmp.path(), &id()).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(err, format!("run `locked-run` is in use by another process (pid {})", std::process::id()));
    assert_eq!(RunLock::holder(tmp.path()).ok(), Some(Some(Some(std::process::id()))));
    drop(held);
    // Another test thread forking a child may hold a copy of the descriptor until that
    // child's exec closes it (close-on-exec), so allow a moment.
    let free = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(5));
        RunLock::holder(tmp.path()).ok() == Some(None)
    });
    assert!(free);
    assert!(RunLock::acquire(tmp.path(), &id()).is_ok());
}

/// Child role `contend`: wait for `go`, try the lock, report, hold it a while if won.
#[test]
fn child_contender() {
    if child_role().as_deref() != Some("contend") {
        return;
    }
    let dir = child_dir();
    say("READY");
    while !dir.join("go").exists() {
        std::thread::sleep(Duration::from_millis(1));
    }
    match RunLock::acquire(&dir, &id()) {
        Ok(_held) => {
            say(&format!("WON {}", std::process::id()));
            std::thread::sleep(Duration::from_millis(600));
        }
        Err(e) => say(&format!("LOST {e}")),
    }
}

#[test]
fn exactly_one_of_many_processes_wins() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut children: Vec<_> = (0..6).map(|_| spawn_child("lock::child_contender", "contend", tmp.path())).collect();
    let mut readers: Vec<_> = children
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().unwrap_or_else(|| panic!("no stdout"))))
        .collect();
    let mut line = String::new();
    for r in &mut readers {
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap_or(0) == 0 || line.trim() == "READY" {
                break;
            }
        }
    }
    std::fs::write(tmp.path().join("go"), "").unwrap_or_else(|e| panic!("{e}"));
    let mut outcomes = Vec::new();
    for r in &mut readers {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(r, &mut rest);
        outcomes.extend(rest.lines().filter(|l| l.starts_with("WON") || l.starts_with("LOST")).map(str::to_owned));
    }
    for c in &mut children {
        let _ = c.wait();
    }
    let winners: Vec<&String> = outcomes.iter().filter(|o| o.starts_with("WON")).collect();
    assert_eq!(outcomes.len(), 6, "{outcomes:?}");
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let pid = winners[0].trim_start_matches("WON ");
    for o in outcomes.iter().filter(|o| o.starts_with("LOST")) {
        assert_eq!(o, &format!("LOST run `locked-run` is in use by another process (pid {pid})"));
    }
}

/// Child role `hold`: take the lock and sleep until killed.
#[test]
fn child_holder() {
    if child_role().as_deref() != Some("hold") {
        return;
    }
    let _held = RunLock::acquire(&child_dir(), &id()).unwrap_or_else(|e| panic!("{e}"));
    say(&format!("HELD {}", std::process::id()));
    std::thread::sleep(Duration::from_secs(30));
}

#[test]
fn the_lock_dies_with_a_killed_holder() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut child = spawn_child("lock::child_holder", "hold", tmp.path());
    let mut r = BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("no stdout")));
    let mut line = String::new();
    while !line.starts_with("HELD") {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    assert_eq!(line.trim(), format!("HELD {}", child.id()));
    assert_eq!(RunLock::holder(tmp.path()).ok(), Some(Some(Some(child.id()))));
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    assert_eq!(RunLock::holder(tmp.path()).ok(), Some(None));
    assert!(RunLock::acquire(tmp.path(), &id()).is_ok());
}
