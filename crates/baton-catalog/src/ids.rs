//! Identifier rules (spec: ecosystem.md §3).
//!
//! * [`is_valid_workflow_id`]: the install-directory / registry-key rule,
//!   `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$` without the reserved names `overlays`, `runs`,
//!   `steps`;
//! * [`check_step_id`]: a custom step type id is any single safe path component.

/// Names a workflow id can never take: they are folders of `.specify/workflows/`.
pub const RESERVED_WORKFLOW_IDS: [&str; 3] = ["overlays", "runs", "steps"];

/// Whether `id` matches `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$` (reserved names not checked).
pub fn matches_workflow_id_pattern(id: &str) -> bool {
    let bytes = id.as_bytes();
    let ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => *first != b'-' && *last != b'-' && bytes.iter().all(ok),
        _ => false,
    }
}

/// The installed-workflow id rule: the pattern, and not a reserved name.
pub fn is_valid_workflow_id(id: &str) -> bool {
    matches_workflow_id_pattern(id) && !RESERVED_WORKFLOW_IDS.contains(&id)
}

/// The reference's message for a step id that is not a safe path component.
pub fn invalid_step_id_message(id: &str) -> String {
    format!(
        "Invalid step id {}: must be a single safe path component (no separators, no leading dot, not a reserved name, no invalid filename characters)",
        baton_expr::py::str_repr(id)
    )
}

/// Checks a custom step type id (spec §3): `Err` carries the reference's message.
///
/// # Errors
/// The message of [`invalid_step_id_message`] when `id` is unsafe.
pub fn check_step_id(id: &str) -> Result<(), String> {
    if is_valid_step_id(id) {
        Ok(())
    } else {
        Err(invalid_step_id_message(id))
    }
}

/// Whether `id` is a single safe path component usable as a step id.
pub fn is_valid_step_id(id: &str) -> bool {
    if id.trim().is_empty() || id.trim() != id {
        return false;
    }
    if id.contains('/') || id.contains('\\') || id.starts_with('.') {
        return false;
    }
    if id.ends_with('.') || id.ends_with(' ') {
        return false;
    }
    let lower = id.to_lowercase();
    if lower == ".cache" || lower == "step-registry.json" {
        return false;
    }
    let stem = lower.split('.').next().unwrap_or("");
    if is_windows_device_stem(stem, false) {
        return false;
    }
    !id.chars().any(|c| "<>:\"|?*".contains(c) || c.is_control())
}

/// Whether `stem` (already lowercased) is a Windows device name; `extended` also
/// accepts `conin$`, `conout$` and superscript digits (the archive member rule).
pub(crate) fn is_windows_device_stem(stem: &str, extended: bool) -> bool {
    if matches!(stem, "con" | "prn" | "aux" | "nul") {
        return true;
    }
    if extended && matches!(stem, "conin$" | "conout$") {
        return true;
    }
    for prefix in ["com", "lpt"] {
        if let Some(rest) = stem.strip_prefix(prefix) {
            let mut chars = rest.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                if ('1'..='9').contains(&c) || (extended && matches!(c, '\u{b9}' | '\u{b2}' | '\u{b3}')) {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn workflow_ids() {
        for ok in ["a", "x1", "a--b", "hello-world", "0"] {
            assert!(is_valid_workflow_id(ok), "{ok}");
        }
        for bad in ["", "-x", "x-", "Bad_ID", "runs", "steps", "overlays", "a/b", "hello/", "../etc", "é"] {
            assert!(!is_valid_workflow_id(bad), "{bad}");
        }
    }

    #[test]
    fn step_ids() {
        for ok in ["my-step", "My_Step", "a.b", "x"] {
            assert!(is_valid_step_id(ok), "{ok}");
        }
        for bad in ["", " ", " a", "a ", "a/b", "a\\b", ".", "..", ".hidden", "a.", "con", "CON.txt", "com1", "lpt9.x", "step-registry.json", ".cache", "a:b", "a?", "a\u{1}"] {
            assert!(!is_valid_step_id(bad), "{bad:?}");
        }
        assert_eq!(
            check_step_id("a:b").unwrap_err(),
            "Invalid step id 'a:b': must be a single safe path component (no separators, no leading dot, not a reserved name, no invalid filename characters)"
        );
    }

    proptest! {
        #[test]
        fn workflow_id_matches_regex(id in "[a-z0-9_./-]{0,8}") {
            let re = regex::Regex::new(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$").unwrap();
            prop_assert_eq!(matches_workflow_id_pattern(&id), re.is_match(&id));
        }

        #[test]
        fn valid_step_ids_are_single_components(id in "\\PC{0,12}") {
            if is_valid_step_id(&id) {
                let path = std::path::Path::new(&id);
                prop_assert_eq!(path.components().count(), 1);
                prop_assert!(matches!(path.components().next(), Some(std::path::Component::Normal(_))));
            }
        }
    }
}
