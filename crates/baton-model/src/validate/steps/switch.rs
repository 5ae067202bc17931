//! `switch` steps (steps.md §11).

use super::StepCx;
use crate::codes;
use crate::validate::py::{entries, is_null, items, repr};
use crate::validate::Out;

/// `SwitchStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    if !cx.has("expression") {
        out.error_hint(
            codes::SWITCH_EXPRESSION_MISSING,
            format!("Switch step {} is missing 'expression' field.", cx.id),
            cx.span("expression"),
            Some("add `expression: \"{{ <value to match> }}\"`".to_owned()),
        );
    }
    if !cx.has("cases") {
        out.error_hint(
            codes::SWITCH_CASES_MISSING,
            format!("Switch step {} is missing 'cases' field.", cx.id),
            cx.span("cases"),
            Some(if cx.has("case") {
                "the key is `cases:` (plural)".to_owned()
            } else {
                "add `cases:` mapping each value to a list of steps".to_owned()
            }),
        );
    }
    if let Some(cases) = cx.get("cases") {
        match entries(cases) {
            None => out.error(
                codes::SWITCH_CASES_TYPE,
                format!("Switch step {}: 'cases' must be a mapping.", cx.id),
                Some(cases.span),
            ),
            Some(cases) => {
                for (key, value) in cases {
                    if items(value).is_none() {
                        out.error(
                            codes::STEP_LIST_TYPE,
                            format!("Switch step {}: case {} must be a list of steps.", cx.id, repr(key)),
                            Some(value.span),
                        );
                    }
                }
            }
        }
    }
    if let Some(default) = cx.get("default") {
        if !is_null(default) && items(default).is_none() {
            out.error(
                codes::STEP_LIST_TYPE,
                format!("Switch step {}: 'default' must be a list of steps.", cx.id),
                Some(default.span),
            );
        }
    }
}
