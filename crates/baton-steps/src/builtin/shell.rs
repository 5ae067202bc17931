//! `shell` (steps.md §4): `/bin/sh -c <run>` in the project root, stdout and stderr
//! captured and decoded strictly, `output_format: json`, a `timeout` (default 300 s)
//! that ends the command's whole process group (DESIGN §1.5), Ctrl-C pausing the run.

use std::path::Path;

use baton_expr::{Map, Value};

use super::support::{
    decode_strict, id_repr, os_error_text, process_env, render_if_template, timeout_field,
    universal_newlines,
};
use crate::process::{self, Input, Output, ProcessSpec};
use crate::step::{Step, StepContext, StepError, StepResult};

/// The default timeout of a shell step, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 300;

/// The `shell` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct Shell;

fn output(exit_code: i64, stdout: impl Into<Value>, stderr: impl Into<Value>) -> Map {
    Map::from_iter([
        ("exit_code".to_owned(), Value::from(exit_code)),
        ("stdout".to_owned(), stdout.into()),
        ("stderr".to_owned(), stderr.into()),
    ])
}

/// The working directory of a step's process: the project root (`.` when unset).
pub(crate) fn working_dir(root: &Path) -> &Path {
    if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    }
}

impl Step for Shell {
    fn type_key(&self) -> &str {
        "shell"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let run = config.get("run").cloned().unwrap_or_else(|| Value::from(""));
        let run = render_if_template(&run, ctx)?.py_str();
        let timeout = match timeout_field(config, "Shell", DEFAULT_TIMEOUT_SECS) {
            Ok(t) => t,
            Err(message) => return Ok(StepResult::failed(output(-1, "", "invalid timeout"), message)),
        };

        let mut env = ctx.env.clone();
        env.remove("SPECKIT_WORKFLOW_DIR");
        if let Some(dir) = ctx.workflow_dir.filter(|d| !d.as_os_str().is_empty()) {
            env.insert("SPECKIT_WORKFLOW_DIR".to_owned(), dir.to_string_lossy().into_owned());
        }
        let cwd = working_dir(ctx.project_root);
        let spec = ProcessSpec {
            argv: vec!["/bin/sh".into(), "-c".into(), run.into()],
            cwd: cwd.to_path_buf(),
            env: process_env(&env),
            stdin: Input::Inherit,
            output: Output::Capture { max_bytes: None },
            timeout: timeout.duration,
            own_group: true,
            foreground: !ctx.inside_fan_out,
        };
        let done = match process::run(&spec, ctx.cancel) {
            Ok(done) => done,
            Err(err) => {
                let culprit = if cwd.is_dir() { "/bin/sh".to_owned() } else { cwd.display().to_string() };
                let text = os_error_text(&err, Some(&culprit));
                return Ok(StepResult::failed(
                    output(-1, "", text.as_str()),
                    format!("Shell command failed: {text}"),
                ));
            }
        };
        if done.interrupted {
            return Err(StepError::Interrupted);
        }
        if done.timed_out {
            return Ok(StepResult::failed(
                output(-1, "", "timeout"),
                format!("Shell command timed out after {} seconds.", timeout.display()),
            ));
        }
        let exit_code = done.exit.map_or(-1, process::Exit::returncode);
        // Python decodes stdout, then stderr; a decoding error escapes the step.
        let stdout = universal_newlines(decode_strict(done.stdout).map_err(StepError::Raised)?);
        let stderr = universal_newlines(decode_strict(done.stderr).map_err(StepError::Raised)?);
        let mut out = output(exit_code.into(), stdout.as_str(), stderr);
        if exit_code != 0 {
            return Ok(StepResult::failed(out, format!("Shell command exited with code {exit_code}.")));
        }
        if config.get("output_format").and_then(Value::as_str) == Some("json") {
            match baton_expr::json::loads(&stdout) {
                Ok(data) => {
                    out.insert("data".to_owned(), data);
                }
                Err(e @ baton_expr::json::JsonError::Decode { .. }) => {
                    return Ok(StepResult::failed(
                        out,
                        format!(
                            "Shell step {} declared output_format: json but stdout is not valid JSON: {e}",
                            id_repr(config)
                        ),
                    ));
                }
                // Python raises something other than a JSONDecodeError here (a
                // ValueError for a huge integer, a RecursionError): it escapes.
                Err(e) => return Err(StepError::Raised(e.to_string())),
            }
        }
        Ok(StepResult::completed(out))
    }
}
