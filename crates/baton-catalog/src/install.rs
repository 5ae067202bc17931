//! `add` (spec §7, §9): installing a workflow from a local YAML file, a directory, an
//! archive, a URL, or a catalog id, with the reference's atomic install rules.
//!
//! Nothing here prints: every function appends the lines the reference prints along
//! the way (warnings) to an [`Output`] and returns either the success line or a
//! [`Failure`] (the error lines and exit code). A failure at any point leaves the
//! previous install and registry entry intact; a fresh install that fails leaves no
//! `<id>/` directory. [`Faults`] lets tests inject a failure at each step.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use baton_expr::{Map, Value};
use baton_model::yaml::Node;
use baton_model::{CustomStepTypes, Severity};

use crate::archive::{self, ArchiveFormat, Limits};
use crate::catalog::{self, CatalogInputs};
use crate::fsx::{self, InstallLock};
use crate::ids;
use crate::net::{self, Client, NetError, Request};
use crate::registry::{self, Registry};
use crate::sources::StackInputs;

/// How a line is marked when printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// `Error: <text>`.
    Error,
    /// `Warning: <text>`.
    Warning,
    /// The text as is.
    Plain,
}

/// One printed line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    /// Its mark.
    pub level: Level,
    /// Whether it goes to stderr (the reference's error console) instead of stdout.
    pub stderr: bool,
    /// The text, without the mark.
    pub text: String,
}

impl Line {
    /// `Error: text` on stdout.
    pub fn error(text: impl Into<String>) -> Self {
        Line { level: Level::Error, stderr: false, text: text.into() }
    }
    /// `Warning: text` on stdout.
    pub fn warning(text: impl Into<String>) -> Self {
        Line { level: Level::Warning, stderr: false, text: text.into() }
    }
    /// Plain text on stdout.
    pub fn plain(text: impl Into<String>) -> Self {
        Line { level: Level::Plain, stderr: false, text: text.into() }
    }
    /// The printed form.
    pub fn render(&self) -> String {
        match self.level {
            Level::Error => format!("Error: {}", self.text),
            Level::Warning => format!("Warning: {}", self.text),
            Level::Plain => self.text.clone(),
        }
    }
}

/// Lines printed along the way (before the outcome).
pub type Output = Vec<Line>;

/// A failed command: the lines to print and the exit code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// The lines (the first is the main message).
    pub lines: Vec<Line>,
    /// The exit code (1, or 0 for a declined prompt).
    pub code: i32,
}

impl Failure {
    /// `Error: <msg>` on stdout, exit 1.
    pub fn error(msg: impl Into<String>) -> Self {
        Failure { lines: vec![Line::error(msg)], code: 1 }
    }
    /// `Error: <msg>` on stderr, exit 1.
    pub fn stderr(msg: impl Into<String>) -> Self {
        Failure { lines: vec![Line { level: Level::Error, stderr: true, text: msg.into() }], code: 1 }
    }
    /// Adds a plain line.
    pub fn with(mut self, line: Line) -> Self {
        self.lines.push(line);
        self
    }
    /// The main message (first line's text).
    pub fn message(&self) -> &str {
        self.lines.first().map_or("", |l| l.text.as_str())
    }
}

/// Where an install can be made to fail (tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    /// After the staging file or directory is created.
    Staged,
    /// After the install lock is taken, before anything is moved.
    Locked,
    /// After the previous file/directory was moved aside.
    BackedUp,
    /// After the new file/directory was moved into place, before the registry write.
    Committed,
    /// Instead of writing the registry.
    RegistryWrite,
}

/// A failure injector: return `Err` to fail at `point`.
pub trait Faults {
    /// Called at each [`FaultPoint`].
    ///
    /// # Errors
    /// The injected failure.
    fn check(&self, point: FaultPoint) -> io::Result<()>;
}

/// No injected failures.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFaults;

impl Faults for NoFaults {
    fn check(&self, _point: FaultPoint) -> io::Result<()> {
        Ok(())
    }
}

/// Everything `add`/`update` need from the outside world.
pub struct Env<'a> {
    /// The project root (absolute).
    pub project_root: &'a Path,
    /// The working directory, against which relative sources resolve.
    pub cwd: &'a Path,
    /// The home directory (user catalog layer, `~` in `--dev`).
    pub home: Option<&'a Path>,
    /// `SPECKIT_WORKFLOW_CATALOG_URL`.
    pub catalog_env: Option<&'a str>,
    /// The HTTP client.
    pub client: &'a Client,
    /// A directory for temporary files (downloads, archive extraction).
    pub temp_dir: &'a Path,
    /// The clock.
    pub now: jiff::Timestamp,
    /// Installed custom step types, for validation.
    pub custom_steps: &'a dyn CustomStepTypes,
    /// Failure injection (tests); [`NoFaults`] otherwise.
    pub faults: &'a dyn Faults,
}

impl Env<'_> {
    fn workflows_dir(&self) -> PathBuf {
        self.project_root.join(".specify").join("workflows")
    }

    fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.cwd.join(path)
        }
    }

    /// The catalog inputs of this environment.
    pub fn catalog_inputs(&self) -> CatalogInputs<'_> {
        CatalogInputs {
            stack: StackInputs { project_root: self.project_root, home: self.home, env_override: self.catalog_env },
            client: self.client,
            now: self.now.as_millisecond() as f64 / 1000.0,
        }
    }
}

/// What was installed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Installed {
    /// The workflow id.
    pub id: String,
    /// The success line (`✓ Workflow 'Hello WF' (hello) installed`).
    pub message: String,
    /// The registry `source`.
    pub source: String,
}

fn io_err(e: &io::Error) -> String {
    net::io_message(e)
}

/// Python's `str(Path(s))`: repeated and trailing slashes and `.` parts dropped.
pub fn path_label(s: &str) -> String {
    if s.is_empty() {
        return ".".into();
    }
    let absolute = s.starts_with('/');
    let parts: Vec<&str> = s.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let body = parts.join("/");
    match (absolute, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

// ---------------------------------------------------------------------------------
// Definitions

/// A parsed, validated workflow document.
#[derive(Debug, Clone)]
pub struct Definition {
    /// The exact bytes that were validated.
    pub bytes: Vec<u8>,
    node: Node,
}

fn workflow_block(node: &Node) -> Option<&Node> {
    node.get("workflow").filter(|w| w.as_map().is_some())
}

impl Definition {
    fn field(&self, key: &str) -> Option<Value> {
        workflow_block(&self.node).and_then(|w| w.get(key)).map(Node::to_value)
    }

    /// `workflow.id` as a string (`None` when absent or not a string).
    pub fn id(&self) -> Option<String> {
        match self.field("id") {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    fn id_value(&self) -> Value {
        self.field("id").unwrap_or(Value::Str(String::new()))
    }

    /// `workflow.name` (default `""`).
    pub fn name(&self) -> Value {
        self.field("name").unwrap_or(Value::Str(String::new()))
    }

    /// `workflow.version` (default `"0.0.0"`).
    pub fn version(&self) -> Value {
        self.field("version").unwrap_or(Value::Str("0.0.0".into()))
    }

    /// `workflow.description` (default `""`).
    pub fn description(&self) -> Value {
        self.field("description").unwrap_or(Value::Str(String::new()))
    }

    /// Top-level `requires` (default `{}`).
    pub fn requires(&self) -> Value {
        self.node.get("requires").map(Node::to_value).unwrap_or(Value::Map(Map::new()))
    }

    /// The document.
    pub fn node(&self) -> &Node {
        &self.node
    }
}

/// Why a document could not be read as a workflow (the text after the caller's prefix).
fn parse_definition(bytes: &[u8]) -> Result<Definition, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        format!(
            "'utf-8' codec can't decode byte 0x{:02x} in position {at}: invalid start byte",
            bytes.get(at).copied().unwrap_or(0)
        )
    })?;
    let node = baton_model::load(text).map_err(|e| e.message(None))?;
    Ok(Definition { bytes: bytes.to_vec(), node })
}

fn validation_errors(def: &Definition, custom: &dyn CustomStepTypes) -> Vec<String> {
    baton_model::validate(&def.node, custom).into_iter().filter(|d| d.severity == Severity::Error).map(|d| d.message).collect()
}

fn validation_failure(header: &str, errors: Vec<String>) -> Failure {
    let mut f = Failure::error(header);
    for e in errors {
        f.lines.push(Line::plain(format!("  \u{2022} {e}")));
    }
    f
}

fn id_mismatch(actual: &Value, expected: &str) -> Failure {
    Failure::error(format!(
        "Workflow ID in YAML ({}) does not match the requested workflow ID ({}).",
        actual.py_repr(),
        baton_expr::py::str_repr(expected)
    ))
}

/// `_safe_workflow_id_dir`: checks the install directory of `id` before any write.
///
/// # Errors
/// The reference's refusals.
pub fn safe_workflow_dir(workflows_dir: &Path, id: &str) -> Result<PathBuf, Failure> {
    if !ids::is_valid_workflow_id(id) {
        return Err(Failure::error(format!("Invalid workflow ID: {}", baton_expr::py::str_repr(id))));
    }
    let dest = workflows_dir.join(id);
    let label = format!(".specify/workflows/{id}");
    match fs::symlink_metadata(&dest) {
        Ok(m) if m.file_type().is_symlink() => return Err(Failure::stderr(format!("Refusing to use symlinked {label} path"))),
        Ok(m) if !m.is_dir() => return Err(Failure::stderr(format!("{label} path exists but is not a directory"))),
        _ => {}
    }
    let yml = dest.join("workflow.yml");
    match fs::symlink_metadata(&yml) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Failure::error(format!("Refusing to write through symlinked {label}/workflow.yml")))
        }
        Ok(m) if !m.is_file() => return Err(Failure::error(format!("{label}/workflow.yml exists but is not a file"))),
        _ => {}
    }
    Ok(dest)
}

fn lock(env: &Env<'_>) -> io::Result<InstallLock> {
    InstallLock::acquire(&env.project_root.join(".specify").join(".workflow-install.lock"))
}

fn open_registry(env: &Env<'_>) -> Result<Registry, Failure> {
    Registry::open(env.project_root).map_err(|e| Failure::error(format!("Failed to read workflow registry: {e}")))
}

fn carry_disabled(existing: Option<&Value>, entry: &mut Map) {
    if let Some(Value::Map(m)) = existing {
        if !registry::is_enabled(m) {
            entry.insert("enabled".into(), Value::Bool(false));
        }
    }
}

fn base_entry(def: &Definition, source: &str) -> Map {
    let mut entry = Map::new();
    entry.insert("name".into(), def.name());
    entry.insert("version".into(), def.version());
    entry.insert("description".into(), def.description());
    entry.insert("source".into(), Value::Str(source.to_owned()));
    entry
}

// ---------------------------------------------------------------------------------
// Single-file installs

/// What single-file installs check beyond validation.
#[derive(Debug, Clone, Default)]
struct Expect<'a> {
    /// `--from`: the YAML id must equal this.
    id: Option<&'a str>,
}

/// A staged `workflow.yml` in the install directory.
struct StagedFile {
    path: PathBuf,
    file: fs::File,
}

fn stage_file(dest_dir: &Path, project_file_mode: bool) -> io::Result<StagedFile> {
    fs::create_dir_all(dest_dir)?;
    let mode = if project_file_mode { 0o666 } else { 0o600 };
    let (path, file) = fsx::create_exclusive(dest_dir, ".workflow.yml.", ".tmp", mode)?;
    Ok(StagedFile { path, file })
}

/// Removes a staged file and, for a fresh install, the then-empty directory.
fn discard_staged(staged: &Path, dest_dir: &Path, existed_before: bool, out: &mut Output) {
    let result = (|| -> io::Result<()> {
        match fs::remove_file(staged) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if !existed_before && dest_dir.exists() {
            match fs::remove_dir(dest_dir) {
                Err(e) if !matches!(e.raw_os_error(), Some(39 | 17)) => return Err(e),
                _ => {}
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        out.push(Line::warning(format!("Failed to clean up incomplete workflow install: {}", io_err(&e))));
    }
}

/// Moves the old file aside (`.workflow.yml.<rand>.bak`) and the staged file into
/// place; returns the backup path.
fn commit_file(staged: &StagedFile, dest: &Path, existed_before: bool, faults: &dyn Faults) -> io::Result<Option<PathBuf>> {
    use std::os::unix::fs::PermissionsExt;
    fsx::verify_same_file(&staged.path, &staged.file)?;
    if existed_before && dest.exists() {
        let old = fs::symlink_metadata(dest)?;
        staged.file.set_permissions(fs::Permissions::from_mode(std::os::unix::fs::MetadataExt::mode(&old) & 0o7777))?;
        let dir = dest.parent().unwrap_or(Path::new("."));
        let (backup, placeholder) = fsx::create_exclusive(dir, ".workflow.yml.", ".bak", 0o600)?;
        drop(placeholder);
        fs::rename(dest, &backup)?;
        if let Err(e) = faults.check(FaultPoint::BackedUp).and_then(|()| fsx::verify_same_file(&staged.path, &staged.file)).and_then(|()| fs::rename(&staged.path, dest)) {
            fs::rename(&backup, dest).map_err(|restore| {
                io::Error::other(format!(
                    "Failed to commit workflow file ({e}); failed to restore the prior workflow from {} ({restore}). The prior workflow remains at {}.",
                    backup.display(),
                    backup.display()
                ))
            })?;
            return Err(e);
        }
        return Ok(Some(backup));
    }
    fs::rename(&staged.path, dest)?;
    Ok(None)
}

fn rollback_file(dest: &Path, dest_dir: &Path, existed_before: bool, backup: Option<&Path>, out: &mut Output) {
    let result = (|| -> io::Result<()> {
        match backup {
            Some(b) => fs::rename(b, dest),
            None => {
                let _ = fs::remove_file(dest);
                if !existed_before && dest_dir.exists() {
                    match fs::remove_dir(dest_dir) {
                        Err(e) if !matches!(e.raw_os_error(), Some(39 | 17)) => return Err(e),
                        _ => {}
                    }
                }
                Ok(())
            }
        }
    })();
    if let Err(e) = result {
        out.push(Line::warning(format!("Failed to restore prior workflow file after registry update failure: {}", io_err(&e))));
    }
}

fn discard_backup(backup: Option<&Path>, out: &mut Output) {
    if let Some(b) = backup {
        if let Err(e) = fs::remove_file(b) {
            if e.kind() != io::ErrorKind::NotFound {
                out.push(Line::warning(format!(
                    "Workflow installed, but its backup file could not be cleaned up: {}. Remove it manually: {}",
                    io_err(&e),
                    b.display()
                )));
            }
        }
    }
}

/// Installs one YAML document's bytes as `<id>/workflow.yml` (only that file is
/// replaced; companions stay), registering `source`.
fn install_single(env: &Env<'_>, bytes: Vec<u8>, mode: u32, source: &str, expect: &Expect<'_>, out: &mut Output) -> Result<Installed, Failure> {
    let def = parse_definition(&bytes).map_err(|e| Failure::error(format!("Invalid workflow YAML: {e}")))?;
    let id_value = def.id_value();
    let blank = match &id_value {
        Value::Null => true,
        Value::Str(s) => s.trim().is_empty(),
        _ => false,
    };
    if blank {
        return Err(Failure::error("Workflow definition has an empty or missing 'id'"));
    }
    let errors = validation_errors(&def, env.custom_steps);
    if !errors.is_empty() {
        return Err(validation_failure("Workflow validation failed:", errors));
    }
    let id = def.id().unwrap_or_else(|| id_value.py_str());
    if let Some(expected) = expect.id {
        if id != expected {
            return Err(id_mismatch(&id_value, expected));
        }
    }
    let workflows_dir = env.workflows_dir();
    let dest_dir = safe_workflow_dir(&workflows_dir, &id)?;
    let dest = dest_dir.join("workflow.yml");
    let existed_before = dest_dir.is_dir();
    let fail_install = |e: &io::Error| Failure::error(format!("Failed to install workflow '{id}': {}", io_err(e)));
    let mut staged = stage_file(&dest_dir, false).map_err(|e| fail_install(&e))?;
    let write = (|| -> io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        env.faults.check(FaultPoint::Staged)?;
        staged.file.write_all(&def.bytes)?;
        staged.file.set_permissions(fs::Permissions::from_mode(mode))?;
        staged.file.sync_all()
    })();
    if let Err(e) = write {
        discard_staged(&staged.path, &dest_dir, existed_before, out);
        return Err(fail_install(&e));
    }
    let guard = match lock(env).and_then(|l| env.faults.check(FaultPoint::Locked).map(|()| l)) {
        Ok(l) => l,
        Err(e) => {
            discard_staged(&staged.path, &dest_dir, existed_before, out);
            return Err(Failure::error(format!("Failed to lock workflow install '{id}': {}", io_err(&e))));
        }
    };
    let tx_existed = existed_before || dest.exists();
    let mut registry = match open_registry(env) {
        Ok(r) => r,
        Err(f) => {
            discard_staged(&staged.path, &dest_dir, existed_before, out);
            return Err(f);
        }
    };
    let backup = match commit_file(&staged, &dest, tx_existed, env.faults) {
        Ok(b) => b,
        Err(e) => {
            discard_staged(&staged.path, &dest_dir, existed_before, out);
            return Err(fail_install(&e));
        }
    };
    let mut entry = base_entry(&def, source);
    carry_disabled(registry.get(&id), &mut entry);
    let written = env
        .faults
        .check(FaultPoint::Committed)
        .and_then(|()| env.faults.check(FaultPoint::RegistryWrite))
        .map_err(|e| io_err(&e))
        .and_then(|()| registry.add(&id, entry, env.now).map_err(|e| e.0));
    if let Err(e) = written {
        rollback_file(&dest, &dest_dir, tx_existed, backup.as_deref(), out);
        return Err(Failure::error(format!("Failed to update workflow registry for '{id}': {e}")));
    }
    discard_backup(backup.as_deref(), out);
    drop(guard);
    staged.path.clear();
    Ok(Installed {
        message: format!("\u{2713} Workflow '{}' ({id}) installed", def.name().py_str()),
        id,
        source: source.to_owned(),
    })
}

fn read_local_yaml(path: &Path) -> Result<(Vec<u8>, u32), Failure> {
    use std::os::unix::fs::MetadataExt;
    let read = || -> io::Result<(Vec<u8>, u32)> {
        let file = fs::File::open(path)?;
        let mode = file.metadata()?.mode() & 0o7777;
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut &file, &mut bytes)?;
        Ok((bytes, mode))
    };
    read().map_err(|e| Failure::error(format!("Failed to read workflow YAML: {}", io_err(&e))))
}

// ---------------------------------------------------------------------------------
// Package installs

/// What a package install checks and records beyond the definition.
#[derive(Debug, Clone, Default)]
pub struct PackageExpect {
    /// The YAML id must equal this.
    pub id: Option<String>,
    /// The YAML version must equal this (string comparison).
    pub version: Option<String>,
    /// The YAML `requires` must equal this.
    pub requires: Option<Value>,
    /// Under the lock, the registry entry must still be a catalog install of this version.
    pub installed_version: Option<String>,
    /// Catalog provenance: `(catalog_name, url)`.
    pub catalog: Option<(String, String)>,
}

/// Refuses links and special files anywhere in a package tree (top-down walk).
fn validate_package_tree(dir: &Path, label: &str) -> Result<(), String> {
    let mut stack = vec![(dir.to_path_buf(), label.to_owned())];
    while let Some((path, shown)) = stack.pop() {
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        let entries = fs::read_dir(&path).map_err(|e| io_err(&e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_err(&e))?;
            let ft = entry.file_type().map_err(|e| io_err(&e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if ft.is_dir() {
                dirs.push(name);
            } else {
                files.push((name, ft));
            }
        }
        dirs.sort();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, ft) in &files {
            let child = format!("{shown}/{name}");
            if ft.is_symlink() {
                return Err(format!("Workflow package contains symlink: {child}"));
            }
            if !ft.is_file() {
                return Err(format!("Workflow package contains unsupported file: {child}"));
            }
        }
        for name in dirs.into_iter().rev() {
            stack.push((path.join(&name), format!("{shown}/{name}")));
        }
    }
    Ok(())
}

/// Copies `src` into the existing `dst`, skipping a top-level `overlays/`.
fn copy_tree(src: &Path, dst: &Path, top: bool) -> io::Result<()> {
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let name = entry.file_name();
        if top && name == "overlays" {
            continue;
        }
        let ft = entry.file_type()?;
        let target = dst.join(&name);
        if ft.is_dir() {
            fs::create_dir(&target)?;
            copy_tree(&entry.path(), &target, false)?;
        } else if ft.is_file() {
            fs::copy(entry.path(), &target)?;
        } else {
            return Err(io::Error::other(format!("unsupported file {}", entry.path().display())));
        }
    }
    Ok(())
}

/// `mkdtemp(prefix=…, dir=…)`: a new 0700 directory with a random suffix.
fn make_temp_dir(parent: &Path, prefix: &str) -> io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    for _ in 0..16 {
        let path = parent.join(format!("{prefix}{}", fsx::random_suffix(8)));
        match fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "could not create a unique directory"))
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Installs a whole package directory (`package_dir`, shown as `label` in messages)
/// as `<id>/`, replacing any previous install directory.
///
/// # Errors
/// The reference's failures; the previous install is kept.
pub fn install_package(env: &Env<'_>, package_dir: &Path, label: &str, source: &str, expect: &PackageExpect, out: &mut Output) -> Result<Installed, Failure> {
    validate_package_tree(package_dir, label).map_err(|e| Failure::error(format!("Invalid workflow package: {e}")))?;
    let bytes = fs::read(package_dir.join("workflow.yml")).map_err(|e| Failure::error(format!("Invalid workflow package: {}", io_err(&e))))?;
    let def = parse_definition(&bytes).map_err(|e| Failure::error(format!("Invalid workflow package: {e}")))?;
    let errors = validation_errors(&def, env.custom_steps);
    if !errors.is_empty() {
        return Err(validation_failure("Workflow validation failed:", errors));
    }
    let Some(id) = def.id().filter(|s| !s.trim().is_empty()) else {
        return Err(Failure::error("Workflow definition has an empty or missing 'id'"));
    };
    if let Some(expected) = &expect.id {
        if &id != expected {
            return Err(id_mismatch(&def.id_value(), expected));
        }
    }
    if let Some(expected) = &expect.version {
        let actual = def.version().py_str();
        if &actual != expected {
            return Err(Failure::error(format!(
                "Downloaded workflow version ({actual}) does not match the catalog version ({expected})."
            )));
        }
    }
    if let Some(expected) = &expect.requires {
        if !def.requires().py_eq(expected) {
            return Err(Failure::error("Downloaded workflow requirements do not match the selected catalog release."));
        }
    }
    let workflows_dir = env.workflows_dir();
    let dest = safe_workflow_dir(&workflows_dir, &id)?;
    // The reference crashes here when `.specify/workflows/` does not exist yet; baton
    // creates it (spec §7.3, "Known defect").
    fs::create_dir_all(&workflows_dir).map_err(|e| Failure::error(format!("Failed to stage workflow package: {}", io_err(&e))))?;
    let staged = make_temp_dir(&workflows_dir, &format!(".{id}.installing-"))
        .map_err(|e| Failure::error(format!("Failed to stage workflow package: {}", io_err(&e))))?;
    let staged_guard = TempDir(staged.clone());
    copy_tree(package_dir, &staged, true)
        .and_then(|()| env.faults.check(FaultPoint::Staged))
        .map_err(|e| Failure::error(format!("Failed to stage workflow package: {}", io_err(&e))))?;
    let package_fail = |e: String| Failure::error(format!("Failed to install workflow package: {e}"));
    let guard = lock(env).and_then(|l| env.faults.check(FaultPoint::Locked).map(|()| l)).map_err(|e| package_fail(io_err(&e)))?;
    let mut registry = open_registry(env)?;
    let existing = registry.get(&id).cloned();
    if let Some(expected) = &expect.installed_version {
        let ok = matches!(&existing, Some(Value::Map(m))
            if m.get("source").and_then(Value::as_str) == Some("catalog")
            && m.get("version").map(Value::py_str).as_deref() == Some(expected.as_str()));
        if !ok {
            return Err(Failure { lines: vec![Line::warning(format!("Workflow '{id}' changed during update; rerun the command."))], code: 1 });
        }
    }
    let mut backup: Option<PathBuf> = None;
    if dest.exists() {
        let b = make_temp_dir(&workflows_dir, &format!(".{id}.backup-")).and_then(|b| fs::remove_dir(&b).map(|()| b)).map_err(|e| package_fail(io_err(&e)))?;
        fs::rename(&dest, &b).map_err(|e| package_fail(io_err(&e)))?;
        backup = Some(b);
    }
    let moved = env.faults.check(FaultPoint::BackedUp).and_then(|()| fs::rename(&staged, &dest));
    if let Err(e) = moved {
        if let Some(b) = backup.take() {
            if let Err(restore) = fs::rename(&b, &dest) {
                out.push(Line::warning(format!("Failed to fully restore the prior workflow package: {}", io_err(&restore))));
            }
        }
        return Err(package_fail(io_err(&e)));
    }
    let mut entry = base_entry(&def, source);
    if let Some((catalog_name, url)) = &expect.catalog {
        entry.insert("source".into(), Value::Str("catalog".into()));
        entry.insert("catalog_name".into(), Value::Str(catalog_name.clone()));
        entry.insert("url".into(), Value::Str(url.clone()));
    }
    carry_disabled(existing.as_ref(), &mut entry);
    let written = env
        .faults
        .check(FaultPoint::Committed)
        .and_then(|()| env.faults.check(FaultPoint::RegistryWrite))
        .map_err(|e| io_err(&e))
        .and_then(|()| registry.add(&id, entry, env.now).map_err(|e| e.0));
    if let Err(e) = written {
        let restore = (|| -> io::Result<()> {
            let failed = make_temp_dir(&workflows_dir, &format!(".{id}.failed-"))?;
            fs::remove_dir(&failed)?;
            fs::rename(&dest, &failed)?;
            let _ = fs::remove_dir_all(&failed);
            if let Some(b) = backup.take() {
                fs::rename(&b, &dest)?;
            }
            Ok(())
        })();
        if let Err(r) = restore {
            out.push(Line::warning(format!("Failed to fully restore the prior workflow package: {}", io_err(&r))));
        }
        return Err(package_fail(e));
    }
    drop(guard);
    drop(staged_guard);
    if let Some(b) = backup {
        if let Err(e) = fs::remove_dir_all(&b) {
            out.push(Line::warning(format!("Workflow installed, but its backup directory could not be removed: {}", io_err(&e))));
        }
    }
    Ok(Installed { message: format!("\u{2713} Workflow '{}' ({id}) installed", def.name().py_str()), id, source: source.to_owned() })
}

/// The package root of an extracted archive: the root itself, or its single real
/// top-level directory, holding `workflow.yml`.
fn package_root(extracted: &Path) -> Result<PathBuf, String> {
    if extracted.join("workflow.yml").is_file() {
        return Ok(extracted.to_path_buf());
    }
    let entries: Vec<_> = fs::read_dir(extracted).map_err(|e| io_err(&e))?.filter_map(Result::ok).collect();
    if let [only] = entries.as_slice() {
        let is_real_dir = only.file_type().is_ok_and(|t| t.is_dir());
        if is_real_dir && only.path().join("workflow.yml").is_file() {
            return Ok(only.path());
        }
    }
    Err("Archive must contain workflow.yml at its root or in exactly one top-level directory".into())
}

/// Extracts an archive file and installs its package.
fn install_archive(
    env: &Env<'_>,
    archive_path: &Path,
    source_name: &str,
    content_type: Option<&str>,
    source: &str,
    expect: &PackageExpect,
    out: &mut Output,
) -> Result<Installed, Failure> {
    let tmp = make_temp_dir(env.temp_dir, "speckit-workflow-archive-").map_err(|e| Failure::error(format!("Invalid workflow archive: {}", io_err(&e))))?;
    let tmp = TempDir(tmp);
    let root = archive::extract(archive_path, &tmp.0, source_name, content_type, &Limits::default())
        .map_err(|e| e.0)
        .and_then(|_| package_root(&tmp.0))
        .map_err(|e| Failure::error(format!("Invalid workflow archive: {e}")))?;
    let label = root.display().to_string();
    install_package(env, &root, &label, source, expect, out)
}

// ---------------------------------------------------------------------------------
// Local sources

/// Installs from a local path (`--dev` or an existing path); `Ok(None)` when the path
/// is neither YAML, an archive nor a directory (the caller falls through to the
/// catalog, as the reference does for an existing non-`--dev` file).
///
/// # Errors
/// The reference's failures.
pub fn install_local(env: &Env<'_>, source: &str, dev: bool, out: &mut Output) -> Result<Option<Installed>, Failure> {
    let expanded = if dev { expand_user(source, env.home) } else { source.to_owned() };
    let label = path_label(&expanded);
    let path = env.resolve(Path::new(&expanded));
    let lower = expanded.to_lowercase();
    let suffix_yaml = Path::new(&lower).extension().is_some_and(|e| e == "yml" || e == "yaml");
    if path.is_file() && suffix_yaml {
        let (bytes, mode) = read_local_yaml(&path)?;
        return install_single(env, bytes, mode, &label, &Expect::default(), out).map(Some);
    }
    if path.is_file() && crate::url::archive_format_from_name(&expanded).is_some() {
        return install_archive(env, &path, &expanded, None, &label, &PackageExpect::default(), out).map(Some);
    }
    if path.is_dir() {
        let wf = path.join("workflow.yml");
        if !wf.is_file() {
            return Err(Failure::error(format!("No workflow.yml found in {source}")));
        }
        let has_companions = fs::read_dir(&path).map(|it| it.filter_map(Result::ok).any(|e| e.file_name() != "workflow.yml")).unwrap_or(false);
        if has_companions {
            return install_package(env, &path, &label, &label, &PackageExpect::default(), out).map(Some);
        }
        let (bytes, mode) = read_local_yaml(&wf)?;
        return install_single(env, bytes, mode, &label, &Expect::default(), out).map(Some);
    }
    if dev {
        return Err(Failure::error(format!(
            "--dev source must be a workflow YAML file, supported archive, or directory containing workflow.yml: {source}"
        )));
    }
    Ok(None)
}

/// `os.path.expanduser`: a leading `~` or `~/`.
pub fn expand_user(path: &str, home: Option<&Path>) -> String {
    match home {
        Some(h) if path == "~" => h.display().to_string(),
        Some(h) if path.starts_with("~/") => format!("{}/{}", h.display().to_string().trim_end_matches('/'), &path[2..]),
        _ => path.to_owned(),
    }
}

// ---------------------------------------------------------------------------------
// Downloads

fn yaml_declared(name: &str, content_type: Option<&str>) -> bool {
    let path = crate::url::split(name).map(|s| s.path).unwrap_or_default().to_lowercase();
    let media = content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_lowercase();
    path.ends_with(".yml") || path.ends_with(".yaml") || matches!(media.as_str(), "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml")
}

fn sniff_bytes(bytes: &[u8]) -> Option<ArchiveFormat> {
    let mut cursor = io::Cursor::new(bytes);
    archive::detect_format(&mut cursor, "workflow-download", None).ok()
}

/// A downloaded body and what it is.
struct Download {
    bytes: Vec<u8>,
    format: Option<ArchiveFormat>,
    final_url: String,
    content_type: Option<String>,
}

/// Reads a response with the reference's limits: archive 50 MiB; declared YAML 5 MiB
/// (Content-Length pre-checked); otherwise 50 MiB then sniffed, and 5 MiB if not an
/// archive.
fn read_download(response: net::Response, requested: &str, archive_label: &str, generic_label: &str) -> Result<Download, String> {
    let final_url = response.final_url.clone();
    let content_type = response.content_type.clone();
    let mut format = crate::url::archive_format_from_name(&final_url)
        .or_else(|| crate::url::archive_format_from_name(requested))
        .or_else(|| archive::format_from_content_type(content_type.as_deref()));
    let yaml_limit = net::MAX_WORKFLOW_YAML_BYTES;
    let bytes = if format.is_some() {
        response.read_limited(net::MAX_DOWNLOAD_BYTES, archive_label).map_err(|e| e.to_string())?
    } else if yaml_declared(&final_url, content_type.as_deref()) {
        if let Some(n) = response.content_length.filter(|n| *n > yaml_limit) {
            return Err(format!("response declared {n} bytes, exceeding the {yaml_limit}-byte workflow size limit"));
        }
        response.read_limited(yaml_limit, "workflow").map_err(|e| match e {
            NetError::TooLarge { .. } => format!("response exceeds the {yaml_limit}-byte workflow size limit"),
            other => other.to_string(),
        })?
    } else {
        let bytes = response.read_limited(net::MAX_DOWNLOAD_BYTES, generic_label).map_err(|e| e.to_string())?;
        format = sniff_bytes(&bytes);
        if format.is_none() && bytes.len() as u64 > yaml_limit {
            return Err(format!("response exceeds the {yaml_limit}-byte workflow size limit"));
        }
        bytes
    };
    Ok(Download { bytes, format, final_url, content_type })
}

/// Writes `bytes` to a fresh temp file (for archive extraction).
fn temp_file(dir: &Path, suffix: &str, bytes: &[u8]) -> io::Result<TempFile> {
    use std::io::Write;
    let (path, mut file) = fsx::create_exclusive(dir, "speckit-workflow-", suffix, 0o600)?;
    let guard = TempFile(path);
    file.write_all(bytes)?;
    Ok(guard)
}

struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Checks a URL source before any prompt or download (`add <URL>`, `--from`).
///
/// # Errors
/// `Invalid URL: <url>` or `Only HTTPS URLs are allowed, except HTTP for localhost.`
pub fn check_url_source(url: &str) -> Result<(), Failure> {
    match crate::url::check_download_url(url) {
        Ok(()) => Ok(()),
        Err(crate::url::DownloadUrlProblem::Malformed) => Err(Failure::error(format!("Invalid URL: {url}"))),
        Err(crate::url::DownloadUrlProblem::NotAllowed) => Err(Failure::error("Only HTTPS URLs are allowed, except HTTP for localhost.")),
    }
}

/// The download URL after GitHub release-asset resolution, and its request.
fn download_request(client: &Client, url: &str) -> Request {
    match net::resolve_github_release_asset(client, url) {
        Some(asset) => Request { url: asset, accept: Some("application/octet-stream".into()), purpose: net::Purpose::Download },
        None => Request::download(url),
    }
}

/// `add <URL>` / `add <id> --from <URL>` (after [`check_url_source`] and the trust
/// prompt): downloads and installs; with `expected_id` (`--from`) the YAML id must match.
///
/// # Errors
/// The reference's failures.
pub fn install_from_url(env: &Env<'_>, url: &str, expected_id: Option<&str>, out: &mut Output) -> Result<Installed, Failure> {
    let request = download_request(env.client, url);
    let download_url = request.url.clone();
    let fail = |e: String| Failure::error(format!("Failed to download workflow: {e}"));
    let response = env.client.get(&request).map_err(|e| fail(e.to_string()))?;
    if !crate::url::is_https_or_loopback_http(&response.final_url) {
        return Err(Failure::error(format!("URL redirected to non-HTTPS: {}", response.final_url)));
    }
    let download = read_download(response, &download_url, "workflow archive download", "workflow download").map_err(fail)?;
    match download.format {
        None => install_single(env, download.bytes, 0o644 & !0o022, &download_url, &Expect { id: expected_id }, out),
        Some(format) => {
            let file = temp_file(env.temp_dir, format.suffix(), &download.bytes).map_err(|e| fail(io_err(&e)))?;
            let expect = PackageExpect { id: expected_id.map(str::to_owned), ..PackageExpect::default() };
            install_archive(env, &file.0, &download.final_url, download.content_type.as_deref(), &download_url, &expect, out)
        }
    }
}

// ---------------------------------------------------------------------------------
// Catalog installs

/// `versions_match`: PEP 440 equality, or string equality when either is invalid.
fn versions_match(actual: &str, expected: &str) -> bool {
    match (catalog::pep440(actual), catalog::pep440(expected)) {
        (Some(a), Some(b)) => a == b,
        _ => actual == expected,
    }
}

/// The expectations of an update.
#[derive(Debug, Clone, Default)]
pub struct CatalogExpect<'a> {
    /// `--version V`.
    pub requested_version: Option<&'a str>,
    /// The catalog version that triggered an update (PEP 440 check of the YAML).
    pub expected_version: Option<&'a str>,
    /// The installed version the update started from (checked again under the lock).
    pub expected_installed_version: Option<&'a str>,
}

/// `add <id> [--version V]` and the update path (spec §7.5).
///
/// # Errors
/// The reference's failures (the catalog lookup, discovery-only sources, URL checks,
/// download, integrity, validation, version checks, the update guard).
pub fn install_from_catalog(env: &Env<'_>, id: &str, expect: &CatalogExpect<'_>, out: &mut Output) -> Result<Installed, Failure> {
    let merged = catalog::load_merged(&env.catalog_inputs()).map_err(|e| Failure::error(e.0))?;
    out.extend(merged.warnings.iter().map(|w| Line { level: Level::Warning, stderr: true, text: w.clone() }));
    let info = match merged.workflows.get(id) {
        None => None,
        Some(entry) => {
            let mut entry = entry.clone();
            entry.entry("id".to_owned()).or_insert_with(|| Value::Str(id.to_owned()));
            catalog::select_release(id, &entry, expect.requested_version).map_err(|e| Failure::error(e.0))?
        }
    };
    let Some(info) = info else {
        return Err(match expect.requested_version {
            Some(v) => Failure::error(format!("Workflow '{id}' version '{v}' not found in the winning catalog.")),
            None => Failure::error(format!("Workflow '{id}' not found in catalog")),
        });
    };
    let advertised = info.get("version").map(Value::py_str);
    let expected_version: Option<String> = if expect.requested_version.is_some() { advertised.clone() } else { expect.expected_version.map(str::to_owned) };
    if !catalog::install_allowed(&info) {
        return Err(Failure {
            lines: vec![
                Line::warning(format!("Workflow '{id}' is from a discovery-only catalog")),
                Line::plain("Direct installation is not enabled for this catalog source."),
            ],
            code: 1,
        });
    }
    let url = match info.get("url") {
        None => return Err(Failure::error(format!("Workflow '{id}' does not have an install URL in the catalog"))),
        Some(v) if !v.truthy() => return Err(Failure::error(format!("Workflow '{id}' does not have an install URL in the catalog"))),
        Some(Value::Str(u)) => u.clone(),
        Some(_) => return Err(Failure::error(format!("Workflow '{id}' has a malformed install URL."))),
    };
    if crate::url::split(&url).and_then(|s| s.port().map(|_| ())).is_err() {
        return Err(Failure::error(format!("Workflow '{id}' has a malformed install URL.")));
    }
    if !crate::url::is_https_or_loopback_http(&url) {
        return Err(Failure::error(format!(
            "Workflow '{id}' has an invalid install URL. Only HTTPS URLs are allowed, except HTTP for localhost/loopback."
        )));
    }
    let workflows_dir = env.workflows_dir();
    let dest_dir = safe_workflow_dir(&workflows_dir, id)?;
    let dest = dest_dir.join("workflow.yml");
    let existed_before = dest_dir.is_dir();
    let fail_install = |e: String| Failure::error(format!("Failed to install workflow '{id}' from catalog: {e}"));
    let mut staged = stage_file(&dest_dir, !dest.exists()).map_err(|e| fail_install(io_err(&e)))?;
    let request = download_request(env.client, &url);
    let workflow_url = request.url.clone();
    let downloaded = env
        .client
        .get(&request)
        .map_err(|e| e.to_string())
        .and_then(|response| {
            if !crate::url::is_https_or_loopback_http(&response.final_url) {
                return Err(format!("\u{0}redirect:{}", response.final_url));
            }
            read_download(response, &url, &format!("workflow '{id}' archive download"), &format!("workflow '{id}' download"))
        })
        .and_then(|d| {
            use std::io::Write;
            env.faults.check(FaultPoint::Staged).and_then(|()| staged.file.write_all(&d.bytes)).map_err(|e| io_err(&e))?;
            Ok(d)
        });
    let download = match downloaded {
        Ok(d) => d,
        Err(e) => {
            discard_staged(&staged.path, &dest_dir, existed_before, out);
            if let Some(final_url) = e.strip_prefix("\u{0}redirect:") {
                return Err(Failure::error(format!("Workflow '{id}' redirected to non-HTTPS URL: {final_url}")));
            }
            return Err(fail_install(e));
        }
    };
    if let Err(msg) = verify_sha256(&download.bytes, info.get("sha256"), id) {
        discard_staged(&staged.path, &dest_dir, existed_before, out);
        return Err(Failure::error(msg));
    }
    let catalog_name = info.get("_catalog_name").map(Value::py_str).unwrap_or_default();
    if let Some(format) = download.format {
        discard_staged(&staged.path, &dest_dir, existed_before, out);
        let file = temp_file(env.temp_dir, format.suffix(), &download.bytes).map_err(|e| Failure::error(format!("Invalid workflow archive: {}", io_err(&e))))?;
        let package_expect = PackageExpect {
            id: Some(id.to_owned()),
            version: expected_version.clone(),
            requires: if expect.requested_version.is_some() { info.get("requires").cloned() } else { None },
            installed_version: expect.expected_installed_version.map(str::to_owned),
            catalog: Some((catalog_name, workflow_url.clone())),
        };
        return install_archive(env, &file.0, &url, download.content_type.as_deref(), &workflow_url, &package_expect, out);
    }
    let discard = |out: &mut Output| discard_staged(&staged.path, &dest_dir, existed_before, out);
    let def = match parse_definition(&download.bytes) {
        Ok(d) => d,
        Err(e) => {
            discard(out);
            return Err(Failure::error(format!("Downloaded workflow is invalid: {e}")));
        }
    };
    let errors = validation_errors(&def, env.custom_steps);
    if !errors.is_empty() {
        discard(out);
        return Err(validation_failure("Downloaded workflow validation failed:", errors));
    }
    let id_value = def.id_value();
    if id_value.truthy() && def.id().as_deref() != Some(id) {
        discard(out);
        return Err(Failure::error(format!(
            "Workflow ID in YAML ({}) does not match catalog key ({}). The catalog entry may be misconfigured.",
            id_value.py_repr(),
            baton_expr::py::str_repr(id)
        )));
    }
    if let Some(expected) = &expected_version {
        let actual = def.version().py_str();
        let ok = if expect.requested_version.is_some() { &actual == expected } else { versions_match(&actual, expected) };
        if !ok {
            discard(out);
            return Err(Failure::error(format!(
                "Downloaded workflow version ({actual}) does not match the catalog version ({expected}). The catalog entry may be stale or misconfigured."
            )));
        }
    }
    if expect.requested_version.is_some() {
        if let Some(required) = info.get("requires") {
            if !def.requires().py_eq(required) {
                discard(out);
                return Err(Failure::error("Downloaded workflow requirements do not match the selected catalog release."));
            }
        }
    }
    let guard = match lock(env).and_then(|l| env.faults.check(FaultPoint::Locked).map(|()| l)) {
        Ok(l) => l,
        Err(e) => {
            discard(out);
            return Err(Failure::error(format!("Failed to lock workflow install '{id}': {}", io_err(&e))));
        }
    };
    let tx_existed = existed_before || dest.exists();
    let mut registry = match open_registry(env) {
        Ok(r) => r,
        Err(f) => {
            discard(out);
            return Err(f);
        }
    };
    if let Some(expected_installed) = expect.expected_installed_version {
        let ok = matches!(registry.get(id), Some(Value::Map(m))
            if m.get("source").and_then(Value::as_str) == Some("catalog")
            && versions_match(&m.get("version").map(Value::py_str).unwrap_or_default(), expected_installed));
        if !ok {
            discard(out);
            return Err(Failure {
                lines: vec![Line::warning(format!("Workflow '{id}' changed during update; rerun the command to use its current source and version."))],
                code: 1,
            });
        }
    }
    let backup = match commit_file(&staged, &dest, tx_existed, env.faults) {
        Ok(b) => b,
        Err(e) => {
            discard(out);
            return Err(fail_install(io_err(&e)));
        }
    };
    let pick = |v: Value, key: &str, default: Value| if v.truthy() { v } else { info.get(key).cloned().unwrap_or(default) };
    let mut entry = Map::new();
    entry.insert("name".into(), pick(def.name(), "name", Value::Str(id.to_owned())));
    entry.insert("version".into(), pick(def.version(), "version", Value::Str("0.0.0".into())));
    entry.insert("description".into(), pick(def.description(), "description", Value::Str(String::new())));
    entry.insert("source".into(), Value::Str("catalog".into()));
    entry.insert("catalog_name".into(), Value::Str(catalog_name));
    entry.insert("url".into(), Value::Str(workflow_url));
    carry_disabled(registry.get(id), &mut entry);
    let written = env
        .faults
        .check(FaultPoint::Committed)
        .and_then(|()| env.faults.check(FaultPoint::RegistryWrite))
        .map_err(|e| io_err(&e))
        .and_then(|()| registry.add(id, entry, env.now).map_err(|e| e.0));
    if let Err(e) = written {
        rollback_file(&dest, &dest_dir, tx_existed, backup.as_deref(), out);
        return Err(Failure::error(format!("Failed to update workflow registry for '{id}': {e}")));
    }
    discard_backup(backup.as_deref(), out);
    drop(guard);
    let shown = info.get("name").map_or_else(|| id.to_owned(), Value::py_str);
    Ok(Installed { message: format!("\u{2713} Workflow '{shown}' installed from catalog"), id: id.to_owned(), source: "catalog".into() })
}

/// `verify_archive_sha256`: an optional declared digest must match the bytes.
fn verify_sha256(bytes: &[u8], declared: Option<&Value>, id: &str) -> Result<(), String> {
    let Some(declared) = declared else { return Ok(()) };
    let Value::Str(text) = declared else {
        return Err(format!("Invalid sha256 declared for '{id}': expected a string, got {}", declared.type_name()));
    };
    let Some(expected) = net::normalize_sha256(text) else {
        return Err(format!("Invalid sha256 declared for '{id}': expected 64 hexadecimal characters, got {}", baton_expr::py::str_repr(text)));
    };
    if !net::digest_matches(&expected, bytes) {
        return Err(format!(
            "Integrity check failed for '{id}': the catalog declares sha256 {expected}, but the downloaded archive is {}. The archive may be corrupted or tampered with.",
            net::sha256_hex(bytes)
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// The `add` command

/// The options of `add`.
#[derive(Debug, Clone, Default)]
pub struct AddOptions<'a> {
    /// SOURCE: an id, URL or path.
    pub source: &'a str,
    /// `--dev`.
    pub dev: bool,
    /// `--from URL`.
    pub from: Option<&'a str>,
    /// `--version V`.
    pub version: Option<&'a str>,
}

/// What `add` will do after its preflight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddPlan {
    /// Install from a local path (`--dev` or an existing path).
    Local,
    /// Download a URL; `trust_prompt` for `--from` (the CLI asks before [`install_from_url`]).
    Url {
        /// The URL.
        url: String,
        /// Whether the untrusted-source prompt is due.
        trust_prompt: bool,
    },
    /// A catalog id.
    Catalog,
}

/// `add`'s preflight (spec §7.1) and source selection (§7.2).
///
/// # Errors
/// `--version requires a workflow ID from a catalog.`, an invalid id, an unreadable
/// registry, unsafe storage.
pub fn plan_add(env: &Env<'_>, opts: &AddOptions<'_>) -> Result<AddPlan, Failure> {
    let source = opts.source;
    let is_url = source.starts_with("http://") || source.starts_with("https://");
    let exists = fsx::lexists(&env.resolve(Path::new(source))) || env.resolve(Path::new(source)).exists();
    if opts.version.is_some() && (opts.dev || opts.from.is_some() || is_url || exists) {
        return Err(Failure::error("--version requires a workflow ID from a catalog."));
    }
    let invalid_id = || Failure::error(format!("Invalid workflow ID: {}", baton_expr::py::str_repr(source)));
    if opts.version.is_some() && !ids::is_valid_workflow_id(source) {
        return Err(invalid_id());
    }
    open_registry(env)?;
    if opts.from.is_some() && !opts.dev && !ids::is_valid_workflow_id(source) {
        return Err(invalid_id());
    }
    for (path, label) in [(env.project_root.join(".specify"), ".specify"), (env.workflows_dir(), ".specify/workflows")] {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Err(Failure::stderr(format!("Refusing to use symlinked {label} path"))),
            Ok(m) if !m.is_dir() => return Err(Failure::stderr(format!("{label} path exists but is not a directory"))),
            _ => {}
        }
    }
    if opts.dev {
        return Ok(AddPlan::Local);
    }
    if let Some(url) = opts.from {
        return Ok(AddPlan::Url { url: url.to_owned(), trust_prompt: true });
    }
    if is_url {
        return Ok(AddPlan::Url { url: source.to_owned(), trust_prompt: false });
    }
    if exists {
        return Ok(AddPlan::Local);
    }
    Ok(AddPlan::Catalog)
}

/// Runs a planned `add` (the CLI has already asked the trust prompt for `--from`).
///
/// # Errors
/// The reference's failures.
pub fn run_add(env: &Env<'_>, opts: &AddOptions<'_>, plan: &AddPlan, out: &mut Output) -> Result<Installed, Failure> {
    match plan {
        AddPlan::Local => match install_local(env, opts.source, opts.dev, out)? {
            Some(installed) => Ok(installed),
            None => install_from_catalog(env, opts.source, &CatalogExpect { requested_version: opts.version, ..CatalogExpect::default() }, out),
        },
        AddPlan::Url { url, trust_prompt } => {
            check_url_source(url)?;
            let expected = if *trust_prompt { Some(opts.source) } else { None };
            install_from_url(env, url, expected, out)
        }
        AddPlan::Catalog => install_from_catalog(env, opts.source, &CatalogExpect { requested_version: opts.version, ..CatalogExpect::default() }, out),
    }
}
