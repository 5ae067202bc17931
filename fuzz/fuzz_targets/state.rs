//! The state loader: arbitrary `state.json`, `journal.jsonl` and `inputs.json` bytes
//! (split at the first two `\0` bytes) in a run folder, read back by `open_run` and by
//! the listing. A clean error is fine; a panic is a bug.
#![no_main]

use std::sync::{Arc, OnceLock};

use baton_state::{FileStore, Json, RunId, RunStore};
use libfuzzer_sys::fuzz_target;

/// One project folder per fuzzing process.
fn project() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")))
}

/// The execution tree's YAML texts, parsed as the engine does (baton-model's loader).
fn parse_yaml(text: &str) -> Result<Json, String> {
    let node = baton_model::yaml::parse(text).map_err(|e| e.to_string())?;
    let text = baton_expr::json::dumps(&node.to_value(), &Default::default()).map_err(|e| e.to_string())?;
    Json::parse(&text).map_err(|e| e.to_string())
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let state = parts.next().unwrap_or_default();
    let journal = parts.next();
    let inputs = parts.next();
    let root = project().path();
    let store = FileStore::new(root, Arc::new(parse_yaml), Arc::new(|| jiff::Timestamp::UNIX_EPOCH));
    let Ok(id) = RunId::new("fuzz") else { return };
    let dir = store.run_dir(&id);
    let _ = std::fs::create_dir_all(&dir);
    let write = |name: &str, bytes: Option<&[u8]>| {
        let path = dir.join(name);
        match bytes {
            Some(b) => {
                let _ = std::fs::write(&path, b);
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    };
    write("state.json", Some(state));
    write("journal.jsonl", journal);
    write("inputs.json", inputs);
    if let Ok(run) = store.open_run(&id) {
        let _ = run.status;
    }
    let _ = store.list_runs();
});
