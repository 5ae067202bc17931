//! Running installed workflows (spec §12, engine.md §3.2): which installed workflow a
//! `run` source names, and whether it may run.
//!
//! Wiring into `run` (the CLI):
//! * a source that is not a YAML file: [`resolve_run_id`]`(project_root, source)` —
//!   `Ok(InstalledSource)` gives the file to load (`path`, composed with overlays by the
//!   caller) and the `installed_workflow_id` to record; a missing file is the caller's
//!   `Workflow not found: <source>`;
//! * a YAML path: [`resolve_path_owner`]`(cwd, path)` — `Ok(Some(owner))` means the file
//!   is an installed workflow's own file and the same disabled check applied;
//!   `installed_registry_root` is `owner.root` when it is not the current project.
//!
//! [`RunSourceError::message`] is the reference's text (printed as `Error: <msg>` on
//! stdout, or stderr under `--json`; [`RunSourceError::always_stderr`] ones go to
//! stderr in both modes).

use std::path::{Component, Path, PathBuf};

use baton_expr::Value;

use crate::fsx;
use crate::ids;
use crate::registry::{self, Registry};

/// An installed workflow to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledSource {
    /// The workflow id (recorded as `installed_workflow_id`).
    pub id: String,
    /// `<root>/.specify/workflows/<id>/workflow.yml` (may not exist: `Workflow not found`).
    pub path: PathBuf,
    /// The project whose registry owns it.
    pub root: PathBuf,
    /// Whether the id has a registry entry.
    pub registered: bool,
}

/// Why an installed workflow may not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunSourceError {
    /// `Invalid workflow ID: '<id>'`.
    #[error("Invalid workflow ID: {}", baton_expr::py::str_repr(.0))]
    InvalidId(String),
    /// `Workflow '<id>' is disabled. Enable with: <hint> <id>` (the hint names baton's
    /// command, [`RunSourceError::message_with`]).
    #[error("Workflow '{0}' is disabled. Enable with: baton enable {0}")]
    Disabled(String),
    /// `Registry entry for '<id>' is corrupted`.
    #[error("Registry entry for '{0}' is corrupted")]
    Corrupted(String),
    /// `Failed to read workflow registry: <msg>`.
    #[error("Failed to read workflow registry: {0}")]
    Registry(String),
    /// Unsafe storage (`Refusing to use symlinked .specify path`, …): always stderr.
    #[error("{0}")]
    UnsafeStorage(String),
    /// `Refusing to run: .specify/workflows/<id> contains a symlinked path component`.
    #[error("Refusing to run: .specify/workflows/{0} contains a symlinked path component")]
    SymlinkedComponent(String),
}

impl RunSourceError {
    /// The message, with `enable_command` (e.g. `baton enable`) in the disabled hint.
    pub fn message_with(&self, enable_command: &str) -> String {
        match self {
            RunSourceError::Disabled(id) => format!("Workflow '{id}' is disabled. Enable with: {enable_command} {id}"),
            other => other.to_string(),
        }
    }

    /// The message with baton's hint.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// Whether the reference prints it on stderr even in text mode.
    pub fn always_stderr(&self) -> bool {
        matches!(self, RunSourceError::UnsafeStorage(_))
    }
}

/// The registry check of `run`/`resume`: a corrupted entry or a disabled workflow is
/// refused; returns whether `id` is registered.
///
/// # Errors
/// [`RunSourceError`].
pub fn require_enabled(root: &Path, id: &str) -> Result<bool, RunSourceError> {
    let registry = Registry::open(root).map_err(|e| RunSourceError::Registry(e.0))?;
    match registry.get(id) {
        None => Ok(false),
        Some(Value::Map(m)) if !registry::is_enabled(m) => Err(RunSourceError::Disabled(id.to_owned())),
        Some(Value::Map(_)) => Ok(true),
        Some(_) => Err(RunSourceError::Corrupted(id.to_owned())),
    }
}

/// `run <id>`: the id rule (so `hello/` cannot bypass the lookup), then the registry
/// check. The file may be missing (the caller reports `Workflow not found: <id>`).
///
/// # Errors
/// [`RunSourceError`].
pub fn resolve_run_id(project_root: &Path, source: &str) -> Result<InstalledSource, RunSourceError> {
    if !ids::is_valid_workflow_id(source) {
        return Err(RunSourceError::InvalidId(source.to_owned()));
    }
    let registered = require_enabled(project_root, source)?;
    Ok(InstalledSource {
        id: source.to_owned(),
        path: project_root.join(".specify").join("workflows").join(source).join("workflow.yml"),
        root: project_root.to_path_buf(),
        registered,
    })
}

fn reject_unsafe_dir(path: &Path, label: &str) -> Result<(), RunSourceError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(RunSourceError::UnsafeStorage(format!("Refusing to use symlinked {label} path"))),
        Ok(m) if !m.is_dir() => Err(RunSourceError::UnsafeStorage(format!("{label} path exists but is not a directory"))),
        _ => Ok(()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

fn parts_of(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

fn join_parts(parts: &[String]) -> PathBuf {
    let mut p = PathBuf::from("/");
    for part in parts {
        p.push(part);
    }
    p
}

/// Ownership of one absolute, normalized candidate path.
fn ownership_for(candidate: &Path) -> Result<Option<InstalledSource>, RunSourceError> {
    let parts = parts_of(candidate);
    if parts.len() < 3 {
        return Ok(None);
    }
    let Some(i) = (0..=parts.len() - 3).rev().find(|&i| parts[i].to_lowercase() == ".specify" && parts[i + 1].to_lowercase() == "workflows") else {
        return Ok(None);
    };
    let root = join_parts(&parts[..i]);
    let candidate_specify = join_parts(&parts[..=i]);
    let candidate_workflows = join_parts(&parts[..i + 2]);
    let candidate_id_dir = join_parts(&parts[..i + 3]);
    let canonical_specify = root.join(".specify");
    let canonical_workflows = canonical_specify.join("workflows");
    reject_unsafe_dir(&canonical_specify, ".specify")?;
    reject_unsafe_dir(&canonical_workflows, ".specify/workflows")?;
    reject_unsafe_dir(&candidate_specify, ".specify")?;
    reject_unsafe_dir(&candidate_workflows, ".specify/workflows")?;
    if !same_file(&candidate_specify, &canonical_specify) || !same_file(&candidate_workflows, &canonical_workflows) {
        return Ok(None);
    }
    let registry = Registry::open(&root).map_err(|e| RunSourceError::Registry(e.0))?;
    let Some(id) = registry
        .entries()
        .map(|(k, _)| k.clone())
        .filter(|k| ids::is_valid_workflow_id(k))
        .find(|k| same_file(&candidate_id_dir, &canonical_workflows.join(k)))
    else {
        return Ok(None);
    };
    for k in i + 2..=parts.len() {
        if std::fs::symlink_metadata(join_parts(&parts[..k])).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(RunSourceError::SymlinkedComponent(id));
        }
    }
    Ok(Some(InstalledSource { path: candidate.to_path_buf(), root, registered: true, id }))
}

/// Expands the first symlink component of `path`, keeping the rest.
fn expand_first_symlink(path: &Path) -> Option<PathBuf> {
    let parts = parts_of(path);
    let mut current = PathBuf::from("/");
    for (index, part) in parts.iter().enumerate() {
        current.push(part);
        if !std::fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink()) {
            continue;
        }
        let target = std::fs::read_link(&current).ok()?;
        let target = if target.is_absolute() { target } else { current.parent().unwrap_or(Path::new("/")).join(target) };
        let mut expanded = target;
        for rest in &parts[index + 1..] {
            expanded.push(rest);
        }
        return Some(fsx::lexical_normalize(&expanded));
    }
    None
}

/// `run <path.yml>`: whether the file belongs to an installed workflow (lexically,
/// through an intermediate symlink target, or through a fully resolved alias), in
/// which case the owner's registry is consulted and a disabled workflow is refused.
///
/// # Errors
/// [`RunSourceError`] (disabled, corrupted, unsafe storage, a symlink inside the tree).
pub fn resolve_path_owner(cwd: &Path, path: &Path) -> Result<Option<InstalledSource>, RunSourceError> {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
    let lexical = fsx::lexical_normalize(&absolute);
    let owner = match ownership_for(&lexical)? {
        Some(o) => Some(o),
        None => {
            let mut found = None;
            let mut candidate = lexical.clone();
            let mut seen = vec![candidate.clone()];
            for _ in 0..40 {
                let Some(expanded) = expand_first_symlink(&candidate) else { break };
                if seen.contains(&expanded) {
                    break;
                }
                if let Some(o) = ownership_for(&expanded)? {
                    found = Some(o);
                    break;
                }
                seen.push(expanded.clone());
                candidate = expanded;
            }
            match found {
                Some(o) => Some(o),
                None => match std::fs::canonicalize(&absolute) {
                    Ok(resolved) if resolved != lexical => ownership_for(&resolved)?,
                    _ => None,
                },
            }
        }
    };
    if let Some(o) = &owner {
        require_enabled(&o.root, &o.id)?;
    }
    Ok(owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_with(id: &str, enabled: bool) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let wf = d.path().join(".specify/workflows").join(id);
        std::fs::create_dir_all(&wf).unwrap();
        std::fs::write(wf.join("workflow.yml"), "x").unwrap();
        let entry = if enabled { "{}".to_owned() } else { r#"{"enabled": false}"#.to_owned() };
        std::fs::write(
            d.path().join(".specify/workflows/workflow-registry.json"),
            format!(r#"{{"schema_version": "1.0", "workflows": {{"{id}": {entry}, "bad": "x"}}}}"#),
        )
        .unwrap();
        d
    }

    #[test]
    fn run_by_id() {
        let p = project_with("hello", true);
        let s = resolve_run_id(p.path(), "hello").unwrap();
        assert!(s.registered);
        assert!(s.path.ends_with(".specify/workflows/hello/workflow.yml"));
        assert!(!resolve_run_id(p.path(), "other").unwrap().registered);
        for bad in ["hello/", "runs", "../x", "Hello"] {
            assert_eq!(resolve_run_id(p.path(), bad).unwrap_err(), RunSourceError::InvalidId(bad.into()));
        }
        assert_eq!(resolve_run_id(p.path(), "bad").unwrap_err().message(), "Registry entry for 'bad' is corrupted");
        let p = project_with("hello", false);
        let e = resolve_run_id(p.path(), "hello").unwrap_err();
        assert_eq!(e.message_with("specify workflow enable"), "Workflow 'hello' is disabled. Enable with: specify workflow enable hello");
        assert_eq!(e.message(), "Workflow 'hello' is disabled. Enable with: baton enable hello");
    }

    #[test]
    fn run_by_path_into_installed_storage() {
        let p = project_with("hello", false);
        let direct = p.path().join(".specify/workflows/hello/workflow.yml");
        assert!(matches!(resolve_path_owner(p.path(), &direct), Err(RunSourceError::Disabled(_))));
        let dotted = p.path().join(".specify/workflows/x/../hello/workflow.yml");
        assert!(matches!(resolve_path_owner(p.path(), &dotted), Err(RunSourceError::Disabled(_))));
        let other = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(p.path().join(".specify/workflows/hello"), other.path().join("alias")).unwrap();
        assert!(matches!(resolve_path_owner(other.path(), Path::new("alias/workflow.yml")), Err(RunSourceError::Disabled(_))));
        std::fs::copy(&direct, other.path().join("copy.yml")).unwrap();
        assert_eq!(resolve_path_owner(other.path(), Path::new("copy.yml")).unwrap(), None);
        let enabled = project_with("hello", true);
        let owner = resolve_path_owner(enabled.path(), Path::new(".specify/workflows/hello/workflow.yml")).unwrap().unwrap();
        assert_eq!(owner.id, "hello");
    }
}
