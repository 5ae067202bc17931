//! Custom step packages (ecosystem.md §18): the package format and walk with its
//! limits, `step.yml` metadata, the install preflight (id, storage, built-in and
//! case-insensitive collisions, duplicates), staging and the atomic commit under
//! `.specify/.step-install.lock`, the step registry, `step remove` and `step list`.
//!
//! Every source (`--dev` directory, `--from` archive, catalog files) ends in
//! [`install_package`] with a materialised package directory. A package is never
//! imported or executed while it is installed.

pub mod registry;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use baton_expr::py::str_repr;
use baton_expr::{Map, Value};
use baton_model::yaml::{self, Node, Yaml};

use crate::fsx::InstallLock;
use crate::overlay::io::read_text;

pub use registry::StepRegistry;

/// The most entries (files and directories) a package may hold.
pub const MAX_PACKAGE_ENTRIES: usize = 512;
/// The most bytes a package may hold.
pub const MAX_PACKAGE_BYTES: u64 = 50 * 1024 * 1024;
/// The deepest directory nesting of a package.
pub const MAX_PACKAGE_DEPTH: usize = 32;
/// Names pruned at every level: neither copied nor counted.
pub const EXCLUDE_NAMES: [&str; 3] = [".git", "__pycache__", ".DS_Store"];
/// The prefix of the private staging folder under the steps folder.
pub const WORK_DIR_PREFIX: &str = ".speckit-step-install-";

/// A refused step install or removal; `Display` is the reference's message (the CLI
/// prints `Error: <it>`). `notes` are printed first as `Warning:` lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// The message.
    pub message: String,
    /// Notes attached to the error (clean-up problems).
    pub notes: Vec<String>,
}

impl Error {
    /// An error with this message and no notes.
    pub fn new(message: impl Into<String>) -> Self {
        Error { message: message.into(), notes: Vec::new() }
    }
}

/// Where a package comes from, recorded as the registry's `source`.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// `--dev DIR`.
    Local,
    /// `--from URL`.
    Url,
    /// The step catalog: the winning source's name and the entry's metadata
    /// (`name`, `version`, `description`, `author` win over `step.yml`).
    Catalog {
        /// The catalog source's name.
        name: String,
        /// The catalog entry.
        metadata: Map,
    },
}

impl Source {
    fn label(&self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Url => "url",
            Source::Catalog { .. } => "catalog",
        }
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Checks a step id (ecosystem.md §3).
///
/// # Errors
/// `Invalid step id '<id>': must be a single safe path component (…)`.
pub fn validate_step_id(id: &str) -> Result<(), Error> {
    if crate::ids::is_valid_step_id(id) {
        return Ok(());
    }
    Err(Error::new(format!(
        "Invalid step id '{id}': must be a single safe path component (no separators, no leading dot, not a reserved name, no invalid filename characters)"
    )))
}

/// `.specify/workflows/steps`, resolved, after refusing symlinked or non-directory
/// folders on the way and a folder that escapes the project.
///
/// # Errors
/// `Refusing to use symlinked step directory '<p>'`, `Step directory path is not a
/// directory: '<p>'`, `Step directory escapes project root: '<p>'`.
pub fn steps_base_dir(project_root: &Path) -> Result<PathBuf, Error> {
    let mut current = project_root.to_path_buf();
    for part in [".specify", "workflows", "steps"] {
        current.push(part);
        if is_symlink(&current) {
            return Err(Error::new(format!("Refusing to use symlinked step directory '{}'", current.display())));
        }
        if current.exists() && !current.is_dir() {
            return Err(Error::new(format!("Step directory path is not a directory: '{}'", current.display())));
        }
    }
    let root = resolve(project_root);
    let base = resolve(&current);
    if !base.starts_with(&root) {
        return Err(Error::new(format!("Step directory escapes project root: '{}'", base.display())));
    }
    Ok(base)
}

/// Python's `Path.resolve()` (non-strict): canonicalise the longest existing prefix.
fn resolve(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    loop {
        if let Ok(canon) = fs::canonicalize(&existing) {
            let mut out = canon;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return crate::fsx::lexical_normalize(&out);
        }
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return crate::fsx::lexical_normalize(&absolute),
        }
    }
}

fn reject_unsafe_destination(step_dir: &Path) -> Result<(), Error> {
    if is_symlink(step_dir) {
        return Err(Error::new(format!(
            "Refusing to install step through a symlinked path: '{}'",
            step_dir.display()
        )));
    }
    if step_dir.exists() && !step_dir.is_dir() {
        return Err(Error::new(format!(
            "Step install path exists but is not a directory: '{}'",
            step_dir.display()
        )));
    }
    Ok(())
}

fn entry_limit_error() -> Error {
    Error::new(format!(
        "Step package contains too many entries, exceeding the {MAX_PACKAGE_ENTRIES}-entry limit (files and directories combined)"
    ))
}

fn depth_error() -> Error {
    Error::new(format!("Step package exceeds the {MAX_PACKAGE_DEPTH}-level directory depth limit"))
}

fn size_error() -> Error {
    Error::new(format!("Step package exceeds the {MAX_PACKAGE_BYTES}-byte total size limit"))
}

/// The retained children of `dir`, sorted by name; more than `budget` is an error.
fn scan_retained(dir: &Path, budget: usize) -> std::io::Result<Result<Vec<fs::DirEntry>, Error>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if EXCLUDE_NAMES.iter().any(|n| entry.file_name() == *n) {
            continue;
        }
        if entries.len() >= budget {
            return Ok(Err(entry_limit_error()));
        }
        entries.push(entry);
    }
    entries.sort_by_key(fs::DirEntry::file_name);
    Ok(Ok(entries))
}

/// Walks the retained tree of a package in the reference's order (sorted, depth
/// first), never following links, and sums the regular files' sizes.
fn walk_package(package_dir: &Path) -> Result<(), Error> {
    let mut discovered = 0usize;
    let children = |dir: &Path, depth: usize, discovered: &mut usize| -> Result<Vec<(PathBuf, usize)>, Error> {
        let entries = scan_retained(dir, MAX_PACKAGE_ENTRIES - *discovered)
            .map_err(|e| {
                Error::new(format!(
                    "Failed to read step package directory '{}': {}",
                    dir.display(),
                    crate::overlay::io::os_error(&e, dir)
                ))
            })??;
        *discovered += entries.len();
        Ok(entries.into_iter().rev().map(|e| (e.path(), depth)).collect())
    };
    let mut stack = children(package_dir, 1, &mut discovered)?;
    let mut bytes = 0u64;
    while let Some((path, depth)) = stack.pop() {
        let meta = fs::symlink_metadata(&path).map_err(|e| {
            Error::new(format!(
                "Failed to inspect step package entry '{}': {}",
                path.display(),
                crate::overlay::io::os_error(&e, &path)
            ))
        })?;
        let kind = meta.file_type();
        if kind.is_symlink() {
            return Err(Error::new(format!("Step package contains symlink: {}", path.display())));
        }
        if kind.is_dir() {
            if depth > MAX_PACKAGE_DEPTH {
                return Err(depth_error());
            }
            let more = children(&path, depth + 1, &mut discovered)?;
            stack.extend(more);
        } else if kind.is_file() {
            bytes += meta.len();
            if bytes > MAX_PACKAGE_BYTES {
                return Err(size_error());
            }
        } else {
            return Err(Error::new(format!("Step package contains unsupported file: {}", path.display())));
        }
    }
    Ok(())
}

/// Whether a `step.yml` text is a genuinely empty document (nothing, comments,
/// directives and document markers only), which reads as `{}`.
fn is_empty_document(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().all(|line| {
        let t = line.trim();
        let marker = |m: &str| t.strip_prefix(m).is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '#']));
        let rest_ok = |m: &str| {
            t.strip_prefix(m).is_some_and(|r| {
                let r = r.trim_start();
                r.is_empty() || r.starts_with('#')
            })
        };
        t.is_empty() || t.starts_with('#') || t.starts_with('%') || (marker("---") && rest_ok("---")) || (marker("...") && rest_ok("..."))
    })
}

/// Parses `step.yml` and returns its `step` mapping.
///
/// # Errors
/// `Invalid step.yml: …`, `step.yml must be a YAML mapping`, `step.yml 'step' field
/// must be a mapping`, `step.yml missing 'step.type_key' field`,
/// `step.yml type_key ('x') does not match step ID ('y')`.
pub fn parse_step_metadata(text: &str, step_id: &str) -> Result<Node, Error> {
    let doc = yaml::parse(text).map_err(|e| Error::new(format!("Invalid step.yml: {e}")))?;
    let empty = Node { value: Yaml::Map(Vec::new()), span: doc.span };
    let meta = match &doc.value {
        Yaml::Map(_) => &doc,
        Yaml::Null if is_empty_document(text) => &empty,
        _ => return Err(Error::new("step.yml must be a YAML mapping")),
    };
    let step = match meta.get("step") {
        None => &empty,
        Some(s) if s.as_map().is_some() => s,
        Some(_) => return Err(Error::new("step.yml 'step' field must be a mapping")),
    };
    let type_key = match step.get("type_key") {
        None => return Err(Error::new("step.yml missing 'step.type_key' field")),
        Some(k) if !k.to_value().truthy() => return Err(Error::new("step.yml missing 'step.type_key' field")),
        Some(k) => k,
    };
    if type_key.as_str() != Some(step_id) {
        return Err(Error::new(format!(
            "step.yml type_key ({}) does not match step ID ({})",
            type_key.py_repr(),
            str_repr(step_id)
        )));
    }
    Ok(step.clone())
}

/// Validates a materialised package directory (§18.1) and returns its `step.yml`
/// `step` mapping. Never imports anything.
///
/// # Errors
/// Shape, symlink, limit and identity violations, with the reference's messages.
pub fn validate_package(package_dir: &Path, step_id: &str) -> Result<Node, Error> {
    if is_symlink(package_dir) {
        return Err(Error::new(format!(
            "Refusing to install from a symlinked package directory: '{}'",
            package_dir.display()
        )));
    }
    if !package_dir.is_dir() {
        return Err(Error::new(format!("Step package directory not found: '{}'", package_dir.display())));
    }
    for required in ["step.yml", "__init__.py"] {
        let path = package_dir.join(required);
        if is_symlink(&path) {
            return Err(Error::new(format!("Step package '{required}' must be a regular file, not a symlink")));
        }
        if !path.is_file() {
            return Err(Error::new(format!("Step package is missing required file '{required}' at its root")));
        }
    }
    walk_package(package_dir)?;
    let path = package_dir.join("step.yml");
    let text = read_text(&path).map_err(|e| Error::new(format!("Invalid step.yml: {}", e.python_text(&path))))?;
    parse_step_metadata(&text, step_id)
}

/// The package root inside an extracted archive: the root itself when it holds
/// `step.yml`, else its only entry when that is a directory holding `step.yml`.
///
/// # Errors
/// `archive must contain step.yml at its root or in exactly one top-level directory`.
pub fn package_root(extracted: &Path) -> Result<PathBuf, Error> {
    let manifest = extracted.join("step.yml");
    if manifest.is_file() && !is_symlink(&manifest) {
        return Ok(extracted.to_path_buf());
    }
    let entries: Vec<PathBuf> = fs::read_dir(extracted)
        .map_err(|e| {
            Error::new(format!("Failed to inspect archive contents: {}", crate::overlay::io::os_error(&e, extracted)))
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    if let [only] = entries.as_slice() {
        let m = only.join("step.yml");
        if only.is_dir() && !is_symlink(only) && m.is_file() && !is_symlink(&m) {
            return Ok(only.clone());
        }
    }
    Err(Error::new("archive must contain step.yml at its root or in exactly one top-level directory"))
}

fn reject_builtin(step_id: &str) -> Result<(), Error> {
    if baton_model::BUILTIN_STEP_TYPES.contains(&step_id) {
        return Err(Error::new(format!("Step type '{step_id}' conflicts with a built-in step type")));
    }
    Ok(())
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

fn check_duplicate(registry: &StepRegistry, step_id: &str, step_dir: &Path, force: bool) -> Result<(), Error> {
    let folded = fold(step_id);
    for (registered, _) in registry.entries() {
        if registered != step_id && fold(registered) == folded {
            return Err(Error::new(format!(
                "Step ID '{step_id}' collides case-insensitively with registered step ID '{registered}'; use the exact registered ID with --force"
            )));
        }
    }
    if let Some(parent) = step_dir.parent() {
        match fs::read_dir(parent) {
            Ok(entries) => {
                let dest_exists = step_dir.exists();
                for entry in entries.filter_map(Result::ok) {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if name == step_id {
                        continue;
                    }
                    let aliases = dest_exists && same_file(&entry.path(), step_dir);
                    if fold(&name) != folded && !aliases {
                        continue;
                    }
                    return Err(Error::new(format!(
                        "Step ID '{step_id}' collides case-insensitively or resolves to the same filesystem path as existing step directory '{name}'"
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::new(format!(
                    "Failed to inspect existing step directories: {}",
                    crate::overlay::io::os_error(&e, parent)
                )));
            }
        }
    }
    if force {
        return Ok(());
    }
    if registry.is_installed(step_id) {
        return Err(Error::new(format!(
            "Step type '{step_id}' is already installed. Remove it first with: baton step remove {step_id}"
        )));
    }
    if step_dir.exists() {
        return Err(Error::new(format!(
            "Step directory already exists at '{}'. Remove it manually or use: baton step remove {step_id}",
            step_dir.display()
        )));
    }
    Ok(())
}

/// The advisory preflight every source runs before fetching anything: the id, the
/// steps folder, the destination, built-in and case-insensitive collisions and
/// duplicates (without `force`). Returns the destination folder.
///
/// # Errors
/// The reference's refusals.
pub fn check_installable(project_root: &Path, step_id: &str, force: bool) -> Result<PathBuf, Error> {
    validate_step_id(step_id)?;
    let base = steps_base_dir(project_root)?;
    let step_dir = base.join(step_id);
    reject_unsafe_destination(&step_dir)?;
    reject_builtin(step_id)?;
    check_duplicate(&StepRegistry::open(project_root), step_id, &step_dir, force)?;
    Ok(step_dir)
}

/// A metadata field that must be a string when present.
fn string_field<'a>(value: Option<&'a Value>, field: &str) -> Result<Option<&'a str>, Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(_) => Err(Error::new(format!("step metadata '{field}' must be a string when present"))),
    }
}

fn yaml_string_field<'a>(step: &'a Node, field: &str) -> Result<Option<&'a str>, Error> {
    match step.get(field).map(|n| &n.value) {
        None | Some(Yaml::Null) => Ok(None),
        Some(Yaml::Str(s)) => Ok(Some(s)),
        Some(_) => Err(Error::new(format!("step metadata '{field}' must be a string when present"))),
    }
}

/// The registry entry (without timestamps) for a package and its source.
fn build_entry(step_id: &str, step: &Node, source: &Source) -> Result<Map, Error> {
    let type_key = yaml_string_field(step, "type_key")?.filter(|k| !k.is_empty());
    let Some(type_key) = type_key else { return Err(Error::new("step.yml missing 'step.type_key' field")) };
    let fields = ["name", "version", "description", "author"];
    let mut package = Vec::new();
    for f in fields {
        package.push(yaml_string_field(step, f)?);
    }
    let empty = Map::new();
    let catalog_meta = match source {
        Source::Catalog { metadata, .. } => metadata,
        _ => &empty,
    };
    let mut catalog = Vec::new();
    for f in fields {
        catalog.push(string_field(catalog_meta.get(f), f)?);
    }
    fn nonempty(s: Option<&str>) -> Option<&str> {
        s.filter(|s| !s.is_empty())
    }
    let mut entry = Map::new();
    let name = nonempty(catalog[0]).or(nonempty(package[0])).unwrap_or(step_id);
    let version = nonempty(catalog[1]).or(nonempty(package[1])).unwrap_or("0.0.0");
    let description = catalog[2].unwrap_or_else(|| package[2].unwrap_or(""));
    let author = catalog[3].unwrap_or_else(|| package[3].unwrap_or(""));
    entry.insert("name".into(), Value::Str(name.to_owned()));
    entry.insert("version".into(), Value::Str(version.to_owned()));
    entry.insert("description".into(), Value::Str(description.to_owned()));
    entry.insert("author".into(), Value::Str(author.to_owned()));
    entry.insert("type_key".into(), Value::Str(type_key.to_owned()));
    entry.insert("source".into(), Value::Str(source.label().to_owned()));
    if let Source::Catalog { name, .. } = source {
        entry.insert("catalog_name".into(), Value::Str(name.clone()));
    }
    Ok(entry)
}

fn stage_error(e: &std::io::Error) -> Error {
    Error::new(format!("Failed to stage step package: {}", crate::net::io_message(e)))
}

/// Copies a validated package into `target` without following links, re-checking
/// the depth, entry and byte budgets. Executable bits of files are kept (baton's
/// executable steps need them; Python packages are unaffected).
fn copy_package(source: &Path, target: &Path) -> Result<(), Error> {
    let mut remaining = MAX_PACKAGE_BYTES;
    let mut discovered = 0usize;
    let mut pending = vec![(source.to_path_buf(), target.to_path_buf(), 0usize)];
    while let Some((current, dest, depth)) = pending.pop() {
        if depth > MAX_PACKAGE_DEPTH {
            return Err(depth_error());
        }
        fs::create_dir_all(&dest).map_err(|e| stage_error(&e))?;
        let entries = scan_retained(&current, MAX_PACKAGE_ENTRIES - discovered).map_err(|e| stage_error(&e))??;
        discovered += entries.len();
        for entry in entries {
            let path = entry.path();
            let meta = fs::symlink_metadata(&path).map_err(|e| stage_error(&e))?;
            let kind = meta.file_type();
            let to = dest.join(entry.file_name());
            if kind.is_symlink() {
                return Err(Error::new(format!("Step package contains symlink: {}", path.display())));
            }
            if kind.is_dir() {
                pending.push((path, to, depth + 1));
            } else if kind.is_file() {
                remaining -= copy_file(&path, &to, &meta, remaining)?;
            } else {
                return Err(Error::new(format!("Step package contains unsupported file: {}", path.display())));
            }
        }
    }
    Ok(())
}

fn copy_file(source: &Path, target: &Path, expected: &fs::Metadata, remaining: u64) -> Result<u64, Error> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let fd = rustix::fs::open(source, rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::CLOEXEC, rustix::fs::Mode::empty())
        .map_err(|e| stage_error(&e.into()))?;
    let mut file = fs::File::from(fd);
    let opened = file.metadata().map_err(|e| stage_error(&e))?;
    if !opened.is_file() || opened.dev() != expected.dev() || opened.ino() != expected.ino() {
        return Err(Error::new(format!("Step package file changed while staging: {}", source.display())));
    }
    let mode = if expected.permissions().mode() & 0o100 != 0 { 0o777 } else { 0o666 };
    let mut out = fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(target).map_err(|e| stage_error(&e))?;
    let mut copied = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| stage_error(&e))?;
        if n == 0 {
            break;
        }
        if copied + n as u64 > remaining {
            return Err(Error::new(format!(
                "Step package exceeds the {MAX_PACKAGE_BYTES}-byte total size limit while staging"
            )));
        }
        out.write_all(&buf[..n]).map_err(|e| stage_error(&e))?;
        copied += n as u64;
    }
    Ok(copied)
}

/// Publishes the staged package and records its registry entry.
fn replace_install(
    step_dir: &Path,
    staged: &Path,
    registry: &mut StepRegistry,
    step_id: &str,
    entry: Map,
    force: bool,
    now: jiff::Timestamp,
) -> Result<(), Error> {
    let io = crate::net::io_message;
    if step_dir.exists() {
        if !force {
            return Err(Error::new(format!(
                "Step directory already exists at '{}'. Remove it manually or use: baton step remove {step_id}",
                step_dir.display()
            )));
        }
        fs::remove_dir_all(step_dir).map_err(|e| {
            Error::new(format!(
                "Failed to remove the existing step installation at '{}': {}. Reinstall from the original source with --force.",
                step_dir.display(),
                io(&e)
            ))
        })?;
        fs::rename(staged, step_dir).map_err(|e| {
            Error::new(format!(
                "Failed to publish the replacement for step type '{step_id}': {}. The previous installation was removed; reinstall from the original source with --force.",
                io(&e)
            ))
        })?;
        return registry.add(step_id, entry, now).map_err(|e| {
            Error::new(format!(
                "Failed to update the step registry for '{step_id}': {e}. The package was replaced but the registry metadata was not updated; reinstall from the original source with --force."
            ))
        });
    }
    fs::rename(staged, step_dir).map_err(|e| Error::new(format!("Failed to install step '{step_id}': {}", io(&e))))?;
    if let Err(e) = registry.add(step_id, entry, now) {
        if let Err(cleanup) = fs::remove_dir_all(step_dir) {
            return Err(Error::new(format!(
                "Failed to update the step registry for '{step_id}': {e}. The unregistered package remains at '{}' because rollback failed: {}. Remove it manually before reinstalling.",
                step_dir.display(),
                io(&cleanup)
            )));
        }
        return Err(e);
    }
    Ok(())
}

/// Validates, stages and commits a step package from any source; returns the
/// registry entry written.
///
/// # Errors
/// Every refusal of §18.2 with the reference's message.
pub fn install_package(
    project_root: &Path,
    step_id: &str,
    package_dir: &Path,
    source: &Source,
    force: bool,
    now: jiff::Timestamp,
) -> Result<Map, Error> {
    if is_symlink(package_dir) {
        return Err(Error::new(format!(
            "Refusing to install from a symlinked package directory: '{}'",
            package_dir.display()
        )));
    }
    if !package_dir.is_dir() {
        return Err(Error::new(format!("Step package directory not found: '{}'", package_dir.display())));
    }
    validate_step_id(step_id)?;
    let base = steps_base_dir(project_root)?;
    let step_dir = base.join(step_id);
    reject_unsafe_destination(&step_dir)?;
    let source_resolved = resolve(package_dir);
    let dest_resolved = resolve(&step_dir);
    if source_resolved == dest_resolved || dest_resolved.starts_with(&source_resolved) {
        return Err(Error::new(format!(
            "Step package source resolves to the install destination: '{}'",
            package_dir.display()
        )));
    }
    reject_builtin(step_id)?;
    check_duplicate(&StepRegistry::open(project_root), step_id, &step_dir, force)?;
    build_entry(step_id, &validate_package(package_dir, step_id)?, source)?;

    fs::create_dir_all(&base)
        .map_err(|e| Error::new(format!("Failed to create staging directory: {}", crate::net::io_message(&e))))?;
    let work = base.join(format!("{WORK_DIR_PREFIX}{}", crate::fsx::random_suffix(8)));
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&work)
            .map_err(|e| Error::new(format!("Failed to create staging directory: {}", crate::net::io_message(&e))))?;
    }
    let staged = work.join("staged");
    let result = (|| {
        copy_package(package_dir, &staged)?;
        let meta = validate_package(&staged, step_id)?;
        let entry = build_entry(step_id, &meta, source)?;
        let lock_path = project_root.join(".specify").join(".step-install.lock");
        let _lock = InstallLock::acquire(&lock_path)
            .map_err(|e| Error::new(format!("Failed to acquire the step lock: {}", crate::net::io_message(&e))))?;
        let locked_base = steps_base_dir(project_root)?;
        if locked_base != base {
            return Err(Error::new("Step directory changed while staging; reinstall from the original source"));
        }
        let step_dir = locked_base.join(step_id);
        reject_unsafe_destination(&step_dir)?;
        reject_builtin(step_id)?;
        let mut registry = StepRegistry::open(project_root);
        check_duplicate(&registry, step_id, &step_dir, force)?;
        replace_install(&step_dir, &staged, &mut registry, step_id, entry.clone(), force, now)?;
        Ok(entry)
    })();
    if let Err(cleanup) = fs::remove_dir_all(&work) {
        if work.exists() {
            let note = format!(
                "Could not remove step staging directory '{}': {}",
                work.display(),
                crate::net::io_message(&cleanup)
            );
            return match result {
                Err(mut e) => {
                    e.notes.push(note);
                    Err(e)
                }
                Ok(entry) => Ok(entry),
            };
        }
    }
    result
}

/// What `step remove` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// A registered step: its entry and folder are gone.
    Registered,
    /// A folder without registry entry (the registry was probably reset): the folder
    /// is gone; the CLI warns first.
    Orphan,
}

/// Whether `step remove` would find an orphan (a folder without registry entry), so
/// the CLI can print its warning before the folder goes.
pub fn is_orphan(project_root: &Path, step_id: &str) -> bool {
    let registry = StepRegistry::open(project_root);
    !registry.is_installed(step_id) && steps_base_dir(project_root).is_ok_and(|b| b.join(step_id).exists())
}

/// `step remove <ID>` under the step lock: the registry entry goes first, then the
/// folder (the entry is restored verbatim when the folder cannot be deleted).
///
/// # Errors
/// `Step type '<id>' is not installed` (built-ins included), lock, storage and
/// deletion failures. Lock failures read `Failed to lock step removal '<id>': …`.
pub fn remove_step(project_root: &Path, step_id: &str) -> Result<Removed, Error> {
    validate_step_id(step_id)?;
    let lock_path = project_root.join(".specify").join(".step-install.lock");
    let _lock = InstallLock::acquire(&lock_path).map_err(|e| {
        Error::new(format!("Failed to lock step removal '{step_id}': {}", crate::net::io_message(&e)))
    })?;
    let mut registry = StepRegistry::open(project_root);
    let in_registry = registry.is_installed(step_id);
    let base = steps_base_dir(project_root)?;
    let step_dir = resolve(&base.join(step_id));
    if step_dir.strip_prefix(&base).ok().map(|r| r.as_os_str().to_owned()) != Some(step_id.into()) {
        return Err(Error::new(format!("Invalid step id '{step_id}'")));
    }
    let dir_exists = step_dir.exists();
    let rm_error = |e: &std::io::Error| {
        Error::new(format!("Failed to remove step directory {}: {}", step_dir.display(), crate::net::io_message(e)))
    };
    match (in_registry, dir_exists) {
        (false, false) => Err(Error::new(format!("Step type '{step_id}' is not installed"))),
        (false, true) => {
            fs::remove_dir_all(&step_dir).map_err(|e| rm_error(&e))?;
            Ok(Removed::Orphan)
        }
        (true, _) => {
            let previous = registry.remove(step_id)?;
            if dir_exists {
                if let Err(e) = fs::remove_dir_all(&step_dir) {
                    let mut err = rm_error(&e);
                    if let Some(entry) = previous {
                        if let Err(restore) = registry.restore(step_id, entry) {
                            err.notes.push(format!(
                                "Failed to restore registry entry for '{step_id}' after directory removal failure: {restore}"
                            ));
                        }
                    }
                    return Err(err);
                }
            }
            Ok(Removed::Registered)
        }
    }
}

/// One installed custom step as `step list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The registry key.
    pub id: String,
    /// `name` (Python's `str()` of it), else the id.
    pub name: String,
    /// `version` (Python's `str()` of it), else `?`.
    pub version: String,
}

/// The registered custom steps, sorted by id (the registry is read; nothing is
/// imported).
pub fn list_installed(project_root: &Path) -> Vec<Listed> {
    if !project_root.join(".specify").exists() {
        return Vec::new();
    }
    let registry = StepRegistry::open(project_root);
    let mut out: Vec<Listed> = registry
        .entries()
        .map(|(id, meta)| {
            let field = |k: &str, default: &str| match meta {
                Value::Map(m) => m.get(k).map_or_else(|| default.to_owned(), Value::py_str),
                _ => default.to_owned(),
            };
            Listed { id: id.clone(), name: field("name", id), version: field("version", "?") }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests;
