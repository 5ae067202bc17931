//! baton's `retry` extension (`baton_model::retry`): a failed attempt of a `shell`,
//! `command` or `prompt` step (a timeout included) waits and runs again. Each retry is
//! reported as [`Event::StepRetrying`] and listed in the step's output (`attempts`,
//! `retries`); Ctrl-C during a wait stops retrying (the run pauses at the step).

use std::time::{Duration, Instant};

use baton_expr::{Map, Value};
use baton_model::retry::RetryPolicy;
use baton_steps::{Cancel, Step, StepContext, StepError, StepResult, StepStatus};

use crate::defs::StepDef;
use crate::events::{Event, EventSink};

const RETRYABLE: [&str; 3] = ["shell", "command", "prompt"];

/// Runs `imp` for `def`, again after each failure while its `retry` allows.
pub(crate) fn execute(
    imp: &dyn Step,
    def: &StepDef,
    ctx: &StepContext<'_>,
    cancel: &Cancel,
    events: &dyn EventSink,
) -> Result<StepResult, StepError> {
    let policy = match def.kind.as_deref() {
        Some(kind) if RETRYABLE.contains(&kind) => RetryPolicy::parse(&def.id, def.node.get("retry")).ok().flatten(),
        _ => None,
    };
    let Some(policy) = policy else {
        return imp.execute_node(&def.node, &def.map, ctx);
    };
    let mut retries = Vec::new();
    let mut attempt: u32 = 1;
    loop {
        let mut result = imp.execute_node(&def.node, &def.map, ctx)?;
        if result.status != StepStatus::Failed || attempt >= policy.max_attempts || cancel.is_cancelled() {
            result.output.insert("attempts".to_owned(), Value::from(i64::from(attempt)));
            result.output.insert("retries".to_owned(), Value::List(retries));
            return Ok(result);
        }
        let delay = policy.delay_after(attempt);
        let error = result.error.clone().unwrap_or_default();
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        events.event(&Event::StepRetrying { step_id: ctx.step_id, attempt, delay_ms, error: &error });
        let mut entry = Map::new();
        entry.insert("attempt".to_owned(), Value::from(i64::from(attempt)));
        entry.insert("error".to_owned(), Value::from(error.as_str()));
        if let Some(code) = result.output.get("exit_code") {
            entry.insert("exit_code".to_owned(), code.clone());
        }
        entry.insert("delay".to_owned(), Value::Float(delay.as_secs_f64()));
        retries.push(Value::Map(entry));
        if !sleep(delay, cancel) {
            return Err(StepError::Interrupted);
        }
        attempt += 1;
    }
}

/// Waits `delay`, waking early when `cancel` fires; `false` when it did.
fn sleep(delay: Duration, cancel: &Cancel) -> bool {
    let end = Instant::now() + delay;
    loop {
        if cancel.is_cancelled() {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            return true;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(20)));
    }
}
