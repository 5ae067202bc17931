//! Project resolution and the storage guard (spec: ecosystem.md §1, engine.md §3.2).

use std::path::{Path, PathBuf};

use crate::exit::{CliError, Stream};

/// The storage paths every verb checks, in order, with the label its messages use.
const GUARDED: [&str; 4] =
    [".specify", ".specify/workflows", ".specify/workflows/runs", ".specify/workflows/overlays"];

/// What the process environment and working directory say about the project.
#[derive(Debug, Clone)]
pub struct Context {
    /// The working directory.
    pub cwd: PathBuf,
    /// `SPECIFY_INIT_DIR`, when set.
    pub init_dir: Option<String>,
}

impl Context {
    /// Reads the working directory and `SPECIFY_INIT_DIR`.
    pub fn from_process() -> Result<Self, CliError> {
        let cwd = std::env::current_dir()?;
        let init_dir = std::env::var("SPECIFY_INIT_DIR").ok().filter(|v| !v.is_empty());
        Ok(Context { cwd, init_dir })
    }
}

/// A project-resolution failure, printed on stderr (`{"error": …}` under `--json`).
fn project_error(message: String, hint: Option<&str>, json: bool) -> CliError {
    if json {
        let _ = crate::output::eprint_json_line(&serde_json::json!({ "error": message }));
        return CliError { lines: Vec::new(), stream: Stream::Stderr, code: 1 };
    }
    let mut err = CliError { lines: vec![format!("Error: {message}")], stream: Stream::Stderr, code: 1 };
    if let Some(hint) = hint {
        err = err.with_line(hint);
    }
    err
}

/// The project root for a verb. `require_project` demands a `.specify/` folder (every
/// verb except `run` of a YAML file). The storage guard is applied in both cases.
pub fn resolve_root(ctx: &Context, require_project: bool, json: bool) -> Result<PathBuf, CliError> {
    let root = match &ctx.init_dir {
        Some(dir) => {
            let path = ctx.cwd.join(expand_tilde(dir));
            if !path.is_dir() {
                return Err(project_error(
                    format!("SPECIFY_INIT_DIR does not point to an existing directory: {dir}"),
                    None,
                    json,
                ));
            }
            let path = path.canonicalize().unwrap_or(path);
            if !path.join(".specify").is_dir() {
                return Err(project_error(
                    format!(
                        "SPECIFY_INIT_DIR is not a Spec Kit project (no .specify/ directory): {}",
                        path.display()
                    ),
                    None,
                    json,
                ));
            }
            path
        }
        None => ctx.cwd.clone(),
    };
    if require_project {
        let dot = root.join(".specify");
        match std::fs::symlink_metadata(&dot) {
            Ok(meta) if meta.is_file() => {
                return Err(project_error(
                    format!(
                        "Not a Spec Kit project: .specify path exists but is not a directory: {}",
                        dot.display()
                    ),
                    None,
                    json,
                ));
            }
            Ok(_) => {}
            Err(_) => {
                return Err(project_error(
                    "Not a Spec Kit project (no .specify/ directory)".to_owned(),
                    Some("Run this command from a Spec Kit project root or set SPECIFY_INIT_DIR to one."),
                    json,
                ));
            }
        }
    }
    storage_guard(&root, json)?;
    Ok(root)
}

/// Refuses symlinked or non-directory storage folders.
pub fn storage_guard(root: &Path, json: bool) -> Result<(), CliError> {
    for label in GUARDED {
        let path = root.join(label);
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.file_type().is_symlink() {
            return Err(project_error(
                format!("Refusing to use symlinked {label} path: {}", path.display()),
                None,
                json,
            ));
        }
        if !meta.is_dir() {
            return Err(project_error(format!("{label} path exists but is not a directory"), None, json));
        }
    }
    Ok(())
}

/// Expands a leading `~` to the home directory, as Python's `expanduser` does.
pub fn expand_tilde(path: &str) -> PathBuf {
    if path == "~" || path.starts_with("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(path.trim_start_matches('~').trim_start_matches('/'));
        }
    }
    PathBuf::from(path)
}
