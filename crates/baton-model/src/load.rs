//! Loading a workflow document: YAML text → a mapping [`Node`], with the reference's
//! load errors.

use crate::diagnostic::Diagnostic;
use crate::validate::{validate, CustomStepTypes, NoCustomSteps};
use crate::yaml::{self, Node, Span, YamlError};

/// Why a workflow file cannot be loaded (before any validation).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The text is not YAML PyYAML accepts (or breaks baton's nesting/alias limits).
    #[error("{}", self.message(None))]
    Yaml(#[from] YamlError),
    /// The document is not a mapping (a list, a scalar, or empty).
    #[error("{}", self.message(None))]
    NotMapping {
        /// Python's type name of the document: `list`, `str`, `NoneType` (empty file) …
        type_name: &'static str,
        /// Where the document starts.
        span: Span,
    },
}

impl LoadError {
    /// The reference's message, which the CLI prints as `Error: Invalid workflow: <it>`.
    ///
    /// `path` is the file name as given on the command line: the reference says
    /// `Invalid YAML in <path>: <PyYAML's error naming <path>>` for a file and
    /// `Invalid YAML: …` for a string source (`None`).
    pub fn message(&self, path: Option<&str>) -> String {
        match self {
            LoadError::Yaml(err) if err.is_yaml_error() => match path {
                Some(path) => format!("Invalid YAML in {path}: {}", err.render(path)),
                None => format!("Invalid YAML: {}", err.render("<unicode string>")),
            },
            LoadError::Yaml(err) => err.render(path.unwrap_or("<unicode string>")),
            LoadError::NotMapping { type_name, .. } => {
                format!("Workflow YAML must be a mapping, got {type_name}.")
            }
        }
    }

    /// Where the problem is, when known.
    pub fn span(&self) -> Option<Span> {
        match self {
            LoadError::Yaml(err) => err.span,
            LoadError::NotMapping { span, .. } => Some(*span),
        }
    }
}

/// Parses a workflow file's text as the reference does (`yaml.safe_load`), and
/// requires the document to be a mapping.
///
/// # Errors
/// [`LoadError::Yaml`] for text PyYAML refuses; [`LoadError::NotMapping`] for a
/// document that is a list, a scalar or empty (`Workflow YAML must be a mapping, got list.`).
pub fn load(text: &str) -> Result<Node, LoadError> {
    let node = yaml::parse(text)?;
    if node.as_map().is_none() {
        return Err(LoadError::NotMapping { type_name: node.type_name(), span: node.span });
    }
    Ok(node)
}

/// [`load`] then [`validate`] with only the built-in step types: the document and every
/// diagnostic (errors in the reference's order, with baton's warnings among them).
///
/// # Errors
/// The [`LoadError`] of [`load`].
pub fn check(text: &str) -> Result<(Node, Vec<Diagnostic>), LoadError> {
    check_with(text, &NoCustomSteps)
}

/// [`check`] with the project's custom step types.
///
/// # Errors
/// The [`LoadError`] of [`load`].
pub fn check_with(
    text: &str,
    custom: &dyn CustomStepTypes,
) -> Result<(Node, Vec<Diagnostic>), LoadError> {
    let node = load(text)?;
    let diagnostics = validate(&node, custom);
    Ok((node, diagnostics))
}
