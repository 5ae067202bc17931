//! The streamed writers (a snapshot written from the state itself, a journal line written
//! from the delta itself) give exactly the bytes of the JSON-value path
//! (`to_json().to_python_indented()`, `to_json().to_compact()`), for arbitrary states.

use crate::common::store;
use baton_state::*;
use proptest::prelude::*;
use std::sync::Arc;

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9_-]{0,8}", "[\u{0}-\u{1f}\"\\\\/\n\t é😀\u{7f}\u{2028}]{0,6}", "\\PC{0,10}"]
}

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        "-?[1-9][0-9]{19,40}".prop_map(|t| Json::Number(JsonNumber::from_text(&t).unwrap_or(JsonNumber::from_i64(0)))),
        arb_string().prop_map(Json::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((arb_string(), inner), 0..4).prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

fn arb_object() -> impl Strategy<Value = JsonObject> {
    prop::collection::vec((arb_string(), arb_json()), 0..5).prop_map(|kv| kv.into_iter().collect())
}

/// A node object with any of the known keys (with right or wrong value types) and others.
fn arb_node_object(children: BoxedStrategy<Json>) -> impl Strategy<Value = JsonObject> {
    let key = prop_oneof![
        Just("phase".to_owned()),
        Just("active".to_owned()),
        Just("result".to_owned()),
        Just("children".to_owned()),
        Just("template".to_owned()),
        Just("outcome".to_owned()),
        Just("error".to_owned()),
        Just("fan_results".to_owned()),
        Just("binding".to_owned()),
        arb_string(),
    ];
    let value = prop_oneof![
        prop_oneof![Just("ready"), Just("done"), Just("blocked"), Just("completed"), Just("paused")].prop_map(Json::from),
        any::<bool>().prop_map(Json::Bool),
        arb_object().prop_map(Json::Object),
        prop::collection::vec(children, 0..3).prop_map(Json::Array),
        arb_json(),
    ];
    prop::collection::vec((key, value), 0..6).prop_map(|kv| kv.into_iter().collect())
}

fn arb_sequence_json(depth: u32) -> BoxedStrategy<Json> {
    let leaf_children = Just(Json::Null).boxed();
    let children = if depth == 0 { leaf_children } else { arb_sequence_json(depth - 1) };
    let node = arb_node_object(children).prop_map(Json::Object);
    (
        prop::option::of(arb_string()),
        prop::collection::vec(node, 0..3),
        prop::collection::vec((prop_oneof![Just("source".to_owned()), Just("nodes".to_owned()), arb_string()], arb_json()), 0..2),
    )
        .prop_map(|(source, nodes, extra)| {
            let mut o = JsonObject::new();
            if let Some(s) = source {
                o.insert("source".into(), Json::String(s));
            }
            o.insert("nodes".into(), Json::Array(nodes));
            for (k, v) in extra {
                o.entry(k).or_insert(v);
            }
            Json::Object(o)
        })
        .boxed()
}

fn arb_execution() -> impl Strategy<Value = Execution> {
    (
        arb_sequence_json(2),
        prop::option::of(any::<u32>()),
        prop::option::of(arb_object()),
        prop::collection::vec((arb_string(), arb_json()), 0..2),
        // keys a caller may put in `extra` by hand that clash with the written ones
        prop::collection::vec(
            (
                prop_oneof![
                    Just("source"),
                    Just("nodes"),
                    Just("version"),
                    Just("sequence"),
                    Just("offset"),
                    Just("initial"),
                    Just("z")
                ],
                arb_json(),
                any::<bool>(),
            ),
            0..3,
        ),
    )
        .prop_filter_map("a tree", |(seq, offset, initial, extra, clashes)| {
            let mut o = JsonObject::new();
            o.insert("version".into(), Json::from(2u64));
            o.insert("sequence".into(), seq);
            if let Some(off) = offset {
                o.insert("offset".into(), Json::from(u64::from(off)));
            }
            if let Some(i) = initial {
                o.insert("initial".into(), Json::Object(i));
            }
            for (k, v) in extra {
                o.entry(k).or_insert(v);
            }
            let mut tree = Execution::from_json(Json::Object(o)).ok()?;
            for (k, v, on_root) in clashes {
                if on_root {
                    tree.extra.insert(k.to_owned(), v);
                } else {
                    tree.sequence.extra.insert(k.to_owned(), v);
                }
            }
            Some(tree)
        })
}

fn arb_state() -> impl Strategy<Value = RunState> {
    let status = prop_oneof![
        Just(RunStatus::Running),
        Just(RunStatus::Paused),
        Just(RunStatus::Completed),
        Just(RunStatus::Failed),
        Just(RunStatus::Aborted)
    ];
    (
        (status, any::<u64>(), prop::option::of(arb_string()), prop::option::of(arb_string()), prop::option::of(arb_string())),
        prop::collection::vec((arb_string(), arb_object()), 0..5),
        (arb_object(), prop::option::of(arb_execution()), prop::collection::vec((arb_string(), arb_json()), 0..3)),
        (arb_string(), arb_string(), prop::option::of(arb_string())),
    )
        .prop_map(|((status, index, current, dir, error), results, (inputs, execution, extra), (created, updated, installed))| {
            let id = RunId::new("prop-run").unwrap_or_else(|e| panic!("{e}"));
            let mut s = RunState::new(id, "wf", created);
            s.status = status;
            s.current_step_index = index;
            s.current_step_id = current;
            s.workflow_dir = dir;
            s.error = error;
            s.updated_at = updated;
            s.installed_workflow_id = installed;
            s.step_results = results.into_iter().map(|(k, r)| (k, Arc::new(r))).collect();
            s.inputs = inputs;
            s.execution = execution;
            s.extra = extra.into_iter().collect();
            s
        })
}

fn arb_delta() -> impl Strategy<Value = StepDelta> {
    let field = (
        prop_oneof![Just("phase"), Just("active"), Just("result"), Just("error"), Just("other"), Just("fan_results")],
        arb_json(),
    )
        .prop_map(|(k, v)| NodeField::from_json(k, v));
    let path = prop::collection::vec(0usize..5, 1..4).prop_map(NodePath);
    let edit = prop_oneof![
        (path.clone(), prop::collection::vec(field, 0..4)).prop_map(|(p, f)| TreeEdit::set(p, f)),
        (path.clone(), prop::collection::vec(arb_string(), 0..3))
            .prop_map(|(p, k)| TreeEdit { path: p, op: NodeOp::Remove(k) }),
        (path.clone(), 0usize..3).prop_map(|(p, n)| TreeEdit::push_child(p, Sequence::shared(n))),
        (path, arb_node_object(Just(Json::Null).boxed())).prop_map(|(p, n)| TreeEdit::replace(p, Node::from_object(n))),
    ];
    (
        prop::option::of(any::<u64>()),
        prop::option::of(arb_string()),
        prop::collection::vec((arb_string(), arb_object()), 0..3),
        prop::option::of(arb_execution()),
        prop::collection::vec(edit, 0..4),
        prop::option::of(arb_string()),
    )
        .prop_map(|(index, id, publish, execution, edits, updated_at)| StepDelta {
            current_step_index: index,
            current_step_id: id,
            publish: publish.into_iter().map(|(k, r)| (k, Arc::new(r))).collect(),
            execution,
            edits,
            updated_at,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn streamed_state_json_equals_the_json_value_path(state in arb_state()) {
        prop_assert_eq!(state.to_state_json(), state.to_json().to_python_indented());
    }

    #[test]
    fn streamed_journal_line_equals_the_json_value_path(delta in arb_delta()) {
        prop_assert_eq!(delta.to_line(), delta.to_json().to_compact());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// A snapshot streamed to disk holds the JSON-value path's bytes (with the stamped
    /// `updated_at`), and its journal extends exactly those bytes.
    #[test]
    fn a_streamed_snapshot_file_equals_the_json_value_path(state in arb_state()) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let st = store(tmp.path());
        let mut session = st.create_run(&state.run_id, "steps: []\n").unwrap_or_else(|e| panic!("{e}"));
        let mut state = state;
        // arbitrary trees do not match their sources, nor arbitrary ids the id pattern
        state.execution = None;
        state.installed_workflow_id = None;
        session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
        let dir = st.run_dir(&state.run_id);
        let on_disk = std::fs::read_to_string(dir.join(STATE_FILE)).unwrap_or_default();
        prop_assert_eq!(&on_disk, &state.to_json().to_python_indented());
        let inputs = std::fs::read_to_string(dir.join(INPUTS_FILE)).unwrap_or_default();
        let mut o = JsonObject::new();
        o.insert("inputs".into(), Json::Object(state.inputs.clone()));
        prop_assert_eq!(inputs, Json::Object(o).to_python_indented());
        // the journal's header names the hash of exactly these bytes: a commit is replayed
        session.commit(&mut state, StepDelta { current_step_id: Some("later".into()), ..Default::default() })
            .unwrap_or_else(|e| panic!("{e}"));
        drop(session);
        let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(loaded.current_step_id.as_deref(), Some("later"));
        prop_assert_eq!(loaded, state);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// String escaping, checked against an independent writer: serde_json escapes the same
    /// characters as Python's `ensure_ascii=False` (`"`, `\`, and C0 controls, with `\b \f
    /// \n \r \t` short forms and lowercase `\u00XX` otherwise).
    #[test]
    fn strings_are_escaped_as_python_does(s in "\\PC{0,16}|[\u{0}-\u{20}\"\\\\\u{7f}-\u{a0}\u{2028}\u{fffd}]{0,12}") {
        let ours = Json::String(s.clone()).to_compact();
        prop_assert_eq!(&ours, &serde_json::to_string(&s).unwrap_or_default());
        let mut o = JsonObject::new();
        o.insert(s.clone(), Json::String(s));
        prop_assert_eq!(Json::Object(o.clone()).to_compact(), serde_json::to_string(&serde_json::Value::from(&Json::Object(o))).unwrap_or_default());
    }
}

/// Whether `step_results[id]` and the record of top-level node `i` are one allocation.
fn shared(state: &RunState, id: &str, i: usize) -> bool {
    let node = state.execution.as_ref().and_then(|t| t.node(&NodePath::top(i)));
    match (state.step_results.get(id), node.and_then(Node::record)) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

#[test]
fn each_record_is_held_once_in_memory_after_commit_load_and_replay() {
    use crate::common::{finish_step, start_run};
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, mut state) = start_run(&st, "shared", 4);
    for i in 0..2 {
        session.commit(&mut state, finish_step(i, &format!("out {i}"))).unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(shared(&state, "s0", 0) && shared(&state, "s1", 1));
    session.snapshot(&mut state).unwrap_or_else(|e| panic!("{e}"));
    for i in 2..4 {
        session.commit(&mut state, finish_step(i, &format!("out {i}"))).unwrap_or_else(|e| panic!("{e}"));
    }
    drop(session);
    // s0, s1 from state.json; s2, s3 replayed from the journal
    let loaded = st.open_run(&state.run_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, state);
    for i in 0..4 {
        assert!(shared(&loaded, &format!("s{i}"), i), "s{i} is held twice");
    }
}
