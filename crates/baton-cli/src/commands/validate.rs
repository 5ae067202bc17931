//! `baton validate FILE [--json]`: every problem of a workflow file, with locations.

use std::path::Path;

use crate::diagnostics::{self, Style};
use crate::exit::CliError;
use crate::output;

/// Exit 0 when the file is valid (warnings allowed), 1 when it is not, 2 when it cannot
/// be read.
pub fn validate(path: &Path, json: bool) -> Result<i32, CliError> {
    let checked = diagnostics::check_file(path)
        .map_err(|err| CliError::usage(format!("cannot read `{}`: {err}", path.display())))?;
    if json {
        let list = |diags: Vec<&baton_model::Diagnostic>| {
            diags
                .into_iter()
                .map(|d| diagnostics::to_json(d, path, &checked.source))
                .collect::<Vec<_>>()
        };
        output::print_json(&serde_json::json!({
            "file": path.display().to_string(),
            "valid": checked.is_valid(),
            "errors": list(checked.errors().collect()),
            "warnings": list(checked.warnings().collect()),
        }))?;
    } else {
        let text = diagnostics::render_report(&checked, path, Style::stdout());
        output::write_stdout(text.as_bytes())?;
    }
    Ok(if checked.is_valid() { 0 } else { 1 })
}
