//! Running one baton command for a tool call, and turning its outcome into a tool
//! result.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{json, Value};

/// A baton command line, and where to run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The arguments after `baton`.
    pub args: Vec<OsString>,
    /// The working directory (the project).
    pub cwd: PathBuf,
    /// Whether the project was named by the caller (then `SPECIFY_INIT_DIR` of the
    /// server's environment must not redirect the command elsewhere).
    pub explicit_project: bool,
}

/// What a finished command gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs `exe` with the invocation: stdin closed (never the MCP stream), stdout and
/// stderr captured, `NO_COLOR=1`. The child is killed if the call is cancelled.
pub async fn run(exe: &Path, invocation: &Invocation) -> std::io::Result<Outcome> {
    let mut command = tokio::process::Command::new(exe);
    command
        .args(&invocation.args)
        .current_dir(&invocation.cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if invocation.explicit_project {
        command.env_remove("SPECIFY_INIT_DIR");
    }
    let output = command.output().await?;
    Ok(Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// The tool result of a JSON command: its JSON object as structured content (a
/// non-object is wrapped as `{"result": …}`) and as text; on a non-zero exit,
/// `isError: true` with the stderr text (stdout when stderr is empty).
pub fn json_result(outcome: &Outcome) -> CallToolResult {
    let parsed = parse_json(&outcome.stdout).or_else(|| {
        // Project errors under `--json` are one JSON line on stderr.
        if outcome.code == Some(0) {
            None
        } else {
            parse_json(&outcome.stderr)
        }
    });
    let structured = parsed.map(|v| {
        if v.is_object() {
            v
        } else {
            json!({ "result": v })
        }
    });
    if outcome.code == Some(0) {
        let structured =
            structured.unwrap_or_else(|| json!({ "output": outcome.stdout.trim_end() }));
        let text = serde_json::to_string_pretty(&structured).unwrap_or_default();
        let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
        result.structured_content = Some(structured);
        result
    } else {
        error_result(outcome, structured)
    }
}

/// The tool result of a text command (`graph`): stdout as text; errors as
/// [`json_result`] does.
pub fn text_result(outcome: &Outcome) -> CallToolResult {
    if outcome.code == Some(0) {
        CallToolResult::success(vec![ContentBlock::text(outcome.stdout.clone())])
    } else {
        error_result(outcome, None)
    }
}

fn error_result(outcome: &Outcome, structured: Option<Value>) -> CallToolResult {
    let text = failure_text(outcome);
    let structured =
        structured.unwrap_or_else(|| json!({ "error": text, "exit_code": outcome.code }));
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    result.structured_content = Some(structured);
    result
}

/// What a failed command said: stderr, else stdout, else its exit status.
fn failure_text(outcome: &Outcome) -> String {
    let stderr = outcome.stderr.trim();
    let stdout = outcome.stdout.trim();
    if !stderr.is_empty() {
        stderr.to_owned()
    } else if !stdout.is_empty() {
        stdout.to_owned()
    } else {
        match outcome.code {
            Some(code) => format!("baton exited with code {code}"),
            None => "baton was ended by a signal".to_owned(),
        }
    }
}

fn parse_json(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(code: i32, stdout: &str, stderr: &str) -> Outcome {
        Outcome {
            code: Some(code),
            stdout: stdout.to_owned(),
            stderr: stderr.to_owned(),
        }
    }

    #[test]
    fn success_carries_the_json_object() {
        let r = json_result(&outcome(0, "{\n  \"status\": \"paused\"\n}\n", ""));
        assert_eq!(r.is_error, Some(false));
        assert_eq!(r.structured_content, Some(json!({"status": "paused"})));
    }

    #[test]
    fn a_list_is_wrapped() {
        let r = json_result(&outcome(0, "[1, 2]", ""));
        assert_eq!(r.structured_content, Some(json!({"result": [1, 2]})));
    }

    #[test]
    fn failure_is_a_tool_error_with_stderr() {
        let r = json_result(&outcome(1, "", "Error: Run not found: abc\n"));
        assert_eq!(r.is_error, Some(true));
        assert_eq!(
            r.structured_content,
            Some(json!({"error": "Error: Run not found: abc", "exit_code": 1}))
        );
        let r = json_result(&outcome(
            1,
            "",
            "{\"error\": \"Not a Spec Kit project (no .specify/ directory)\"}\n",
        ));
        assert_eq!(
            r.structured_content,
            Some(json!({"error": "Not a Spec Kit project (no .specify/ directory)"}))
        );
        let r = json_result(&outcome(1, "{\"valid\": false}", ""));
        assert_eq!(r.is_error, Some(true));
        assert_eq!(r.structured_content, Some(json!({"valid": false})));
    }
}
