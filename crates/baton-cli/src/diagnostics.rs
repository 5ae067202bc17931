//! Checking a workflow file and rendering its diagnostics: the reference's message line,
//! then where it is (`path:line:col`, the source line with a caret under the offending
//! value) and a `hint:`. Shared by `validate` and `graph`.

use std::io::IsTerminal;
use std::path::Path;

use baton_model::yaml::Node;
use baton_model::{Diagnostic, Severity};

use crate::workflow_file::{self, ReadError};

/// A workflow file after loading and validation.
pub struct Checked {
    /// The file's text (lossily decoded when it is not UTF-8).
    pub source: String,
    /// The loaded document, when the file is YAML the reference loads.
    pub node: Option<Node>,
    /// Every problem: the load error alone, or the validation errors and warnings.
    pub diags: Vec<Diagnostic>,
}

impl Checked {
    /// The errors (what makes `run` refuse the file).
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diags.iter().filter(|d| d.severity == Severity::Error)
    }

    /// The warnings (baton's advice).
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Is the file free of errors?
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }
}

/// Loads and validates `path` with the built-in step types.
///
/// # Errors
/// The file cannot be read at all.
pub fn check_file(path: &Path) -> std::io::Result<Checked> {
    match workflow_file::read(path) {
        Ok((source, node)) => {
            let diags = workflow_file::validate(&node);
            Ok(Checked {
                source,
                node: Some(node),
                diags,
            })
        }
        Err(ReadError::Io(err)) => Err(err),
        Err(ReadError::Load { message, span }) => {
            let source = std::fs::read(path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let diag = Diagnostic {
                severity: Severity::Error,
                code: "load",
                message: format!("Invalid workflow: {message}"),
                span,
                hint: None,
            };
            Ok(Checked {
                source,
                node: None,
                diags: vec![diag],
            })
        }
    }
}

/// Whether to colour text: only on a terminal, never when `NO_COLOR` is set (to any
/// non-empty value) or `TERM=dumb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colour when `terminal` is true and the environment allows it.
    pub fn detect(terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Style {
            colour: terminal && !no_color && !dumb,
        }
    }

    /// [`Style::detect`] for standard output.
    pub fn stdout() -> Style {
        Style::detect(std::io::stdout().is_terminal())
    }

    /// [`Style::detect`] for standard error.
    pub fn stderr() -> Style {
        Style::detect(std::io::stderr().is_terminal())
    }

    /// `text` in the SGR colour `code` when colouring, else as it is.
    pub(crate) fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Renders one diagnostic as text lines (no trailing newline on the last):
///
/// ```text
/// error: Step 'a' has invalid type 'shel'.
///  --> flow.yml:9:11
///   |
/// 9 |     type: shel
///   |           ^^^^
///   hint: did you mean `shell`?
/// ```
pub fn render(diag: &Diagnostic, path: &Path, source: &str, style: Style) -> Vec<String> {
    let label = match diag.severity {
        Severity::Error => style.paint("1;31", "error"),
        Severity::Warning => style.paint("1;33", "warning"),
    };
    let mut lines = vec![format!("{label}: {}", diag.message)];
    lines.extend(context_lines(diag, path, source, style));
    lines
}

/// The lines [`render`] puts under the message: the location, the source line with
/// carets, and the hint (each absent when unknown). For other verbs that print the
/// reference's message line themselves (`run`'s `  • <message>` bullets) and want
/// to point into the file below it.
pub fn context_lines(diag: &Diagnostic, path: &Path, source: &str, style: Style) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(span) = diag.span {
        let number = span.line.to_string();
        let pad = " ".repeat(number.len());
        lines.push(format!(
            "{pad}{} {}",
            style.paint("1;34", "-->"),
            location(path, diag).unwrap_or_default()
        ));
        if let Some(text) = source.lines().nth(span.line.saturating_sub(1) as usize) {
            let text = text.strip_suffix('\r').unwrap_or(text);
            let start = span.col.saturating_sub(1) as usize;
            let (shown, caret_at, caret_len) = caret(text, start);
            let (shown, caret_at, caret_len) = clip(&shown, caret_at, caret_len);
            let bar = style.paint("1;34", "|");
            lines.push(format!("{pad} {bar}"));
            lines.push(format!("{} {bar} {shown}", style.paint("1;34", &number)));
            let carets = style.paint("1;31", &"^".repeat(caret_len));
            lines.push(format!("{pad} {bar} {}{carets}", " ".repeat(caret_at)));
        }
    }
    if let Some(hint) = &diag.hint {
        lines.push(format!("  {}: {hint}", style.paint("1;36", "hint")));
    }
    lines
}

/// How many columns of a source line an excerpt shows at most.
const MAX_EXCERPT: usize = 100;

/// A long source line (a huge string, deep flow nesting) cut to [`MAX_EXCERPT`]
/// columns around the caret, `…` marking each cut; the caret column and length moved
/// to match.
fn clip(shown: &str, caret_at: usize, caret_len: usize) -> (String, usize, usize) {
    let chars: Vec<char> = shown.chars().collect();
    if chars.len() <= MAX_EXCERPT {
        return (shown.to_owned(), caret_at, caret_len);
    }
    let from = caret_at.saturating_sub(MAX_EXCERPT / 3).min(chars.len() - MAX_EXCERPT);
    let to = from + MAX_EXCERPT;
    let lead = usize::from(from > 0);
    let mut text: String = if from > 0 { "…".to_owned() } else { String::new() };
    text.extend(&chars[from..to]);
    if to < chars.len() {
        text.push('…');
    }
    let len = caret_len.min(to.saturating_sub(caret_at)).max(1);
    (text, caret_at - from + lead, len)
}

/// `path:line:col` of a diagnostic that has a location.
pub fn location(path: &Path, diag: &Diagnostic) -> Option<String> {
    diag.span
        .map(|span| format!("{}:{}:{}", path.display(), span.line, span.col))
}

/// The source line as shown (tabs as four spaces, control characters as `?`), the
/// display column of the caret and how many carets underline the value that starts at
/// character `start`: a quoted scalar up to its closing quote, a plain one up to `: `,
/// ` #`, a flow separator or the end of the line.
fn caret(text: &str, start: usize) -> (String, usize, usize) {
    let chars: Vec<char> = text.chars().collect();
    let width = |c: char| if c == '\t' { 4 } else { 1 };
    let shown: String = chars
        .iter()
        .map(|&c| match c {
            '\t' => "    ".to_owned(),
            c if c.is_control() => "?".to_owned(),
            c => c.to_string(),
        })
        .collect();
    let start = start.min(chars.len());
    let caret_at: usize = chars[..start].iter().map(|&c| width(c)).sum();
    let rest = &chars[start..];
    let len = match rest.first() {
        None => 1,
        Some(&quote @ ('"' | '\'')) => {
            let mut i = 1;
            let mut end = None;
            while i < rest.len() {
                if quote == '"' && rest[i] == '\\' {
                    i += 2;
                    continue;
                }
                if rest[i] == quote {
                    if quote == '\'' && rest.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    end = Some(i + 1);
                    break;
                }
                i += 1;
            }
            end.unwrap_or(rest.len())
        }
        Some(_) => {
            let mut end = rest.len();
            for i in 0..rest.len() {
                let next = rest.get(i + 1).copied();
                let stop = match rest[i] {
                    ':' => next.is_none_or(char::is_whitespace),
                    '#' => i > 0 && rest[i - 1].is_whitespace(),
                    ',' | ']' | '}' => i > 0,
                    _ => false,
                };
                if stop {
                    end = i;
                    break;
                }
            }
            let trimmed = rest[..end]
                .iter()
                .rev()
                .skip_while(|c| c.is_whitespace())
                .count();
            trimmed.max(1)
        }
    };
    let caret_len = rest
        .iter()
        .take(len)
        .map(|&c| width(c))
        .sum::<usize>()
        .max(1);
    (shown, caret_at, caret_len)
}

/// Every diagnostic (errors first, then warnings), each followed by a blank line, and a
/// summary line: `<path> is valid (1 warning)` / `<path> is invalid: 2 errors`.
pub fn render_report(checked: &Checked, path: &Path, style: Style) -> String {
    let mut text = String::new();
    for diag in checked.errors().chain(checked.warnings()) {
        for line in render(diag, path, &checked.source, style) {
            text.push_str(&line);
            text.push('\n');
        }
        text.push('\n');
    }
    let errors = checked.errors().count();
    let warnings = checked.warnings().count();
    let summary = if errors == 0 {
        format!(
            "{} is valid{}",
            path.display(),
            plural_suffix(warnings, "warning")
        )
    } else {
        format!(
            "{} is invalid: {errors} error{}{}",
            path.display(),
            if errors == 1 { "" } else { "s" },
            plural_suffix(warnings, "warning")
        )
    };
    text.push_str(&summary);
    text.push('\n');
    text
}

fn plural_suffix(n: usize, noun: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!(" (1 {noun})"),
        n => format!(" ({n} {noun}s)"),
    }
}

/// The JSON form of one diagnostic for `validate --json`: the rule's `code`, the
/// reference's `message`, and baton's `location` (`path:line:col`), `line`, `column`,
/// `source` (the offending line) and `hint` (null when absent).
pub fn to_json(diag: &Diagnostic, path: &Path, source: &str) -> serde_json::Value {
    let source_line = diag
        .span
        .and_then(|s| source.lines().nth(s.line.saturating_sub(1) as usize))
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned());
    serde_json::json!({
        "severity": match diag.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "code": diag.code,
        "message": diag.message,
        "location": location(path, diag),
        "line": diag.span.map(|s| s.line),
        "column": diag.span.map(|s| s.col),
        "source": source_line,
        "hint": diag.hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let line = format!("  id: {}", "x".repeat(500));
        let (shown, at, len) = caret(&line, 6);
        let (text, at, len) = clip(&shown, at, len);
        assert_eq!(text, format!("  id: {}…", "x".repeat(94)));
        assert_eq!((at, len), (6, 94));
        let line = format!("{}: 1", "k".repeat(2000));
        let (shown, at, len) = caret(&line, 2000);
        let (text, at, len) = clip(&shown, at, len);
        assert_eq!(text, format!("…{}: 1", "k".repeat(97)));
        assert_eq!(&text.chars().skip(at).take(len).collect::<String>(), ":");
        assert_eq!(clip("short", 2, 3), ("short".to_owned(), 2, 3));
    }

    #[test]
    fn caret_underlines_the_value() {
        assert_eq!(
            caret("    type: shel", 10),
            ("    type: shel".to_owned(), 10, 4)
        );
        assert_eq!(caret("  foo: 1", 2).2, 3);
        assert_eq!(caret(r#"  id: "Bad_Flow"  # x"#, 6).2, 10);
        assert_eq!(caret("    run: echo hi # note", 9).2, 7);
        assert_eq!(caret("  - {id: a, type: b}", 9).2, 1);
        assert_eq!(caret("x", 5), ("x".to_owned(), 1, 1));
        assert_eq!(caret("\tkey: v", 1), ("    key: v".to_owned(), 4, 3));
        assert_eq!(caret("  msg: 'it''s'", 7).2, 7);
    }

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(Style { colour: false }.paint("1;31", "error"), "error");
        assert_eq!(
            Style { colour: true }.paint("1;31", "error"),
            "\x1b[1;31merror\x1b[0m"
        );
    }
}
