//! `github` steps (steps.md §17): exactly the listed keys, checked without the step id.

use std::sync::LazyLock;

use num_traits::Signed;
use regex::Regex;

use super::{key_display, value_hint, StepCx, COMMON_STEP_FIELDS};
use crate::codes;
use crate::validate::py::{entries, is_blank, repr};
use crate::validate::suggest::did_you_mean;
use crate::validate::Out;
use crate::yaml::{Node, Yaml};

/// The keys a github step may carry.
const ALLOWED: [&str; 8] =
    ["id", "type", "operation", "target", "repository", "number", "label", "continue_on_error"];

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[1-9][0-9]*$").unwrap_or_else(|_| unreachable!()));
static REPOSITORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$").unwrap_or_else(|_| unreachable!())
});

/// Whether the value is a string holding a `{{` (checked only after evaluation).
fn is_template(value: &Node) -> bool {
    matches!(&value.value, Yaml::Str(s) if s.contains("{{"))
}

/// `_number`: a positive int (not a bool), or a digit string without a leading zero.
pub(crate) fn is_valid_number(value: &Node) -> bool {
    match &value.value {
        Yaml::Int(i) => i.is_positive(),
        Yaml::Str(s) => NUMBER.is_match(s),
        _ => false,
    }
}

/// `_repository`: `owner/repo`, neither part `.` nor `..`.
pub(crate) fn is_valid_repository(value: &Node) -> bool {
    match &value.value {
        Yaml::Str(s) => REPOSITORY.is_match(s) && !s.split('/').any(|p| p == "." || p == ".."),
        _ => false,
    }
}

/// `_label`: a non-blank string of at most 50 characters without control characters.
pub(crate) fn is_valid_label(value: &Node) -> bool {
    match &value.value {
        Yaml::Str(s) => {
            !is_blank(s) && s.chars().count() <= 50 && !s.chars().any(|c| (c as u32) < 32 || c as u32 == 127)
        }
        _ => false,
    }
}

/// `GitHubStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    let operation = cx.get("operation");
    if !operation.is_some_and(|o| matches!(&o.value, Yaml::Str(s) if s == "add-label")) {
        out.error_hint(
            codes::GITHUB_OPERATION,
            "GitHub step 'operation' must be add-label.",
            cx.span("operation"),
            Some("write `operation: add-label`".to_owned()),
        );
    }
    let target = cx.get("target");
    if !target.is_some_and(|t| matches!(&t.value, Yaml::Str(s) if s == "issue" || s == "pull_request")) {
        out.error_hint(
            codes::GITHUB_TARGET,
            "GitHub step 'target' must be issue or pull_request.",
            cx.span("target"),
            target.and_then(|t| value_hint(t, &["issue", "pull_request"])),
        );
    }
    // The reference lists these in set order (arbitrary); baton uses document order.
    let mut reported: Vec<String> = Vec::new();
    for (key, _) in entries(cx.node).unwrap_or(&[]) {
        let allowed = matches!(&key.value, Yaml::Str(s) if ALLOWED.contains(&s.as_str()));
        let text = repr(key);
        if !allowed && !reported.contains(&text) {
            let suggestions = ALLOWED.iter().copied().filter(|k| !COMMON_STEP_FIELDS[..2].contains(k));
            out.error_hint(
                codes::GITHUB_UNSUPPORTED_FIELD,
                format!("GitHub step has unsupported field {text}."),
                Some(key.span),
                did_you_mean(&key_display(key), suggestions),
            );
            reported.push(text);
        }
    }
    type Check = (&'static str, fn(&Node) -> bool, &'static str, &'static str);
    let checks: [Check; 3] = [
        ("number", is_valid_number, "'number' must be a positive integer", codes::GITHUB_NUMBER),
        (
            "repository",
            is_valid_repository,
            "'repository' must be a GitHub owner/repo name",
            codes::GITHUB_REPOSITORY,
        ),
        (
            "label",
            is_valid_label,
            "'label' must be a non-empty label name of at most 50 characters without control characters",
            codes::GITHUB_LABEL,
        ),
    ];
    for (key, valid, message, code) in checks {
        match cx.get(key) {
            None => out.error(code, format!("GitHub step requires '{key}'."), cx.span(key)),
            Some(value) if !is_template(value) && !valid(value) => {
                out.error(code, message, Some(value.span));
            }
            Some(_) => {}
        }
    }
}
