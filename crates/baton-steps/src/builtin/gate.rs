//! `gate` (steps.md §9): a review point. The choice comes from a `verdict_input`, from a
//! person at a terminal (through [`Interaction`](crate::Interaction)), or the run pauses
//! until `resume`. A rejection aborts the run, skips, or pauses to retry.

use std::io::Read;
use std::path::Path;

use baton_expr::{Map, Namespace, Value};

use super::support::{decode_strict, id_repr, os_error_text, render_if_template};
use crate::step::{GateAnswer, GateQuestion, Step, StepContext, StepError, StepResult, StepStatus};

/// How many lines of a `show_file` the prompt shows.
pub const MAX_SHOW_FILE_LINES: usize = 200;

/// The `gate` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct Gate;

fn is_rejection(choice: &str) -> bool {
    let lower = choice.to_lowercase();
    lower == "reject" || lower == "abort"
}

/// The reference's `[\x00-\x08\x0a-\x1f\x7f-\x9f]`: control characters but tab.
fn strip_controls(text: &str) -> String {
    text.chars()
        .filter(|&c| !matches!(c, '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'))
        .collect()
}

impl Step for Gate {
    fn type_key(&self) -> &str {
        "gate"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let id = id_repr(config);
        let message = match config.get("message") {
            Some(m) => render_if_template(m, ctx)?,
            None => Value::from("Review required."),
        };
        let default_options = || Value::List(vec![Value::from("approve"), Value::from("reject")]);
        let options_value = config.get("options").cloned().unwrap_or_else(default_options);
        let on_reject = config.get("on_reject").cloned().unwrap_or_else(|| Value::from("abort"));
        let guard_output = |options: &Value, on_reject: &Value| {
            Map::from_iter([
                ("message".to_owned(), message.clone()),
                ("options".to_owned(), options.clone()),
                ("on_reject".to_owned(), on_reject.clone()),
                ("choice".to_owned(), Value::Null),
            ])
        };

        let options: Vec<String> = match &options_value {
            Value::List(items) if !items.is_empty() => {
                items.iter().map(|o| o.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>().unwrap_or_default()
            }
            _ => Vec::new(),
        };
        if options.is_empty() {
            return Ok(StepResult::failed(
                guard_output(&options_value, &on_reject),
                format!(
                    "Gate step {id}: 'options' must be a non-empty list of strings, got {}.",
                    options_value.type_name()
                ),
            ));
        }
        let Some(on_reject_str) =
            on_reject.as_str().filter(|r| matches!(*r, "abort" | "skip" | "retry")).map(str::to_owned)
        else {
            return Ok(StepResult::failed(
                guard_output(&options_value, &on_reject),
                format!(
                    "Gate step {id}: 'on_reject' must be 'abort', 'skip', or 'retry', got {}.",
                    on_reject.py_repr()
                ),
            ));
        };
        let verdict_input = match config.get("verdict_input") {
            None => None,
            Some(Value::Str(name)) if !name.is_empty() => Some(name.as_str()),
            Some(_) => {
                return Ok(StepResult::failed(
                    Map::new(),
                    format!("Gate step {id}: 'verdict_input' must be a non-empty string."),
                ))
            }
        };
        if verdict_input.is_some() && ctx.inside_fan_out {
            return Ok(StepResult::failed(
                Map::new(),
                format!("Gate step {id}: 'verdict_input' is not supported inside fan-out templates."),
            ));
        }
        let show_file = match config.get("show_file") {
            Some(value) => match render_if_template(value, ctx)? {
                Value::Null => None,
                other => Some(other.py_str()),
            },
            None => None,
        };

        let mut output = Map::from_iter([
            ("message".to_owned(), message.clone()),
            ("options".to_owned(), options_value.clone()),
            ("on_reject".to_owned(), on_reject.clone()),
            ("show_file".to_owned(), show_file.clone().map_or(Value::Null, Value::from)),
            ("choice".to_owned(), Value::Null),
        ]);

        let mut choice: Option<String> = None;
        let mut bound_input: Option<&str> = None;
        if let Some(name) = verdict_input {
            let value = ctx.root("inputs").and_then(|inputs| match inputs {
                Value::Map(m) => m.get(name),
                _ => None,
            });
            match value {
                None | Some(Value::Null) => {}
                Some(Value::Str(s)) if s.is_empty() => {}
                Some(Value::Str(s)) => {
                    let lower = s.to_lowercase();
                    match options.iter().find(|o| o.to_lowercase() == lower) {
                        Some(option) => {
                            choice = Some(option.clone());
                            bound_input = Some(name);
                        }
                        None => {
                            return Ok(StepResult::failed(
                                output,
                                format!(
                                    "Gate step {id}: verdict input {} value {} does not match any configured option.",
                                    baton_expr::py::str_repr(name),
                                    baton_expr::py::str_repr(s.as_str())
                                ),
                            ))
                        }
                    }
                }
                Some(other) => {
                    return Ok(StepResult::failed(
                        output,
                        format!(
                            "Gate step {id}: verdict input {} must be a string, got {}.",
                            baton_expr::py::str_repr(name),
                            other.type_name()
                        ),
                    ))
                }
            }
        }

        let mut answered_by: Option<&str> = None;
        if choice.is_none() {
            if let Some(raw) = ctx.interaction.scripted_choice(ctx.step_id) {
                if let Some(option) = pick(&raw, &options) {
                    choice = Some(option.to_owned());
                    answered_by = Some("--choose");
                }
            }
        }
        let choice = match choice {
            Some(c) => c,
            None => {
                if !ctx.interaction.stdin_is_terminal() {
                    return Ok(StepResult::with_status(StepStatus::Paused, output));
                }
                let (choice, typed) = ask(ctx, &message.py_str(), show_file.as_deref(), &options)?;
                if typed {
                    answered_by = ctx.interaction.user_name();
                }
                choice
            }
        };
        output.insert("choice".to_owned(), Value::from(choice.as_str()));
        if let Some(who) = answered_by {
            output.insert("answered_by".to_owned(), Value::from(who));
        }

        if is_rejection(&choice) {
            match on_reject_str.as_str() {
                "abort" => {
                    output.insert("aborted".to_owned(), Value::Bool(true));
                    return Ok(StepResult::failed(output, format!("Gate rejected by user at step {id}")));
                }
                "retry" => {
                    let mut result = StepResult::with_status(StepStatus::Paused, output);
                    if let Some(name) = bound_input {
                        result.input_updates.insert(name.to_owned(), Value::from(""));
                    }
                    return Ok(result);
                }
                _ => {}
            }
        }
        Ok(StepResult::completed(output))
    }
}

/// The box the reference prints before asking, one notice per line.
fn box_lines(text: &str, options: &[String]) -> Vec<String> {
    let mut lines = vec![String::new(), format!("  ┌─ Gate {}", "─".repeat(37))];
    for line in text.split('\n') {
        lines.push(if line.is_empty() { "  │".to_owned() } else { format!("  │ {line}") });
    }
    lines.push("  │".to_owned());
    for (i, option) in options.iter().enumerate() {
        lines.push(format!("  │  [{}] {option}", i + 1));
    }
    lines.push(format!("  └{}", "─".repeat(44)));
    lines
}

/// Shows the gate and asks until the answer is an option number or name. Returns the
/// option and whether the person typed it (`false`: end of input, the fallback option).
fn ask(
    ctx: &StepContext<'_>,
    message: &str,
    show_file: Option<&str>,
    options: &[String],
) -> Result<(String, bool), StepError> {
    let file_block = show_file.filter(|f| !f.is_empty()).map(|path| {
        let mut block = format!("{}:", strip_controls(path));
        for line in read_show_file(path) {
            block.push_str("\n  ");
            block.push_str(&line);
        }
        block
    });
    let text = match &file_block {
        Some(block) => format!("{message}\n\n{block}"),
        None => message.to_owned(),
    };
    for line in box_lines(&text, options) {
        ctx.interaction.notice(&line);
    }
    let question = GateQuestion { step_id: ctx.step_id, message, options, file: file_block.as_deref() };
    loop {
        match ctx.interaction.ask_gate(&question) {
            GateAnswer::Choice(raw) => {
                if let Some(option) = pick(&raw, options) {
                    return Ok((option.to_owned(), true));
                }
                ctx.interaction.notice(&format!("  Invalid choice. Enter 1-{} or an option name.", options.len()));
            }
            GateAnswer::Eof => {
                ctx.interaction.notice("");
                let fallback = options.iter().find(|o| is_rejection(o)).or(options.last());
                return Ok((fallback.cloned().unwrap_or_default(), false));
            }
            GateAnswer::Interrupted => {
                ctx.interaction.notice("");
                return Err(StepError::Interrupted);
            }
        }
    }
}

/// The option an answer names: a decimal number 1..N (any Unicode decimal digits, as
/// Python's `isdecimal`/`int`) or an option's name, case-insensitively; both stripped.
fn pick<'a>(raw: &str, options: &'a [String]) -> Option<&'a str> {
    let raw = baton_expr::py::strip(raw);
    if !raw.is_empty() {
        let digits: Option<Vec<u32>> = raw.chars().map(baton_expr::py::decimal_value).collect();
        if let Some(digits) = digits {
            let mut n: usize = 0;
            for d in digits {
                n = n.saturating_mul(10).saturating_add(d as usize);
            }
            if (1..=options.len()).contains(&n) {
                return Some(options[n - 1].as_str());
            }
        }
    }
    let lower = raw.to_lowercase();
    options.iter().find(|o| o.to_lowercase() == lower).map(String::as_str)
}

/// The lines of `show_file` for the prompt: at most [`MAX_SHOW_FILE_LINES`] (then a
/// truncation note), control characters removed, `(file is empty)`, or one line
/// `(could not read file: <error>)`. Read as Python's text mode does: UTF-8 in 8 KiB
/// chunks, universal newlines.
pub fn read_show_file(path: &str) -> Vec<String> {
    match read_lines(path) {
        Ok((lines, truncated)) => {
            if lines.is_empty() && !truncated {
                return vec!["(file is empty)".to_owned()];
            }
            let mut lines: Vec<String> = lines.iter().map(|l| strip_controls(l)).collect();
            if truncated {
                lines.push(format!("… (output truncated at {MAX_SHOW_FILE_LINES} lines)"));
            }
            lines
        }
        Err(message) => vec![strip_controls(&format!("(could not read file: {message})"))],
    }
}

fn read_lines(path: &str) -> Result<(Vec<String>, bool), String> {
    if path.contains('\0') {
        return Err("embedded null byte".to_owned());
    }
    let os_err = |e: &std::io::Error| os_error_text(e, Some(path));
    let mut file = std::fs::File::open(Path::new(path)).map_err(|e| os_err(&e))?;
    let mut lines = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut text = String::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = loop {
            match file.read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(os_err(&e)),
            }
        };
        let eof = n == 0;
        pending.extend_from_slice(&buf[..n]);
        // Keep an unfinished sequence at the end for the next chunk (Python's
        // incremental decoder); everything else must decode.
        let keep = if eof {
            0
        } else {
            match std::str::from_utf8(&pending) {
                Err(e) if e.error_len().is_none() => pending.len() - e.valid_up_to(),
                _ => 0,
            }
        };
        let chunk: Vec<u8> = pending.drain(..pending.len() - keep).collect();
        text.push_str(&decode_strict(chunk)?);
        // Split complete lines; a `\r` at the end may be the first half of `\r\n`.
        while let Some(pos) = text.find(['\n', '\r']) {
            let is_cr = text.as_bytes()[pos] == b'\r';
            if is_cr && pos + 1 == text.len() && !eof {
                break;
            }
            let skip = if is_cr && text.as_bytes().get(pos + 1) == Some(&b'\n') { 2 } else { 1 };
            if lines.len() >= MAX_SHOW_FILE_LINES {
                return Ok((lines, true));
            }
            lines.push(text[..pos].to_owned());
            text.drain(..pos + skip);
        }
        if eof {
            if !text.is_empty() {
                if lines.len() >= MAX_SHOW_FILE_LINES {
                    return Ok((lines, true));
                }
                lines.push(std::mem::take(&mut text));
            }
            return Ok((lines, false));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_numbers_or_names() {
        let options = ["approve".to_owned(), "Reject".to_owned()];
        assert_eq!(pick(" 2 ", &options), Some("Reject"));
        assert_eq!(pick("REJECT", &options), Some("Reject"));
        assert_eq!(pick("٢", &options), Some("Reject"), "Arabic-Indic two is decimal");
        assert_eq!(pick("3", &options), None);
        assert_eq!(pick("0", &options), None);
        assert_eq!(pick("²", &options), None, "a superscript is not decimal");
        assert_eq!(pick("99999999999999999999999", &options), None);
        assert_eq!(pick("", &options), None);
    }

    #[test]
    fn the_box_matches_the_reference() {
        let lines = box_lines("Ship?\n\nnotes:", &["yes".to_owned(), "no".to_owned()]);
        assert_eq!(
            lines,
            [
                "",
                "  ┌─ Gate ─────────────────────────────────────",
                "  │ Ship?",
                "  │",
                "  │ notes:",
                "  │",
                "  │  [1] yes",
                "  │  [2] no",
                "  └────────────────────────────────────────────",
            ]
        );
    }

    #[test]
    fn control_characters_are_removed_but_tabs_kept() {
        assert_eq!(strip_controls("\u{1b}[31mred\u{7}\tx\u{9b}"), "[31mred\tx");
    }
}
