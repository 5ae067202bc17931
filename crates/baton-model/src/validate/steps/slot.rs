//! `slot` steps (steps.md §16).

use super::StepCx;
use crate::codes;
use crate::validate::py::is_blank;
use crate::validate::Out;
use crate::yaml::Yaml;

/// `SlotStep.validate` (the fan-out restriction is the walk's).
pub(super) fn validate(cx: &StepCx<'_>, out: &mut Out) {
    match cx.get("name") {
        None => out.error_hint(
            codes::SLOT_NAME_MISSING,
            format!("Slot step {} requires a 'name' field (the slot label).", cx.id),
            cx.span("name"),
            Some("add `name: <label>`".to_owned()),
        ),
        Some(name) => match &name.value {
            Yaml::Null => out.error(
                codes::SLOT_NAME_MISSING,
                format!("Slot step {} requires a 'name' field (the slot label).", cx.id),
                Some(name.span),
            ),
            Yaml::Str(s) if !is_blank(s) => {}
            _ => out.error(
                codes::SLOT_NAME_TYPE,
                format!("Slot step {}: 'name' must be a non-blank string.", cx.id),
                Some(name.span),
            ),
        },
    }
}
