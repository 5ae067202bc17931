//! `fan-out` steps (steps.md §14).

use super::StepCx;
use crate::codes;
use crate::validate::py::entries;
use crate::validate::Out;

/// `FanOutStep.validate` (the template itself is validated by the walk).
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    if !cx.has("items") {
        out.error_hint(
            codes::FAN_OUT_ITEMS_MISSING,
            format!("Fan-out step {} is missing 'items' field.", cx.id),
            cx.span("items"),
            Some("add `items:` with a list or a `{{ }}` expression giving one".to_owned()),
        );
    }
    match cx.get("step") {
        None => out.error_hint(
            codes::FAN_OUT_STEP_MISSING,
            format!("Fan-out step {} is missing 'step' field (nested step template).", cx.id),
            cx.span("step"),
            Some(if cx.has("steps") {
                "the template is `step:` (one mapping), not `steps:`".to_owned()
            } else {
                "add `step:` with the step to run for each item".to_owned()
            }),
        ),
        Some(step) if entries(step).is_none() => out.error(
            codes::FAN_OUT_STEP_TYPE,
            format!("Fan-out step {}: 'step' must be a mapping.", cx.id),
            Some(step.span),
        ),
        Some(_) => {}
    }
}
