//! `baton run SOURCE [-i KEY=VALUE]... [--json]` (engine.md §3.1–§3.5).
//!
//! The checks happen in the reference's order: project root, source kind, load,
//! validation, `--input` parsing; only then does anything run.

use std::path::{Path, PathBuf};

use baton_model::Severity;

use crate::exit::CliError;
use crate::project::{self, Context};
use crate::workflow_file::{self, ReadError};

/// Where the workflow to run comes from.
enum Source {
    /// A YAML file on disk.
    File(PathBuf),
    /// The id of an installed workflow.
    Installed(String),
}

/// Is `source` a YAML path (suffix `.yml`/`.yaml`, any case, and an existing file)?
fn classify(ctx: &Context, source: &str) -> Source {
    let path = ctx.cwd.join(project::expand_tilde(source));
    let lower = source.to_ascii_lowercase();
    if (lower.ends_with(".yml") || lower.ends_with(".yaml")) && path.is_file() {
        Source::File(path)
    } else {
        Source::Installed(source.to_owned())
    }
}

/// The reference's installed-workflow id rule, reserved names included.
fn valid_workflow_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    let ok_char = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    !bytes.is_empty()
        && bytes.iter().all(ok_char)
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
        && !matches!(id, "overlays" | "runs" | "steps")
}

/// Runs a workflow.
pub fn run(source: &str, inputs: &[String], json: bool) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let path = match classify(&ctx, source) {
        Source::File(path) => {
            project::resolve_root(&ctx, false, json)?;
            path
        }
        Source::Installed(id) => {
            project::resolve_root(&ctx, true, json)?;
            if !valid_workflow_id(&id) {
                return Err(CliError::user(
                    format!("Invalid workflow ID: {}", baton_expr::py::str_repr(&id)),
                    json,
                ));
            }
            return Err(CliError::user(format!("Workflow not found: {id}"), json));
        }
    };
    let node = load_checked(&path, json)?;
    for raw in inputs {
        if !raw.contains('=') {
            return Err(CliError::user(
                format!("Invalid input format: {} (expected key=value)", baton_expr::py::str_repr(raw)),
                json,
            ));
        }
    }
    let _ = node;
    Err(CliError::usage("running workflows is not implemented in this build of baton yet (issue #16)"))
}

/// Loads and validates the workflow file, refusing it exactly as the reference does:
/// `Error: Invalid workflow: …` or `Workflow validation failed:` with one bullet per
/// error (stdout in text mode, stderr under `--json`; exit 1; nothing created).
fn load_checked(path: &Path, json: bool) -> Result<baton_model::yaml::Node, CliError> {
    let (_source, node) = match workflow_file::read(path) {
        Ok(loaded) => loaded,
        Err(ReadError::Io(err)) => {
            return Err(CliError::user(format!("Invalid workflow: {err}"), json));
        }
        Err(ReadError::Load { message, span }) => {
            let mut err = CliError::user(format!("Invalid workflow: {message}"), json);
            if let (false, Some(span)) = (json, span) {
                err = err.with_line(format!("  --> {}:{}:{}", path.display(), span.line, span.col));
            }
            return Err(err);
        }
    };
    let diags = workflow_file::validate(&node);
    let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
    if errors.is_empty() {
        return Ok(node);
    }
    let mut err = CliError::user("", json);
    err.lines = vec!["Workflow validation failed:".to_owned()];
    for diag in errors {
        err.lines.push(format!("  • {}", diag.message));
        if !json {
            if let Some(span) = diag.span {
                err.lines.push(format!("    --> {}:{}:{}", path.display(), span.line, span.col));
            }
            if let Some(hint) = &diag.hint {
                err.lines.push(format!("    hint: {hint}"));
            }
        }
    }
    Err(err)
}
