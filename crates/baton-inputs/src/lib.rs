//! Workflow inputs: declarations (`inputs:` block) resolved to typed values.
//!
//! Coercion of CLI strings and YAML defaults, `enum`, `required`/`default`, and the
//! `integration: auto` sentinel, exactly as the reference (specify-cli 1.2.3), with its
//! messages. The caller passes every value in (provided inputs, the text of the
//! project's `.specify/integration.json`); prompting for a missing required input is
//! the [`Prompter`] trait, which the CLI implements. This crate never touches the
//! filesystem, the environment or stdin.
//!
//! ```
//! use baton_expr::{Map, Value};
//! use baton_inputs::{parse_cli_inputs, parse_declarations, resolve, validate_declarations};
//!
//! let mut count = Map::new();
//! count.insert("type".into(), Value::from("number"));
//! count.insert("default".into(), Value::from(5));
//! let mut block = Map::new();
//! block.insert("count".into(), Value::Map(count));
//! let block = Value::Map(block);
//!
//! assert!(validate_declarations(Some(&block)).is_empty());
//! let decls = parse_declarations(&block);
//! let provided = parse_cli_inputs(["count = 3.0", "extra=dropped"]).unwrap();
//! let inputs = resolve(&decls, &provided, None, None).unwrap();
//! assert_eq!(inputs.get("count"), Some(&Value::from(3)));
//! assert_eq!(inputs.len(), 1);
//!
//! let provided = parse_cli_inputs(["count=many"]).unwrap();
//! let err = resolve(&decls, &provided, None, None).unwrap_err();
//! assert_eq!(err.to_string(), "Input 'count' expected a number, got 'many'.");
//! ```

mod cli;
mod coerce;
mod decl;
mod error;
mod integration;
mod number;
mod resolve;
mod validate;

pub use cli::{parse_cli_input, parse_cli_inputs};
pub use coerce::coerce;
pub use decl::{parse_declarations, EnumValues, InputDecl, InputType};
pub use error::InputError;
pub use integration::project_default_integration;
pub use resolve::{resolve, resolve_resume, Prompter};
pub use validate::{validate_declarations, DeclField, InputDiagnostic};
