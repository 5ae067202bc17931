//! `baton validate FILE [--json]`: every problem of a workflow file, with locations.

use std::path::Path;

use baton_model::{Diagnostic, Severity};

use crate::diagnostics;
use crate::exit::CliError;
use crate::output;
use crate::workflow_file::{self, ReadError};

/// Exit 0 when the file is valid (warnings allowed), 1 when it is not, 2 when it cannot
/// be read.
pub fn validate(path: &Path, json: bool) -> Result<i32, CliError> {
    let (source, diags) = match workflow_file::read(path) {
        Ok((source, node)) => {
            let diags = workflow_file::validate(&node);
            (source, diags)
        }
        Err(ReadError::Io(err)) => {
            return Err(CliError::usage(format!("cannot read `{}`: {err}", path.display())));
        }
        Err(ReadError::Load { message, span }) => {
            let source = std::fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            let diag = Diagnostic {
                severity: Severity::Error,
                code: "load",
                message: format!("Invalid workflow: {message}"),
                span,
                hint: None,
            };
            (source, vec![diag])
        }
    };
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
    let warnings: Vec<&Diagnostic> = diags.iter().filter(|d| d.severity == Severity::Warning).collect();
    if json {
        output::print_json(&serde_json::json!({
            "file": path.display().to_string(),
            "valid": errors.is_empty(),
            "errors": errors.iter().map(|d| diagnostics::to_json(d)).collect::<Vec<_>>(),
            "warnings": warnings.iter().map(|d| diagnostics::to_json(d)).collect::<Vec<_>>(),
        }))?;
    } else {
        let mut text = String::new();
        for diag in errors.iter().chain(warnings.iter()) {
            for line in diagnostics::render(diag, path, &source) {
                text.push_str(&line);
                text.push('\n');
            }
            text.push('\n');
        }
        let summary = if errors.is_empty() {
            format!("{} is valid{}", path.display(), plural_suffix(warnings.len(), "warning"))
        } else {
            format!(
                "{} is invalid: {} error{}{}",
                path.display(),
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                plural_suffix(warnings.len(), "warning")
            )
        };
        text.push_str(&summary);
        text.push('\n');
        output::write_stdout(text.as_bytes())?;
    }
    Ok(if errors.is_empty() { 0 } else { 1 })
}

fn plural_suffix(n: usize, noun: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!(" (1 {noun})"),
        n => format!(" ({n} {noun}s)"),
    }
}
