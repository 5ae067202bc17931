//! `kill -9` of real `baton run` / `baton resume` processes at random instants (issue 20,
//! DESIGN §3): after every kill the run folder loads (`status RUN --json`), every step
//! recorded as finished stays recorded and never runs again (each step appends a line to
//! a counter file, which proves it), at most the step(s) in flight repeat, and `resume`
//! completes the run.
//!
//! Bounded for CI: each test stops after `BATON_CRASH_SECONDS` (default 4) seconds of
//! trials; set it higher (and `BATON_CRASH_SEED` to replay a seed) for a long soak.

#![allow(clippy::print_stderr, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use baton_state::{FileStore, Json, NodePath, Phase, RunId, RunStore, SystemClock};
use serde_json::Value;

const BATON: &str = env!("CARGO_BIN_EXE_baton");

/// A small deterministic random source (xorshift64*), seeded per test.
struct Rng(u64);

impl Rng {
    fn new(test: &str) -> Rng {
        let seed = std::env::var("BATON_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
            (t as u64) ^ u64::from(std::process::id()).rotate_left(32)
        });
        eprintln!("{test}: BATON_CRASH_SEED={seed}");
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[lo, hi)` of `d`.
    fn within(&mut self, d: Duration, lo: f64, hi: f64) -> Duration {
        let f = lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64);
        d.mul_f64(f)
    }
}

fn budget() -> Duration {
    let secs = std::env::var("BATON_CRASH_SECONDS").ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(4.0);
    Duration::from_secs_f64(secs.max(0.5))
}

fn baton(dir: &Path) -> Command {
    let mut c = Command::new(BATON);
    c.current_dir(dir)
        .env_remove("SPECIFY_INIT_DIR")
        .env_remove("SPECKIT_WORKFLOW_RUN_ID")
        .stdin(Stdio::null());
    c
}

fn output(mut c: Command) -> Output {
    c.output().unwrap_or_else(|e| panic!("cannot run baton: {e}"))
}

fn text(o: &Output) -> String {
    format!("exit {:?}\nstdout:\n{}\nstderr:\n{}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A fresh project with `wf.yml`.
fn project(workflow: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("baton-crash-").tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".specify")).unwrap();
    std::fs::write(dir.path().join("wf.yml"), workflow).unwrap();
    dir
}

fn counter(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("counter.txt")).unwrap_or_default().lines().map(str::to_owned).collect()
}

/// `status RUN --json`: `None` when the run has no state yet (killed before its first
/// snapshot); panics when the folder exists but does not load.
fn status(dir: &Path, run: &str) -> Option<Value> {
    let mut c = baton(dir);
    c.args(["status", run, "--json"]);
    let o = output(c);
    if !o.status.success() {
        let has_state = dir.join(".specify/workflows/runs").join(run).join("state.json").exists();
        assert!(!has_state, "status of a killed run failed:\n{}", text(&o));
        return None;
    }
    Some(serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("status --json is not JSON ({e}):\n{}", text(&o))))
}

/// Step id → status from a `status --json` payload.
fn steps(status: &Value) -> BTreeMap<String, String> {
    status["steps"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned())).collect())
        .unwrap_or_default()
}

/// How a process started by [`kill_after`] ended.
enum Ended {
    /// It finished by itself first.
    Exited,
    /// It was killed with SIGKILL.
    Killed,
}

/// Starts `c`, waits `delay`, `kill -9`s it (unless it already exited), and gives the
/// step processes it orphaned a moment to finish their one line.
fn kill_after(mut c: Command, delay: Duration) -> Ended {
    c.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = c.spawn().unwrap_or_else(|e| panic!("cannot start baton: {e}"));
    let deadline = Instant::now() + delay;
    loop {
        if child.try_wait().unwrap().is_some() {
            return Ended::Exited;
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        std::thread::sleep((deadline - now).min(Duration::from_micros(500)));
    }
    let _ = child.kill();
    let st = child.wait().unwrap();
    // A step's shell lives in its own process group and survives baton; let it finish.
    std::thread::sleep(Duration::from_millis(60));
    if st.code().is_some() {
        Ended::Exited
    } else {
        Ended::Killed
    }
}

fn shell_steps(n: usize) -> String {
    (0..n).map(|i| format!("  - id: s{i}\n    type: shell\n    run: \"echo s{i} >> counter.txt\"\n")).collect()
}

fn header(id: &str, inputs: &str) -> String {
    format!("schema_version: \"1.0\"\nworkflow:\n  id: \"{id}\"\n  name: \"{id}\"\n  version: \"1.0.0\"\n{inputs}steps:\n")
}

/// Runs the workflow three times without a kill: each must complete (or pause at a
/// gate); returns the fastest duration.
fn calibrate(workflow: &str) -> Duration {
    (0..3)
        .map(|_| {
            let p = project(workflow);
            let mut c = baton(p.path());
            c.args(["run", "wf.yml", "--json"]).env("SPECKIT_WORKFLOW_RUN_ID", "calibrate");
            let start = Instant::now();
            let o = output(c);
            let took = start.elapsed();
            let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("run --json:\n{}", text(&o)));
            assert!(v["status"] == "completed" || v["status"] == "paused", "{}", text(&o));
            took
        })
        .min()
        .unwrap_or_default()
}

/// A sequential workflow of shell steps `s0..s{n-1}` (maybe with non-shell steps between
/// them): checks the counter against the recorded steps after each process ends.
struct Sequential {
    /// Lines of the counter file already accounted for.
    seen: usize,
    /// The first step not recorded as finished at the last check.
    start: usize,
}

impl Sequential {
    /// `killed`: whether the process just ended by the kill (else it completed or paused).
    fn check(&mut self, dir: &Path, st: &Value, killed: bool, ctx: &str) {
        let steps = steps(st);
        // Recorded shell steps: a prefix s0..s{k-1}, all completed.
        let mut k = 0;
        while steps.get(&format!("s{k}")).is_some_and(|s| s == "completed") {
            k += 1;
        }
        for (id, s) in &steps {
            if let Some(i) = id.strip_prefix('s').and_then(|i| i.parse::<usize>().ok()) {
                assert!(i < k || s != "completed", "{ctx}: {id} recorded out of order: {steps:?}");
            }
        }
        assert!(k >= self.start, "{ctx}: finished steps lost: {k} recorded, {} before", self.start);
        let lines = counter(dir);
        let new = &lines[self.seen.min(lines.len())..];
        // Since the last check, steps ran in order from the first unrecorded one.
        for (j, line) in new.iter().enumerate() {
            assert_eq!(line, &format!("s{}", self.start + j), "{ctx}: counter {lines:?}");
        }
        let ran = self.start + new.len();
        if killed {
            assert!(ran == k || ran == k + 1, "{ctx}: {ran} steps ran, {k} recorded: counter {lines:?}, steps {steps:?}");
        } else {
            assert_eq!(ran, k, "{ctx}: counter {lines:?}, steps {steps:?}");
        }
        self.seen = lines.len();
        self.start = k;
    }
}

/// The shared loop of the sequential tests: start `run`, kill it at a random instant
/// (`lo..hi` of a calibrated run's duration), check, then resume (killing some resumes
/// too) until the run completes.
fn sequential_trials(test: &str, workflow: &str, n: usize, resume_args: &[&str], lo: f64, hi: f64) {
    let mut rng = Rng::new(test);
    let full = calibrate(workflow);
    let started = Instant::now();
    let (mut trials, mut mid_run, mut kills) = (0, 0, 0);
    while started.elapsed() < budget() && trials < 400 {
        trials += 1;
        let p = project(workflow);
        let dir = p.path();
        let run = "crash";
        let mut c = baton(dir);
        c.args(["run", "wf.yml", "--json"]).env("SPECKIT_WORKFLOW_RUN_ID", run);
        let ended = kill_after(c, rng.within(full, lo, hi));
        let Some(st) = status(dir, run) else {
            assert!(counter(dir).is_empty(), "{test} trial {trials}: steps ran before the run was saved");
            continue;
        };
        let mut seq = Sequential { seen: 0, start: 0 };
        let mut killed = matches!(ended, Ended::Killed);
        seq.check(dir, &st, killed, &format!("{test} trial {trials} (run)"));
        let mut st = st;
        if killed {
            kills += 1;
            if seq.start > 0 && seq.start < n {
                mid_run += 1;
            }
        }
        // Resume until completed; a third of the resumes are killed too.
        let mut round = 0;
        while st["status"] != "completed" {
            round += 1;
            assert!(round < 20, "{test} trial {trials}: no progress: {st}");
            let mut c = baton(dir);
            c.args(["resume", run, "--json"]).args(resume_args);
            if rng.next().is_multiple_of(3) {
                let ended = kill_after(c, rng.within(full, 0.0, 1.0));
                killed = matches!(ended, Ended::Killed);
                kills += usize::from(killed);
            } else {
                let o = output(c);
                assert!(o.status.success(), "{test} trial {trials}: resume failed after status {}:\n{}", st["status"], text(&o));
                killed = false;
            }
            st = status(dir, run).unwrap_or_else(|| panic!("{test} trial {trials}: the run vanished"));
            seq.check(dir, &st, killed, &format!("{test} trial {trials} (resume {round})"));
            assert!(st["status"] != "failed", "{test} trial {trials}: {st}");
        }
        assert_eq!(seq.start, n, "{test} trial {trials}: completed with {} of {n} steps", seq.start);
    }
    eprintln!("{test}: {trials} trials, {kills} kills, {mid_run} runs killed mid-way, {:?}", started.elapsed());
    assert!(trials >= 5, "only {trials} trials");
    assert!(mid_run >= 2, "only {mid_run} kills landed mid-run");
}

#[test]
fn kill_9_during_shell_steps_loses_no_finished_step() {
    let wf = header("crash-shell", "") + &shell_steps(40);
    sequential_trials("kill_9_during_shell_steps", &wf, 40, &[], 0.0, 1.15);
}

/// Kills concentrated on the end of the run: the gate pause and the final snapshot.
#[test]
fn kill_9_around_a_gate_pause_and_the_final_snapshot() {
    let inputs = "inputs:\n  verdict:\n    type: string\n    default: \"\"\n";
    let mut wf = header("crash-gate", inputs) + &shell_steps(12);
    wf.push_str("  - id: review\n    type: gate\n    message: \"Go on?\"\n    options: [approve, reject]\n    verdict_input: verdict\n");
    wf.extend((12..15).map(|i| format!("  - id: s{i}\n    type: shell\n    run: \"echo s{i} >> counter.txt\"\n")));
    sequential_trials("kill_9_around_a_gate_pause", &wf, 15, &["-i", "verdict=approve"], 0.5, 1.3);
}

/// `do-while` iterations: the counter counts body runs against recorded iterations.
#[test]
fn kill_9_inside_a_loop_body() {
    const N: usize = 30;
    let wf = header("crash-loop", "")
        + &format!(
            "  - id: loop\n    type: do-while\n    condition: \"{{{{ true }}}}\"\n    max_iterations: {N}\n    steps:\n      - id: body\n        type: shell\n        run: \"echo x >> counter.txt\"\n"
        );
    let recorded = |st: &Value| {
        steps(st).iter().filter(|(id, s)| (id.as_str() == "body" || id.starts_with("loop:body:")) && s.as_str() == "completed").count()
    };
    let mut rng = Rng::new("kill_9_inside_a_loop_body");
    let full = calibrate(&wf);
    let started = Instant::now();
    let (mut trials, mut mid_run) = (0, 0);
    while started.elapsed() < budget() && trials < 400 {
        trials += 1;
        let p = project(&wf);
        let dir = p.path();
        let mut c = baton(dir);
        c.args(["run", "wf.yml", "--json"]).env("SPECKIT_WORKFLOW_RUN_ID", "crash");
        let ended = kill_after(c, rng.within(full, 0.0, 1.15));
        let Some(st) = status(dir, "crash") else { continue };
        let k = recorded(&st);
        let c0 = counter(dir).len();
        if matches!(ended, Ended::Killed) {
            assert!(c0 == k || c0 == k + 1, "trial {trials}: {c0} body runs, {k} recorded: {st}");
            mid_run += usize::from(k > 0 && k < N);
        } else {
            assert_eq!(c0, k);
        }
        if st["status"] != "completed" {
            let mut c = baton(dir);
            c.args(["resume", "crash", "--json"]);
            let o = output(c);
            assert!(o.status.success(), "trial {trials}: {}", text(&o));
        }
        let st = status(dir, "crash").unwrap_or_else(|| panic!("the run vanished"));
        assert_eq!(st["status"], "completed", "trial {trials}");
        assert_eq!(recorded(&st), N, "trial {trials}: {st}");
        let total = counter(dir).len();
        // Only the iteration in flight at the kill may have run twice.
        assert!(total == N + c0 - k, "trial {trials}: {total} body runs for {N} iterations ({c0} ran, {k} recorded at the kill)");
    }
    eprintln!("kill_9_inside_a_loop_body: {trials} trials, {mid_run} mid-loop, {:?}", started.elapsed());
    assert!(trials >= 5 && mid_run >= 2, "{trials} trials, {mid_run} mid-loop");
}

/// The execution tree's YAML texts, parsed the way the engine does.
fn parse_yaml(text: &str) -> Result<Json, String> {
    let node = baton_model::yaml::parse(text).map_err(|e| e.to_string())?;
    let text = baton_expr::json::dumps(&node.to_value(), &Default::default()).map_err(|e| e.to_string())?;
    Json::parse(&text).map_err(|e| e.to_string())
}

/// A fan-out with several items in flight: an item finished before the kill (done in
/// the execution tree, which is what resume trusts) never runs again; only items in
/// flight (≤ max_concurrency) may repeat; `status` lists exactly the items done in the
/// tree (an item's record is published with the commit that marks it done).
#[test]
fn kill_9_during_fan_out_with_items_in_flight() {
    const N: usize = 24;
    const W: usize = 4;
    let items: Vec<String> = (0..N).map(|i| i.to_string()).collect();
    let wf = header("crash-fan", "")
        + &format!(
            "  - id: fan\n    type: fan-out\n    items: [{}]\n    max_concurrency: {W}\n    step:\n      id: item\n      type: shell\n      run: \"echo {{{{ item }}}} >> counter.txt; sleep 0.02\"\n",
            items.join(", ")
        );
    let published = |st: &Value| -> BTreeSet<usize> {
        steps(st)
            .iter()
            .filter(|(_, s)| s.as_str() == "completed")
            .filter_map(|(id, _)| id.strip_prefix("fan:item:").and_then(|i| i.parse().ok()))
            .collect()
    };
    let done_in_tree = |dir: &Path| -> BTreeSet<usize> {
        let store = FileStore::new(dir, Arc::new(parse_yaml), Arc::new(SystemClock));
        let run = store.open_run(&RunId::new("crash").unwrap()).unwrap_or_else(|e| panic!("open_run: {e}"));
        let Some(tree) = run.execution else { return BTreeSet::new() };
        (0..N)
            .filter(|&i| tree.node(&NodePath::top(0).child(i, 0)).is_some_and(|n| n.phase() == Phase::Done))
            .collect()
    };
    let runs_of = |dir: &Path| -> BTreeMap<usize, usize> {
        let mut m = BTreeMap::new();
        for l in counter(dir) {
            *m.entry(l.trim().parse::<usize>().unwrap_or(usize::MAX)).or_insert(0) += 1;
        }
        m
    };
    let mut rng = Rng::new("kill_9_during_fan_out");
    let full = calibrate(&wf);
    let started = Instant::now();
    let (mut trials, mut mid_run) = (0, 0);
    while started.elapsed() < budget() && trials < 400 {
        trials += 1;
        let p = project(&wf);
        let dir = p.path();
        let mut c = baton(dir);
        c.args(["run", "wf.yml", "--json"]).env("SPECKIT_WORKFLOW_RUN_ID", "crash");
        let ended = kill_after(c, rng.within(full, 0.15, 1.05));
        let Some(st) = status(dir, "crash") else { continue };
        let listed = published(&st);
        let done = done_in_tree(dir);
        assert_eq!(listed, done, "trial {trials}: items in `status` vs items done in the tree");
        let before = runs_of(dir);
        for i in &done {
            assert_eq!(before.get(i), Some(&1), "trial {trials}: finished item {i} ran {:?} times", before.get(i));
        }
        let in_flight = before.len() - done.len();
        if matches!(ended, Ended::Killed) {
            assert!(in_flight <= W, "trial {trials}: {in_flight} items ran unfinished: {before:?} vs {done:?}");
            mid_run += usize::from(!done.is_empty() && done.len() < N);
        } else {
            assert_eq!(in_flight, 0);
        }
        if st["status"] != "completed" {
            let mut c = baton(dir);
            c.args(["resume", "crash", "--json"]);
            let o = output(c);
            assert!(o.status.success(), "trial {trials}: {}", text(&o));
        }
        let st = status(dir, "crash").unwrap_or_else(|| panic!("the run vanished"));
        assert_eq!(st["status"], "completed", "trial {trials}");
        let after = runs_of(dir);
        assert_eq!(published(&st).len(), N, "trial {trials}: {st}");
        for i in 0..N {
            let runs = after.get(&i).copied().unwrap_or(0);
            if done.contains(&i) {
                assert_eq!(runs, 1, "trial {trials}: item {i} finished before the kill ran again");
            } else {
                assert!(runs == 1 || (runs == 2 && before.contains_key(&i)), "trial {trials}: item {i} ran {runs} times");
            }
        }
    }
    eprintln!(
        "kill_9_during_fan_out: {trials} trials, {mid_run} mid-fan-out, {:?}",
        started.elapsed()
    );
    assert!(trials >= 5 && mid_run >= 2, "{trials} trials, {mid_run} mid-fan-out");
}
