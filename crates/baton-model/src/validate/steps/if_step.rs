//! `if` steps (steps.md §10).

use super::StepCx;
use crate::codes;
use crate::validate::condition::condition_rules;
use crate::validate::py::{is_null, items};
use crate::validate::Out;

/// `IfStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    condition_rules(cx, "If", out);
    match cx.get("then") {
        None => out.error_hint(
            codes::IF_THEN_MISSING,
            format!("If step {} is missing 'then' field.", cx.id),
            cx.span("then"),
            Some("add `then:` with the steps to run when the condition holds".to_owned()),
        ),
        Some(then) if items(then).is_none() => out.error(
            codes::STEP_LIST_TYPE,
            format!("If step {}: 'then' must be a list of steps.", cx.id),
            Some(then.span),
        ),
        Some(_) => {}
    }
    if let Some(otherwise) = cx.get("else") {
        if !is_null(otherwise) && items(otherwise).is_none() {
            out.error(
                codes::STEP_LIST_TYPE,
                format!("If step {}: 'else' must be a list of steps.", cx.id),
                Some(otherwise.span),
            );
        }
    }
}
