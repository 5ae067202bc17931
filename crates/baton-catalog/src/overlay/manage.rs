//! The file operations behind `overlay add|set-priority|enable|disable|remove|list`
//! (ecosystem.md §14.4). Overlays are identified by the `id` inside their manifest,
//! never by file name. Every rewrite re-serialises the whole mapping as stored
//! (comments are lost, `priority: '5'` stays a string) and is atomic.

use std::fs;
use std::path::{Path, PathBuf};

use baton_expr::py::str_repr;
use baton_model::yaml::{self, Node, Yaml};
use num_bigint::BigInt;
use num_traits::One;

use super::io::{os_error, read_text};
use super::manifest::{is_safe_id, normalize_priority, validate_manifest, RESERVED_WORKFLOW_IDS};
use super::store::{self, overlay_files, Layer};

/// A refused overlay command. `Display` is the text the CLI prints after `Error: `
/// (on stderr, exit 1); [`Error::Validation`] spans several lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A single-line refusal, worded as the reference words it.
    #[error("{0}")]
    Message(String),
    /// The manifest does not validate.
    #[error("Overlay validation failed:{}", .0.iter().map(|e| format!("\n  \u{2022} {e}")).collect::<String>())]
    Validation(Vec<String>),
    /// The overlays of the workflow could not be loaded (`overlay list`).
    #[error("{0}")]
    Load(String),
}

fn msg(text: impl Into<String>) -> Error {
    Error::Message(text.into())
}

/// Checks an id given on the command line (`label` is `workflow ID` or `overlay ID`).
fn check_cli_id(value: &str, label: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(msg(format!("{label} is required and must be a non-empty string.")));
    }
    if !is_safe_id(value) {
        return Err(msg(format!(
            "Invalid {label} {}: only lowercase letters, digits, and hyphens are allowed.",
            str_repr(value)
        )));
    }
    Ok(())
}

/// Checks a workflow id given on the command line, reserved names included.
///
/// # Errors
/// `Invalid workflow ID 'X': only lowercase letters, digits, and hyphens are allowed.`
/// or `Invalid workflow ID 'runs': reserved name.`
pub fn check_workflow_id(value: &str) -> Result<(), Error> {
    check_cli_id(value, "workflow ID")?;
    if RESERVED_WORKFLOW_IDS.contains(&value) {
        return Err(msg(format!("Invalid workflow ID {}: reserved name.", str_repr(value))));
    }
    Ok(())
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The reference's storage check of one folder.
fn reject_unsafe_dir(path: &Path, label: &str) -> Result<(), Error> {
    if is_symlink(path) {
        return Err(msg(format!("Refusing to use symlinked {label} path")));
    }
    if path.exists() && !path.is_dir() {
        return Err(msg(format!("{label} path exists but is not a directory")));
    }
    Ok(())
}

fn reject_unsafe_storage(root: &Path) -> Result<(), Error> {
    let specify = root.join(".specify");
    reject_unsafe_dir(&specify, ".specify")?;
    let workflows = specify.join("workflows");
    reject_unsafe_dir(&workflows, ".specify/workflows")?;
    reject_unsafe_dir(&workflows.join("runs"), ".specify/workflows/runs")?;
    reject_unsafe_dir(&workflows.join("overlays"), ".specify/workflows/overlays")
}

fn contained(path: &Path, root: &Path) -> bool {
    let resolve = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    resolve(path).starts_with(resolve(root))
}

/// The overlay folder of a workflow, checked (it need not exist).
fn overlay_dir(project_root: &Path, workflow_id: &str) -> Result<PathBuf, Error> {
    check_workflow_id(workflow_id)?;
    reject_unsafe_storage(project_root)?;
    let root = store::overlays_root(project_root);
    let dir = root.join(workflow_id);
    if is_symlink(&dir) {
        return Err(msg(format!("Refusing to use symlinked path {}.", dir.display())));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(msg(format!("Overlay directory path is not a directory: {}.", dir.display())));
    }
    if !contained(&dir, &root) {
        return Err(msg(format!("Path traversal detected: {} is outside the allowed directory.", dir.display())));
    }
    Ok(dir)
}

/// Reads an overlay file as a YAML mapping: `Failed to read <p>: …`,
/// `Invalid YAML in <p>: …` or `Overlay <p> must be a YAML mapping.` otherwise.
/// `shown` is the path as the messages name it.
fn read_overlay(path: &Path, shown: &str) -> Result<Node, String> {
    let text = read_text(path).map_err(|e| format!("Failed to read {shown}: {}", e.python_text(Path::new(shown))))?;
    let doc = yaml::parse(&text).map_err(|e| format!("Invalid YAML in {shown}: {e}"))?;
    if doc.as_map().is_none() {
        return Err(format!("Overlay {shown} must be a YAML mapping."));
    }
    Ok(doc)
}

/// The file of `workflow_id`'s folder whose manifest `id` is `overlay_id`.
fn find_overlay_file(project_root: &Path, workflow_id: &str, overlay_id: &str) -> Result<Option<PathBuf>, Error> {
    check_workflow_id(workflow_id)?;
    check_cli_id(overlay_id, "overlay ID")?;
    let dir = overlay_dir(project_root, workflow_id)?;
    if !dir.is_dir() {
        return Ok(None);
    }
    let Ok(files) = overlay_files(&dir) else { return Ok(None) };
    let matches: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| !is_symlink(p))
        .filter(|p| {
            read_overlay(p, &p.display().to_string())
                .is_ok_and(|doc| doc.get("id").and_then(Node::as_str) == Some(overlay_id))
        })
        .collect();
    if matches.len() > 1 {
        let paths: Vec<String> = matches.iter().map(|p| p.display().to_string()).collect();
        return Err(msg(format!(
            "Duplicate overlay ID '{overlay_id}' in {}. Resolve the duplicate manifest IDs before continuing.",
            paths.join(", ")
        )));
    }
    Ok(matches.into_iter().next())
}

/// Sets `key` in a mapping node (in place when present, appended otherwise).
fn set_key(doc: &mut Node, key: &str, value: Yaml) {
    let span = doc.span;
    if let Yaml::Map(entries) = &mut doc.value {
        let node = Node { value, span };
        match entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some(key)) {
            Some((_, v)) => *v = node,
            None => entries.push((Node { value: Yaml::Str(key.to_owned()), span }, node)),
        }
    }
}

fn write_overlay(path: &Path, doc: &Node) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| msg(format!("Failed to write overlay: {}", os_error(&e, parent))))?;
    }
    crate::fsx::write_atomic(path, yaml::dump(doc).as_bytes(), crate::fsx::AtomicMode::KeepOr0600)
        .map_err(|e| msg(format!("Failed to write overlay: {}", os_error(&e, path))))
}

/// What `overlay add` stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The overlay id.
    pub id: String,
    /// The workflow it extends.
    pub extends: String,
    /// The file written.
    pub path: PathBuf,
}

/// `overlay add <FILE> [--priority N]`: reads `source` (named `shown` in messages),
/// sets its `priority` to `priority` (the CLI's default is 10, so a file's own
/// priority is always overridden), validates it and writes it under
/// `.specify/workflows/overlays/<extends>/`, over the file that already holds the
/// same manifest id, else as `<id>.yml`. The extended workflow need not be installed.
///
/// # Errors
/// The reference's refusals ([`Error::Validation`] for manifest problems).
pub fn add(project_root: &Path, source: &Path, shown: &str, priority: &BigInt) -> Result<Added, Error> {
    reject_unsafe_storage(project_root)?;
    let mut doc = read_overlay(source, shown).map_err(Error::Message)?;
    if *priority < BigInt::one() {
        return Err(msg("Priority must be >= 1."));
    }
    set_key(&mut doc, "priority", Yaml::Int(priority.clone()));
    let overlay = validate_manifest(&doc).map_err(Error::Validation)?;
    let normalized = normalize_priority(doc.get("priority"));
    set_key(&mut doc, "priority", Yaml::Int(normalized));

    let dir = overlay_dir(project_root, &overlay.extends)?;
    let target = match find_overlay_file(project_root, &overlay.extends, &overlay.id)? {
        Some(existing) => existing,
        None => {
            let target = dir.join(format!("{}.yml", overlay.id));
            reject_unsafe_dir(&store::overlays_root(project_root), ".specify/workflows/overlays")?;
            if is_symlink(&target) {
                return Err(msg(format!("Refusing to use symlinked path {}.", target.display())));
            }
            if fs::symlink_metadata(&target).is_ok() {
                if !target.is_file() {
                    return Err(msg(format!(
                        "{} exists and is not a regular file. Rename or remove it before adding overlay {}.",
                        target.display(),
                        str_repr(&overlay.id)
                    )));
                }
                let shown = target.display().to_string();
                let detail = match read_overlay(&target, &shown) {
                    Ok(occupant) => match occupant.get("id").and_then(Node::as_str) {
                        Some(id) if id == overlay.id => None,
                        Some(id) if !id.is_empty() => Some(format!("already holds overlay {}", str_repr(id))),
                        _ => Some("is not a readable overlay manifest (no usable 'id')".to_owned()),
                    },
                    Err(err) => Some(format!("could not be parsed as an overlay ({err})")),
                };
                if let Some(detail) = detail {
                    return Err(msg(format!(
                        "{shown} {detail}. Rename or remove it before adding overlay {}.",
                        str_repr(&overlay.id)
                    )));
                }
            }
            target
        }
    };
    write_overlay(&target, &doc)?;
    Ok(Added { id: overlay.id, extends: overlay.extends, path: target })
}

/// Rewrites one field of the overlay `overlay_id` of `workflow_id`, revalidating it.
fn update_field(project_root: &Path, workflow_id: &str, overlay_id: &str, key: &str, value: Yaml) -> Result<(), Error> {
    reject_unsafe_storage(project_root)?;
    let Some(path) = find_overlay_file(project_root, workflow_id, overlay_id)? else {
        return Err(msg(format!("Overlay '{overlay_id}' not found for workflow '{workflow_id}'")));
    };
    let mut doc = read_overlay(&path, &path.display().to_string()).map_err(Error::Message)?;
    set_key(&mut doc, key, value);
    validate_manifest(&doc).map_err(Error::Validation)?;
    write_overlay(&path, &doc)
}

/// `overlay set-priority <WF> <OVERLAY> <N>`: only `priority` is rewritten. Returns
/// the priority stored.
///
/// # Errors
/// `Priority must be >= 1.`, `Overlay '<o>' not found for workflow '<w>'`, a duplicate
/// manifest id, validation and write failures.
pub fn set_priority(project_root: &Path, workflow_id: &str, overlay_id: &str, priority: &BigInt) -> Result<BigInt, Error> {
    if *priority < BigInt::one() {
        return Err(msg("Priority must be >= 1."));
    }
    update_field(project_root, workflow_id, overlay_id, "priority", Yaml::Int(priority.clone()))?;
    Ok(priority.clone())
}

/// `overlay enable|disable <WF> <OVERLAY>`: always rewrites the file with
/// `enabled: true|false` (there is no "already" check).
///
/// # Errors
/// As [`set_priority`], without the priority check.
pub fn set_enabled(project_root: &Path, workflow_id: &str, overlay_id: &str, enabled: bool) -> Result<(), Error> {
    update_field(project_root, workflow_id, overlay_id, "enabled", Yaml::Bool(enabled))
}

/// `overlay remove <WF> <OVERLAY>`: deletes the file holding the overlay.
///
/// # Errors
/// Not found, a duplicate manifest id, `Failed to remove overlay: …`.
pub fn remove(project_root: &Path, workflow_id: &str, overlay_id: &str) -> Result<PathBuf, Error> {
    reject_unsafe_storage(project_root)?;
    let Some(path) = find_overlay_file(project_root, workflow_id, overlay_id)? else {
        return Err(msg(format!("Overlay '{overlay_id}' not found for workflow '{workflow_id}'")));
    };
    fs::remove_file(&path).map_err(|e| msg(format!("Failed to remove overlay: {}", os_error(&e, &path))))?;
    Ok(path)
}

/// `overlay list <WF>`: every overlay of the workflow, disabled ones included, in
/// precedence order (priority, then source). The workflow need not be installed.
///
/// # Errors
/// An id refusal, or [`Error::Load`] with the loader's message.
pub fn list(project_root: &Path, workflow_id: &str) -> Result<Vec<Layer>, Error> {
    reject_unsafe_storage(project_root)?;
    check_workflow_id(workflow_id)?;
    store::collect_overlays(project_root, workflow_id, true).map_err(|e| Error::Load(e.to_string()))
}
