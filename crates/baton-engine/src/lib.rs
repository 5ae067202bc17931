//! The workflow executor: run and resume over the version-2 execution tree, nested ids,
//! `continue_on_error`, loops, fan-out concurrency. Events go to an [`EventSink`]; the
//! engine never prints, reads the environment or exits.
//!
//! * [`Engine::run`] starts a run: `workflow.yml` copy, inputs, then the steps.
//! * [`Engine::resume`] continues a paused, failed or killed run where it stopped.
//! * [`outcome_payload`], [`status_payload`], [`active_step`] describe a run the way
//!   `run --json` and `status` report it.
//!
//! The driver mirrors the reference's `Execution`: each step occurrence is a node of the
//! tree that goes `ready → children → done` (or `blocked`); finished occurrences are
//! replayed on resume without re-running, containers re-enter at their first
//! unfinished child, and every finished step is committed to the run's journal before
//! the next one starts.

mod call;
mod convert;
mod defs;
mod driver;
mod error;
mod event_line;
mod events;
mod occurrences;
mod report;
mod rerun;
mod retry;
mod run;
mod scope;

pub use call::{CallResolver, CalledWorkflow};
pub use convert::{json_to_value, map_to_object, node_to_json, object_to_map, value_to_json, value_to_node};
pub use error::{Error, Result};
pub use event_line::{events_schema_text, EventLine, RunEnded};
pub use events::{Event, EventSink, NoEvents};
pub use occurrences::{occurrences, Occurrence};
pub use report::{
    active_step, failed_error, gate_outcome, outcome_payload, scope_summaries, status_payload, ActiveStep,
    ScopeSummary,
};
pub use rerun::RerunRun;
pub use run::{source_parser, Engine, Finished, LoadInstalled, NewRun, ResumeRun};
