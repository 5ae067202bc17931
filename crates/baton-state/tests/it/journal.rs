//! The journal: every committed step is visible to a reader before the next snapshot,
//! replay gives the same state as memory, stale and torn journals are ignored.

use crate::common::{finish_step, obj, record, shell_steps, start_run, store};
use baton_state::*;
use proptest::prelude::*;

#[test]
fn load_replays_commits_exactly() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let id = RunId::new("j1").unwrap_or_else(|e| panic!("{e}"));
    let mut session = st.create_run(&id, "").unwrap_or_else(|e| panic!("{e}"));
    let mut state = RunState::new(id, "wf", st.now());
    state.status = RunStatus::Running;
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    // the tree arrives with the first step
    let source = format!("{}- id: lp\n  type: while\n  condition: x\n  steps:\n  - id: b\n    type: shell\n    run: x\n", shell_steps(3));
    let first = StepDelta { execution: Some(Execution::new(source, 4, 0, JsonObject::new())), ..Default::default() };
    session.commit(&mut state, first).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..3 {
        session.commit(&mut state, finish_step(i, &format!("out {i} é\n"))).unwrap_or_else(|e| panic!("{e}"));
    }
    // A container: expand (children), a loop iteration pushed, fields removed and set.
    let path = NodePath::top(3);
    let child = Sequence::with_source("- id: b\n  type: shell\n  run: x\n".into(), 1);
    let mut if_rec = record("");
    if_rec.insert("type".into(), "while".into());
    let delta = StepDelta {
        current_step_index: Some(3),
        edits: vec![
            TreeEdit::set(path.clone(), vec![NodeField::Active(true)]),
            TreeEdit::set(
                path.clone(),
                vec![NodeField::Result(Some(if_rec.into())), NodeField::Children(vec![child]), NodeField::Phase(Phase::Children)],
            ),
            TreeEdit::set(path.child(0, 0), vec![NodeField::Active(true)]),
            TreeEdit::remove(path.child(0, 0), &["active"]),
            TreeEdit::push_child(path.clone(), Sequence::shared(1)),
            TreeEdit::replace(path.child(1, 0), Node::ready()),
        ],
        ..Default::default()
    };
    session.commit(&mut state, delta).unwrap_or_else(|e| panic!("{e}"));
    let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, state);
    assert_eq!(loaded.to_state_json(), state.to_state_json());
    assert_eq!(loaded.step_results.len(), 3);
    // the snapshot on disk is still the start-of-run one
    let on_disk = std::fs::read_to_string(st.run_dir(&state.run_id).join(STATE_FILE)).unwrap_or_default();
    assert!(on_disk.contains("\"step_results\": {}"));
    // after a snapshot the journal is just its header again
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    let journal = std::fs::read_to_string(st.run_dir(&state.run_id).join(JOURNAL_FILE)).unwrap_or_default();
    assert_eq!(journal.lines().count(), 1);
    assert_eq!(st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}")), state);
}

#[test]
fn republishing_keeps_first_position() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, mut state) = start_run(&st, "j2", 3);
    for (k, out) in [("a", "1"), ("b", "2"), ("a", "3")] {
        let d = StepDelta { publish: vec![(k.into(), record(out).into())], ..Default::default() };
        session.commit(&mut state, d).unwrap_or_else(|e| panic!("{e}"));
    }
    let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<&String> = loaded.step_results.keys().collect();
    assert_eq!(keys, ["a", "b"]);
    assert!(Json::Object(JsonObject::clone(&loaded.step_results["a"])).to_compact().contains("\"stdout\":\"3\""));
}

#[test]
fn a_state_json_rewritten_by_the_reference_wins_over_the_journal() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, mut state) = start_run(&st, "j3", 3);
    session.commit(&mut state, finish_step(0, "x")).unwrap_or_else(|e| panic!("{e}"));
    drop(session);
    // The reference resumes and saves: same fields, new bytes (updated_at).
    let path = st.run_dir(&state.run_id).join(STATE_FILE);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let rewritten = text.replace("\"status\": \"running\"", "\"status\": \"paused\"");
    std::fs::write(&path, &rewritten).unwrap_or_else(|e| panic!("{e}"));
    let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.step_results.is_empty());
    assert_eq!(loaded.to_state_json(), rewritten);
}

#[test]
fn a_journal_entry_that_does_not_fit_is_an_error() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (session, state) = start_run(&st, "j4", 2);
    drop(session);
    let jpath = st.run_dir(&state.run_id).join(JOURNAL_FILE);
    let mut text = std::fs::read_to_string(&jpath).unwrap_or_default();
    text.push_str("{\"edits\":[{\"path\":[7],\"set\":[[\"active\",true]]}]}\n");
    std::fs::write(&jpath, text).unwrap_or_else(|e| panic!("{e}"));
    let err = st.open_run(&state.run_id).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.starts_with("corrupt journal") && err.contains("line 2"), "{err}");
    // and one that makes the tree invalid
    let mut text = std::fs::read_to_string(&jpath).unwrap_or_default().lines().next().unwrap_or("").to_owned();
    text.push_str("\n{\"edits\":[{\"path\":[0],\"set\":[[\"phase\",\"done\"]]}]}\n");
    std::fs::write(&jpath, text).unwrap_or_else(|e| panic!("{e}"));
    let err = st.open_run(&state.run_id).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("Completed execution lacks a result"), "{err}");
}

#[test]
fn line_size_does_not_grow_with_the_run() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, mut state) = start_run(&st, "j5", 2000);
    for i in 0..2000 {
        session.commit(&mut state, finish_step(i, "same")).unwrap_or_else(|e| panic!("{e}"));
    }
    let text = std::fs::read_to_string(st.run_dir(&state.run_id).join(JOURNAL_FILE)).unwrap_or_default();
    let lens: Vec<usize> = text.lines().map(str::len).collect();
    // lines 10 and 1999 differ only by the digits of the index and id
    // (digits of the index, the id twice, the path and the timestamp's fraction)
    assert!(lens[1999].abs_diff(lens[10]) <= 16, "{} vs {}", lens[10], lens[1999]);
    let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.step_results.len(), 2000);
    assert_eq!(loaded, state);
}

#[test]
fn strict_durability_commits_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path()).with_durability(Durability::Strict);
    let (mut session, mut state) = start_run(&st, "j6", 3);
    session.commit(&mut state, finish_step(0, "x")).unwrap_or_else(|e| panic!("{e}"));
    session.sync().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}")), state);
}

fn arb_record() -> impl Strategy<Value = JsonObject> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Json::from),
        "\\PC{0,12}".prop_map(Json::from),
        "[\u{0}-\u{1f}\"\\\\\n é😀]{0,6}".prop_map(Json::from),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec(("[a-z\n\"]{0,4}", inner), 0..4)
                .prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    });
    (value, "[a-z]{1,5}").prop_map(|(v, status)| {
        let mut o = obj(r#"{"type": "shell"}"#);
        o.insert("output".into(), v);
        o.insert("status".into(), status.into());
        o
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any records, the journal cut at any byte (a crash mid-write): the run loads, and
    /// holds exactly the records whose lines were complete.
    #[test]
    fn a_cut_journal_loads_to_a_prefix(records in prop::collection::vec(arb_record(), 0..12), cut in any::<prop::sample::Index>()) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let st = store(tmp.path());
        let (mut session, mut state) = start_run(&st, "p", records.len().max(1));
        for (i, r) in records.iter().enumerate() {
            let mut d = finish_step(i, "");
            d.publish = vec![(format!("s{i}"), r.clone().into())];
            session.commit(&mut state, d).unwrap_or_else(|e| panic!("{e}"));
        }
        drop(session);
        let jpath = st.run_dir(&state.run_id).join(JOURNAL_FILE);
        let bytes = std::fs::read(&jpath).unwrap_or_default();
        let at = cut.index(bytes.len() + 1);
        std::fs::write(&jpath, &bytes[..at]).unwrap_or_else(|e| panic!("{e}"));
        let complete = bytes[..at].iter().filter(|b| **b == b'\n').count().saturating_sub(1);
        let loaded = st.open_run(&state.run_id);
        prop_assert!(loaded.is_ok(), "{:?}", loaded.err().map(|e| e.to_string()));
        let loaded = loaded.unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(loaded.step_results.len(), complete);
        for (i, (k, v)) in loaded.step_results.iter().enumerate() {
            prop_assert_eq!(k, &format!("s{i}"));
            prop_assert_eq!(&**v, &records[i]);
        }
    }
}

proptest! {
    /// The JSON reader never panics, and what it reads is written back and re-read
    /// unchanged in every style.
    #[test]
    fn json_never_panics_and_round_trips(text in "\\PC{0,40}|[\\[\\]{}\",:0-9.eE+-]{0,40}") {
        if let Ok(v) = Json::parse(&text) {
            for out in [v.to_compact(), v.to_python_line(), v.to_python_indented()] {
                prop_assert_eq!(Json::parse(&out).ok(), Some(v.clone()));
            }
        }
    }

    #[test]
    fn records_round_trip(r in arb_record()) {
        let v = Json::Object(r);
        prop_assert_eq!(Json::parse(&v.to_python_indented()).ok(), Some(v.clone()));
        prop_assert_eq!(Json::parse(&v.to_python_line()).ok(), Some(v));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Json::parse(&deep).is_err());
    let ok = format!("{}{}", "[".repeat(500), "]".repeat(500));
    assert!(Json::parse(&ok).is_ok());
}
