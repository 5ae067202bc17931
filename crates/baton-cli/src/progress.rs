//! Step lines: the reference's `  ▸ [<id>] <label> …` on stdout for every started step
//! (text mode). On a terminal baton adds each step's duration when it ends and a
//! spinner on stderr naming the steps in flight (DESIGN §1.5 additions); on a
//! non-terminal the lines are exactly the reference's.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use baton_engine::{Event, EventSink};

/// What the spinner shows, shared with the terminal's gate prompts (which pause it).
#[derive(Debug, Default)]
pub struct Spin {
    running: BTreeMap<String, Instant>,
    /// A gate is talking to the person: draw nothing.
    suspended: bool,
    /// The spinner line is on screen.
    drawn: bool,
    stop: bool,
}

/// The spinner's state, shared.
pub type SpinState = Arc<Mutex<Spin>>;

fn erase(spin: &mut Spin) {
    if spin.drawn {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(b"\r\x1b[2K");
        let _ = err.flush();
        spin.drawn = false;
    }
}

/// Takes the spinner line off the screen (it comes back on the next tick).
pub fn clear(state: &SpinState) {
    erase(&mut state.lock().unwrap_or_else(PoisonError::into_inner));
}

/// Pauses (or resumes) the spinner while a gate talks to the person.
pub fn suspend(state: &SpinState, on: bool) {
    let mut spin = state.lock().unwrap_or_else(PoisonError::into_inner);
    spin.suspended = on;
    if on {
        erase(&mut spin);
    }
}

/// Prints step lines.
pub struct StepLines {
    /// Whether stdout is a terminal (durations, spinner).
    tty: bool,
    spin: SpinState,
}

impl StepLines {
    /// A printer; on a terminal (`tty`) it adds durations and, when stderr is a
    /// terminal too, starts the spinner thread.
    pub fn new(tty: bool, spinner: bool, spin: SpinState) -> StepLines {
        if tty && spinner {
            let state = Arc::clone(&spin);
            let _ = std::thread::Builder::new().name("baton-spinner".into()).spawn(move || draw(&state));
        }
        StepLines { tty, spin }
    }
}

impl Drop for StepLines {
    fn drop(&mut self) {
        let mut spin = self.spin.lock().unwrap_or_else(PoisonError::into_inner);
        spin.stop = true;
        erase(&mut spin);
    }
}

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

fn draw(state: &SpinState) {
    let mut frame = 0usize;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let mut spin = state.lock().unwrap_or_else(PoisonError::into_inner);
        if spin.stop {
            return;
        }
        if spin.suspended || spin.running.is_empty() {
            erase(&mut spin);
            continue;
        }
        frame = (frame + 1) % FRAMES.len();
        let oldest = spin.running.values().min().map_or(0.0, |t| t.elapsed().as_secs_f64());
        let ids: Vec<&str> = spin.running.keys().map(String::as_str).collect();
        let mut names = ids.join(", ");
        if names.chars().count() > 50 {
            names = format!("{} steps", ids.len());
        }
        let line = format!("\r\x1b[2K{} {names} {oldest:.1}s", FRAMES[frame]);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
        spin.drawn = true;
    }
}

fn print(spin: &SpinState, text: &str) {
    let mut guard = spin.lock().unwrap_or_else(PoisonError::into_inner);
    erase(&mut guard);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

impl EventSink for StepLines {
    fn event(&self, event: &Event<'_>) {
        match *event {
            Event::StepStarted { step_id, label, .. } => {
                print(&self.spin, &format!("  \u{25b8} [{step_id}] {label} \u{2026}\n"));
                if self.tty {
                    let mut spin = self.spin.lock().unwrap_or_else(PoisonError::into_inner);
                    spin.running.insert(step_id.to_owned(), Instant::now());
                }
            }
            Event::StepFinished { step_id, status } => {
                if !self.tty {
                    return;
                }
                let start = self.spin.lock().unwrap_or_else(PoisonError::into_inner).running.remove(step_id);
                if let Some(start) = start {
                    let secs = start.elapsed().as_secs_f64();
                    print(&self.spin, &format!("    {step_id}: {status} ({secs:.1}s)\n"));
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
