//! Persisting step N costs the same at N = 10 and N = 10 000 (journal append), while the
//! reference's whole-file rewrite grows with N.
//!
//! `cargo bench -p baton-state`

// `criterion_group!` defines an undocumented function.
#![allow(missing_docs)]

use baton_state::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

fn parse_yaml(_: &str) -> Result<Json, String> {
    Err("not needed".into())
}

fn record(i: usize) -> JsonObject {
    let text = format!(
        r#"{{"type": "shell", "integration": null, "model": null, "options": {{}}, "input": {{}}, "output": {{"exit_code": 0, "stdout": "step {i} output line\n", "stderr": ""}}, "status": "completed", "error": null}}"#
    );
    match Json::parse(&text) {
        Ok(Json::Object(o)) => o,
        _ => JsonObject::new(),
    }
}

fn finish(i: usize) -> StepDelta {
    let rec: Record = record(i).into();
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

/// A run in `dir` whose first `n` steps are done, snapshotted, with its session.
fn run_at(dir: &std::path::Path, n: usize, durability: Durability) -> (FileSession, RunState) {
    let store = FileStore::new(dir, Arc::new(parse_yaml), Arc::new(SystemClock)).with_durability(durability);
    let id = RunId::new("bench").unwrap_or_else(|e| panic!("{e}"));
    let mut session = store.create_run(&id, "").unwrap_or_else(|e| panic!("{e}"));
    let mut state = RunState::new(id, "bench", store.now());
    state.status = RunStatus::Running;
    let total = n + 1;
    let source: String = (0..total).map(|i| format!("- id: s{i}\n  type: shell\n  run: echo {i}\n")).collect();
    state.execution = Some(Execution::new(source, total, 0, JsonObject::new()));
    for i in 0..n {
        state.apply_delta(&finish(i)).unwrap_or_else(|e| panic!("{e}"));
    }
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    (session, state)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("persist step N");
    group.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_millis(500));
    for n in [10usize, 10_000] {
        // The foreground cost a step pays when the previous line's background fdatasync
        // already finished (the usual case: a step takes longer than a sync).
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (mut session, mut state) = run_at(tmp.path(), n, Durability::Normal);
        group.bench_with_input(BenchmarkId::new("commit (sync overlapped)", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    session.sync().unwrap_or_else(|e| panic!("{e}"));
                    let delta = finish(n);
                    let start = std::time::Instant::now();
                    session.commit(&mut state, black_box(delta)).unwrap_or_else(|e| panic!("{e}"));
                    total += start.elapsed();
                }
                total
            })
        });
        for (label, durability) in [("commit (normal)", Durability::Normal), ("commit (strict)", Durability::Strict)] {
            let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let (mut session, mut state) = run_at(tmp.path(), n, durability);
            group.bench_with_input(BenchmarkId::new(label, n), &n, |b, &n| {
                b.iter(|| session.commit(&mut state, black_box(finish(n))).unwrap_or_else(|e| panic!("{e}")))
            });
        }
        // What the reference does after every step: serialize and rewrite the whole state.
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (_session, state) = run_at(tmp.path(), n, Durability::Normal);
        let path = tmp.path().join("state-rewrite.json");
        group.bench_with_input(BenchmarkId::new("full state.json rewrite", n), &n, |b, _| {
            b.iter(|| std::fs::write(&path, state.to_state_json()).unwrap_or_else(|e| panic!("{e}")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
