//! `workflow` steps: calls of an installed workflow (steps.md §18).

use super::StepCx;
use crate::codes;
use crate::validate::document::ID_PATTERN;
use crate::validate::py::{entries, json_unsafe_reason};
use crate::validate::Out;
use crate::yaml::Yaml;

/// Workflow ids that name storage folders, never a workflow.
const RESERVED_WORKFLOW_IDS: [&str; 3] = ["overlays", "runs", "steps"];

/// `validate_call`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    match cx.get("workflow") {
        Some(target) => match &target.value {
            Yaml::Str(s) => {
                if !s.contains("{{") && (!ID_PATTERN.is_match(s) || RESERVED_WORKFLOW_IDS.contains(&s.as_str())) {
                    out.error(
                        codes::WORKFLOW_CALL_TARGET,
                        "'workflow' must be an exact, safe, non-reserved workflow ID",
                        Some(target.span),
                    );
                }
            }
            _ => out.error(codes::WORKFLOW_CALL_TARGET, "'workflow' must be a string", Some(target.span)),
        },
        None => out.error_hint(
            codes::WORKFLOW_CALL_TARGET,
            "'workflow' must be a string",
            cx.span("workflow"),
            Some("add `workflow: <installed workflow id>`".to_owned()),
        ),
    }
    let Some(input) = cx.get("input") else { return };
    match entries(input) {
        Some(fields) if fields.iter().all(|(k, _)| matches!(k.value, Yaml::Str(_))) => {
            if let Some(reason) = json_unsafe_reason(input) {
                out.error(
                    codes::WORKFLOW_CALL_INPUT,
                    format!("Value is not JSON-safe: {reason}"),
                    Some(input.span),
                );
            }
        }
        _ => out.error(
            codes::WORKFLOW_CALL_INPUT,
            "'input' must be a mapping with string keys",
            Some(input.span),
        ),
    }
}
