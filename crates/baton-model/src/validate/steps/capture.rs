//! Rules shared by the agent steps (`command`, `prompt`) and `shell`: `timeout`,
//! `capture`, `capture_max_bytes`.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::StepCx;
use crate::codes;
use crate::validate::py::repr;
use crate::validate::Out;
use crate::yaml::{Node, Yaml};

/// Whether a `timeout` value is a positive, finite number of seconds (bools, and ints
/// too large for a float, are not).
pub(crate) fn is_valid_timeout(value: &Node) -> bool {
    match &value.value {
        Yaml::Int(i) => i.is_positive() && i.to_f64().is_some_and(f64::is_finite),
        Yaml::Float(f) => f.is_finite() && *f > 0.0,
        _ => false,
    }
}

/// The `timeout` error of a `label` step (`Shell`, `Command`, `Prompt`), if any.
pub(crate) fn timeout_rule(cx: &StepCx<'_>, label: &str, out: &mut Out) {
    let Some(timeout) = cx.get("timeout") else { return };
    if !is_valid_timeout(timeout) {
        out.error_hint(
            codes::STEP_TIMEOUT,
            format!(
                "{label} step {}: 'timeout' must be a positive number of seconds, got {}.",
                cx.id,
                repr(timeout)
            ),
            Some(timeout.span),
            Some("give a number of seconds greater than 0, e.g. `timeout: 60`".to_owned()),
        );
    }
}

/// Whether `capture_max_bytes` is a positive int or -1.
fn is_valid_max_bytes(value: &Node) -> bool {
    match &value.value {
        Yaml::Int(i) => i.is_positive() || *i == BigInt::from(-1),
        _ => false,
    }
}

/// The `capture` / `capture_max_bytes` errors of a `label` step.
pub(crate) fn capture_rules(cx: &StepCx<'_>, label: &str, out: &mut Out) {
    let capture = cx.get("capture");
    if let Some(capture) = capture {
        if !matches!(capture.value, Yaml::Bool(_)) {
            out.error_hint(
                codes::STEP_CAPTURE,
                format!(
                    "{label} step {}: 'capture' must be true or false, got {}.",
                    cx.id,
                    repr(capture)
                ),
                Some(capture.span),
                Some("use `true` or `false` without quotes".to_owned()),
            );
        }
    }
    let Some(max_bytes) = cx.get("capture_max_bytes") else { return };
    if !is_valid_max_bytes(max_bytes) {
        out.error(
            codes::STEP_CAPTURE_MAX_BYTES,
            format!(
                "{label} step {}: 'capture_max_bytes' must be a positive integer or -1 (no limit), got {}.",
                cx.id,
                repr(max_bytes)
            ),
            Some(max_bytes.span),
        );
    } else if !capture.is_some_and(|c| matches!(c.value, Yaml::Bool(true))) {
        out.error_hint(
            codes::STEP_CAPTURE_MAX_BYTES,
            format!("{label} step {}: 'capture_max_bytes' requires 'capture: true'.", cx.id),
            Some(max_bytes.span),
            Some("add `capture: true`, or remove `capture_max_bytes`".to_owned()),
        );
    }
}

/// The `integration` / `model` type errors of a `label` step (null is allowed: it
/// inherits the workflow default).
pub(crate) fn dispatch_rules(cx: &StepCx<'_>, label: &str, out: &mut Out) {
    for key in ["integration", "model"] {
        if let Some(value) = cx.get(key) {
            if !matches!(value.value, Yaml::Null | Yaml::Str(_)) {
                out.error(
                    codes::STEP_DISPATCH_TYPE,
                    format!(
                        "{label} step {}: '{key}' must be a string, got {}.",
                        cx.id,
                        crate::validate::py::type_name(value)
                    ),
                    Some(value.span),
                );
            }
        }
    }
}
