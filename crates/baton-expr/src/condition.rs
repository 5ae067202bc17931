//! Conditions (`if`, `while`, `do-while`): run-time truth (spec §2.10) and the
//! validation diagnostics with their suggested fix (spec §2.11).

use std::ops::Range;

use crate::ast::{indexed_segment, is_plain_segment, parse_body, CmpOp};
use crate::error::ExprError;
use crate::eval::{Evaluator, MapNamespace, Mode, Namespace};
use crate::json;
use crate::py;
use crate::scan::{self, find_top_level, split_top_level, Unclosable};
use crate::template::Template;
use crate::value::{Map, Value};

/// The namespace roots the reference supplies.
pub const NAMESPACE_ROOTS: [&str; 5] = ["inputs", "steps", "item", "fan_in", "context"];

/// Evaluates a string condition: renders it as a template, then applies
/// [`condition_truth`].
///
/// ```
/// use baton_expr::{evaluate_condition, MapNamespace};
/// let ns = MapNamespace::new();
/// assert_eq!(evaluate_condition(" FALSE ", &ns), Ok(false));
/// assert_eq!(evaluate_condition("inputs.count > 100", &ns), Ok(true)); // never evaluated
/// assert_eq!(evaluate_condition("{{ inputs.count > 100 }}", &ns), Ok(false));
/// ```
pub fn evaluate_condition(condition: &str, ns: &dyn Namespace) -> Result<bool, ExprError> {
    Ok(condition_truth(&Template::parse(condition).render(ns)?))
}

/// The truth of a condition's value: a string that strips to `true`/`false` (any
/// case) is that boolean; anything else has Python truthiness (so `"no"`, `"0"` and
/// `"   "` are true, `""` is false).
pub fn condition_truth(value: &Value) -> bool {
    if let Value::Str(s) = value {
        let word = py::strip(s);
        if word.eq_ignore_ascii_case("false") {
            return false;
        }
        if word.eq_ignore_ascii_case("true") {
            return true;
        }
    }
    value.truthy()
}

/// Which of the reference's condition faults a diagnostic reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionFault {
    /// Not one complete `{{ }}` block: never evaluated, always true
    /// (`condition_is_never_evaluated`).
    NeverEvaluated,
    /// A `{{` the interpolator cannot close, so a truncated body is evaluated
    /// (`condition_has_malformed_expression_block`).
    MalformedBlock,
    /// Blocks with text around them: rendered to a string, then coerced by `bool()`
    /// (`condition_is_interpolated_to_text`).
    InterpolatedToText,
}

/// A problem with a string condition, found without evaluating it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionDiagnostic {
    /// Which fault.
    pub fault: ConditionFault,
    /// The reference's message after its `If step '<id>': ` prefix, verbatim (for
    /// [`ConditionFault::NeverEvaluated`] it ends with the remediation sentence).
    pub message: String,
    /// Byte range of the offending text within the condition.
    pub span: Range<usize>,
    /// A short hint in baton's words.
    pub hint: String,
    /// The corrected condition, when wrapping it in one block is safe
    /// (e.g. `{{ inputs.count > 100 }}`).
    pub replacement: Option<String>,
}

/// The reference's validation of a string condition (spec §2.11): at most one
/// diagnostic, for the first fault found. `""`, `true` and `false` (any case) are fine.
///
/// ```
/// use baton_expr::{condition_diagnostics, ConditionFault};
/// let d = condition_diagnostics("inputs.count > 100");
/// assert_eq!(d[0].fault, ConditionFault::NeverEvaluated);
/// assert_eq!(d[0].replacement.as_deref(), Some("{{ inputs.count > 100 }}"));
/// assert!(condition_diagnostics("{{ inputs.count > 100 }}").is_empty());
/// ```
pub fn condition_diagnostics(condition: &str) -> Vec<ConditionDiagnostic> {
    let stripped = py::strip(condition);
    let base = stripped.as_ptr() as usize - condition.as_ptr() as usize;
    let whole = base..base + stripped.len();
    let repr = py::str_repr(condition);
    if condition.is_empty()
        || (!stripped.is_empty()
            && (stripped.eq_ignore_ascii_case("true") || stripped.eq_ignore_ascii_case("false")))
    {
        return Vec::new();
    }
    let unclosable = scan::first_unclosable_block(stripped);
    let never = stripped.is_empty()
        || !stripped.contains("{{")
        || matches!(unclosable, Some(Unclosable::Verbatim(_)));
    if never {
        let span = match unclosable {
            Some(Unclosable::Verbatim(open)) if stripped.contains("{{") => base + open..whole.end,
            _ if stripped.is_empty() => 0..condition.len(),
            _ => whole,
        };
        let (remediation, replacement) = remediation(condition);
        return vec![ConditionDiagnostic {
            fault: ConditionFault::NeverEvaluated,
            message: format!(
                "'condition' {repr} is not a single complete '{{{{ }}}}' block, so it is never \
                 evaluated as an expression and is always true. {remediation}"
            ),
            span,
            hint: "a condition is evaluated only when it is one `{{ }}` block".to_owned(),
            replacement,
        }];
    }
    if let Some(Unclosable::Evaluated(open, raw)) = unclosable {
        return vec![ConditionDiagnostic {
            fault: ConditionFault::MalformedBlock,
            message: format!(
                "'condition' {repr} opens a '{{{{' the interpolator cannot close, so it falls \
                 back to the first raw '}}}}' and evaluates a truncated expression instead of \
                 the one written. Balance the delimiters and quotes."
            ),
            span: base + open..base + raw + 2,
            hint: "balance the quotes and the `{{ }}` delimiters".to_owned(),
            replacement: None,
        }];
    }
    if !scan::is_single_expression(stripped) {
        return vec![ConditionDiagnostic {
            fault: ConditionFault::InterpolatedToText,
            message: format!(
                "'condition' {repr} holds more than one '{{{{ }}}}' block, or text around one, \
                 so it is substituted into a string and coerced by bool() instead of being \
                 evaluated. Put the whole expression inside a single '{{{{ }}}}' block."
            ),
            span: whole,
            hint: "put the whole expression inside one `{{ }}` block".to_owned(),
            replacement: None,
        }];
    }
    Vec::new()
}

/// The reference's `format_condition_remediation`: the advice sentence, and the
/// corrected condition when wrapping is safe.
pub(crate) fn remediation(condition: &str) -> (String, Option<String>) {
    let stripped_delims = strip_stray_delimiters(condition);
    let core = py::strip(&stripped_delims);
    match wrapping_would_not_repair(core) {
        None => {
            let body = if core.is_empty() { "{{ }}".to_owned() } else { format!("{{{{ {core} }}}}") };
            let mut quoted = String::new();
            json::write_string(&mut quoted, &body, false);
            (format!("Wrap the expression: {quoted}."), Some(body))
        }
        Some(reason) => (
            format!(
                "No correction is offered because {reason}: wrapping it as written would produce \
                 a different expression from the one intended, and its result can silently \
                 invert the condition rather than repair it. Complete the expression, or use \
                 the literal true or false."
            ),
            None,
        ),
    }
}

/// Removes every `{{`/`}}` outside quotes; whitespace around a removed delimiter
/// becomes one space.
fn strip_stray_delimiters(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
        } else if c == '\'' || c == '"' {
            quote = Some(c);
            out.push(c);
        } else if rest.starts_with("{{") || rest.starts_with("}}") {
            i += 2;
            let after = &text[i..];
            i += after.len() - after.trim_start_matches(py::is_space).len();
            let kept = out.trim_end_matches(py::is_space).len();
            out.truncate(kept);
            out.push(' ');
            continue;
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out
}

/// Why wrapping `core` in `{{ }}` would not give the expression intended, if it would not.
fn wrapping_would_not_repair(core: &str) -> Option<String> {
    if core.is_empty() {
        return Some("there is no expression here to wrap".to_owned());
    }
    if scan::has_unbalanced_quote(core) {
        return Some("the quote opened in it is never closed".to_owned());
    }
    if has_unbalanced_bracket(core) {
        return Some("its brackets do not balance".to_owned());
    }
    if has_incomplete_operand(core) {
        return Some("an operator in it is missing an operand".to_owned());
    }
    if let Some(reason) = unresolvable_term(core) {
        return Some(reason);
    }
    evaluator_rejects(core).map(|r| format!("the evaluator rejects it ({r})"))
}

fn has_unbalanced_bracket(text: &str) -> bool {
    let mut stack = Vec::new();
    let mut quote: Option<u8> = None;
    for &b in text.as_bytes() {
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            continue;
        }
        match b {
            b'\'' | b'"' => quote = Some(b),
            b'(' | b'[' | b'{' => stack.push(b),
            b')' | b']' | b'}' => {
                let want = match b {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if stack.pop() != Some(want) {
                    return true;
                }
            }
            _ => {}
        }
    }
    !stack.is_empty()
}

fn has_incomplete_operand(text: &str) -> bool {
    let s = py::strip(text);
    if s.is_empty() || matches!(s, "and" | "or" | "not") || s.ends_with(" not") {
        return true;
    }
    for op in [" or ", " and ", " not in ", " in "] {
        if s.ends_with(op.trim_end()) || s.starts_with(op.trim_start()) {
            return true;
        }
    }
    let ops = [" or ", " and "].into_iter().chain(CmpOp::ALL.iter().map(|&(_, t)| t));
    for op in ops.chain(std::iter::once("|")) {
        if find_top_level(s, op).is_some()
            && split_top_level(s, op).iter().any(|(_, seg)| py::strip(seg).is_empty())
        {
            return true;
        }
    }
    false
}

/// The namespace of the reference's probe: every root exists (as `{}`), every leaf is
/// absent.
fn probe_namespace() -> MapNamespace {
    let mut ns = MapNamespace::new();
    for root in NAMESPACE_ROOTS {
        ns.insert(root, Value::Map(Map::new()));
    }
    ns
}

fn probe(core: &str, collect: bool) -> (Result<(), ExprError>, Vec<String>) {
    let ns = probe_namespace();
    let expr = parse_body(core, 0);
    let mut ev = Evaluator { ns: &ns, mode: Mode::Probe { leaves: collect.then(Vec::new) } };
    let result = ev.eval(&expr).map(|_| ());
    let leaves = match ev.mode {
        Mode::Probe { leaves: Some(l) } => l,
        _ => Vec::new(),
    };
    (result, leaves)
}

fn unresolvable_term(core: &str) -> Option<String> {
    let (_, leaves) = probe(core, true);
    leaves.iter().find_map(|leaf| unresolvable_leaf(leaf))
}

fn unresolvable_leaf(leaf: &str) -> Option<String> {
    let segments = split_top_level(leaf, ".");
    let first = py::strip(segments[0].1);
    if !(is_plain_segment(first) || indexed_segment(first).is_some()) {
        return Some(format!("{} is not a name the evaluator can resolve", py::str_repr(leaf)));
    }
    let root = match indexed_segment(first) {
        Some(("item", _)) => "item",
        _ => first,
    };
    if !NAMESPACE_ROOTS.contains(&root) {
        return Some(format!(
            "{} is not one of the namespace roots ({})",
            py::str_repr(first),
            NAMESPACE_ROOTS.join(", ")
        ));
    }
    segments[1..].iter().map(|(_, s)| py::strip(s)).find_map(|seg| {
        (!(is_plain_segment(seg) || indexed_segment(seg).is_some()))
            .then(|| format!("{} is not a valid path segment", py::str_repr(seg)))
    })
}

fn evaluator_rejects(core: &str) -> Option<String> {
    match probe(core, false).0 {
        Err(e) if e.rejects_text() => {
            let msg = e.to_string();
            Some(msg.split(':').next().unwrap_or_default().to_owned())
        }
        _ => None,
    }
}
