//! The callee side of a `type: workflow` step (ecosystem.md §16, "At run time" items
//! 2–5): the target id, cycle and depth checks, the registry's installed/enabled
//! check, resolution **with overlays**, the id match and full validation.
//!
//! The call step itself (evaluating the target, binding inputs, running the child,
//! evaluating its outputs, snapshotting) is engine work; this module gives it the
//! resolved, validated child definition or the reference's error text.

use std::path::Path;

use baton_expr::py::str_repr;
use baton_expr::Value;
use baton_model::yaml::Node;
use baton_model::{CustomStepTypes, Severity};

use super::manifest::{is_safe_id, RESERVED_WORKFLOW_IDS};
use super::{resolve, Resolved};

/// The deepest nesting of workflow calls (the ancestry may hold at most this many ids).
pub const MAX_COMPOSITION_DEPTH: usize = 16;

/// What the installed-workflow registry says about an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// No registry entry (or one that is not an object).
    NotInstalled,
    /// A registry entry; `enabled` is the truthiness of its `enabled` field (absent
    /// means enabled).
    Installed {
        /// Whether the workflow is enabled.
        enabled: bool,
    },
}

/// The installed-workflow registry as the call boundary needs it. The catalog
/// module's registry implements it; tests use a map.
pub trait InstalledWorkflows {
    /// The registration of `id`.
    ///
    /// # Errors
    /// A registry that cannot be read: the message becomes the call's error.
    fn registration(&self, id: &str) -> Result<Registration, String>;
}

/// A refused workflow call; `Display` is the reference's message, which fails the
/// calling step (`Workflow composition cycle: a -> b -> a`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CallError(pub String);

/// Resolves the callee of a workflow call. `target` is the evaluated `workflow`
/// value; `ancestry` the ids of the workflows currently running, outermost first
/// (the run's own workflow included).
///
/// # Errors
/// [`CallError`] with the reference's text for: a target that is not an exact safe id
/// (`Workflow target must be an exact safe workflow ID`), a reserved id, a cycle, a
/// depth beyond [`MAX_COMPOSITION_DEPTH`], `Workflow 'x' is not installed`,
/// `Workflow 'x' is disabled`, resolution failures, an id mismatch and validation
/// errors (`Invalid workflow 'x': e1; e2`).
pub fn resolve_call_target(
    project_root: &Path,
    target: &Value,
    ancestry: &[String],
    registry: &dyn InstalledWorkflows,
    custom: &dyn CustomStepTypes,
) -> Result<Resolved, CallError> {
    let fail = |text: String| Err(CallError(text));
    let target = match target {
        Value::Str(s) if is_safe_id(s) => s.as_str(),
        _ => return fail("Workflow target must be an exact safe workflow ID".to_owned()),
    };
    if RESERVED_WORKFLOW_IDS.contains(&target) {
        return fail(format!("Workflow {} is reserved", str_repr(target)));
    }
    if ancestry.iter().any(|a| a == target) {
        let mut chain: Vec<&str> = ancestry.iter().map(String::as_str).collect();
        chain.push(target);
        return fail(format!("Workflow composition cycle: {}", chain.join(" -> ")));
    }
    if ancestry.len() > MAX_COMPOSITION_DEPTH {
        return fail(format!("Workflow composition exceeds maximum depth {MAX_COMPOSITION_DEPTH}"));
    }
    match registry.registration(target).map_err(CallError)? {
        Registration::NotInstalled => return fail(format!("Workflow {} is not installed", str_repr(target))),
        Registration::Installed { enabled: false } => {
            return fail(format!("Workflow {} is disabled", str_repr(target)));
        }
        Registration::Installed { enabled: true } => {}
    }
    let resolved = resolve(project_root, target).map_err(|e| CallError(e.to_string()))?;
    let id = resolved.definition.get("workflow").filter(|w| w.as_map().is_some()).and_then(|w| w.get("id"));
    if id.and_then(Node::as_str) != Some(target) {
        let shown = id.map_or_else(|| "''".to_owned(), Node::py_repr);
        return fail(format!("Workflow {} resolves to mismatched ID {shown}", str_repr(target)));
    }
    let errors: Vec<String> = baton_model::validate(&resolved.definition, custom)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message)
        .collect();
    if !errors.is_empty() {
        return fail(format!("Invalid workflow {}: {}", str_repr(target), errors.join("; ")));
    }
    Ok(resolved)
}

impl InstalledWorkflows for crate::registry::Registry {
    /// An object entry is installed; its `enabled` field decides (absent: enabled).
    fn registration(&self, id: &str) -> Result<Registration, String> {
        match self.get(id) {
            Some(baton_expr::Value::Map(entry)) => {
                Ok(Registration::Installed { enabled: crate::registry::is_enabled(entry) })
            }
            _ => Ok(Registration::NotInstalled),
        }
    }
}

/// The installed-workflow registry of a project, read on each lookup (a call may
/// happen long after the run started).
#[derive(Debug, Clone)]
pub struct ProjectRegistry<'a>(pub &'a Path);

impl InstalledWorkflows for ProjectRegistry<'_> {
    fn registration(&self, id: &str) -> Result<Registration, String> {
        crate::registry::Registry::open(self.0).map_err(|e| e.0)?.registration(id)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use baton_model::NoCustomSteps;

    struct Fixed(Registration);
    impl InstalledWorkflows for Fixed {
        fn registration(&self, _: &str) -> Result<Registration, String> {
            Ok(self.0)
        }
    }

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let wf = dir.path().join(".specify/workflows/child");
        std::fs::create_dir_all(&wf).unwrap();
        std::fs::write(wf.join("workflow.yml"), "workflow: {id: child, name: C}\nsteps:\n  - {id: a, type: shell, run: 'true'}\n").unwrap();
        let ov = dir.path().join(".specify/workflows/overlays/child");
        std::fs::create_dir_all(&ov).unwrap();
        std::fs::write(ov.join("o.yml"), "id: o\nextends: child\nedits:\n  - replace: a\n    step: {id: b, type: shell, run: 'true'}\n").unwrap();
        dir
    }

    fn target(s: &str) -> Value {
        Value::Str(s.to_owned())
    }

    #[test]
    fn call_boundary_messages() {
        let p = project();
        let on = Fixed(Registration::Installed { enabled: true });
        let check = |t: Value, ancestry: &[&str], reg: &dyn InstalledWorkflows| {
            let ancestry: Vec<String> = ancestry.iter().map(|s| (*s).to_owned()).collect();
            resolve_call_target(p.path(), &t, &ancestry, reg, &NoCustomSteps).map(|_| ()).map_err(|e| e.0)
        };
        assert_eq!(check(target("selfcall"), &["selfcall"], &on), Err("Workflow composition cycle: selfcall -> selfcall".into()));
        assert_eq!(check(target("a"), &["a", "b"], &on), Err("Workflow composition cycle: a -> b -> a".into()));
        assert_eq!(check(target("child"), &[], &Fixed(Registration::NotInstalled)), Err("Workflow 'child' is not installed".into()));
        assert_eq!(check(target("child"), &[], &Fixed(Registration::Installed { enabled: false })), Err("Workflow 'child' is disabled".into()));
        assert_eq!(check(target("Bad"), &[], &on), Err("Workflow target must be an exact safe workflow ID".into()));
        assert_eq!(check(Value::Int(1.into()), &[], &on), Err("Workflow target must be an exact safe workflow ID".into()));
        assert_eq!(check(target("runs"), &[], &on), Err("Workflow 'runs' is reserved".into()));
        let deep: Vec<String> = (0..17).map(|i| format!("w{i}")).collect();
        let deep: Vec<&str> = deep.iter().map(String::as_str).collect();
        assert_eq!(check(target("child"), &deep, &on), Err("Workflow composition exceeds maximum depth 16".into()));
        // Resolved with its overlay.
        let resolved = resolve_call_target(p.path(), &target("child"), &[], &on, &NoCustomSteps).unwrap();
        assert_eq!(resolved.attribution[0].step_id, "b");
    }
}
