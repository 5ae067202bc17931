//! The `{{ expression }}` language of Spec Kit workflows (specify-cli 1.2.3).
//!
//! This crate is pure: no I/O, no environment, no printing. It owns [`Value`], the
//! JSON-compatible value type shared by every baton crate that handles workflow data
//! (inputs, step outputs, expression results), and reproduces the reference's
//! evaluator result for result, quirks included (spec `steps.md` §2): `or`/`and`
//! return booleans, comparison chains nest to the right, unknown names are `None`,
//! filters fail with the reference's messages.
//!
//! - [`render`] / [`Template`]: a template; one `{{ }}` block keeps its type, anything
//!   else interpolates into a string with Python's `str()` spellings.
//! - [`evaluate`]: one expression body (the text inside `{{ }}`).
//! - [`evaluate_condition`], [`condition_truth`], [`condition_diagnostics`]: conditions.
//! - [`Value`]: `py_str`, `py_repr`, `truthy`, `py_eq`; [`json`]: Python's `json`.
//!
//! ```
//! use baton_expr::{render, MapNamespace, Map, Value};
//!
//! let inputs = baton_expr::json::loads(r#"{"count": 5, "tags": ["a", "b"]}"#).unwrap();
//! let ns = MapNamespace::new().with("inputs", inputs);
//! assert_eq!(render("{{ inputs.count }}", &ns), Ok(Value::from(5)));
//! assert_eq!(render("{{ inputs.count > 3 and 'a' in inputs.tags }}", &ns), Ok(Value::from(true)));
//! assert_eq!(render("tags={{ inputs.tags }}", &ns), Ok(Value::from("tags=['a', 'b']")));
//! assert_eq!(
//!     render("{{ inputs.tags | join }}", &ns).unwrap_err().to_string(),
//!     "filter 'join' used in an unsupported form (got '| join'): expected one of default or \
//!      default('x'), join('sep'), map('attr'), contains('s'), split('sep'), from_json, upper, \
//!      lower, length, or to_json"
//! );
//! ```

mod ast;
mod condition;
mod error;
mod eval;
mod filters;
pub mod json;
pub mod py;
mod scan;
mod serde_impl;
mod template;
mod unicode_tables;
mod value;

pub use condition::{
    condition_diagnostics, condition_truth, evaluate_condition, ConditionDiagnostic,
    ConditionFault, NAMESPACE_ROOTS,
};
pub use error::ExprError;
pub use eval::{MapNamespace, Namespace};
pub use template::{PathRef, Template};
pub use value::{Map, Value};

/// Runs `f` with enough stack for one more level of a recursive walk: nesting as deep
/// as the reference accepts (about a thousand levels) must not overflow a small thread
/// stack, so deep walks grow the stack on demand.
pub(crate) fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, f)
}

/// Renders a template (the reference's `evaluate_expression` on a string): the typed
/// value when the stripped template is one `{{ }}` block, else a string.
pub fn render(template: &str, ns: &dyn Namespace) -> Result<Value, ExprError> {
    Template::parse(template).render(ns)
}

/// The reference's `evaluate_expression` on any value: strings are rendered, anything
/// else is returned unchanged (`{{ }}` inside lists and mappings is not evaluated).
pub fn render_value(value: &Value, ns: &dyn Namespace) -> Result<Value, ExprError> {
    match value {
        Value::Str(s) => render(s, ns),
        other => Ok(other.clone()),
    }
}

/// Evaluates one expression body, the text between `{{` and `}}`.
///
/// ```
/// use baton_expr::{evaluate, MapNamespace, Value};
/// let ns = MapNamespace::new();
/// assert_eq!(evaluate("1 < 2 < 3", &ns), Ok(Value::from(false))); // 1 < (2 < 3)
/// assert_eq!(evaluate("nothing.here", &ns), Ok(Value::Null));
/// ```
pub fn evaluate(body: &str, ns: &dyn Namespace) -> Result<Value, ExprError> {
    let expr = ast::parse_body(body, 0);
    Ok(eval::Evaluator::new(ns).eval(&expr)?.into_owned())
}

/// The `context` root the reference builds: `{"run_id": …, "workflow_dir": …}`, each
/// `""` when unknown.
pub fn context_value(run_id: Option<&str>, workflow_dir: Option<&str>) -> Value {
    let mut map = Map::new();
    map.insert("run_id".to_owned(), Value::from(run_id.unwrap_or_default()));
    map.insert("workflow_dir".to_owned(), Value::from(workflow_dir.unwrap_or_default()));
    Value::Map(map)
}
