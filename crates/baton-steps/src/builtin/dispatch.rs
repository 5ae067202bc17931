//! What `command` and `prompt` share (steps.md §5–§7): the integration and model
//! fallbacks, the `capture` fields, and running the agent that
//! [`agents::plan`](crate::agents::plan) chose, with the reference's result shape.

use std::time::Duration;

use baton_expr::{Map, Value};
use num_traits::{Signed, ToPrimitive};

use super::support::{decode_lossy, id_repr, process_env, render_if_template, Timeout};
use crate::agents::{Dispatch, Mode, NotDispatchable};
use crate::process::{self, Output};
use crate::step::{StepContext, StepError};

/// `capture_max_bytes` when not given (1 MiB).
pub const DEFAULT_CAPTURE_MAX_BYTES: u64 = 1024 * 1024;

/// The step's value of `integration` or `model`: the step's own unless null or `""`,
/// else the workflow default; rendered when it is a non-empty string holding `{{`.
pub(crate) fn resolve_fallback(
    config: &Map,
    key: &str,
    default: Option<&str>,
    ctx: &StepContext<'_>,
) -> Result<Value, StepError> {
    let value = match config.get(key) {
        None | Some(Value::Null) => default.map_or(Value::Null, Value::from),
        Some(Value::Str(s)) if s.is_empty() => default.map_or(Value::Null, Value::from),
        Some(other) => other.clone(),
    };
    render_if_template(&value, ctx)
}

/// Checks that a resolved `integration`/`model` is a string or null:
/// `<Label> step '<id>': '<key>' must be a string, got <t>.`
pub(crate) fn string_or_null(value: &Value, key: &str, label: &str, config: &Map) -> Result<(), String> {
    match value {
        Value::Null | Value::Str(_) => Ok(()),
        other => Err(format!(
            "{label} step {}: '{key}' must be a string, got {}.",
            id_repr(config),
            other.type_name()
        )),
    }
}

/// `capture` and `capture_max_bytes`: `Ok(None)` to stream, `Ok(Some(cap))` to capture
/// with at most `cap` bytes per stream (`None`: unlimited). `Err` is the first of the
/// reference's messages.
pub(crate) fn capture_mode(config: &Map, label: &str) -> Result<Option<Option<usize>>, String> {
    let id = id_repr(config);
    let capture = config.get("capture");
    if let Some(c) = capture.filter(|c| !matches!(c, Value::Bool(_))) {
        return Err(format!("{label} step {id}: 'capture' must be true or false, got {}.", c.py_repr()));
    }
    let capturing = matches!(capture, Some(Value::Bool(true)));
    let max_bytes = match config.get("capture_max_bytes") {
        None => None,
        Some(value) => {
            let valid = match value {
                Value::Int(i) => i.is_positive() || i.to_i64() == Some(-1),
                _ => false,
            };
            if !valid {
                return Err(format!(
                    "{label} step {id}: 'capture_max_bytes' must be a positive integer or -1 (no limit), got {}.",
                    value.py_repr()
                ));
            }
            if !capturing {
                return Err(format!("{label} step {id}: 'capture_max_bytes' requires 'capture: true'."));
            }
            Some(value)
        }
    };
    if !capturing {
        return Ok(None);
    }
    let cap = match max_bytes {
        None => usize::try_from(DEFAULT_CAPTURE_MAX_BYTES).ok(),
        Some(Value::Int(i)) if i.to_i64() == Some(-1) => None,
        // Larger than memory: no limit in practice.
        Some(Value::Int(i)) => i.to_usize(),
        Some(_) => None,
    };
    Ok(Some(cap))
}

/// The [`Mode`] for a capture setting.
pub(crate) fn mode(capture: Option<Option<usize>>) -> Mode {
    match capture {
        None => Mode::Stream,
        Some(max_bytes) => Mode::Capture { max_bytes },
    }
}

/// A timeout's duration for [`agents::Request`](crate::agents::Request) (too long:
/// effectively none).
pub(crate) fn request_timeout(timeout: &Timeout) -> Duration {
    timeout.duration.unwrap_or(Duration::MAX)
}

/// What a dispatched agent did, in the reference's terms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AgentRun {
    /// `exit_code` (`-1` after a timeout).
    pub exit_code: i64,
    /// Captured stdout (`""` when streaming).
    pub stdout: String,
    /// Captured stderr, or the streaming prompt's timeout message.
    pub stderr: String,
    /// The four capture flags, when capturing.
    pub capture_flags: Option<[(&'static str, bool); 4]>,
    /// Whether the timeout stopped it.
    pub timed_out: bool,
}

impl AgentRun {
    /// Adds `exit_code, stdout, stderr, dispatched: true` and the capture flags.
    pub(crate) fn record(&self, output: &mut Map) {
        output.insert("exit_code".to_owned(), Value::from(self.exit_code));
        output.insert("stdout".to_owned(), Value::from(self.stdout.as_str()));
        output.insert("stderr".to_owned(), Value::from(self.stderr.as_str()));
        output.insert("dispatched".to_owned(), Value::Bool(true));
        for (key, flag) in self.capture_flags.iter().flatten() {
            output.insert((*key).to_owned(), Value::Bool(*flag));
        }
    }

    /// The step error of a failed run: `subject` is `Command` or `Prompt`.
    pub(crate) fn error(&self, subject: &str, timeout: &Timeout) -> String {
        if self.capture_flags.is_some() {
            if self.timed_out {
                return format!("{subject} timed out after {} seconds.", timeout.display());
            }
            return format!("{subject} exited with code {}", self.exit_code);
        }
        if self.stderr.is_empty() {
            format!("{subject} exited with code {}", self.exit_code)
        } else {
            self.stderr.clone()
        }
    }
}

/// Runs the agent. `Ok(None)`: it could not be started (the reference's `OSError`,
/// reported as not dispatchable; a hint line says why). Ctrl-C is
/// [`StepError::Interrupted`]: baton pauses the run (DESIGN §1.5).
pub(crate) fn run_agent(
    dispatch: &Dispatch,
    ctx: &StepContext<'_>,
    streaming_timeout_message: Option<String>,
) -> Result<Option<AgentRun>, StepError> {
    let mut spec = dispatch.process_spec(&process_env(ctx.env));
    // A captured agent runs in its own group: it gets the terminal while it runs alone.
    spec.foreground = spec.own_group && !ctx.inside_fan_out;
    let done = match process::run(&spec, ctx.cancel) {
        Ok(done) => done,
        Err(err) => {
            let program = dispatch.argv.first().map_or("", String::as_str);
            ctx.interaction.notice(&format!("    hint: could not start `{program}`: {err}"));
            return Ok(None);
        }
    };
    if done.interrupted {
        return Err(StepError::Interrupted);
    }
    let returncode = done.exit.map_or(-1, process::Exit::returncode);
    let run = match dispatch.output {
        Output::Inherit => match (done.timed_out, streaming_timeout_message) {
            (true, Some(message)) => {
                AgentRun { exit_code: -1, stdout: String::new(), stderr: message, capture_flags: None, timed_out: true }
            }
            _ => AgentRun {
                exit_code: returncode.into(),
                stdout: String::new(),
                stderr: String::new(),
                capture_flags: None,
                timed_out: false,
            },
        },
        Output::Capture { .. } => {
            let stopped = done.timed_out;
            AgentRun {
                exit_code: if stopped { -1 } else { returncode.into() },
                stdout: decode_lossy(&done.stdout, !(stopped || done.stdout_truncated)),
                stderr: decode_lossy(&done.stderr, !(stopped || done.stderr_truncated)),
                capture_flags: Some([
                    ("stdout_truncated", done.stdout_truncated),
                    ("stderr_truncated", done.stderr_truncated),
                    ("timed_out", done.timed_out),
                    ("interrupted", false),
                ]),
                timed_out: done.timed_out,
            }
        }
    };
    Ok(Some(run))
}

/// Adds `exit_code: 1, dispatched: false` and shows the hint line.
pub(crate) fn not_dispatched(output: &mut Map, why: Option<&NotDispatchable>, ctx: &StepContext<'_>) {
    output.insert("exit_code".to_owned(), Value::from(1));
    output.insert("dispatched".to_owned(), Value::Bool(false));
    if let Some(why) = why {
        ctx.interaction.notice(&format!("    hint: {}", why.hint()));
    }
}
