//! Rendering of workflow diagnostics: the reference's message line, then where it is
//! (`path:line:col` and the source line with a caret) and a `hint:`.

use std::path::Path;

use baton_model::{Diagnostic, Severity};

/// Renders one diagnostic as text lines (no trailing newline on the last).
pub fn render(diag: &Diagnostic, path: &Path, source: &str) -> Vec<String> {
    let label = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut lines = vec![format!("{label}: {}", diag.message)];
    if let Some(span) = diag.span {
        lines.push(format!("  --> {}:{}:{}", path.display(), span.line, span.col));
        if let Some(text) = source.lines().nth(span.line.saturating_sub(1) as usize) {
            let number = span.line.to_string();
            let pad = " ".repeat(number.len());
            let caret_at: usize = text
                .chars()
                .take(span.col.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { 4 } else { 1 })
                .sum();
            lines.push(format!("{pad} |"));
            lines.push(format!("{number} | {}", text.replace('\t', "    ")));
            lines.push(format!("{pad} | {}^", " ".repeat(caret_at)));
        }
    }
    if let Some(hint) = &diag.hint {
        lines.push(format!("  hint: {hint}"));
    }
    lines
}

/// The JSON form of one diagnostic for `validate --json`.
pub fn to_json(diag: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "severity": match diag.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "code": diag.code,
        "message": diag.message,
        "line": diag.span.map(|s| s.line),
        "column": diag.span.map(|s| s.col),
        "hint": diag.hint,
    })
}
