//! `status` without a run id: runs sorted by folder name; folders without `state.json`
//! and non-folders skipped silently; unreadable ones skipped and reported.

use crate::common::{finish_step, start_run, store};
use baton_state::*;

#[test]
fn no_runs_dir_is_empty() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store(tmp.path()).list_runs().ok(), Some(RunListing::default()));
}

#[test]
fn order_and_skipping() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let runs = st.runs_dir();
    let put = |dir: &str, text: &str| {
        std::fs::create_dir_all(runs.join(dir)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(runs.join(dir).join(STATE_FILE), text).unwrap_or_else(|e| panic!("{e}"));
    };
    put("b-run", r#"{"run_id": "b-run", "workflow_id": "w", "status": "paused", "updated_at": "t1"}"#);
    put("A-run", r#"{"run_id": "whatever", "workflow_id": "w"}"#);
    put("broken", "{not json");
    put("list", "[]");
    put("no-id", r#"{"workflow_id": "w"}"#);
    std::fs::create_dir_all(runs.join("half")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(runs.join("a-file"), "x").unwrap_or_else(|e| panic!("{e}"));
    let listing = st.list_runs().unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = listing.runs.iter().map(|r| r.run_id.to_compact()).collect();
    assert_eq!(ids, ["\"whatever\"", "\"b-run\""]);
    assert_eq!(listing.runs[0].status, None);
    assert_eq!(listing.runs[0].updated_at, None);
    assert_eq!(listing.runs[1].status, Some(Json::from("paused")));
    let skipped: Vec<String> =
        listing.skipped.iter().map(|s| s.dir.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    assert_eq!(skipped, ["broken", "list", "no-id"]);
}

#[test]
fn updated_at_follows_the_journal() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let st = store(tmp.path());
    let (mut session, mut state) = start_run(&st, "r", 3);
    session.commit(&mut state, finish_step(0, "x")).unwrap_or_else(|e| panic!("{e}"));
    let listing = st.list_runs().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listing.runs.len(), 1);
    assert_eq!(listing.runs[0].updated_at, Some(Json::from(state.updated_at.as_str())));
    assert_eq!(listing.runs[0].status, Some(Json::from("running")));
}
