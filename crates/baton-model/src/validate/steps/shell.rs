//! `shell` steps (steps.md §4).

use super::capture::timeout_rule;
use super::{value_hint, StepCx};
use crate::codes;
use crate::validate::py::{repr, type_name};
use crate::validate::Out;
use crate::yaml::Yaml;

/// `ShellStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    match cx.get("run") {
        None => out.error_hint(
            codes::SHELL_RUN_MISSING,
            format!("Shell step {} is missing 'run' field.", cx.id),
            cx.span("run"),
            Some("add `run: <command line>`".to_owned()),
        ),
        Some(run) if !matches!(run.value, Yaml::Str(_)) => out.error_hint(
            codes::SHELL_RUN_TYPE,
            format!("Shell step {}: 'run' must be a string, got {}.", cx.id, type_name(run)),
            Some(run.span),
            Some("write the command as one string (use `|` for several lines)".to_owned()),
        ),
        Some(_) => {}
    }
    if let Some(format) = cx.get("output_format") {
        if !matches!(&format.value, Yaml::Null) && !matches!(&format.value, Yaml::Str(s) if s == "json") {
            out.error_hint(
                codes::SHELL_OUTPUT_FORMAT,
                format!(
                    "Shell step {}: 'output_format' must be 'json' when present, got {}.",
                    cx.id,
                    repr(format)
                ),
                Some(format.span),
                value_hint(format, &["json"]),
            );
        }
    }
    timeout_rule(cx, "Shell", out);
}
