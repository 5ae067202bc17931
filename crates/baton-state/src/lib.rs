//! Durable run state: the reference's on-disk run format (`state.json`, `inputs.json`,
//! `log.jsonl`, `workflow.yml`) plus baton's journal, atomic snapshots, run lock, run ids
//! and run listing. A leaf crate: it knows nothing about workflows, steps or expressions;
//! step records are opaque JSON ([`Json`], lossless: big integers and float spellings
//! survive) to it, and the YAML texts inside the execution tree are parsed by a
//! [`SourceParser`] the caller passes in.
//!
//! Writing a run: [`RunStore::create_run`] (takes the run lock, writes `workflow.yml`),
//! [`RunSession::snapshot`] when the run starts and whenever it stops,
//! [`RunSession::commit`] with a [`StepDelta`] after each step (one journal line,
//! O(size of the change)), [`RunSession::log`] for `log.jsonl`. Reading:
//! [`RunStore::open_run`] = `state.json` + the journal entries that extend it.
//!
//! ```
//! use baton_state::*;
//! use std::sync::Arc;
//!
//! # fn main() -> Result<()> {
//! let project = tempfile::tempdir()?;
//! let no_yaml = |_: &str| -> std::result::Result<Json, String> { Err("no YAML here".into()) };
//! let clock = || jiff::Timestamp::UNIX_EPOCH;
//! let store = FileStore::new(project.path(), Arc::new(no_yaml), Arc::new(clock));
//!
//! let id = RunId::resolve(Some("demo"), RunId::generate)?;
//! let mut session = store.create_run(&id, "steps: []\n")?;
//! let mut state = RunState::new(id.clone(), "demo-flow", store.now());
//! state.status = RunStatus::Running;
//! session.snapshot(&mut state)?;
//!
//! let record = Json::parse(r#"{"type": "shell", "output": {"stdout": "hi\n"}, "status": "completed"}"#)
//!     .map_err(|e| Error::Invalid(e.to_string()))?;
//! let Json::Object(record) = record else { unreachable!() };
//! let delta = StepDelta { current_step_id: Some("hello".into()), publish: vec![("hello".into(), record.into())], ..Default::default() };
//! session.commit(&mut state, delta)?;
//! session.log(&LogEvent::StepCompleted { step_id: "hello".into(), status: "completed".into() }, None)?;
//!
//! // A reader sees the committed step before any new snapshot.
//! let loaded = store.open_run(&id)?;
//! assert_eq!(loaded.current_step_id.as_deref(), Some("hello"));
//! assert_eq!(loaded.step_results.len(), 1);
//! # Ok(()) }
//! ```

mod clock;
mod delta;
mod error;
mod execution;
mod journal;
mod json;
mod lock;
mod log;
mod py;
mod run_id;
mod state;
mod store;

pub use clock::{isoformat, Clock, SystemClock};
pub use delta::{NodeOp, StepDelta, TreeEdit};
pub use error::{Error, Result};
pub use execution::{
    validate_execution, Binding, Execution, Node, NodeField, NodePath, Outcome, Phase, ResumeCheck, Sequence,
    SourceParser, EXECUTION_VERSION,
};
pub use journal::{Durability, JOURNAL_FILE};
pub use json::{float_repr, Json, JsonError, JsonNumber, JsonObject};
pub use lock::{RunLock, LOCK_FILE};
pub use log::{EventScope, LogEvent, PathSegment};
pub use run_id::RunId;
pub use state::{is_workflow_id, Record, RunState, RunStatus, StepResults};
pub use store::{
    FileSession, FileStore, RunListing, RunSession, RunStore, RunSummary, SkippedRun, INPUTS_FILE, LOG_FILE,
    STATE_FILE, WORKFLOW_FILE,
};

impl<F: Fn(&str) -> std::result::Result<Json, String> + Send + Sync> SourceParser for F {
    fn parse_yaml(&self, text: &str) -> std::result::Result<Json, String> {
        self(text)
    }
}
