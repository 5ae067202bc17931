//! [`ExprError`]: why an expression failed to evaluate.

/// The list of accepted filter forms that the reference appends to filter errors.
const EXPECTED_FORMS: &str = "expected one of default or default('x'), join('sep'), map('attr'), \
     contains('s'), split('sep'), from_json, upper, lower, length, or to_json";

/// An expression that cannot be evaluated. Every message except [`ExprError::TooDeep`]
/// is the reference's `ValueError` text, verbatim; the reference fails the whole run
/// with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExprError {
    /// A filter chain whose head holds an operator (`a > 3 | default(0)`, `not a | f`).
    #[error(
        "ambiguous filter precedence in '{expr}': '| {filter}' would apply to the result of \
         '{head}', not to an operand of '{op}'. Filter the operand in its own expression instead."
    )]
    AmbiguousFilterPrecedence {
        /// The whole expression (whitespace collapsed).
        expr: String,
        /// The first filter segment.
        filter: String,
        /// The head of the chain (left of the first `|`).
        head: String,
        /// The operator found in the head (`>`, `or`, `not`, …).
        op: String,
    },
    /// A zero-argument filter (`from_json`, `upper`, `lower`, `length`, `to_json`)
    /// followed by anything.
    #[error("{name}: expected '| {name}' with no arguments or trailing tokens, got '| {segment}'")]
    TrailingTokens {
        /// The filter name.
        name: String,
        /// The whole filter segment.
        segment: String,
    },
    /// A registered filter in a form it does not take (`join`, `default(1, 2)`).
    #[error("filter '{name}' used in an unsupported form (got '| {segment}'): {EXPECTED_FORMS}")]
    UnsupportedForm {
        /// The filter name.
        name: String,
        /// The whole filter segment.
        segment: String,
    },
    /// A filter name that is not registered (names are case-sensitive).
    #[error("unknown filter '{name}': {EXPECTED_FORMS} (got '| {segment}')")]
    UnknownFilter {
        /// The leading word of the segment (or the whole segment if it has none).
        name: String,
        /// The whole filter segment.
        segment: String,
    },
    /// A filter given a value or argument of the wrong type, or invalid JSON
    /// (`upper: expected a string value, got int`, `from_json: invalid JSON: …`).
    #[error("{0}")]
    Filter(String),
    /// An integer of more than 4300 digits (Python's `int()` limit), met in a path
    /// index or in `from_json`.
    #[error("{}", crate::py::int_limit_message(*.0))]
    IntTooLarge(usize),
    /// Parentheses, lists or operators nested deeper than baton evaluates (the reference
    /// crashes with a `RecursionError` somewhat deeper).
    #[error("expression nests deeper than {0} levels")]
    TooDeep(usize),
}

impl ExprError {
    /// Whether the reference's validation probe counts this error as the evaluator
    /// rejecting the text (its message quotes a filter segment back as `got '| …`).
    pub(crate) fn rejects_text(&self) -> bool {
        !matches!(self, ExprError::TooDeep(_)) && self.to_string().contains("got '| ")
    }
}
