//! Shared helpers: a YAML parser for the tree's texts, deterministic clocks, fixtures.

use baton_state::{FileStore, Json, JsonObject};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// serde_yaml is close enough to PyYAML for the `yaml.safe_dump` texts in run files.
pub fn parse_yaml(text: &str) -> Result<Json, String> {
    serde_yaml::from_str::<serde_json::Value>(text).map(Json::from).map_err(|e| e.to_string())
}

/// A clock that advances one millisecond (and 1 µs) per reading from a fixed instant.
pub fn stepping_clock() -> impl Fn() -> jiff::Timestamp + Send + Sync {
    let n = Arc::new(AtomicI64::new(0));
    move || {
        let i = n.fetch_add(1, Ordering::SeqCst);
        jiff::Timestamp::from_microsecond(1_767_225_600_000_000 + i * 1001).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }
}

pub fn store(root: &Path) -> FileStore {
    FileStore::new(root, Arc::new(parse_yaml), Arc::new(stepping_clock()))
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/runs")
}

pub fn obj(text: &str) -> JsonObject {
    match Json::parse(text) {
        Ok(Json::Object(o)) => o,
        other => panic!("not a JSON object: {text}: {other:?}"),
    }
}

/// The reference's python (env `BATON_REFERENCE_PYTHON`), or `None` with a skip notice;
/// under `CI=true` a missing reference fails the test.
#[allow(clippy::print_stderr)]
pub fn reference_python() -> Option<String> {
    let usable = std::env::var("BATON_REFERENCE_PYTHON").ok().filter(|p| {
        std::process::Command::new(p)
            .args(["-c", "import specify_cli"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if usable.is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "BATON_REFERENCE_PYTHON is unset or unusable under CI");
        eprintln!("skipped: BATON_REFERENCE_PYTHON unset or cannot import specify_cli");
    }
    usable
}

/// YAML of `k` shell steps `s0`, `s1`, ….
pub fn shell_steps(k: usize) -> String {
    (0..k).map(|i| format!("- id: s{i}\n  type: shell\n  run: echo {i}\n")).collect()
}

/// A completed shell record whose stdout is `out`.
pub fn record(out: &str) -> JsonObject {
    let mut o = JsonObject::new();
    let mut output = JsonObject::new();
    output.insert("exit_code".into(), Json::from(0i64));
    output.insert("stdout".into(), out.into());
    for (k, v) in [("type", Json::from("shell")), ("integration", Json::Null), ("model", Json::Null)] {
        o.insert(k.into(), v);
    }
    o.insert("options".into(), Json::Object(JsonObject::new()));
    o.insert("input".into(), Json::Object(JsonObject::new()));
    o.insert("output".into(), Json::Object(output));
    o.insert("status".into(), "completed".into());
    o.insert("error".into(), Json::Null);
    o
}

/// The delta of finishing top-level shell step `i` (what the engine sends).
pub fn finish_step(i: usize, out: &str) -> baton_state::StepDelta {
    use baton_state::*;
    let rec: Record = record(out).into();
    StepDelta {
        current_step_index: Some(i as u64),
        current_step_id: Some(format!("s{i}")),
        publish: vec![(format!("s{i}"), rec.clone())],
        edits: vec![TreeEdit::set(
            NodePath::top(i),
            vec![
                NodeField::Phase(Phase::Done),
                NodeField::Active(false),
                NodeField::Result(Some(rec)),
                NodeField::Outcome(Outcome::Completed),
                NodeField::error(None),
            ],
        )],
        ..Default::default()
    }
}

/// A new running run with a tree over `k` shell steps, snapshotted.
pub fn start_run(store: &FileStore, name: &str, k: usize) -> (baton_state::FileSession, baton_state::RunState) {
    use baton_state::*;
    let id = RunId::new(name).unwrap_or_else(|e| panic!("{e}"));
    let mut session = store.create_run(&id, "steps: []\n").unwrap_or_else(|e| panic!("{e}"));
    let mut state = RunState::new(id, "wf", store.now());
    state.status = RunStatus::Running;
    state.execution = Some(Execution::new(shell_steps(k), k, 0, JsonObject::new()));
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    (session, state)
}

/// Which helper role this test process plays (env `BATON_STATE_CHILD`), when re-executed
/// by a test that needs several processes.
pub fn child_role() -> Option<String> {
    std::env::var("BATON_STATE_CHILD").ok()
}

/// Re-executes this test binary to run only the test `name` in role `role`.
pub fn spawn_child(name: &str, role: &str, dir: &Path) -> std::process::Child {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    std::process::Command::new(exe)
        .args(["--exact", name, "--nocapture", "--test-threads", "1", "-q"])
        .env("BATON_STATE_CHILD", role)
        .env("BATON_STATE_DIR", dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The child's `BATON_STATE_DIR`.
pub fn child_dir() -> PathBuf {
    PathBuf::from(std::env::var("BATON_STATE_DIR").unwrap_or_default())
}

/// Prints one protocol line for the parent and flushes it.
#[allow(clippy::print_stdout)]
pub fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
