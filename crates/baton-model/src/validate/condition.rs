//! The `condition` rules of `if`, `while` and `do-while` steps (steps.md §2.11).

use baton_expr::ConditionFault;

use super::py::type_name;
use super::steps::StepCx;
use super::Out;
use crate::codes;
use crate::yaml::Yaml;

/// Reports the first problem of the step's `condition`: missing, wrong type, or a string
/// the evaluator would not evaluate as written. `label` is `If`, `While` or `Do-while`.
pub(crate) fn condition_rules(cx: &StepCx<'_>, label: &str, out: &mut Out) {
    let Some(condition) = cx.get("condition") else {
        out.error_hint(
            codes::CONDITION_MISSING,
            format!("{label} step {} is missing 'condition' field.", cx.id),
            cx.span("condition"),
            Some("add `condition: \"{{ <expression> }}\"`".to_owned()),
        );
        return;
    };
    match &condition.value {
        Yaml::Bool(_) => {}
        Yaml::Str(text) => {
            if let Some((code, message, hint)) = string_condition(text) {
                out.error_hint(
                    code,
                    format!("{label} step {}: {message}", cx.id),
                    Some(condition.span),
                    hint,
                );
            }
        }
        _ => out.error(
            codes::CONDITION_TYPE,
            format!(
                "{label} step {}: 'condition' must be a string or boolean, got {}.",
                cx.id,
                type_name(condition)
            ),
            Some(condition.span),
        ),
    }
}

/// The diagnostic of a string condition, without the step prefix (baton-expr's
/// analysis, the reference's `condition_is_never_evaluated` family).
fn string_condition(text: &str) -> Option<(&'static str, String, Option<String>)> {
    let diag = baton_expr::condition_diagnostics(text).into_iter().next()?;
    let code = match diag.fault {
        ConditionFault::NeverEvaluated => codes::CONDITION_NEVER_EVALUATED,
        ConditionFault::MalformedBlock => codes::CONDITION_MALFORMED,
        ConditionFault::InterpolatedToText => codes::CONDITION_INTERPOLATED,
    };
    let hint = match &diag.replacement {
        Some(fixed) => format!(
            "write `condition: {}`",
            serde_json::to_string(fixed).unwrap_or_else(|_| fixed.clone())
        ),
        None => diag.hint.clone(),
    };
    Some((code, diag.message, Some(hint)))
}
