//! Validation of a workflow definition, identical in substance and order to the
//! reference's `validate_workflow` (engine.md §5), plus baton's warnings.
//!
//! Every problem is collected; errors carry the reference's message verbatim, in the
//! reference's order. Warnings (unknown keys the reference ignores) are interleaved
//! next to the part of the document they concern and never change the errors.

mod condition;
mod document;
mod inputs;
pub(crate) mod py;
mod steps;
mod suggest;

use crate::diagnostic::Diagnostic;
use crate::yaml::{Node, Span};

pub use document::{INPUT_KEYS, TOP_LEVEL_KEYS, WORKFLOW_KEYS};
pub use steps::{step_fields, BUILTIN_STEP_TYPES, COMMON_STEP_FIELDS, RECORD_STEP_FIELDS, STEP_FIELDS};

/// The custom step types of a project (installed step packages), as far as
/// validation needs them. baton-model knows nothing of the step registry; the caller
/// passes what it loaded.
///
/// Built-in types always win: [`is_known`](Self::is_known) and
/// [`validate`](Self::validate) are only asked about types that are not built in.
pub trait CustomStepTypes {
    /// Whether `type_key` names a loaded custom step type.
    fn is_known(&self, type_key: &str) -> bool;

    /// The custom step's own validation messages for one step (its whole mapping),
    /// reported verbatim as errors.
    fn validate(&self, type_key: &str, step: &Node) -> Vec<String>;
}

/// No custom step types: only the 14 built-in types are valid.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCustomSteps;

impl CustomStepTypes for NoCustomSteps {
    fn is_known(&self, _type_key: &str) -> bool {
        false
    }

    fn validate(&self, _type_key: &str, _step: &Node) -> Vec<String> {
        Vec::new()
    }
}

/// Every diagnostic of a parsed workflow document, errors in the reference's order.
///
/// `doc` is the document as [`crate::load`] returns it (a mapping); any other node
/// yields the reference's load error as the only diagnostic. Never panics.
pub fn validate(doc: &Node, custom: &dyn CustomStepTypes) -> Vec<Diagnostic> {
    let mut out = Out::default();
    document::validate_document(doc, custom, &mut out);
    out.diags
}

/// The collected diagnostics.
#[derive(Default)]
pub(crate) struct Out {
    pub(crate) diags: Vec<Diagnostic>,
}

impl Out {
    /// Record an error.
    pub(crate) fn error(&mut self, code: &'static str, message: impl Into<String>, span: Option<Span>) {
        self.diags.push(Diagnostic::error(code, message, span));
    }

    /// Record an error with a hint.
    pub(crate) fn error_hint(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        span: Option<Span>,
        hint: Option<String>,
    ) {
        self.diags.push(Diagnostic::error(code, message, span).with_hint(hint));
    }

    /// Record a warning with a hint.
    pub(crate) fn warning(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        span: Option<Span>,
        hint: Option<String>,
    ) {
        self.diags.push(Diagnostic::warning(code, message, span).with_hint(hint));
    }
}
