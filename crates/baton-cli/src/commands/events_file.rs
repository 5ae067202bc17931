//! `run|resume --events FILE` (`-`: stderr): one JSON object per line per engine
//! event, flushed as it happens. The line format is [`EventLine`]
//! (`schemas/events.schema.json` is generated from it).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use baton_engine::{Event, EventLine, EventSink, RunEnded};

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

impl EventSink for EventsFile {
    fn event(&self, event: &Event<'_>) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let line = match *event {
            Event::RunStarted { run_id, workflow_id, resumed } => {
                inner.run = Some(Instant::now());
                let timestamp = now();
                if resumed {
                    EventLine::RunResumed { timestamp, run_id, workflow_id }
                } else {
                    EventLine::RunStarted { timestamp, run_id, workflow_id }
                }
            }
            Event::StepStarted { step_id, label, step_type } => {
                inner.started.insert(step_id.to_owned(), Instant::now());
                EventLine::StepStarted { timestamp: now(), step_id, step_type, label }
            }
            Event::StepFinished { step_id, status } => {
                let duration_seconds = inner.started.remove(step_id).map(|s| s.elapsed().as_secs_f64());
                EventLine::StepFinished { timestamp: now(), step_id, status, duration_seconds }
            }
            Event::StepRetrying { step_id, attempt, delay_ms, error } => EventLine::StepRetrying {
                timestamp: now(),
                step_id,
                attempt,
                delay_seconds: delay_ms as f64 / 1000.0,
                error,
            },
            Event::RunFinished { run_id, status, error } => {
                let duration_seconds = inner.run.map(|s| s.elapsed().as_secs_f64());
                EventLine::run_ended(RunEnded { timestamp: now(), run_id, status, error, duration_seconds })
            }
            _ => return,
        };
        let text = line.to_line();
        let _ = match &mut inner.target {
            Target::Stderr => {
                let mut err = std::io::stderr().lock();
                err.write_all(text.as_bytes()).and_then(|()| err.flush())
            }
            Target::File(f) => f.write_all(text.as_bytes()).and_then(|()| f.flush()),
        };
    }
}
