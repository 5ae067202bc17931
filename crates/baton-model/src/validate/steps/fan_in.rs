//! `fan-in` steps (steps.md §15).

use super::StepCx;
use crate::codes;
use crate::validate::py::{entries, is_null, items, repr, type_name};
use crate::validate::suggest::nearest;
use crate::validate::Out;
use crate::yaml::Yaml;

/// `FanInStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    let wait_for_ok = match cx.get("wait_for") {
        None => false,
        Some(w) => items(w).is_some_and(|l| !l.is_empty()),
    };
    if !wait_for_ok {
        out.error_hint(
            codes::FAN_IN_WAIT_FOR,
            format!("Fan-in step {}: 'wait_for' must be a non-empty list of step IDs.", cx.id),
            cx.span("wait_for"),
            Some("e.g. `wait_for: [my-fan-out]`".to_owned()),
        );
    }
    if let Some(output) = cx.get("output") {
        if !is_null(output) && entries(output).is_none() {
            out.error(
                codes::FAN_IN_OUTPUT,
                format!(
                    "Fan-in step {}: 'output' must be a mapping of key -> expression, got {}.",
                    cx.id,
                    type_name(output)
                ),
                Some(output.span),
            );
        }
    }
}

/// The engine's checks of `wait_for` entries against the ids declared so far.
pub(super) fn wait_for_references(cx: &StepCx<'_>, own_id: &str, seen: &[String], out: &mut Out) {
    let Some(list) = cx.get("wait_for").and_then(items) else { return };
    for entry in list {
        match &entry.value {
            Yaml::Str(wid) if wid == own_id => out.error(
                codes::FAN_IN_SELF,
                format!(
                    "Fan-in step {}: 'wait_for' references itself; a fan-in cannot wait for its own results.",
                    cx.id
                ),
                Some(entry.span),
            ),
            Yaml::Str(wid) => {
                if !seen.iter().any(|s| s == wid) {
                    let hint = if let Some((fan_out, _)) = wid.split_once(':') {
                        Some(format!(
                            "wait on the fan-out step `{fan_out}` instead; its `output.results` holds every item's result"
                        ))
                    } else {
                        nearest(wid, seen.iter().map(String::as_str).filter(|s| *s != own_id))
                            .map(|n| format!("did you mean `{n}`?"))
                            .or_else(|| Some("a fan-in can only wait for steps declared before it".to_owned()))
                    };
                    out.error_hint(
                        codes::FAN_IN_UNKNOWN,
                        format!(
                            "Fan-in step {}: 'wait_for' references unknown or not-yet-declared step id {}.",
                            cx.id,
                            repr(entry)
                        ),
                        Some(entry.span),
                        hint,
                    );
                }
            }
            _ => out.error(
                codes::FAN_IN_ENTRY_TYPE,
                format!(
                    "Fan-in step {}: 'wait_for' entries must be step-id strings, got {} ({}).",
                    cx.id,
                    type_name(entry),
                    repr(entry)
                ),
                Some(entry.span),
            ),
        }
    }
}
