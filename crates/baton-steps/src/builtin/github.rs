//! `github` (steps.md §17): adds one label to an issue or pull request through the
//! `gh` CLI (`gh api`), checking what GitHub answers; never records `gh`'s stderr.

use std::time::Duration;

use baton_expr::{Map, Value};
use num_traits::Signed;

use super::casefold::casefold;
use super::shell::working_dir;
use super::support::{decode_strict, os_error_text, process_env, render_if_template, universal_newlines};
use crate::process::{self, Input, Output, ProcessSpec};
use crate::step::{Step, StepContext, StepError, StepResult};

/// Each `gh` call's time limit.
pub const GH_TIMEOUT: Duration = Duration::from_secs(60);

/// The keys a github step may carry.
const ALLOWED: [&str; 8] = ["id", "type", "operation", "target", "repository", "number", "label", "continue_on_error"];

const NUMBER_MESSAGE: &str = "'number' must be a positive integer";
const REPOSITORY_MESSAGE: &str = "'repository' must be a GitHub owner/repo name";
const LABEL_MESSAGE: &str =
    "'label' must be a non-empty label name of at most 50 characters without control characters";

/// The `github` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct GitHub;

fn is_template(value: &Value) -> bool {
    matches!(value, Value::Str(s) if s.contains("{{"))
}

/// `_number`: a positive int (not a bool) or a digit string without a leading zero.
fn number(value: &Value) -> Result<Value, String> {
    match value {
        Value::Int(i) if i.is_positive() => Ok(value.clone()),
        Value::Str(s)
            if !s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            baton_expr::py::parse_int(s).map(Value::Int).map_err(|_| NUMBER_MESSAGE.to_owned())
        }
        _ => Err(NUMBER_MESSAGE.to_owned()),
    }
}

/// `_repository`: `owner/repo` of `[A-Za-z0-9_.-]`, neither part `.` nor `..`.
fn repository(value: &Value) -> Result<String, String> {
    let valid = |s: &str| {
        let parts: Vec<&str> = s.split('/').collect();
        parts.len() == 2
            && parts.iter().all(|p| {
                !p.is_empty()
                    && *p != "."
                    && *p != ".."
                    && p.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            })
    };
    match value {
        Value::Str(s) if valid(s) => Ok(s.clone()),
        _ => Err(REPOSITORY_MESSAGE.to_owned()),
    }
}

/// `_label`: non-blank, at most 50 characters, no control character below 0x20 or 0x7f.
fn label(value: &Value) -> Result<String, String> {
    match value {
        Value::Str(s)
            if !baton_expr::py::strip(s).is_empty()
                && s.chars().count() <= 50
                && !s.chars().any(|c| (c as u32) < 32 || c as u32 == 127) =>
        {
            Ok(s.clone())
        }
        _ => Err(LABEL_MESSAGE.to_owned()),
    }
}

/// `GitHubStep.validate` (the engine validates before running; the step checks again).
fn validate(config: &Map) -> Vec<String> {
    let mut errors = Vec::new();
    if config.get("operation").and_then(Value::as_str) != Some("add-label") {
        errors.push("GitHub step 'operation' must be add-label.".to_owned());
    }
    if !matches!(config.get("target").and_then(Value::as_str), Some("issue" | "pull_request")) {
        errors.push("GitHub step 'target' must be issue or pull_request.".to_owned());
    }
    for key in config.keys().filter(|k| !ALLOWED.contains(&k.as_str())) {
        errors.push(format!("GitHub step has unsupported field {}.", baton_expr::py::str_repr(key)));
    }
    type Check = fn(&Value) -> Result<(), String>;
    let checks: [(&str, Check); 3] = [
        ("number", |v| number(v).map(drop)),
        ("repository", |v| repository(v).map(drop)),
        ("label", |v| label(v).map(drop)),
    ];
    for (key, check) in checks {
        match config.get(key) {
            None => errors.push(format!("GitHub step requires '{key}'.")),
            Some(value) if !is_template(value) => errors.extend(check(value).err()),
            Some(_) => {}
        }
    }
    errors
}

/// Why the step failed (`GitHub step: <message>`), or the run was interrupted.
enum Failure {
    Message(String),
    Interrupted,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

impl Step for GitHub {
    fn type_key(&self) -> &str {
        "github"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        match add_label(config, ctx) {
            Ok(output) => Ok(StepResult::completed(output)),
            Err(Failure::Message(message)) => Ok(StepResult::failed(Map::new(), format!("GitHub step: {message}"))),
            Err(Failure::Interrupted) => Err(StepError::Interrupted),
        }
    }
}

fn field<'a>(config: &'a Map, key: &str) -> &'a Value {
    config.get(key).unwrap_or(&Value::Null)
}

fn add_label(config: &Map, ctx: &StepContext<'_>) -> Result<Map, Failure> {
    let errors = validate(config);
    if !errors.is_empty() {
        return Err(errors.join("; ").into());
    }
    let resolve = |key| render_if_template(field(config, key), ctx).map_err(|e| Failure::Message(e.to_string()));
    let number = number(&resolve("number")?)?;
    let label = label(&resolve("label")?)?;
    let repository = repository(&resolve("repository")?)?;
    let target = field(config, "target").as_str().unwrap_or_default().to_owned();
    let n = number.py_str();
    let url = format!("https://api.github.com/repos/{repository}");
    let kind = if target == "pull_request" { "pulls" } else { "issues" };

    let resource = api(ctx, &format!("{url}/{kind}/{n}"), None)?;
    let matches = match &resource {
        Value::Map(m) => {
            m.get("number").is_some_and(|v| v.py_eq(&number)) && !(target == "issue" && m.contains_key("pull_request"))
        }
        _ => false,
    };
    if !matches {
        return Err(format!("GitHub {target} #{n} does not match the requested target").into());
    }
    let labels = match &resource {
        Value::Map(m) => m.get("labels").cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let existing = label_names(&labels)?;
    let mut output = Map::from_iter([
        ("repository".to_owned(), Value::from(repository.as_str())),
        ("target".to_owned(), Value::from(target.as_str())),
        ("number".to_owned(), number.clone()),
        ("label".to_owned(), Value::from(label.as_str())),
        ("added".to_owned(), Value::Bool(false)),
    ]);
    let folded = casefold(&label);
    if existing.contains(&folded) {
        return Ok(output);
    }
    let applied = api(ctx, &format!("{url}/issues/{n}/labels"), Some(&label))?;
    if !label_names(&applied)?.contains(&folded) {
        return Err(format!(
            "GitHub did not apply label {} to {target} #{n}",
            baton_expr::py::str_repr(&label)
        )
        .into());
    }
    output.insert("added".to_owned(), Value::Bool(true));
    Ok(output)
}

/// `_label_names`: a list of `{name: str}` mappings, case-folded.
fn label_names(value: &Value) -> Result<Vec<String>, String> {
    let invalid = || "GitHub returned an invalid label list".to_owned();
    let Value::List(items) = value else { return Err(invalid()) };
    items
        .iter()
        .map(|item| match item {
            Value::Map(m) => m.get("name").and_then(Value::as_str).map(casefold).ok_or_else(invalid),
            _ => Err(invalid()),
        })
        .collect()
}

/// One `gh api` call: GET, or POST of `{"labels": [label]}` on stdin; the JSON answer.
fn api(ctx: &StepContext<'_>, endpoint: &str, post_label: Option<&str>) -> Result<Value, Failure> {
    let method = if post_label.is_some() { "POST" } else { "GET" };
    let mut args: Vec<String> = ["gh", "api", "--method", method, endpoint].map(str::to_owned).to_vec();
    let mut stdin = Input::Inherit;
    if let Some(label) = post_label {
        args.extend(["--header", "Content-Type: application/json", "--input", "-"].map(str::to_owned));
        let body = Value::Map(Map::from_iter([(
            "labels".to_owned(),
            Value::List(vec![Value::from(label)]),
        )]));
        let text = baton_expr::json::dumps(&body, &baton_expr::json::DumpOptions::default())
            .map_err(|e| Failure::Message(e.to_string()))?;
        stdin = Input::Bytes(text.into_bytes());
    }
    let root = std::path::absolute(working_dir(ctx.project_root)).unwrap_or_else(|_| ctx.project_root.to_path_buf());
    let spec = ProcessSpec {
        argv: args.iter().map(Into::into).collect(),
        cwd: root,
        env: process_env(ctx.env),
        stdin,
        output: Output::Capture { max_bytes: None },
        timeout: Some(GH_TIMEOUT),
        own_group: true,
        foreground: false,
    };
    let done = process::run(&spec, ctx.cancel)
        .map_err(|e| Failure::Message(format!("gh request failed: {}", os_error_text(&e, Some("gh")))))?;
    if done.interrupted {
        return Err(Failure::Interrupted);
    }
    if done.timed_out {
        let argv = Value::List(args.iter().map(|a| Value::from(a.as_str())).collect());
        return Err(format!(
            "gh request failed: Command '{}' timed out after {} seconds",
            argv.py_repr(),
            GH_TIMEOUT.as_secs()
        )
        .into());
    }
    let code = done.exit.map_or(-1, process::Exit::returncode);
    if code != 0 {
        return Err(format!("gh request failed (exit code {code})").into());
    }
    // Python decodes both streams (text=True): a decoding error is a ValueError too.
    let stdout = universal_newlines(decode_strict(done.stdout)?);
    decode_strict(done.stderr)?;
    baton_expr::json::loads(baton_expr::py::strip(&stdout))
        .map_err(|_| Failure::Message(format!("GitHub returned invalid JSON for {endpoint}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_rules() {
        assert!(number(&Value::from(7)).is_ok());
        assert_eq!(number(&Value::from("12")), Ok(Value::from(12)));
        for bad in [Value::from(0), Value::from(-1), Value::Bool(true), Value::from("012"), Value::from("1a"), Value::from("")] {
            assert!(number(&bad).is_err(), "{bad:?}");
        }
        assert!(repository(&Value::from("octo/demo.js")).is_ok());
        for bad in ["not a repo", "o/..", "./r", "o/r/x", "o/", "ö/r"] {
            assert!(repository(&Value::from(bad)).is_err(), "{bad}");
        }
        assert!(label(&Value::from("needs review")).is_ok());
        for bad in ["", "  ", "a\tb", &"x".repeat(51)] {
            assert!(label(&Value::from(bad)).is_err(), "{bad:?}");
        }
    }
}
