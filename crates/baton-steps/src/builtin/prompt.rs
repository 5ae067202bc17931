//! `prompt` (steps.md §6): sends free text to the integration's agent CLI, streaming
//! or captured, always bounded by the step's `timeout` (default 300 s).

use baton_expr::{Map, Value};

use super::dispatch::{capture_mode, mode, not_dispatched, request_timeout, resolve_fallback, run_agent, string_or_null};
use super::support::{render_value, timeout_field};
use crate::agents::{self, cannot_dispatch_prompt, Outcome, Request, Task};
use crate::step::{Step, StepContext, StepError, StepResult};

/// The default timeout of a prompt step, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 300;

/// The `prompt` step type.
#[derive(Debug, Default, Clone, Copy)]
pub struct Prompt;

fn fail(message: String) -> Result<StepResult, StepError> {
    Ok(StepResult::failed(Map::new(), message))
}

impl Step for Prompt {
    fn type_key(&self) -> &str {
        "prompt"
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let template = config.get("prompt").cloned().unwrap_or_else(|| Value::from(""));
        let prompt = match render_value(&template, ctx)? {
            Value::Str(s) => s,
            other => other.py_str(),
        };
        let integration = resolve_fallback(config, "integration", ctx.default_integration, ctx)?;
        let model = resolve_fallback(config, "model", ctx.default_model, ctx)?;
        for (value, key) in [(&integration, "integration"), (&model, "model")] {
            if let Err(message) = string_or_null(value, key, "Prompt", config) {
                return fail(message);
            }
        }
        let timeout = match timeout_field(config, "Prompt", DEFAULT_TIMEOUT_SECS) {
            Ok(t) => t,
            Err(message) => return fail(message),
        };
        let capture = match capture_mode(config, "Prompt") {
            Ok(c) => c,
            Err(message) => return fail(message),
        };

        let request = Request {
            integration: integration.as_str(),
            model: model.as_str(),
            task: Task::Prompt { text: &prompt },
            project_root: ctx.project_root,
            mode: mode(capture),
            timeout: request_timeout(&timeout),
        };
        // The reference's ValueError here (docker-agent without an agent reference, an
        // unparseable *_EXTRA_ARGS) escapes the step: the run fails, no record.
        let plan = agents::plan(&request, ctx.env, ctx.host).map_err(|e| StepError::Raised(e.to_string()))?;
        for warning in &plan.warnings {
            ctx.interaction.notice(warning);
        }
        let mut output = Map::from_iter([
            ("prompt".to_owned(), Value::from(prompt.as_str())),
            ("integration".to_owned(), integration.clone()),
            ("model".to_owned(), model.clone()),
        ]);
        let not_dispatchable = |mut output: Map, why| {
            not_dispatched(&mut output, why, ctx);
            Ok(StepResult::failed(output, cannot_dispatch_prompt(integration.as_str())))
        };
        let dispatch = match plan.outcome {
            Outcome::Dispatch(d) => d,
            Outcome::NotDispatchable(why) => return not_dispatchable(output, Some(&why)),
        };
        let timeout_message = format!("Prompt timed out after {} seconds.", timeout.display());
        let Some(run) = run_agent(&dispatch, ctx, Some(timeout_message))? else {
            return not_dispatchable(output, None);
        };
        run.record(&mut output);
        if run.exit_code != 0 {
            let error = run.error("Prompt", &timeout);
            return Ok(StepResult::failed(output, error));
        }
        Ok(StepResult::completed(output))
    }
}
