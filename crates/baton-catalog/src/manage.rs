//! `list`, `remove`, `enable`/`disable` and `update` (spec §10–§13).

use std::fs;
use std::path::Path;

use baton_expr::{Map, Value};

use crate::catalog::{self, Merged};
use crate::fsx::{self, InstallLock};
use crate::ids;
use crate::install::{self, CatalogExpect, Env, Failure, Installed, Line, Output};
use crate::net;
use crate::registry::{self, Registry};

fn open_registry(root: &Path) -> Result<Registry, Failure> {
    Registry::open(root).map_err(|e| Failure::error(format!("Failed to read workflow registry: {e}")))
}

fn lock(root: &Path) -> std::io::Result<InstallLock> {
    InstallLock::acquire(&root.join(".specify").join(".workflow-install.lock"))
}

/// One `list` row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListedWorkflow {
    /// The id.
    pub id: String,
    /// `name` (or the id).
    pub name: String,
    /// `version` (or `?`).
    pub version: String,
    /// `description` (empty when falsy).
    pub description: String,
    /// Whether it is enabled.
    pub enabled: bool,
    /// The registry `source`.
    pub source: Option<String>,
}

/// One `list` item: a workflow, or a corrupted entry (a non-object value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ListItem {
    /// A valid entry.
    Workflow(ListedWorkflow),
    /// `Warning: Skipping corrupted registry entry '<id>'.`
    Corrupted {
        /// The id.
        id: String,
    },
}

/// `list`: the registry in order.
///
/// # Errors
/// An unreadable registry.
pub fn list(root: &Path) -> Result<Vec<ListItem>, Failure> {
    let registry = open_registry(root)?;
    Ok(registry
        .entries()
        .map(|(id, value)| match value {
            Value::Map(m) => ListItem::Workflow(ListedWorkflow {
                id: id.clone(),
                name: m.get("name").map_or_else(|| id.clone(), Value::py_str),
                version: m.get("version").map_or_else(|| "?".into(), Value::py_str),
                description: m.get("description").filter(|d| d.truthy()).map(Value::py_str).unwrap_or_default(),
                enabled: registry::is_enabled(m),
                source: m.get("source").map(Value::py_str),
            }),
            _ => ListItem::Corrupted { id: id.clone() },
        })
        .collect())
}

/// `remove <id>`: stages the directory aside, removes the registry entry, then deletes
/// the staged directory (a deletion failure is a warning in `out`). Overlays, runs and
/// the cache are kept.
///
/// # Errors
/// The reference's failures; the directory is put back if the registry write fails.
pub fn remove(root: &Path, id: &str, out: &mut Output) -> Result<String, Failure> {
    let invalid = || Failure::error(format!("Invalid workflow ID: {}", baton_expr::py::str_repr(id)));
    if !ids::is_valid_workflow_id(id) {
        return Err(invalid());
    }
    let workflows_dir = root.join(".specify").join("workflows");
    let guard = lock(root).map_err(|e| Failure::error(format!("Failed to lock workflow removal '{id}': {}", net::io_message(&e))))?;
    let mut registry = open_registry(root)?;
    if !registry.contains(id) {
        return Err(Failure::error(format!("Workflow '{id}' is not installed")));
    }
    let dir = workflows_dir.join(id);
    let meta = fs::symlink_metadata(&dir);
    if meta.as_ref().is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Failure::error(format!("Refusing to remove symlinked .specify/workflows/{id}")));
    }
    if meta.as_ref().is_ok_and(|m| !m.is_dir()) {
        return Err(Failure::error(format!(".specify/workflows/{id} exists but is not a directory")));
    }
    let mut staged = None;
    if meta.is_ok() {
        let reserved = workflows_dir.join(format!(".{id}.removing-{}", fsx::random_suffix(8)));
        if let Err(e) = fs::rename(&dir, &reserved) {
            return Err(Failure::error(format!("Failed to stage workflow directory {} for removal: {}", dir.display(), net::io_message(&e))));
        }
        staged = Some(reserved);
    }
    if let Err(e) = registry.remove(id) {
        if let Some(s) = &staged {
            if let Err(r) = fs::rename(s, &dir) {
                out.push(Line::warning(format!(
                    "Failed to restore workflow directory after registry update failure; it remains staged at {}: {}",
                    s.display(),
                    net::io_message(&r)
                )));
            }
        }
        return Err(Failure::error(format!("Failed to update workflow registry for '{id}': {e}")));
    }
    drop(guard);
    let message = format!("\u{2713} Workflow '{id}' removed");
    if let Some(s) = staged {
        if let Err(e) = fs::remove_dir_all(&s) {
            out.push(Line::warning(format!("Workflow removed, but its staged directory could not be deleted: {}", net::io_message(&e))));
        }
    }
    Ok(message)
}

/// What `enable`/`disable` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Toggle {
    /// The state changed.
    Changed,
    /// It was already in that state (no write).
    Already,
}

/// `enable <id>` / `disable <id>` under the lock with a fresh registry (the id is not
/// checked against the id rule).
///
/// # Errors
/// `not installed`, a corrupted entry, an unreadable registry, a write failure.
pub fn set_enabled(root: &Path, id: &str, enabled: bool, now: jiff::Timestamp) -> Result<Toggle, Failure> {
    let guard = lock(root).map_err(|e| Failure::error(format!("Failed to lock workflow registry for '{id}': {}", net::io_message(&e))))?;
    let mut registry = open_registry(root)?;
    let metadata = match registry.get(id) {
        None => return Err(Failure::error(format!("Workflow '{id}' is not installed"))),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => return Err(Failure::error(format!("Registry entry for '{id}' is corrupted"))),
    };
    if registry::is_enabled(&metadata) == enabled {
        return Ok(Toggle::Already);
    }
    let mut updated: Map = metadata;
    updated.insert("enabled".into(), Value::Bool(enabled));
    registry
        .add(id, updated, now)
        .map_err(|e| Failure::error(format!("Failed to update workflow registry for '{id}': {e}")))?;
    drop(guard);
    Ok(Toggle::Changed)
}

/// One line of the update check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckLine {
    /// `⚠  <id>: <reason> (skipping)`.
    Skipped {
        /// The id.
        id: String,
        /// The reason.
        reason: String,
    },
    /// `✓ <id>: Up to date (v<installed>)`.
    UpToDate {
        /// The id.
        id: String,
        /// The installed version (normalized).
        installed: String,
    },
}

impl CheckLine {
    /// The printed line.
    pub fn render(&self) -> String {
        match self {
            CheckLine::Skipped { id, reason } => format!("\u{26a0}  {id}: {reason} (skipping)"),
            CheckLine::UpToDate { id, installed } => format!("\u{2713} {id}: Up to date (v{installed})"),
        }
    }
}

/// An available update.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Update {
    /// The id.
    pub id: String,
    /// The installed version (normalized).
    pub installed: String,
    /// The catalog version (normalized).
    pub available: String,
}

/// The result of checking for updates.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UpdatePlan {
    /// Whether there was anything to check (`No workflows installed` otherwise).
    pub targets: usize,
    /// Check lines in target order.
    pub lines: Vec<CheckLine>,
    /// Updates available.
    pub updates: Vec<Update>,
    /// How many targets were compared with the catalog.
    pub checked: usize,
    /// Catalog warnings (failed sources, cache problems).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl UpdatePlan {
    /// The summary when there is nothing to update.
    pub fn summary(&self) -> String {
        if self.checked == 0 {
            "No workflows were eligible for update".into()
        } else if self.checked == self.targets {
            "All workflows are up to date!".into()
        } else {
            format!("All checked workflows are up to date ({} skipped)", self.targets - self.checked)
        }
    }
}

/// `update [id]`, first half: which workflows have newer catalog versions.
///
/// # Errors
/// `not installed`, an unreadable registry, unsafe storage, a catalog error.
pub fn plan_update(env: &Env<'_>, id: Option<&str>) -> Result<UpdatePlan, Failure> {
    let registry = open_registry(env.project_root)?;
    for (path, label) in [
        (env.project_root.join(".specify"), ".specify"),
        (env.project_root.join(".specify").join("workflows"), ".specify/workflows"),
    ] {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Err(Failure::stderr(format!("Refusing to use symlinked {label} path"))),
            Ok(m) if !m.is_dir() => return Err(Failure::stderr(format!("{label} path exists but is not a directory"))),
            _ => {}
        }
    }
    let targets: Vec<String> = match id.filter(|i| !i.is_empty()) {
        Some(id) => {
            if !registry.contains(id) {
                return Err(Failure::error(format!("Workflow '{id}' is not installed")));
            }
            vec![id.to_owned()]
        }
        None => registry.entries().map(|(k, _)| k.clone()).collect(),
    };
    let mut plan = UpdatePlan { targets: targets.len(), ..UpdatePlan::default() };
    let mut merged: Option<Merged> = None;
    for target in targets {
        let skip = |reason: String| CheckLine::Skipped { id: target.clone(), reason };
        let Some(Value::Map(meta)) = registry.get(&target) else {
            plan.lines.push(skip("Registry entry is corrupted".into()));
            continue;
        };
        if meta.get("source").and_then(Value::as_str) != Some("catalog") {
            plan.lines.push(skip("Not installed from a catalog \u{2014} re-add to update".into()));
            continue;
        }
        let installed_text = meta.get("version").map_or_else(|| "None".into(), Value::py_str);
        let Some(installed) = catalog::pep440(&installed_text) else {
            plan.lines.push(skip(format!("Invalid installed version '{installed_text}' in registry")));
            continue;
        };
        if merged.is_none() {
            let m = catalog::load_merged(&env.catalog_inputs()).map_err(|e| Failure::error(e.0))?;
            plan.warnings.extend(m.warnings.iter().cloned());
            merged = Some(m);
        }
        let info = match merged.as_ref().and_then(|m| m.workflows.get(&target)) {
            None => None,
            Some(entry) => {
                let mut entry = entry.clone();
                entry.entry("id".to_owned()).or_insert_with(|| Value::Str(target.clone()));
                catalog::select_release(&target, &entry, None).map_err(|e| Failure::error(e.0))?
            }
        };
        let Some(info) = info else {
            plan.lines.push(skip("Not found in catalog".into()));
            continue;
        };
        if !catalog::install_allowed(&info) {
            let name = info.get("_catalog_name").map_or_else(|| "catalog".into(), Value::py_str);
            plan.lines.push(skip(format!("Updates not allowed from '{name}'")));
            continue;
        }
        let catalog_text = info.get("version").map_or_else(|| "None".into(), Value::py_str);
        let Some(available) = catalog::pep440(&catalog_text) else {
            plan.lines.push(skip(format!("Invalid catalog version '{catalog_text}'")));
            continue;
        };
        plan.checked += 1;
        if available > installed {
            plan.updates.push(Update { id: target.clone(), installed: installed.to_string(), available: available.to_string() });
        } else {
            plan.lines.push(CheckLine::UpToDate { id: target.clone(), installed: installed.to_string() });
        }
    }
    Ok(plan)
}

/// `update`, second half: installs one update from the catalog with the expected
/// catalog version and the expected installed version.
///
/// # Errors
/// The failure of that install (the previous copy is kept).
pub fn apply_update(env: &Env<'_>, update: &Update, out: &mut Output) -> Result<Installed, Failure> {
    install::install_from_catalog(
        env,
        &update.id,
        &CatalogExpect { requested_version: None, expected_version: Some(&update.available), expected_installed_version: Some(&update.installed) },
        out,
    )
}
