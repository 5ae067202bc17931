//! The JSON-lines form of [`Event`](crate::Event)s that `baton run|resume --events FILE`
//! writes: one [`EventLine`] per line. `schemas/events.schema.json` is generated from
//! these types ([`events_schema_text`], `cargo xtask schema`).
//!
//! The caller (the CLI) supplies what the engine does not know: the wall-clock
//! `timestamp` and the durations it measured.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde::Serialize;

/// The `$comment` of the generated schema.
const COMMENT: &str = "Generated from baton-engine's `EventLine` by `cargo xtask schema`; do not edit by hand.";

/// One line of `baton run|resume --events FILE`: a JSON object per engine event, flushed
/// as it happens. `event` comes first, then `timestamp`, then the event's fields.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
#[schemars(title = "baton event line", deny_unknown_fields)]
pub enum EventLine<'a> {
    /// A run began (`baton run`).
    RunStarted {
        /// When the event happened (RFC 3339, UTC).
        #[schemars(with = "Timestamp")]
        timestamp: String,
        /// The run id.
        run_id: &'a str,
        /// The workflow id.
        workflow_id: &'a str,
    },
    /// A pass over an existing run began (`baton resume`).
    RunResumed {
        /// When the event happened (RFC 3339, UTC).
        #[schemars(with = "Timestamp")]
        timestamp: String,
        /// The run id.
        run_id: &'a str,
        /// The workflow id.
        workflow_id: &'a str,
    },
    /// A step occurrence started.
    StepStarted {
        /// When the event happened (RFC 3339, UTC).
        #[schemars(with = "Timestamp")]
        timestamp: String,
        /// Qualified occurrence id (`lp:body:1`).
        step_id: &'a str,
        /// The step type.
        step_type: &'a str,
        /// The step's `command` when non-empty, else its type.
        label: &'a str,
    },
    /// A step occurrence finished.
    StepFinished {
        /// When the event happened (RFC 3339, UTC).
        #[schemars(with = "Timestamp")]
        timestamp: String,
        /// Qualified occurrence id (`lp:body:1`).
        step_id: &'a str,
        /// The step's record status (for containers: the outcome of their children).
        #[schemars(with = "StepStatus")]
        status: &'a str,
        /// Seconds since the matching `step_started` (null when that was not seen).
        #[schemars(with = "Option<Seconds>")]
        duration_seconds: Option<f64>,
    },
    /// A failed attempt of a step with `retry` runs again after a wait.
    StepRetrying {
        /// When the event happened (RFC 3339, UTC).
        #[schemars(with = "Timestamp")]
        timestamp: String,
        /// Qualified occurrence id (`lp:body:1`).
        step_id: &'a str,
        /// The attempt that failed (1-based).
        #[schemars(range(min = 1))]
        attempt: u32,
        /// Seconds to wait before the next attempt.
        #[schemars(with = "Seconds")]
        delay_seconds: f64,
        /// Why the attempt failed.
        error: &'a str,
    },
    /// A pass ended with the run completed.
    RunCompleted(RunEnded<'a>),
    /// A pass ended with the run paused (a gate, Ctrl-C).
    RunPaused(RunEnded<'a>),
    /// A pass ended with the run failed.
    RunFailed(RunEnded<'a>),
    /// A pass ended with the run aborted (a gate's abort option).
    RunAborted(RunEnded<'a>),
}

/// The fields of the `run_completed`, `run_paused`, `run_failed` and `run_aborted` lines.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RunEnded<'a> {
    /// When the event happened (RFC 3339, UTC).
    #[schemars(with = "Timestamp")]
    pub timestamp: String,
    /// The run id.
    pub run_id: &'a str,
    /// The run's status as saved.
    #[schemars(with = "RunStatus")]
    pub status: &'a str,
    /// The run-level error, if any.
    pub error: Option<&'a str>,
    /// Seconds since the pass began (null when its start was not seen).
    #[schemars(with = "Option<Seconds>")]
    pub duration_seconds: Option<f64>,
}

impl<'a> EventLine<'a> {
    /// The `run_*` line ending a pass with `status` (`completed`, `paused`, `aborted`;
    /// anything else is `run_failed`).
    pub fn run_ended(fields: RunEnded<'a>) -> EventLine<'a> {
        match fields.status {
            "completed" => EventLine::RunCompleted(fields),
            "paused" => EventLine::RunPaused(fields),
            "aborted" => EventLine::RunAborted(fields),
            _ => EventLine::RunFailed(fields),
        }
    }

    /// The line as compact JSON followed by `\n`.
    pub fn to_line(&self) -> String {
        // Serializing these types cannot fail: no maps with non-string keys, no
        // non-finite floats reach here (durations are measured, delays are integers).
        let mut text = serde_json::to_string(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// When the event happened (RFC 3339, UTC).
#[derive(JsonSchema)]
#[schemars(inline, extend("format" = "date-time"))]
struct Timestamp(#[allow(dead_code)] String);

/// A duration in seconds.
#[derive(JsonSchema)]
#[schemars(inline)]
struct Seconds(#[allow(dead_code)] #[schemars(range(min = 0))] f64);

/// A step record's status.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
#[allow(dead_code)]
enum StepStatus {
    Completed,
    Failed,
    Paused,
    Skipped,
    Aborted,
}

/// A run's status when a pass ends.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
#[allow(dead_code)]
enum RunStatus {
    Completed,
    Paused,
    Failed,
    Aborted,
}

/// The JSON Schema (draft-07) of an [`EventLine`], as committed in
/// `schemas/events.schema.json`: pretty-printed with a trailing newline.
pub fn events_schema_text() -> String {
    let mut value = SchemaSettings::draft07().for_serialize().into_generator().into_root_schema_for::<EventLine<'static>>().to_value();
    baton_model::tidy_generated_schema(&mut value, COMMENT, &["title", "description"]);
    baton_model::schema_text(&value)
}


#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The lines are byte for byte what the CLI wrote when it built them as ad-hoc JSON
    /// objects (`event`, `timestamp`, then the fields in this order; `null`s kept).
    #[test]
    fn lines_keep_the_ad_hoc_layout() {
        let ts = || "2026-01-02T03:04:05.123456+00:00".to_owned();
        let cases: Vec<(EventLine<'_>, serde_json::Value)> = vec![
            (
                EventLine::RunStarted { timestamp: ts(), run_id: "r1", workflow_id: "wf" },
                json!({"event": "run_started", "timestamp": ts(), "run_id": "r1", "workflow_id": "wf"}),
            ),
            (
                EventLine::RunResumed { timestamp: ts(), run_id: "r1", workflow_id: "wf" },
                json!({"event": "run_resumed", "timestamp": ts(), "run_id": "r1", "workflow_id": "wf"}),
            ),
            (
                EventLine::StepStarted { timestamp: ts(), step_id: "lp:s:1", step_type: "shell", label: "shell" },
                json!({"event": "step_started", "timestamp": ts(), "step_id": "lp:s:1", "step_type": "shell", "label": "shell"}),
            ),
            (
                EventLine::StepFinished { timestamp: ts(), step_id: "a", status: "completed", duration_seconds: Some(0.25) },
                json!({"event": "step_finished", "timestamp": ts(), "step_id": "a", "status": "completed", "duration_seconds": 0.25}),
            ),
            (
                EventLine::StepFinished { timestamp: ts(), step_id: "a", status: "failed", duration_seconds: None },
                json!({"event": "step_finished", "timestamp": ts(), "step_id": "a", "status": "failed", "duration_seconds": null}),
            ),
            (
                EventLine::StepRetrying { timestamp: ts(), step_id: "f", attempt: 2, delay_seconds: 1500_f64 / 1000.0, error: "exit 2" },
                json!({"event": "step_retrying", "timestamp": ts(), "step_id": "f", "attempt": 2, "delay_seconds": 1.5, "error": "exit 2"}),
            ),
            (
                EventLine::StepRetrying { timestamp: ts(), step_id: "f", attempt: 1, delay_seconds: 0_f64 / 1000.0, error: "" },
                json!({"event": "step_retrying", "timestamp": ts(), "step_id": "f", "attempt": 1, "delay_seconds": 0.0, "error": ""}),
            ),
        ];
        for (line, old) in cases {
            assert_eq!(line.to_line(), format!("{old}\n"));
        }
        for (status, name) in
            [("completed", "run_completed"), ("paused", "run_paused"), ("aborted", "run_aborted"), ("failed", "run_failed")]
        {
            let error = (status == "failed").then_some("Step 'a' failed");
            let line = EventLine::run_ended(RunEnded {
                timestamp: ts(),
                run_id: "r1",
                status,
                error,
                duration_seconds: Some(12.000_001),
            });
            let old = json!({"event": name, "timestamp": ts(), "run_id": "r1", "status": status, "error": error, "duration_seconds": 12.000_001});
            assert_eq!(line.to_line(), format!("{old}\n"));
        }
    }

    #[test]
    fn committed_events_schema_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/events.schema.json");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(committed == events_schema_text(), "schemas/events.schema.json is stale: run `cargo xtask schema`");
    }
}
