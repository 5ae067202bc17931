//! `run|resume --events FILE` (`-`: stderr): one JSON object per line per engine
//! event, flushed as it happens. The line format is `schemas/events.schema.json`.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use baton_engine::{Event, EventSink};
use serde_json::{json, Map, Value};

/// Where event lines go.
enum Target {
    Stderr,
    File(std::fs::File),
}

/// An [`EventSink`] writing JSON lines.
pub(crate) struct EventsFile {
    inner: Mutex<Inner>,
}

struct Inner {
    target: Target,
    started: HashMap<String, Instant>,
    run: Option<Instant>,
}

impl EventsFile {
    /// Opens (truncates) `path`, or stderr for `-`.
    pub(crate) fn open(path: &str) -> std::io::Result<EventsFile> {
        let target = if path == "-" { Target::Stderr } else { Target::File(std::fs::File::create(path)?) };
        Ok(EventsFile { inner: Mutex::new(Inner { target, started: HashMap::new(), run: None }) })
    }
}

/// The current time, RFC 3339 UTC.
fn now() -> String {
    baton_state::Clock::now(&baton_state::SystemClock).to_string()
}

fn line(event: &str, fields: Value) -> Value {
    let mut o = Map::new();
    o.insert("event".into(), Value::from(event));
    o.insert("timestamp".into(), Value::from(now()));
    if let Value::Object(f) = fields {
        o.extend(f);
    }
    Value::Object(o)
}

impl EventSink for EventsFile {
    fn event(&self, event: &Event<'_>) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let value = match *event {
            Event::RunStarted { run_id, workflow_id, resumed } => {
                inner.run = Some(Instant::now());
                let name = if resumed { "run_resumed" } else { "run_started" };
                line(name, json!({"run_id": run_id, "workflow_id": workflow_id}))
            }
            Event::StepStarted { step_id, label, step_type } => {
                inner.started.insert(step_id.to_owned(), Instant::now());
                line("step_started", json!({"step_id": step_id, "step_type": step_type, "label": label}))
            }
            Event::StepFinished { step_id, status } => {
                let secs = inner.started.remove(step_id).map(|s| s.elapsed().as_secs_f64());
                line("step_finished", json!({"step_id": step_id, "status": status, "duration_seconds": secs}))
            }
            Event::StepRetrying { step_id, attempt, delay_ms, error } => line(
                "step_retrying",
                json!({"step_id": step_id, "attempt": attempt, "delay_seconds": delay_ms as f64 / 1000.0, "error": error}),
            ),
            Event::RunFinished { run_id, status, error } => {
                let secs = inner.run.map(|s| s.elapsed().as_secs_f64());
                let name = match status {
                    "completed" => "run_completed",
                    "paused" => "run_paused",
                    "aborted" => "run_aborted",
                    _ => "run_failed",
                };
                line(name, json!({"run_id": run_id, "status": status, "error": error, "duration_seconds": secs}))
            }
            _ => return,
        };
        let mut text = value.to_string();
        text.push('\n');
        let _ = match &mut inner.target {
            Target::Stderr => {
                let mut err = std::io::stderr().lock();
                err.write_all(text.as_bytes()).and_then(|()| err.flush())
            }
            Target::File(f) => f.write_all(text.as_bytes()).and_then(|()| f.flush()),
        };
    }
}
