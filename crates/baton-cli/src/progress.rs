//! Step lines: the reference's `  ▸ [<id>] <label> …` on stdout for every started step
//! (text mode). On a terminal, baton adds each step's duration when it ends.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

use baton_engine::{Event, EventSink};

/// Prints step lines.
pub struct StepLines {
    /// Whether stdout is a terminal (durations are added).
    tty: bool,
    started: Mutex<HashMap<String, Instant>>,
}

impl StepLines {
    /// A printer; `tty` adds durations.
    pub fn new(tty: bool) -> StepLines {
        StepLines { tty, started: Mutex::new(HashMap::new()) }
    }
}

fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

impl EventSink for StepLines {
    fn event(&self, event: &Event<'_>) {
        match *event {
            Event::StepStarted { step_id, label, .. } => {
                print(&format!("  \u{25b8} [{step_id}] {label} \u{2026}\n"));
                if self.tty {
                    if let Ok(mut s) = self.started.lock() {
                        s.insert(step_id.to_owned(), Instant::now());
                    }
                }
            }
            Event::StepFinished { step_id, status } => {
                if !self.tty {
                    return;
                }
                let start = self.started.lock().ok().and_then(|mut s| s.remove(step_id));
                if let Some(start) = start {
                    let secs = start.elapsed().as_secs_f64();
                    print(&format!("    {step_id}: {status} ({secs:.1}s)\n"));
                }
            }
            _ => {}
        }
    }
}

/// Drops every event (`--json`).
pub struct Silent;

impl EventSink for Silent {
    fn event(&self, _event: &Event<'_>) {}
}
