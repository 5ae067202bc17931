//! `init` (steps.md §8): scaffolds a Spec Kit project by running Spec Kit's own
//! `specify init …` (found on `PATH`, or named by `BATON_SPECIFY`) in the project root,
//! with the reference's arguments and output shape.

use baton_expr::{Map, Namespace, Value};

use super::shell::working_dir;
use super::support::{decode_lossy, os_error_text, process_env, render_if_template};
use crate::agents;
use crate::process::{self, Input, Output, ProcessSpec};
use crate::step::{Step, StepContext, StepError, StepResult};

/// The variable naming the `specify` executable to run (else `specify` on `PATH`).
pub const SPECIFY_VAR: &str = "BATON_SPECIFY";
/// The variable naming the default integration of `init` (the reference's).
pub const DEFAULT_INTEGRATION_VAR: &str = "SPECKIT_INTEGRATION_DEFAULT";
/// `specify init`'s own default integration.
pub const FALLBACK_INTEGRATION: &str = "copilot";
/// What the engine creates in a project before steps run: not a reason to refuse
/// `init` on the current directory.
const ENGINE_OWNED_DIRS: [&str; 1] = [".specify"];

/// The `init` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct Init;

/// `_resolve_bool`: a string is true iff it is `true`, `1` or `yes` (stripped, any
/// case); anything else by truthiness.
fn bool_ish(value: &Value) -> bool {
    match value {
        Value::Str(s) => matches!(baton_expr::py::strip(s).to_lowercase().as_str(), "true" | "1" | "yes"),
        other => other.truthy(),
    }
}

/// `resolve_default_init_integration`: a known `SPECKIT_INTEGRATION_DEFAULT`, else
/// `copilot` (with the reference's warning when the variable names nothing known).
fn default_integration(ctx: &StepContext<'_>) -> String {
    let raw = ctx.env.get(DEFAULT_INTEGRATION_VAR).map_or("", |v| baton_expr::py::strip(v));
    if raw.is_empty() {
        return FALLBACK_INTEGRATION.to_owned();
    }
    if agents::lookup(raw).is_some() {
        return raw.to_owned();
    }
    let mut keys: Vec<&str> = agents::INTEGRATIONS.iter().map(|i| i.key).collect();
    keys.sort_unstable();
    ctx.interaction.notice(&format!(
        "Warning: {DEFAULT_INTEGRATION_VAR}='{raw}' is not a recognized integration; falling back to \
         '{FALLBACK_INTEGRATION}'. Choose from: {}.",
        keys.join(", ")
    ));
    FALLBACK_INTEGRATION.to_owned()
}

struct Resolved {
    argv: Vec<String>,
    project: Value,
    here: bool,
    integration: Value,
    integration_options: Value,
    script: Value,
    preset: Value,
    force: bool,
    ignore_agent_tools: bool,
}

impl Resolved {
    fn output(&self, exit_code: i64, stdout: &str, stderr: &str) -> Map {
        Map::from_iter([
            ("argv".to_owned(), Value::List(self.argv.iter().map(|a| Value::from(a.as_str())).collect())),
            ("project".to_owned(), self.project.clone()),
            ("here".to_owned(), Value::Bool(self.here)),
            ("integration".to_owned(), self.integration.clone()),
            ("integration_options".to_owned(), self.integration_options.clone()),
            ("script".to_owned(), self.script.clone()),
            ("preset".to_owned(), self.preset.clone()),
            ("force".to_owned(), Value::Bool(self.force)),
            ("ignore_agent_tools".to_owned(), Value::Bool(self.ignore_agent_tools)),
            ("exit_code".to_owned(), Value::from(exit_code)),
            ("stdout".to_owned(), Value::from(stdout)),
            ("stderr".to_owned(), Value::from(stderr)),
        ])
    }

    fn failed(&self, message: String) -> StepResult {
        StepResult::failed(self.output(1, "", &message), message)
    }
}

fn resolve(config: &Map, key: &str, ns: &dyn Namespace) -> Result<Value, StepError> {
    render_if_template(config.get(key).unwrap_or(&Value::Null), ns)
}

impl Step for Init {
    fn type_key(&self) -> &str {
        "init"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let project = resolve(config, "project", ctx)?;
        let here = bool_ish(&resolve(config, "here", ctx)?);
        let mut integration = resolve(config, "integration", ctx)?;
        if !integration.truthy() {
            let default = ctx.default_integration.map_or(Value::Null, Value::from);
            integration = render_if_template(&default, ctx)?;
        }
        if !integration.truthy() {
            integration = Value::from(default_integration(ctx));
        }
        let integration_options = resolve(config, "integration_options", ctx)?;
        let script = resolve(config, "script", ctx)?;
        let preset = resolve(config, "preset", ctx)?;
        let force = bool_ish(&resolve(config, "force", ctx)?);
        let ignore_agent_tools = match config.get("ignore_agent_tools") {
            None | Some(Value::Null) => true,
            Some(value) => bool_ish(&render_if_template(value, ctx)?),
        };

        let mut argv = vec!["init".to_owned()];
        if here {
            argv.push("--here".to_owned());
        } else if project.truthy() {
            argv.push(project.py_str());
        } else {
            argv.push(".".to_owned());
        }
        for (flag, value) in [
            ("--integration", &integration),
            ("--integration-options", &integration_options),
            ("--script", &script),
            ("--preset", &preset),
        ] {
            if value.truthy() {
                argv.push(flag.to_owned());
                argv.push(value.py_str());
            }
        }
        if ignore_agent_tools {
            argv.push("--ignore-agent-tools".to_owned());
        }
        let mut resolved = Resolved {
            argv,
            project,
            here,
            integration,
            integration_options,
            script,
            preset,
            force,
            ignore_agent_tools,
        };

        // `specify init` on a non-empty current directory asks for confirmation, which
        // an unattended run cannot give: fail fast, unless only the engine's own
        // `.specify` is there (then merge with --force).
        let targets_current_dir = here || !resolved.project.truthy() || resolved.project.py_str() == ".";
        if targets_current_dir && !force {
            let base = working_dir(ctx.project_root);
            let shown = base.display().to_string();
            let entries = match std::fs::read_dir(base) {
                Ok(entries) => entries,
                Err(e) => {
                    let message = format!(
                        "Cannot inspect target directory {}: {}",
                        baton_expr::py::str_repr(&shown),
                        os_error_text(&e, Some(&shown))
                    );
                    return Ok(resolved.failed(message));
                }
            };
            let mut engine_dirs = false;
            for entry in entries {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        let message = format!(
                            "Cannot inspect target directory {}: {}",
                            baton_expr::py::str_repr(&shown),
                            os_error_text(&e, Some(&shown))
                        );
                        return Ok(resolved.failed(message));
                    }
                };
                let engine_owned = ENGINE_OWNED_DIRS.iter().any(|d| entry.file_name() == *d)
                    && entry.file_type().is_ok_and(|t| t.is_dir());
                if !engine_owned {
                    let message = format!(
                        "Target directory {} is not empty. Set 'force: true' to merge into a non-empty directory.",
                        baton_expr::py::str_repr(&shown)
                    );
                    return Ok(resolved.failed(message));
                }
                engine_dirs = true;
            }
            if engine_dirs {
                resolved.force = true;
            }
        }
        if resolved.force {
            resolved.argv.push("--force".to_owned());
        }
        run_specify(&resolved, ctx)
    }
}

/// Runs `specify <argv>` in the project root with no input (as the reference's
/// in-process runner), and judges its outcome as the reference does.
fn run_specify(resolved: &Resolved, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
    let specify = match ctx.env.get(SPECIFY_VAR).filter(|v| !v.trim().is_empty()) {
        Some(exe) => Some(exe.clone()),
        None => ctx.host.which("specify"),
    };
    let Some(specify) = specify else {
        return Ok(resolved.failed(
            "`specify` (Spec Kit's CLI) was not found on PATH: install it with \
             `uv tool install specify-cli` or set `BATON_SPECIFY` to its path"
                .to_owned(),
        ));
    };
    let mut argv: Vec<std::ffi::OsString> = vec![specify.clone().into()];
    argv.extend(resolved.argv.iter().map(Into::into));
    let spec = ProcessSpec {
        argv,
        cwd: working_dir(ctx.project_root).to_path_buf(),
        env: process_env(ctx.env),
        stdin: Input::Bytes(Vec::new()),
        output: Output::Capture { max_bytes: None },
        timeout: None,
        own_group: true,
        foreground: false,
    };
    let done = match process::run(&spec, ctx.cancel) {
        Ok(done) => done,
        Err(e) => {
            let message = format!("Cannot run {}: {}", baton_expr::py::str_repr(&specify), os_error_text(&e, Some(&specify)));
            return Ok(resolved.failed(message));
        }
    };
    if done.interrupted {
        return Err(StepError::Interrupted);
    }
    let exit_code: i64 = done.exit.map_or(-1, process::Exit::returncode).into();
    let stdout = decode_lossy(&done.stdout, true);
    let mut stderr = decode_lossy(&done.stderr, true);
    if exit_code != 0 && baton_expr::py::strip(&stderr).is_empty() {
        stderr = baton_expr::py::strip(&stdout).to_owned();
    }
    let output = resolved.output(exit_code, &stdout, &stderr);
    if exit_code == 0 {
        return Ok(StepResult::completed(output));
    }
    let error = [&stderr, &stdout]
        .into_iter()
        .map(|s| baton_expr::py::strip(s))
        .find(|s| !s.is_empty())
        .map_or_else(|| format!("specify init exited with code {exit_code}."), str::to_owned);
    Ok(StepResult::failed(output, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_ish_values() {
        for yes in [Value::from(" YES "), Value::from("1"), Value::from("true"), Value::Bool(true), Value::from(2)] {
            assert!(bool_ish(&yes), "{yes:?}");
        }
        for no in [Value::from("no"), Value::from("on"), Value::from(""), Value::Null, Value::from(0)] {
            assert!(!bool_ish(&no), "{no:?}");
        }
    }
}
