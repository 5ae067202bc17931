//! Rule 10: the recursive walk over steps, and the per-type rules (one module each).

mod capture;
mod command;
mod fan_in;
mod fan_out;
mod gate;
mod github;
mod if_step;
mod init;
mod loops;
mod prompt;
mod shell;
mod slot;
mod switch;
mod workflow;

use std::collections::HashSet;

use super::document::{key_text, warn_unknown_keys};
use super::py::{self, entries, get, repr, type_name};
use super::suggest::{did_you_mean, nearest};
use super::{CustomStepTypes, Out};
use crate::codes;
use crate::yaml::{Node, Span, Yaml};

/// The 14 built-in step type keys (`BUILTIN_STEP_TYPES` of the reference).
pub const BUILTIN_STEP_TYPES: [&str; 14] = [
    "command", "do-while", "fan-in", "fan-out", "gate", "github", "if", "init", "prompt",
    "shell", "slot", "switch", "while", "workflow",
];

/// Keys every step may carry: its id, its type and `continue_on_error`.
pub const COMMON_STEP_FIELDS: [&str; 3] = ["id", "type", "continue_on_error"];

/// Keys the engine reads from every step to build its record (`integration`, `model`,
/// `options`, `input` fall back to the step's own values), so they are never unknown.
pub const RECORD_STEP_FIELDS: [&str; 4] = ["integration", "model", "options", "input"];

/// The fields of each built-in step type, beyond [`COMMON_STEP_FIELDS`]
/// (steps.md §4–§18; `retry` is a baton extension of shell, command and prompt steps).
pub const STEP_FIELDS: [(&str, &[&str]); 14] = [
    (
        "command",
        &[
            "command",
            "input",
            "integration",
            "model",
            "options",
            "integration_args",
            "integration_options",
            "capture",
            "capture_max_bytes",
            "timeout",
            "retry",
        ],
    ),
    ("do-while", &["condition", "steps", "max_iterations"]),
    ("fan-in", &["wait_for", "output"]),
    ("fan-out", &["items", "step", "max_concurrency"]),
    ("gate", &["message", "options", "on_reject", "show_file", "verdict_input"]),
    ("github", &["operation", "target", "repository", "number", "label"]),
    ("if", &["condition", "then", "else"]),
    (
        "init",
        &[
            "project",
            "here",
            "integration",
            "integration_options",
            "script",
            "preset",
            "force",
            "ignore_agent_tools",
        ],
    ),
    (
        "prompt",
        &["prompt", "integration", "model", "timeout", "capture", "capture_max_bytes", "retry"],
    ),
    ("shell", &["run", "timeout", "output_format", "retry"]),
    ("slot", &["name"]),
    ("switch", &["expression", "cases", "default"]),
    ("while", &["condition", "steps", "max_iterations"]),
    ("workflow", &["workflow", "input"]),
];

/// The fields of a built-in step type, beyond [`COMMON_STEP_FIELDS`].
pub fn step_fields(type_key: &str) -> Option<&'static [&'static str]> {
    STEP_FIELDS.iter().find(|(t, _)| *t == type_key).map(|(_, f)| *f)
}

/// One step being validated: its mapping and its (non-empty, string) id.
pub(crate) struct StepCx<'a> {
    /// The step mapping.
    pub(crate) node: &'a Node,
    /// `repr(id)`, as every message embeds it.
    pub(crate) id: String,
}

impl<'a> StepCx<'a> {
    /// `config.get(key)`.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Node> {
        get(self.node, key)
    }

    /// `key in config`.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The span of `config[key]`, or of the step when the key is absent.
    pub(crate) fn span(&self, key: &str) -> Option<Span> {
        Some(self.get(key).map_or(self.node.span, |v| v.span))
    }
}

/// The ids declared so far in one id space, in order.
#[derive(Default)]
struct Seen {
    order: Vec<String>,
    set: HashSet<String>,
}

impl Seen {
    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    fn insert(&mut self, id: &str) {
        if self.set.insert(id.to_owned()) {
            self.order.push(id.to_owned());
        }
    }
}

/// The state of the recursive walk.
pub(crate) struct Walk<'a, 'o> {
    pub(crate) custom: &'a dyn CustomStepTypes,
    /// The `inputs` mapping, when it is one (the verdict-input cross-checks are off
    /// otherwise).
    pub(crate) input_defs: Option<&'a Node>,
    pub(crate) out: &'o mut Out,
}

/// How deep steps may nest before the walk stops descending (a guard against
/// pathological hand-built trees; the YAML loader already bounds nesting).
const MAX_DEPTH: usize = 256;

impl Walk<'_, '_> {
    /// Validates the top-level step list.
    pub(crate) fn walk_top(&mut self, steps: &[Node]) {
        let mut seen = Seen::default();
        self.walk(steps, &mut seen, false, 0);
    }

    fn walk(&mut self, steps: &[Node], seen: &mut Seen, inside_fan_out: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for step in steps {
            self.step(step, seen, inside_fan_out, depth);
        }
    }

    fn step(&mut self, step: &Node, seen: &mut Seen, inside_fan_out: bool, depth: usize) {
        let out = &mut *self.out;
        if entries(step).is_none() {
            out.error(
                codes::STEP_NOT_MAPPING,
                format!("Step must be a mapping, got {}.", type_name(step)),
                Some(step.span),
            );
            return;
        }
        let id = match get(step, "id") {
            None => {
                out.error_hint(
                    codes::STEP_ID_MISSING,
                    "Step is missing 'id' field.",
                    Some(step.span),
                    Some("give the step an `id:`".to_owned()),
                );
                return;
            }
            Some(id) => match &id.value {
                Yaml::Null => {
                    out.error(codes::STEP_ID_MISSING, "Step is missing 'id' field.", Some(id.span));
                    return;
                }
                Yaml::Str(s) if s.is_empty() => {
                    out.error(codes::STEP_ID_MISSING, "Step is missing 'id' field.", Some(id.span));
                    return;
                }
                Yaml::Str(s) => (s.as_str(), id.span),
                _ => {
                    out.error_hint(
                        codes::STEP_ID_TYPE,
                        format!("Step ID must be a string, got {} ({}).", type_name(id), repr(id)),
                        Some(id.span),
                        Some("quote it in YAML".to_owned()),
                    );
                    return;
                }
            },
        };
        let (id, id_span) = id;
        let cx = StepCx { node: step, id: baton_expr::py::str_repr(id) };

        if id.contains(':') {
            out.error_hint(
                codes::STEP_ID_COLON,
                format!(
                    "Step ID {} contains ':' which is reserved for engine-generated nested IDs (parentId:childId).",
                    cx.id
                ),
                Some(id_span),
                Some(format!("try `{}`", id.replace(':', "-"))),
            );
        }
        if seen.contains(id) {
            out.error(codes::STEP_ID_DUPLICATE, format!("Duplicate step ID {}.", cx.id), Some(id_span));
        }
        seen.insert(id);

        let ty = match cx.get("type") {
            None => "command",
            Some(t) => match &t.value {
                Yaml::Str(s) => s.as_str(),
                _ => {
                    out.error_hint(
                        codes::STEP_TYPE_TYPE,
                        format!(
                            "Step {}: 'type' must be a string, got {} ({}).",
                            cx.id,
                            type_name(t),
                            repr(t)
                        ),
                        Some(t.span),
                        Some(format!("use one of: {}", BUILTIN_STEP_TYPES.join(", "))),
                    );
                    return;
                }
            },
        };
        let builtin = BUILTIN_STEP_TYPES.contains(&ty);
        if !builtin && !self.custom.is_known(ty) {
            let hint = did_you_mean(ty, BUILTIN_STEP_TYPES)
                .or_else(|| Some(format!("use one of: {}", BUILTIN_STEP_TYPES.join(", "))));
            out.error_hint(
                codes::STEP_TYPE_UNKNOWN,
                format!("Step {} has invalid type {}.", cx.id, baton_expr::py::str_repr(ty)),
                cx.span("type"),
                hint,
            );
            return;
        }

        if builtin {
            type_rules(ty, &cx, out);
        } else {
            for message in self.custom.validate(ty, step) {
                out.error(codes::CUSTOM_STEP, message, Some(step.span));
            }
        }

        if ty == "slot" && inside_fan_out {
            out.error(
                codes::SLOT_IN_FAN_OUT,
                format!(
                    "Slot step {} is not supported inside fan-out templates because overlays cannot address runtime-multiplied templates.",
                    cx.id
                ),
                Some(step.span),
            );
        }

        if let Some(coe) = cx.get("continue_on_error") {
            if !matches!(coe.value, Yaml::Bool(_)) {
                let hint = match &coe.value {
                    Yaml::Str(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                        Some(format!("write `continue_on_error: {}` without quotes", s.to_lowercase()))
                    }
                    _ => Some("use `true` or `false`".to_owned()),
                };
                out.error_hint(
                    codes::STEP_CONTINUE_ON_ERROR,
                    format!(
                        "Step {}: 'continue_on_error' must be a boolean, got {}.",
                        cx.id,
                        type_name(coe)
                    ),
                    Some(coe.span),
                    hint,
                );
            }
        }

        if ty == "fan-in" {
            fan_in::wait_for_references(&cx, id, &seen.order, out);
        }
        if ty == "gate" {
            gate::verdict_input_references(&cx, self.input_defs, inside_fan_out, out);
        }

        if builtin && ty != "github" {
            let specific = step_fields(ty).unwrap_or(&[]);
            let known: Vec<&str> = COMMON_STEP_FIELDS
                .iter()
                .chain(RECORD_STEP_FIELDS.iter())
                .chain(specific.iter())
                .copied()
                .collect();
            let step_id = id.to_owned();
            warn_unknown_keys(step, &known, out, |key| {
                format!("unknown field `{key}` in step '{step_id}'")
            });
        }

        self.children(step, seen, inside_fan_out, depth);
    }

    /// Recurses into `then`, `else`, `steps`, every list under `cases`, `default`, and the
    /// fan-out template `step` — whatever the step's type, as the reference does.
    fn children(&mut self, step: &Node, seen: &mut Seen, inside_fan_out: bool, depth: usize) {
        for key in ["then", "else", "steps"] {
            if let Some(list) = get(step, key).and_then(py::items) {
                self.walk(list, seen, inside_fan_out, depth + 1);
            }
        }
        if let Some(cases) = get(step, "cases").and_then(entries) {
            for (_, case) in cases {
                if let Some(list) = py::items(case) {
                    self.walk(list, seen, inside_fan_out, depth + 1);
                }
            }
        }
        if let Some(list) = get(step, "default").and_then(py::items) {
            self.walk(list, seen, inside_fan_out, depth + 1);
        }
        if let Some(template) = get(step, "step").filter(|t| entries(t).is_some()) {
            let mut fresh = Seen::default();
            self.walk(std::slice::from_ref(template), &mut fresh, true, depth + 1);
        }
    }
}

/// The step-type-specific rules (the reference's `StepBase.validate` of each type).
fn type_rules(ty: &str, cx: &StepCx<'_>, out: &mut Out) {
    if matches!(ty, "command" | "shell" | "prompt") {
        retry_rule(cx, out);
    }
    match ty {
        "command" => command::validate(cx, out),
        "shell" => shell::validate(cx, out),
        "prompt" => prompt::validate(cx, out),
        "init" => init::validate(cx, out),
        "gate" => gate::validate(cx, out),
        "if" => if_step::validate(cx, out),
        "switch" => switch::validate(cx, out),
        "while" => loops::validate(cx, "While", out),
        "do-while" => loops::validate(cx, "Do-while", out),
        "fan-out" => fan_out::validate(cx, out),
        "fan-in" => fan_in::validate(cx, out),
        "slot" => slot::validate(cx, out),
        "github" => github::validate(cx, out),
        "workflow" => workflow::validate(cx, out),
        _ => {}
    }
}

/// A did-you-mean hint for a value outside `allowed` (string values only).
pub(crate) fn value_hint(value: &Node, allowed: &[&str]) -> Option<String> {
    let hint = py::as_str(value).and_then(|s| nearest(s, allowed.iter().copied()));
    Some(match hint {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("use one of: {}", allowed.join(", ")),
    })
}

/// `key_text` re-exported for the per-type modules.
pub(crate) fn key_display(key: &Node) -> String {
    key_text(key)
}

/// baton's `retry` extension: problems are warnings (the reference ignores the key, and
/// a run with a malformed `retry` does not retry).
fn retry_rule(cx: &StepCx<'_>, out: &mut Out) {
    let id = cx.id.trim_matches('\'');
    if let Err(problems) = crate::retry::RetryPolicy::parse(id, cx.get("retry")) {
        for p in problems {
            out.warning(
                codes::STEP_RETRY,
                p.message,
                Some(p.span),
                Some("retry: {max_attempts: 3, delay: 1, backoff: 2, max_delay: 30}".to_owned()),
            );
        }
    }
}
