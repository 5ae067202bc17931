//! Top-level `state.json` keys the reference does not define (`rerun_of`, another tool's):
//! kept in order on load, written back after the known keys by every snapshot, kept by
//! journal replay.

use crate::common::{finish_step, start_run, store};
use baton_state::*;
use proptest::prelude::*;

fn read_state(st: &FileStore, id: &RunId) -> String {
    std::fs::read_to_string(st.run_dir(id).join(STATE_FILE)).unwrap_or_else(|e| panic!("{e}"))
}

fn keys(text: &str) -> Vec<String> {
    match Json::parse(text) {
        Ok(Json::Object(o)) => o.keys().cloned().collect(),
        other => panic!("not an object: {other:?}"),
    }
}

#[test]
fn unknown_keys_survive_load_snapshot_and_journal_replay() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, mut state) = start_run(&st, "extra", 3);
    state.extra.insert("rerun_of".into(), "old".into());
    state.extra.insert("rerun_from".into(), "s1".into());
    // a key named like a known field is never written from `extra`
    state.extra.insert("status".into(), "bogus".into());
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    let text = read_state(&st, &state.run_id);
    let k = keys(&text);
    assert_eq!(k[k.len() - 3..], ["execution", "rerun_of", "rerun_from"]);
    assert!(text.contains("\"status\": \"running\""), "{text}");
    assert!(!text.contains("bogus"), "{text}");

    // commits go to the journal; the loaded run (snapshot + replay) keeps the keys
    session.commit(&mut state, finish_step(0, "a")).unwrap_or_else(|e| panic!("{e}"));
    session.commit(&mut state, finish_step(1, "b")).unwrap_or_else(|e| panic!("{e}"));
    let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.step_results.len(), 2);
    let extra: Vec<(&str, &str)> =
        loaded.extra.iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("?"))).collect();
    assert_eq!(extra, [("rerun_of", "old"), ("rerun_from", "s1")]);

    // the next snapshot (e.g. a pause) writes them again, after the known keys
    state.status = RunStatus::Paused;
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    drop(session);
    let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.status, RunStatus::Paused);
    assert_eq!(loaded.extra.get("rerun_of").and_then(Json::as_str), Some("old"));
    assert_eq!(loaded.to_state_json(), read_state(&st, &state.run_id));
}

#[test]
fn unknown_keys_between_known_ones_keep_their_order_and_move_last() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let id = RunId::new("mixed").unwrap_or_else(|e| panic!("{e}"));
    let dir = st.run_dir(&id);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let text = r#"{"zeta": [1, 2.5e-7], "run_id": "mixed", "workflow_id": "wf", "alpha": {"é": null},
        "status": "failed", "step_results": {}, "mid": "x", "inputs": {}}"#;
    std::fs::write(dir.join(STATE_FILE), text).unwrap_or_else(|e| panic!("{e}"));
    let state = st.open_run(&id).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = state.extra.keys().map(String::as_str).collect();
    assert_eq!(names, ["zeta", "alpha", "mid"]);
    let out = state.to_state_json();
    let k = keys(&out);
    assert_eq!(k[k.len() - 3..], ["zeta", "alpha", "mid"]);
    assert!(out.ends_with("  \"zeta\": [\n    1,\n    2.5e-07\n  ],\n  \"alpha\": {\n    \"é\": null\n  },\n  \"mid\": \"x\"\n}"), "{out}");
    assert!(!k.contains(&"execution".to_owned()));
}

fn arb_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Json::from),
        "[\u{0}-\u{1f}\"\\\\\n aé😀]{0,6}".prop_map(Json::from),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
            prop::collection::vec(("[a-z\"]{0,3}", inner), 0..3).prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any unknown keys with any values: a snapshot writes them, a load reads them back
    /// in the same order, and writing the loaded state gives the same bytes.
    #[test]
    fn unknown_keys_round_trip(extra in prop::collection::vec(("[a-z_]{1,8}", arb_value()), 0..6), commits in 0usize..3) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let st = store(tmp.path());
        let (mut session, mut state) = start_run(&st, "prop", 3);
        for (k, v) in extra {
            state.extra.insert(k, v);
        }
        session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..commits {
            session.commit(&mut state, finish_step(i, "o")).unwrap_or_else(|e| panic!("{e}"));
        }
        let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
        let written: JsonObject =
            state.extra.iter().filter(|(k, _)| !is_known_key(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        prop_assert_eq!(&loaded.extra, &written);
        prop_assert_eq!(loaded.step_results.len(), commits);
        if commits == 0 {
            prop_assert_eq!(loaded.to_state_json(), read_state(&st, &state.run_id));
        }
    }
}

fn is_known_key(k: &str) -> bool {
    [
        "run_id",
        "workflow_id",
        "installed_workflow_id",
        "installed_registry_root",
        "status",
        "current_step_index",
        "current_step_id",
        "step_results",
        "workflow_dir",
        "created_at",
        "updated_at",
        "error",
        "inputs",
        "execution",
    ]
    .contains(&k)
}
