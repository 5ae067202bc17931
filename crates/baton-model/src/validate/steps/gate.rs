//! `gate` steps (steps.md §9).

use super::{value_hint, StepCx};
use crate::codes;
use crate::validate::py::{as_str, entries, get, items, repr};
use crate::validate::suggest::did_you_mean;
use crate::validate::Out;
use crate::yaml::{Node, Yaml};

/// The `on_reject` policies.
const ON_REJECT: [&str; 3] = ["abort", "skip", "retry"];

/// `GateStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    if !cx.has("message") {
        out.error_hint(
            codes::GATE_MESSAGE_MISSING,
            format!("Gate step {} is missing 'message' field.", cx.id),
            cx.span("message"),
            Some("add `message: <what the reviewer should check>`".to_owned()),
        );
    }
    // Absent options mean the default `[approve, reject]`.
    let options: Option<&[Node]> = match cx.get("options") {
        None => None,
        Some(options) => match items(options) {
            Some(list) if !list.is_empty() => {
                if list.iter().any(|o| as_str(o).is_none()) {
                    out.error(
                        codes::GATE_OPTIONS,
                        format!("Gate step {}: all options must be strings.", cx.id),
                        Some(options.span),
                    );
                }
                Some(list)
            }
            list => {
                out.error_hint(
                    codes::GATE_OPTIONS,
                    format!("Gate step {}: 'options' must be a non-empty list.", cx.id),
                    Some(options.span),
                    Some("e.g. `options: [approve, reject]`".to_owned()),
                );
                list
            }
        },
    };
    let on_reject = cx.get("on_reject");
    let policy = match on_reject {
        None => Some("abort"),
        Some(value) => as_str(value).filter(|s| ON_REJECT.contains(s)),
    };
    if let (Some(value), None) = (on_reject, policy) {
        out.error_hint(
            codes::GATE_ON_REJECT,
            format!("Gate step {}: 'on_reject' must be 'abort', 'skip', or 'retry'.", cx.id),
            Some(value.span),
            value_hint(value, &ON_REJECT),
        );
    }
    if let Some(verdict) = cx.get("verdict_input") {
        if !matches!(&verdict.value, Yaml::Str(s) if !s.is_empty()) {
            out.error(
                codes::GATE_VERDICT_INPUT,
                format!("Gate step {}: 'verdict_input' must be a non-empty string.", cx.id),
                Some(verdict.span),
            );
        }
    }
    if let Some(policy @ ("abort" | "retry")) = policy {
        let texts: Option<Vec<&str>> = match options {
            None if cx.has("options") => None,
            None => Some(vec!["approve", "reject"]),
            Some(list) => list.iter().map(as_str).collect(),
        };
        if let Some(texts) = texts {
            let rejects = texts.iter().any(|o| {
                let lower = o.to_lowercase();
                lower == "reject" || lower == "abort"
            });
            if !rejects {
                out.error_hint(
                    codes::GATE_NO_REJECT_OPTION,
                    format!(
                        "Gate step {}: on_reject={} but options has no 'reject' or 'abort' choice.",
                        cx.id,
                        baton_expr::py::str_repr(policy)
                    ),
                    cx.span("options"),
                    Some("add a `reject` option, or use `on_reject: skip`".to_owned()),
                );
            }
        }
    }
}

/// The engine's checks of a gate's `verdict_input` against the workflow inputs.
pub(super) fn verdict_input_references(
    cx: &StepCx<'_>,
    input_defs: Option<&Node>,
    inside_fan_out: bool,
    out: &mut Out,
) {
    let Some(verdict) = cx.get("verdict_input") else { return };
    let Some(name) = as_str(verdict).filter(|s| !s.is_empty()) else { return };
    if inside_fan_out {
        out.error(
            codes::GATE_VERDICT_IN_FAN_OUT,
            format!("Gate step {}: 'verdict_input' is not supported inside fan-out templates.", cx.id),
            Some(verdict.span),
        );
        return;
    }
    let Some(defs) = input_defs else { return };
    let Some(def) = get(defs, name) else {
        let declared = entries(defs)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, _)| as_str(k));
        out.error_hint(
            codes::GATE_VERDICT_UNDECLARED,
            format!(
                "Gate step {}: 'verdict_input' references undeclared input {}.",
                cx.id,
                repr(verdict)
            ),
            Some(verdict.span),
            did_you_mean(name, declared).or_else(|| Some(format!("declare `{name}` under `inputs:`"))),
        );
        return;
    };
    let retry = cx.get("on_reject").is_some_and(|r| as_str(r) == Some("retry"));
    let enum_values = if entries(def).is_some() { get(def, "enum").and_then(items) } else { None };
    if let (true, Some(values)) = (retry, enum_values) {
        if !values.iter().any(|v| as_str(v) == Some("")) {
            out.error(
                codes::GATE_RETRY_ENUM,
                format!(
                    "Gate step {}: on_reject='retry' resets verdict input {} to '' when the gate is rejected, but that input's 'enum' does not allow ''. Add '' to the enum or use on_reject='abort'/'skip'.",
                    cx.id,
                    repr(verdict)
                ),
                Some(verdict.span),
            );
        }
    }
}
