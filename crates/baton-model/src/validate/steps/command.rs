//! `command` steps, the default type (steps.md §5).

use super::capture::{capture_rules, dispatch_rules, timeout_rule};
use super::StepCx;
use crate::codes;
use crate::validate::py::{entries, items, type_name};
use crate::validate::Out;
use crate::yaml::Yaml;

/// `CommandStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    match cx.get("command") {
        None => {
            let hint = if cx.has("type") {
                "add `command: <agent command>`, e.g. `command: speckit.plan`".to_owned()
            } else {
                "a step without `type` is a command step: add `command: <agent command>` or a `type:`"
                    .to_owned()
            };
            out.error_hint(
                codes::COMMAND_MISSING,
                format!("Command step {} is missing 'command' field.", cx.id),
                cx.span("command"),
                Some(hint),
            );
        }
        Some(command) if !matches!(command.value, Yaml::Str(_)) => out.error(
            codes::COMMAND_TYPE,
            format!("Command step {}: 'command' must be a string, got {}.", cx.id, type_name(command)),
            Some(command.span),
        ),
        Some(_) => {}
    }
    for key in ["input", "options"] {
        if let Some(value) = cx.get(key) {
            if entries(value).is_none() {
                out.error(
                    codes::COMMAND_FIELD_TYPE,
                    format!("Command step {}: '{key}' must be a mapping.", cx.id),
                    Some(value.span),
                );
            }
        }
    }
    if let Some(args) = cx.get("integration_args") {
        match items(args) {
            None => out.error(
                codes::COMMAND_FIELD_TYPE,
                format!("Command step {}: 'integration_args' must be a list.", cx.id),
                Some(args.span),
            ),
            Some(list) => {
                for (index, arg) in list.iter().enumerate() {
                    if !matches!(arg.value, Yaml::Str(_)) {
                        out.error(
                            codes::COMMAND_FIELD_TYPE,
                            format!(
                                "Command step {}: 'integration_args[{index}]' must be a string.",
                                cx.id
                            ),
                            Some(arg.span),
                        );
                    }
                }
            }
        }
    }
    if let Some(options) = cx.get("integration_options") {
        match entries(options) {
            None => out.error(
                codes::COMMAND_FIELD_TYPE,
                format!("Command step {}: 'integration_options' must be a mapping.", cx.id),
                Some(options.span),
            ),
            Some(fields) => {
                if let Some((key, _)) = fields.iter().find(|(k, _)| !matches!(k.value, Yaml::Str(_))) {
                    out.error(
                        codes::COMMAND_FIELD_TYPE,
                        format!("Command step {}: 'integration_options' keys must be strings.", cx.id),
                        Some(key.span),
                    );
                }
            }
        }
    }
    dispatch_rules(cx, "Command", out);
    capture_rules(cx, "Command", out);
    // A streaming command has no timeout: it is checked only with `capture: true`.
    if cx.get("capture").is_some_and(|c| matches!(c.value, Yaml::Bool(true))) {
        timeout_rule(cx, "Command", out);
    }
}
