//! Reading a workflow file from disk into a checked definition.

use std::path::Path;

use baton_model::yaml::{Node, Span};
use baton_model::{Diagnostic, LoadError};

/// Why a workflow file could not be loaded.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be read at all.
    Io(std::io::Error),
    /// The text is not a loadable workflow document; `message` is the reference's text
    /// after `Invalid workflow: `.
    Load {
        /// The reference's message.
        message: String,
        /// Where the problem is, when known.
        span: Option<Span>,
    },
}

/// Reads `path` and loads it as the reference does (UTF-8, a leading BOM ignored).
pub fn read(path: &Path) -> Result<(String, Node), ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let bytes = err.as_bytes();
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let col = bytes[..at].iter().rev().take_while(|b| **b != b'\n').count() as u32 + 1;
            return Err(ReadError::Load {
                message: format!(
                    "Invalid YAML in {name}: 'utf-8' codec can't decode byte 0x{:02x} in position {at}: invalid start byte",
                    bytes.get(at).copied().unwrap_or(0)
                ),
                span: Some(Span { line, col }),
            });
        }
    };
    let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
    match baton_model::load(&text) {
        Ok(node) => Ok((text, node)),
        Err(LoadError::Yaml(err)) => Err(ReadError::Load {
            message: format!("Invalid YAML in {name}: {}", err.message),
            span: err.span,
        }),
        Err(other) => Err(ReadError::Load { message: other.to_string(), span: other.span() }),
    }
}

/// Validates a loaded definition with the built-in step types.
pub fn validate(node: &Node) -> Vec<Diagnostic> {
    baton_model::validate(node, &baton_model::NoCustomSteps)
}
