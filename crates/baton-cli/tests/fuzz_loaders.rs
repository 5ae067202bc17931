//! Fuzz-style properties (issue 20) that the library crates' own proptests do not cover:
//! the state loader (`state.json` + `journal.jsonl` + `inputs.json` through
//! `FileStore::open_run` and the listing) and the workflow loader + validator, each fed
//! *mutations of real files* (bit flips, cuts, splices, inserted bytes) rather than
//! random text, so the inputs get deep into the parsers. A clean error is fine; a panic
//! fails. The cargo-fuzz targets in `fuzz/` run the same entry points for longer.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use baton_state::{
    Execution, FileStore, Json, JsonObject, NodeField, NodePath, Outcome, Phase, RunId, RunSession, RunState, RunStatus,
    RunStore, StepDelta, TreeEdit,
};
use proptest::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The execution tree's YAML, parsed the way the engine does.
fn parse_yaml(text: &str) -> Result<Json, String> {
    let node = baton_model::yaml::parse(text).map_err(|e| e.to_string())?;
    let text = baton_expr::json::dumps(&node.to_value(), &Default::default()).map_err(|e| e.to_string())?;
    Json::parse(&text).map_err(|e| e.to_string())
}

fn store(root: &Path) -> FileStore {
    FileStore::new(root, Arc::new(parse_yaml), Arc::new(baton_state::SystemClock))
}

/// `(state.json, journal.jsonl, inputs.json)` of a baton-made run with 6 committed steps
/// after its snapshot, so the journal has real entries.
fn baton_run_files() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let tmp = tempfile::tempdir().unwrap();
    let st = store(tmp.path());
    let id = RunId::new("seed").unwrap();
    let mut session = st.create_run(&id, "steps: []\n").unwrap();
    let mut state = RunState::new(id.clone(), "seed-flow", st.now());
    state.status = RunStatus::Running;
    let source: String = (0..8).map(|i| format!("- id: s{i}\n  type: shell\n  run: echo {i}\n")).collect();
    state.execution = Some(Execution::new(source, 8, 0, JsonObject::new()));
    session.snapshot(&mut state).unwrap();
    for i in 0..6 {
        let Ok(Json::Object(rec)) = Json::parse(&format!(
            r#"{{"type": "shell", "integration": null, "model": null, "options": {{}}, "input": {{}}, "output": {{"exit_code": 0, "stdout": "{i}\n", "stderr": ""}}, "status": "completed", "error": null}}"#
        )) else {
            panic!("record")
        };
        let rec: baton_state::Record = rec.into();
        let delta = StepDelta {
            current_step_index: Some(i),
            current_step_id: Some(format!("s{i}")),
            publish: vec![(format!("s{i}"), rec.clone())],
            edits: vec![TreeEdit::set(
                NodePath::top(i as usize),
                vec![
                    NodeField::Phase(Phase::Done),
                    NodeField::Active(false),
                    NodeField::Result(Some(rec)),
                    NodeField::Outcome(Outcome::Completed),
                    NodeField::error(None),
                ],
            )],
            ..Default::default()
        };
        session.commit(&mut state, delta).unwrap();
    }
    session.sync().unwrap();
    let dir = st.run_dir(&id);
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap_or_default();
    let files = (read("state.json"), read("journal.jsonl"), read("inputs.json"));
    assert!(!files.1.is_empty(), "the seed run has a journal");
    files
}

/// Seeds: the baton-made run and every reference-made run under `fixtures/runs`.
fn state_seeds() -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let mut seeds = vec![baton_run_files()];
    let runs = repo().join("fixtures/runs");
    for entry in std::fs::read_dir(&runs).unwrap().flatten() {
        let project = entry.path().join("project/.specify/workflows/runs");
        let Ok(dirs) = std::fs::read_dir(&project) else { continue };
        for d in dirs.flatten() {
            let read = |f: &str| std::fs::read(d.path().join(f)).unwrap_or_default();
            seeds.push((read("state.json"), read("journal.jsonl"), read("inputs.json")));
        }
    }
    seeds
}

fn workflow_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for dir in ["fixtures/workflows/valid", "fixtures/workflows/invalid", "fixtures/bench/status-run"] {
        let Ok(entries) = std::fs::read_dir(repo().join(dir)) else { continue };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                seeds.push(std::fs::read(&p).unwrap());
            }
        }
    }
    assert!(seeds.len() > 10, "workflow fixtures found: {}", seeds.len());
    seeds
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    /// Flip bits of the byte at a position.
    Flip(prop::sample::Index, u8),
    /// Cut the text at a position.
    Truncate(prop::sample::Index),
    /// Insert bytes at a position.
    Insert(prop::sample::Index, Vec<u8>),
    /// Remove a span.
    Remove(prop::sample::Index, usize),
    /// Copy a span elsewhere (structure-preserving-ish).
    Splice(prop::sample::Index, prop::sample::Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        prop::collection::vec(any::<u8>(), 1..6),
        prop::sample::select(vec![
            b"{".to_vec(),
            b"}".to_vec(),
            b"[".to_vec(),
            b"]".to_vec(),
            b"\"".to_vec(),
            b",".to_vec(),
            b":".to_vec(),
            b"\n".to_vec(),
            b"null".to_vec(),
            b"1e999".to_vec(),
            b"-0".to_vec(),
            b"NaN".to_vec(),
            b"\\u".to_vec(),
            b"\\ud800".to_vec(),
            b"  - ".to_vec(),
            b"&a ".to_vec(),
            b"*a".to_vec(),
            b"<<: ".to_vec(),
            b"!!python/object ".to_vec(),
            b"\t".to_vec(),
            b"{{ ".to_vec(),
            b"\xff".to_vec(),
        ]),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Remove(i, n)),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 1usize..200).prop_map(|(a, b, n)| Mutation::Splice(a, b, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: &prop::sample::Index| if len == 0 { 0 } else { i.index(len + 1) };
    match m {
        Mutation::Flip(i, b) => {
            if len > 0 {
                let p = i.index(len);
                bytes[p] ^= b;
            }
        }
        Mutation::Truncate(i) => bytes.truncate(at(i)),
        Mutation::Insert(i, t) => {
            let p = at(i);
            bytes.splice(p..p, t.iter().copied());
        }
        Mutation::Remove(i, n) => {
            let p = at(i);
            let end = (p + n).min(len);
            bytes.drain(p..end);
        }
        Mutation::Splice(a, b, n) => {
            let from = at(a);
            let end = (from + n).min(len);
            let piece = bytes[from..end].to_vec();
            let to = at(b);
            bytes.splice(to..to, piece);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any corruption of a run's files: `open_run` and the listing return, never panic.
    #[test]
    fn state_loader_never_panics_on_mutated_runs(
        seed in any::<prop::sample::Index>(),
        which in 0usize..3,
        edits in prop::collection::vec(mutation(), 1..6),
    ) {
        thread_local!(static SEEDS: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = state_seeds());
        let (mut state, mut journal, mut inputs) = SEEDS.with(|s| s[seed.index(s.len())].clone());
        let target = match which { 0 => &mut state, 1 => &mut journal, _ => &mut inputs };
        for e in &edits {
            apply(target, e);
        }
        let tmp = tempfile::tempdir().unwrap();
        let st = store(tmp.path());
        let id = RunId::new("fuzz").unwrap();
        let dir = st.run_dir(&id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("state.json"), &state).unwrap();
        if !journal.is_empty() {
            std::fs::write(dir.join("journal.jsonl"), &journal).unwrap();
        }
        if !inputs.is_empty() {
            std::fs::write(dir.join("inputs.json"), &inputs).unwrap();
        }
        let _ = st.open_run(&id);
        let _ = st.list_runs();
    }

    /// Any corruption of a workflow file: load + validate return, never panic.
    #[test]
    fn workflow_loader_never_panics_on_mutated_files(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(mutation(), 1..8),
    ) {
        thread_local!(static SEEDS: Vec<Vec<u8>> = workflow_seeds());
        let mut text = SEEDS.with(|s| s[seed.index(s.len())].clone());
        for e in &edits {
            apply(&mut text, e);
        }
        let text = String::from_utf8_lossy(&text);
        if let Ok((node, diagnostics)) = baton_model::check(&text) {
            let _ = baton_model::error_messages(&diagnostics);
            let _ = baton_model::yaml::dump(&node);
        }
    }
}

/// The unmutated seeds load (so the properties start from valid inputs).
#[test]
fn seeds_load() {
    let tmp = tempfile::tempdir().unwrap();
    let st = store(tmp.path());
    let id = RunId::new("seed").unwrap();
    let dir = st.run_dir(&id);
    std::fs::create_dir_all(&dir).unwrap();
    let (state, journal, inputs) = baton_run_files();
    std::fs::write(dir.join("state.json"), state).unwrap();
    std::fs::write(dir.join("journal.jsonl"), journal).unwrap();
    std::fs::write(dir.join("inputs.json"), inputs).unwrap();
    let run = st.open_run(&id).unwrap();
    assert_eq!(run.step_results.len(), 6);
    assert!(workflow_seeds().iter().any(|w| baton_model::check(&String::from_utf8_lossy(w)).is_ok()));
}
