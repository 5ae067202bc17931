//! [`EventSink`]: how the engine tells its caller what happens while a run executes.
//! The CLI prints the reference's step lines from these; the engine never prints.

/// Something that happened during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A step occurrence started (the reference's `on_step_start`; one per
    /// `step_started` log event).
    StepStarted {
        /// The qualified occurrence id (`lp:s:1`).
        step_id: &'a str,
        /// The step's `command` when non-empty, else its type.
        label: &'a str,
        /// The step type.
        step_type: &'a str,
    },
    /// A step occurrence finished with its own record status (`completed`, `failed`,
    /// `paused`, `skipped`); containers finish when their children have.
    StepFinished {
        /// The qualified occurrence id.
        step_id: &'a str,
        /// The record status, or the subtree outcome for containers.
        status: &'a str,
    },
    /// A pass over a run began (`run` or `resume`), after its first snapshot.
    RunStarted {
        /// The run id.
        run_id: &'a str,
        /// The workflow id.
        workflow_id: &'a str,
        /// `true` for `resume`.
        resumed: bool,
    },
    /// A failed attempt of a step with `retry` is about to run again after `delay`.
    StepRetrying {
        /// The qualified occurrence id.
        step_id: &'a str,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// Milliseconds to wait before the next attempt.
        delay_ms: u64,
        /// Why the attempt failed.
        error: &'a str,
    },
    /// A pass ended: the run is saved with `status` (`completed`, `paused`, `failed`,
    /// `aborted`).
    RunFinished {
        /// The run id.
        run_id: &'a str,
        /// The run's status as saved.
        status: &'a str,
        /// The run-level error, if any.
        error: Option<&'a str>,
    },
}

/// Receives [`Event`]s. Called from the thread running the step (fan-out items run on
/// several threads at once).
pub trait EventSink: Send + Sync {
    /// One event.
    fn event(&self, event: &Event<'_>);
}

/// An [`EventSink`] that drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn event(&self, _event: &Event<'_>) {}
}
