//! Workflow overlays (ecosystem.md §14): project-local YAML files under
//! `.specify/workflows/overlays/<workflow-id>/` that insert, replace or remove steps
//! of an installed workflow without forking it.
//!
//! * [`manifest`]: the file format and its validation.
//! * [`store`]: loading the overlays of a workflow and its base file.
//! * [`compose`]: applying overlays to a base definition, with attribution.
//! * [`manage`]: the file operations behind `overlay add|set-priority|enable|disable|remove`.
//! * [`call`]: the checks of a `type: workflow` call (§16) that resolve the callee.
//!
//! The entry point for running an installed workflow is [`compose_for_run`]; `resolve`
//! and `info` use [`resolve`].
//!
//! ```
//! use baton_catalog::overlay::{compose::{compose, OverlayInput}, manifest::validate_manifest};
//! use baton_model::yaml::parse;
//!
//! let base = parse("workflow: {id: w, name: W}\nsteps:\n  - {id: a, type: shell, run: 'true'}\n")?;
//! let overlay = validate_manifest(&parse(
//!     "id: lint\nextends: w\nedits:\n  - insert_after: a\n    step: {id: lint1, type: shell, run: 'true'}\n",
//! )?).expect("valid overlay");
//! let done = compose(&base, &[OverlayInput { overlay: &overlay, source: "project:lint" }])?;
//! let ids: Vec<_> = done.attribution.iter().map(|a| format!("{}: {}", a.step_id, a.source)).collect();
//! assert_eq!(ids, ["a: base", "lint1: project:lint"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod call;
pub mod compose;
pub(crate) mod io;
pub mod manage;
pub mod manifest;
pub mod schema;
pub mod store;

use std::path::{Path, PathBuf};

use baton_model::yaml::Node;

pub use compose::{Attribution, ComposeError, Composition};
pub use manifest::{Edit, Operation, Overlay};
pub use store::Layer;

/// Why a workflow cannot be resolved with its overlays.
///
/// `Display` is the reference's text of the exception (what `resolve` prints after
/// `Error: ` and `run` after `Error: Invalid workflow: `).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An overlay file (or the storage around it) is unusable.
    #[error("Invalid overlay {}:\n  - {}", path.display(), errors.join("\n  - "))]
    Load {
        /// The file or directory at fault.
        path: PathBuf,
        /// Its problems.
        errors: Vec<String>,
    },
    /// There is no `.specify/workflows/<id>/workflow.yml`.
    #[error("Workflow not found: {0}")]
    NotFound(String),
    /// The base `workflow.yml` is not a loadable workflow document.
    #[error("{message}")]
    Base {
        /// The base file.
        path: PathBuf,
        /// The reference's message: `Invalid YAML in <path>: …` or
        /// `Workflow YAML must be a mapping, got list.`
        message: String,
    },
    /// Anchors or anchor conflicts.
    #[error(transparent)]
    Compose(#[from] ComposeError),
}

/// An installed workflow resolved with its enabled overlays.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The composed definition (the base document with its `steps` composed). Not
    /// validated: the caller validates it with the project's custom step types.
    pub definition: Node,
    /// The base file the definition comes from (its folder is the workflow's
    /// `workflow_dir`).
    pub source_path: PathBuf,
    /// The enabled overlays in the order `resolve` lists them: priority ascending,
    /// then source.
    pub layers: Vec<Layer>,
    /// The source of each step id, pre-order over the composed tree.
    pub attribution: Vec<Attribution>,
}

/// Reads the base workflow document as the reference's `WorkflowDefinition.from_yaml`.
fn load_base(path: &Path) -> Result<Node, Error> {
    let shown = path.display().to_string();
    let text = io::read_text(path).map_err(|e| Error::Base { path: path.to_path_buf(), message: e.python_text(path) })?;
    baton_model::load(&text).map_err(|e| Error::Base { path: path.to_path_buf(), message: e.message(Some(&shown)) })
}

/// Resolves the installed workflow `workflow_id` with its enabled project overlays:
/// loads the overlays (errors first), then the base file, then composes.
///
/// # Errors
/// [`Error::Load`] for overlay files or unsafe storage, [`Error::NotFound`] without a
/// base file, [`Error::Base`] for an unloadable base, [`Error::Compose`] for anchors
/// that match no base step and anchor conflicts.
pub fn resolve(project_root: &Path, workflow_id: &str) -> Result<Resolved, Error> {
    let layers = store::collect_overlays(project_root, workflow_id, false)?;
    let Some(base_path) = store::base_workflow_file(project_root, workflow_id)? else {
        return Err(Error::NotFound(workflow_id.to_owned()));
    };
    let base = load_base(&base_path)?;
    let inputs: Vec<compose::OverlayInput<'_>> = layers
        .iter()
        .map(|l| compose::OverlayInput { overlay: &l.overlay, source: &l.source })
        .collect();
    let Composition { definition, attribution } = compose::compose(&base, &inputs)?;
    Ok(Resolved { definition, source_path: base_path, layers, attribution })
}

/// The definition `run <id>` executes for an installed workflow id: the base
/// `workflow.yml` with the enabled overlays applied (ecosystem.md §14.3 "Where
/// overlays apply"). Overlays never apply to a workflow run from a `.yml` path.
///
/// How `run` uses it, in the reference's order (engine.md §3.1): after the project
/// checks, the id check and the registry's enabled check, call this; on
/// `Err(Error::NotFound(_))` print `Error: Workflow not found: <id>`; on any other
/// error print `Error: Invalid workflow: <err>` (stderr under `--json`, exit 1).
/// Then validate `resolved.definition` with the project's custom step types (a
/// failure prints `Workflow validation failed:` and its bullets), copy
/// `resolved.definition` (not the base file) into the run folder's `workflow.yml`,
/// and use `resolved.source_path.parent()` as the run's `workflow_dir`.
///
/// # Errors
/// As [`resolve`].
pub fn compose_for_run(project_root: &Path, workflow_id: &str) -> Result<Resolved, Error> {
    resolve(project_root, workflow_id)
}
