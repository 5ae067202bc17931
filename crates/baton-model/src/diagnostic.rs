//! [`Diagnostic`]: one problem found in a workflow definition.

use std::fmt;

use serde::Serialize;

use crate::yaml::Span;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The reference refuses the workflow for this; `run` must refuse it too.
    Error,
    /// baton's own advice (an unknown key the reference ignores); never blocks a run.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem in a workflow definition.
///
/// `message` is the reference's text, verbatim, for every [`Severity::Error`]
/// (so `Workflow validation failed:` + `  • <message>` lines match `specify workflow run`);
/// the location and the `hint` are baton's additions and belong on extra lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, machine-readable name of the rule (e.g. `shell.run-type`); see
    /// [`crate::codes`].
    pub code: &'static str,
    /// The message (the reference's wording for errors).
    pub message: String,
    /// Where the offending node starts, when it is known (`{"line": 3, "col": 5}` in JSON).
    #[serde(serialize_with = "serialize_span")]
    pub span: Option<Span>,
    /// A suggestion: the nearest valid name, or a corrected value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

fn serialize_span<S: serde::Serializer>(span: &Option<Span>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    match span {
        None => s.serialize_none(),
        Some(span) => {
            let mut st = s.serialize_struct("Span", 2)?;
            st.serialize_field("line", &span.line)?;
            st.serialize_field("col", &span.col)?;
            st.end()
        }
    }
}

impl Diagnostic {
    /// A new error.
    pub fn error(code: &'static str, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic { severity: Severity::Error, code, message: message.into(), span, hint: None }
    }

    /// A new warning.
    pub fn warning(code: &'static str, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic { severity: Severity::Warning, code, message: message.into(), span, hint: None }
    }

    /// The same diagnostic with a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// Whether this is an error (the run must be refused).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `line:col: severity: message` (the location is omitted when unknown), then
    /// `  hint: …` on a second line when there is a hint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(span) = self.span {
            write!(f, "{}:{}: ", span.line, span.col)?;
        }
        write!(f, "{}: {}", self.severity, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The error messages of `diagnostics`, in order: what the reference prints after
/// `Workflow validation failed:` (one `  • <message>` line each).
pub fn error_messages(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.as_str()).collect()
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}
