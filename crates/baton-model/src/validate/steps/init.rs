//! `init` steps (steps.md §8): only `script` is validated.

use super::{value_hint, StepCx};
use crate::codes;
use crate::validate::Out;
use crate::yaml::Yaml;

/// The script kinds `specify init --script` accepts.
const SCRIPT_TYPES: [&str; 3] = ["sh", "ps", "py"];

/// `InitStep.validate`.
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    let Some(script) = cx.get("script") else { return };
    match &script.value {
        Yaml::Null => {}
        Yaml::Str(s) => {
            if !s.contains("{{") && !SCRIPT_TYPES.contains(&s.as_str()) {
                out.error_hint(
                    codes::INIT_SCRIPT,
                    format!("Init step {}: 'script' must be 'sh' or 'ps' or 'py'.", cx.id),
                    Some(script.span),
                    value_hint(script, &SCRIPT_TYPES),
                );
            }
        }
        _ => out.error(
            codes::INIT_SCRIPT,
            format!("Init step {}: 'script' must be a string ('sh' or 'ps' or 'py').", cx.id),
            Some(script.span),
        ),
    }
}
