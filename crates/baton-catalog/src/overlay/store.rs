//! Overlay storage and loading (ecosystem.md §14.2): the per-workflow overlay
//! directory, the files considered, disabled overlays, the `extends` and duplicate-id
//! checks, and the base layer.

use std::fs;
use std::path::{Path, PathBuf};

use baton_expr::py::str_repr;
use baton_model::yaml::{self, Node, Yaml};
use num_bigint::BigInt;

use super::io::{is_empty_yaml, read_text};
use super::manifest::{is_workflow_id, validate_manifest, Overlay};
use super::Error;

/// A project overlay file, loaded and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// The validated manifest.
    pub overlay: Overlay,
    /// `project:<id>`.
    pub source: String,
    /// The file it was read from.
    pub path: PathBuf,
}

impl Layer {
    /// The tier label `resolve` prints: `project-overlay`.
    pub const TIER: &'static str = "project-overlay";

    /// The normalised priority.
    pub fn priority(&self) -> &BigInt {
        &self.overlay.priority
    }
}

/// `.specify/workflows` under the project root.
pub fn workflows_dir(project_root: &Path) -> PathBuf {
    project_root.join(".specify").join("workflows")
}

/// `.specify/workflows/overlays` under the project root.
pub fn overlays_root(project_root: &Path) -> PathBuf {
    workflows_dir(project_root).join("overlays")
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn load_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Load { path: path.to_path_buf(), errors: vec![message.into()] }
}

/// Whether `path` resolves inside `root` (both canonicalised as far as they exist).
fn contained(path: &Path, root: &Path) -> bool {
    let resolve = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    resolve(path).starts_with(resolve(root))
}

/// Rejects a symlinked or non-directory `.specify` / `.specify/workflows` and returns
/// the workflows directory.
fn checked_workflows_dir(project_root: &Path) -> Result<PathBuf, Error> {
    let mut current = project_root.to_path_buf();
    for part in [".specify", "workflows"] {
        current.push(part);
        if is_symlink(&current) {
            let msg = format!("Symlinked workflow directories are not allowed ({})", current.display());
            return Err(load_error(&current, msg));
        }
        if current.exists() && !current.is_dir() {
            let msg = format!("Workflow directory path is not a directory ({})", current.display());
            return Err(load_error(&current, msg));
        }
    }
    if !contained(&current, project_root) {
        return Err(load_error(&current, "Workflow directory escapes the project root"));
    }
    Ok(current)
}

/// Rejects a symlinked, non-directory or escaping `path` under `root`.
fn ensure_contained_dir(path: &Path, root: &Path) -> Result<(), Error> {
    if is_symlink(path) {
        return Err(load_error(path, "Symlinked overlay directories are not allowed"));
    }
    if path.exists() && !path.is_dir() {
        return Err(load_error(path, "Overlay directory path is not a directory"));
    }
    if !contained(path, root) {
        return Err(load_error(path, "Path traversal detected: directory escapes allowed root"));
    }
    Ok(())
}

/// The overlay files of a directory that the reference considers: regular files
/// (after following links) whose name has the suffix `.yml` or `.yaml`, in sorted
/// name order.
pub(crate) fn overlay_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut names: Vec<_> = fs::read_dir(dir)?.filter_map(Result::ok).map(|e| e.file_name()).collect();
    names.sort();
    Ok(names
        .into_iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file() && has_overlay_suffix(p))
        .collect())
}

/// Python's `Path.suffix in (".yml", ".yaml")` (a name like `.yml` has no suffix).
fn has_overlay_suffix(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    match name.rfind('.') {
        Some(i) if i > 0 && !name.ends_with('.') => matches!(&name[i..], ".yml" | ".yaml"),
        _ => false,
    }
}

/// Parses an overlay file for resolution: a genuinely empty document reads as `{}`.
fn parse_overlay_file(path: &Path) -> Result<Node, Error> {
    let text = read_text(path).map_err(|e| load_error(path, format!("Cannot load overlay: {}", e.python_text(path))))?;
    let node = yaml::parse(&text).map_err(|e| load_error(path, format!("Invalid YAML: {e}")))?;
    if matches!(node.value, Yaml::Null) && is_empty_yaml(&text) {
        return Ok(Node { value: Yaml::Map(Vec::new()), span: node.span });
    }
    Ok(node)
}

/// Loads the project overlays of `workflow_id`, sorted by (priority, source)
/// ascending. Disabled overlays (`enabled: false`, the YAML boolean) are skipped
/// before validation unless `include_disabled` (management views validate them too).
///
/// # Errors
/// [`Error::Load`] (`Invalid overlay <path>:` and its problems) for unsafe storage,
/// unreadable or invalid files, an `extends` that is not the directory's workflow, a
/// symlinked overlay file and a duplicate overlay id; [`Error::InvalidWorkflowId`].
pub fn collect_overlays(project_root: &Path, workflow_id: &str, include_disabled: bool) -> Result<Vec<Layer>, Error> {
    let workflows = checked_workflows_dir(project_root)?;
    let root = workflows.join("overlays");
    if is_symlink(&root) {
        let msg = format!("Symlinked overlay directories are not allowed ({})", root.display());
        return Err(load_error(&root, msg));
    }
    if root.exists() && !root.is_dir() {
        let msg = format!("Overlay directory path is not a directory ({})", root.display());
        return Err(load_error(&root, msg));
    }
    if !is_workflow_id(workflow_id) {
        return Err(load_error(&root, format!("Invalid workflow ID: {}", str_repr(workflow_id))));
    }
    let dir = root.join(workflow_id);
    ensure_contained_dir(&dir, &root)?;
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let files = overlay_files(&dir)
        .map_err(|e| load_error(&dir, format!("Cannot enumerate overlays: {}", super::io::os_error(&e, &dir))))?;
    let mut layers: Vec<Layer> = Vec::new();
    for path in files {
        if is_symlink(&path) {
            return Err(load_error(&path, "Symlinked overlay files are not allowed"));
        }
        let doc = parse_overlay_file(&path)?;
        let disabled = matches!(doc.get("enabled").map(|n| &n.value), Some(Yaml::Bool(false)));
        if disabled && !include_disabled {
            continue;
        }
        let overlay = validate_manifest(&doc).map_err(|errors| Error::Load { path: path.clone(), errors })?;
        if overlay.extends != workflow_id {
            return Err(load_error(
                &path,
                format!(
                    "Overlay extends {}, but is stored under workflow {}.",
                    str_repr(&overlay.extends),
                    str_repr(workflow_id)
                ),
            ));
        }
        if let Some(first) = layers.iter().find(|l| l.overlay.id == overlay.id) {
            return Err(load_error(
                &path,
                format!("Duplicate overlay id {}; also declared in {}.", str_repr(&overlay.id), first.path.display()),
            ));
        }
        let source = format!("project:{}", overlay.id);
        layers.push(Layer { overlay, source, path });
    }
    layers.sort_by(|a, b| a.overlay.priority.cmp(&b.overlay.priority).then_with(|| a.source.cmp(&b.source)));
    Ok(layers)
}

/// The base layer's file, `.specify/workflows/<id>/workflow.yml`, if it is a file.
/// The registry is not consulted.
///
/// # Errors
/// [`Error::Load`] for unsafe storage or a symlinked `workflow.yml`.
pub fn base_workflow_file(project_root: &Path, workflow_id: &str) -> Result<Option<PathBuf>, Error> {
    let workflows = checked_workflows_dir(project_root)?;
    if !is_workflow_id(workflow_id) {
        return Err(load_error(&workflows, format!("Invalid workflow ID: {}", str_repr(workflow_id))));
    }
    let dir = workflows.join(workflow_id);
    ensure_contained_dir(&dir, &workflows)?;
    let path = dir.join("workflow.yml");
    if is_symlink(&path) {
        return Err(load_error(&path, "Symlinked workflow files are not allowed"));
    }
    Ok(path.is_file().then_some(path))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert!(has_overlay_suffix(Path::new("a.yml")));
        assert!(has_overlay_suffix(Path::new("a.b.yaml")));
        assert!(!has_overlay_suffix(Path::new(".yml")));
        assert!(!has_overlay_suffix(Path::new("a.YML")));
        assert!(!has_overlay_suffix(Path::new("a.yml.bak")));
    }
}
