//! The workflow definition model of Spec Kit workflows (specify-cli 1.2.3).
//!
//! * [`yaml`] loads YAML exactly as PyYAML (YAML 1.1) does, with a line and column on
//!   every node; it is the only module that knows which YAML libraries are used.
//! * [`validate()`] collects every [`Diagnostic`], errors in the reference's order and
//!   with its messages verbatim, plus warnings for unknown keys the reference ignores.
//! * [`model`] holds the serde types of the document; they generate the JSON Schema
//!   ([`workflow_schema`]).
//!
//! ```
//! use baton_model::{check, error_messages, Severity};
//!
//! let text = "\
//! workflow: {id: demo, name: Demo}
//! steps:
//!   - id: hello
//!     type: shell
//!     run: echo hello
//!     tiemout: 5
//!   - id: hello
//!     type: shel
//! ";
//! let (_doc, diagnostics) = check(text)?;
//! // The reference's errors, verbatim and in its order: `run` refuses the workflow.
//! assert_eq!(
//!     error_messages(&diagnostics),
//!     ["Duplicate step ID 'hello'.", "Step 'hello' has invalid type 'shel'."]
//! );
//! // baton's additions: a location and a hint on each, and warnings for ignored keys.
//! let typo = &diagnostics[0];
//! assert_eq!(typo.severity, Severity::Warning);
//! assert_eq!(typo.message, "unknown field `tiemout` in step 'hello'");
//! assert_eq!(typo.hint.as_deref(), Some("did you mean `timeout`?"));
//! assert_eq!((typo.span.unwrap().line, typo.span.unwrap().col), (6, 5));
//! assert_eq!(diagnostics[2].hint.as_deref(), Some("did you mean `shell`?"));
//! # Ok::<(), baton_model::LoadError>(())
//! ```

pub mod codes;
mod diagnostic;
pub mod graph;
mod load;
pub mod model;
pub mod retry;
mod schema;
mod validate;
pub mod yaml;

pub use load::{check, check_with, load, LoadError};
pub use diagnostic::{error_messages, has_errors, Diagnostic, Severity};
pub use schema::{schema_text, tidy_generated_schema, workflow_schema, workflow_schema_text};
pub use validate::{
    step_fields, validate, CustomStepTypes, NoCustomSteps, BUILTIN_STEP_TYPES, COMMON_STEP_FIELDS,
    INPUT_KEYS, RECORD_STEP_FIELDS, STEP_FIELDS, TOP_LEVEL_KEYS, WORKFLOW_KEYS,
};
