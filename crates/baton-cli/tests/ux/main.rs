//! The user-facing additions of issue 21, through the real binary: `graph`, `validate`
//! diagnostics, `man`, `run --dry-run`, the MCP server spoken to over stdio, and the terminal views
//! (gate picker, input prompts, progress, `status`) in a pseudo-terminal.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod dry_run;
mod graph;
mod man;
mod mcp;
mod pty;
mod validate;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BATON: &str = env!("CARGO_BIN_EXE_baton");

/// The repository root (fixtures are addressed relative to it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs baton in the repository root with `args`, no stdin, no colour settings
/// inherited.
pub fn baton(args: &[&str]) -> Output {
    Command::new(BATON)
        .args(args)
        .current_dir(repo_root())
        .env_remove("NO_COLOR")
        .env_remove("SPECIFY_INIT_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `.yml` files of a fixture folder, sorted by name.
pub fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
}

/// Runs baton in `dir` with `args`, no stdin, a pinned colour setting and no project
/// override.
pub fn baton_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BATON)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("SPECIFY_INIT_DIR")
        .env_remove("SPECKIT_WORKFLOW_RUN_ID")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Every file and folder under `dir`, relative, sorted (to prove nothing was created).
pub fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(base).unwrap().display().to_string());
            if path.is_dir() {
                walk(base, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
