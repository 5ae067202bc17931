//! `prompt` steps (steps.md §6).

use super::capture::{capture_rules, dispatch_rules, timeout_rule};
use super::StepCx;
use crate::codes;
use crate::validate::py::type_name;
use crate::validate::Out;
use crate::yaml::Yaml;

/// `PromptStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    match cx.get("prompt") {
        None => out.error_hint(
            codes::PROMPT_MISSING,
            format!("Prompt step {} is missing 'prompt' field.", cx.id),
            cx.span("prompt"),
            Some("add `prompt: <text for the agent>`".to_owned()),
        ),
        Some(prompt) if !matches!(prompt.value, Yaml::Str(_)) => out.error(
            codes::PROMPT_TYPE,
            format!("Prompt step {}: 'prompt' must be a string, got {}.", cx.id, type_name(prompt)),
            Some(prompt.span),
        ),
        Some(_) => {}
    }
    dispatch_rules(cx, "Prompt", out);
    timeout_rule(cx, "Prompt", out);
    capture_rules(cx, "Prompt", out);
}
