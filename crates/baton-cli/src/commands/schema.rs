//! `baton schema [workflow]`: prints a JSON Schema for editors.

use crate::args::SchemaKind;
use crate::exit::CliError;

/// Prints the schema, exactly as committed under `schemas/`.
pub fn schema(kind: SchemaKind) -> Result<i32, CliError> {
    let text = match kind {
        SchemaKind::Workflow => baton_model::workflow_schema_text(),
    };
    crate::output::write_stdout(text.as_bytes())?;
    Ok(0)
}
