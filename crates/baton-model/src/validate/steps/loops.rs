//! `while` and `do-while` steps (steps.md §12–§13).

use num_traits::Signed;

use super::StepCx;
use crate::codes;
use crate::validate::condition::condition_rules;
use crate::validate::py::items;
use crate::validate::Out;
use crate::yaml::Yaml;

/// `WhileStep.validate` / `DoWhileStep.validate`; `label` is `While` or `Do-while`.
pub(super) fn validate(cx: &StepCx<'_>, label: &str, out: &mut Out) {
    condition_rules(cx, label, out);
    if let Some(max) = cx.get("max_iterations") {
        let valid = match &max.value {
            Yaml::Null => true,
            Yaml::Int(i) => i.is_positive(),
            _ => false,
        };
        if !valid {
            let hint = match &max.value {
                Yaml::Str(s) if s.contains("{{") => {
                    "an expression is not evaluated here: write a literal integer"
                }
                _ => "write a literal integer of at least 1, e.g. `max_iterations: 5`",
            };
            out.error_hint(
                codes::LOOP_MAX_ITERATIONS,
                format!("{label} step {}: 'max_iterations' must be an integer >= 1.", cx.id),
                Some(max.span),
                Some(hint.to_owned()),
            );
        }
    }
    match cx.get("steps") {
        None => out.error_hint(
            codes::LOOP_STEPS_MISSING,
            format!("{label} step {} is missing 'steps' field.", cx.id),
            cx.span("steps"),
            Some(if cx.has("step") {
                "the loop body is `steps:` (plural); `step:` is the fan-out template".to_owned()
            } else {
                "add `steps:` with the loop body".to_owned()
            }),
        ),
        Some(steps) if items(steps).is_none() => out.error(
            codes::STEP_LIST_TYPE,
            format!("{label} step {}: 'steps' must be a list.", cx.id),
            Some(steps.span),
        ),
        Some(_) => {}
    }
}
