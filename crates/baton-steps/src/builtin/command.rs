//! `command` (steps.md §5, the default type): sends a Spec Kit command to the
//! integration's agent CLI, streaming by default or captured with `capture: true`.

use baton_expr::{Map, Value};

use super::dispatch::{
    capture_mode, mode, not_dispatched, request_timeout, resolve_fallback, run_agent, string_or_null,
};
use super::support::{id_repr, render_value, timeout_field, Timeout};
use crate::agents::{self, cannot_dispatch_command, DispatchError, Outcome, Request, Task};
use crate::step::{Step, StepContext, StepError, StepResult};

/// The timeout of a captured command, in seconds (a streaming command has none).
pub const DEFAULT_CAPTURE_TIMEOUT_SECS: u64 = 600;

/// The `command` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct Command;

fn fail(message: String) -> Result<StepResult, StepError> {
    Ok(StepResult::failed(Map::new(), message))
}

impl Step for Command {
    fn type_key(&self) -> &str {
        "command"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let id = id_repr(config);
        let command = match config.get("command") {
            None => String::new(),
            Some(Value::Str(s)) => s.clone(),
            Some(other) => {
                return fail(format!("Command step {id}: 'command' must be a string, got {}.", other.type_name()))
            }
        };
        let input = match config.get("input") {
            None => Map::new(),
            Some(Value::Map(m)) => m.clone(),
            Some(other) => {
                return fail(format!("Command step {id}: 'input' must be a mapping, got {}.", other.type_name()))
            }
        };
        let mut resolved_input = Map::new();
        for (key, value) in &input {
            resolved_input.insert(key.clone(), render_value(value, ctx)?);
        }
        let integration = resolve_fallback(config, "integration", ctx.default_integration, ctx)?;
        let model = resolve_fallback(config, "model", ctx.default_model, ctx)?;
        for (value, key) in [(&integration, "integration"), (&model, "model")] {
            if let Err(message) = string_or_null(value, key, "Command", config) {
                return fail(message);
            }
        }
        let mut options = ctx.default_options.clone();
        match config.get("options") {
            None => {}
            Some(Value::Map(m)) => options.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            Some(other) => {
                return fail(format!("Command step {id}: 'options' must be a mapping, got {}.", other.type_name()))
            }
        }

        let integration_args = match config.get("integration_args") {
            None => Vec::new(),
            Some(Value::List(items)) => {
                let mut resolved = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    match render_value(item, ctx)? {
                        Value::Str(s) => resolved.push(s),
                        other => {
                            return fail(format!(
                                "Command step {id}: 'integration_args[{index}]' must resolve to a string, got {}.",
                                other.type_name()
                            ))
                        }
                    }
                }
                resolved
            }
            Some(_) => return fail(format!("Command step {id}: 'integration_args' must be a list.")),
        };
        let integration_options = match config.get("integration_options") {
            None => Map::new(),
            Some(Value::Map(m)) => {
                let mut resolved = Map::new();
                for (key, value) in m {
                    resolved.insert(key.clone(), render_value(value, ctx)?);
                }
                resolved
            }
            Some(_) => return fail(format!("Command step {id}: 'integration_options' must be a mapping.")),
        };

        let capture = match capture_mode(config, "Command") {
            Ok(c) => c,
            Err(message) => return fail(message),
        };
        let timeout = if capture.is_some() {
            match timeout_field(config, "Command", DEFAULT_CAPTURE_TIMEOUT_SECS) {
                Ok(t) => t,
                Err(message) => return fail(message),
            }
        } else {
            Timeout::default_secs(DEFAULT_CAPTURE_TIMEOUT_SECS)
        };

        let args = resolved_input.get("args").map_or_else(String::new, Value::py_str);
        let mut output = Map::from_iter([
            ("command".to_owned(), Value::from(command.as_str())),
            ("integration".to_owned(), integration.clone()),
            ("model".to_owned(), model.clone()),
            ("options".to_owned(), Value::Map(options)),
            ("input".to_owned(), Value::Map(resolved_input)),
            (
                "integration_args".to_owned(),
                Value::List(integration_args.iter().map(|a| Value::from(a.as_str())).collect()),
            ),
            ("integration_options".to_owned(), Value::Map(integration_options.clone())),
        ]);

        let option_pairs: Vec<(String, Option<String>)> = integration_options
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned)))
            .collect();
        let request = Request {
            integration: integration.as_str(),
            model: model.as_str(),
            task: Task::Command {
                command: &command,
                args: &args,
                integration_args: &integration_args,
                integration_options: &option_pairs,
            },
            project_root: ctx.project_root,
            mode: mode(capture),
            timeout: request_timeout(&timeout),
        };
        let plan = match agents::plan(&request, ctx.env, ctx.host) {
            Ok(plan) => plan,
            Err(err @ (DispatchError::Config(_) | DispatchError::CaptureUnsupported { .. })) => {
                not_dispatched(&mut output, None, ctx);
                return Ok(StepResult::failed(output, format!("Command step {id}: {err}")));
            }
        };
        for warning in &plan.warnings {
            ctx.interaction.notice(warning);
        }
        let not_dispatchable = |mut output: Map, why| {
            not_dispatched(&mut output, why, ctx);
            Ok(StepResult::failed(output, cannot_dispatch_command(&command, integration.as_str())))
        };
        let dispatch = match plan.outcome {
            Outcome::Dispatch(d) => d,
            Outcome::NotDispatchable(why) => return not_dispatchable(output, Some(&why)),
        };
        let Some(run) = run_agent(&dispatch, ctx, None)? else {
            return not_dispatchable(output, None);
        };
        run.record(&mut output);
        if run.exit_code != 0 {
            let error = run.error("Command", &timeout);
            return Ok(StepResult::failed(output, error));
        }
        Ok(StepResult::completed(output))
    }
}
