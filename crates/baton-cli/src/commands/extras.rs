//! baton's additions to `run`/`resume` (issue 22): `resume --choose OPTION` and
//! `--events FILE`. [`set`] records them once per invocation (in `dispatch`), and
//! [`super::run::execute`] wraps the terminal and the event sink with them, so
//! `run`/`resume` behave exactly as before when neither flag is given.

use std::sync::{Arc, OnceLock};

use baton_engine::{Event, EventSink};
use baton_state::{FileStore, RunId, RunStatus, RunStore, SystemClock};
use baton_steps::{GateAnswer, GateQuestion, Interaction};

use crate::exit::CliError;
use crate::project::{self, Context};

/// The additions given on this command line.
#[derive(Default)]
pub(crate) struct Extras {
    /// `--choose`: the gate's step id and the option it answers with.
    pub choose: Option<(String, String)>,
    /// `--events`: where event lines go.
    pub events: Option<Arc<super::events_file::EventsFile>>,
    /// `--durability`: when a finished step's journal line is synced.
    pub durability: baton_state::Durability,
}

static EXTRAS: OnceLock<Extras> = OnceLock::new();

/// Records this invocation's additions (the first call wins).
pub(crate) fn set(extras: Extras) {
    let _ = EXTRAS.set(extras);
}

fn get() -> Option<&'static Extras> {
    EXTRAS.get()
}

/// The durability asked for (`normal` unless `--durability strict`).
pub(crate) fn durability() -> baton_state::Durability {
    get().map(|e| e.durability).unwrap_or_default()
}

/// Checks `--choose OPTION` against the gate run `run_id` is paused at; returns the
/// gate's step id and the option as the workflow spells it. Nothing changes on error.
pub(crate) fn check_choose(run_id: &str, option: &str, json: bool) -> Result<(String, String), CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, json)?;
    let store = FileStore::new(&root, baton_engine::source_parser(), Arc::new(SystemClock));
    let id = RunId::new(run_id).map_err(|e| CliError::user(e, json))?;
    let state = match store.open_run(&id) {
        Ok(s) => s,
        Err(baton_state::Error::NotFound(_)) => return Err(CliError::user(format!("Run not found: {run_id}"), json)),
        Err(e) => return Err(CliError::user(e, json)),
    };
    let gate = (state.status == RunStatus::Paused).then(|| baton_engine::gate_outcome(&state)).flatten();
    let Some(gate) = gate else {
        return Err(CliError::user(
            format!("--choose: run {run_id} is not paused at a gate (status: {}).", state.status),
            json,
        ));
    };
    let step_id = gate.get("step_id").and_then(|s| s.as_str()).unwrap_or_default().to_owned();
    let options: Vec<String> = gate
        .get("options")
        .and_then(|o| o.as_array())
        .map(|a| a.iter().filter_map(|o| o.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let wanted = option.trim().to_lowercase();
    match options.iter().find(|o| o.to_lowercase() == wanted) {
        Some(found) => Ok((step_id, found.clone())),
        None => Err(CliError::user(
            format!(
                "--choose: {} is not an option of gate {step_id}; choose one of: {}.",
                baton_expr::py::str_repr(option),
                options.join(", ")
            ),
            json,
        )),
    }
}

/// The terminal, plus the `--choose` verdict for one gate.
pub(crate) struct Scripted<'a> {
    inner: &'a dyn Interaction,
    choose: Option<&'a (String, String)>,
}

impl<'a> Scripted<'a> {
    /// Wraps `inner` with this invocation's `--choose`, if any.
    pub(crate) fn wrap(inner: &'a dyn Interaction) -> Scripted<'a> {
        Scripted { inner, choose: get().and_then(|e| e.choose.as_ref()) }
    }
}

impl Interaction for Scripted<'_> {
    fn stdin_is_terminal(&self) -> bool {
        self.inner.stdin_is_terminal()
    }
    fn ask_gate(&self, question: &GateQuestion<'_>) -> GateAnswer {
        self.inner.ask_gate(question)
    }
    fn notice(&self, text: &str) {
        self.inner.notice(text);
    }
    fn scripted_choice(&self, step_id: &str) -> Option<String> {
        match self.choose {
            Some((id, option)) if id == step_id => Some(option.clone()),
            _ => self.inner.scripted_choice(step_id),
        }
    }
    fn user_name(&self) -> Option<&str> {
        self.inner.user_name()
    }
}

/// The CLI's event sink, plus the `--events` file.
pub(crate) struct Tee<'a> {
    inner: &'a dyn EventSink,
    file: Option<&'a super::events_file::EventsFile>,
}

impl<'a> Tee<'a> {
    /// Wraps `inner` with this invocation's `--events`, if any.
    pub(crate) fn wrap(inner: &'a dyn EventSink) -> Tee<'a> {
        Tee { inner, file: get().and_then(|e| e.events.as_deref()) }
    }
}

impl EventSink for Tee<'_> {
    fn event(&self, event: &Event<'_>) {
        if let Some(file) = self.file {
            file.event(event);
        }
        self.inner.event(event);
    }
}
