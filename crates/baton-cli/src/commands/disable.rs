//! `baton disable ID [--json]` (ecosystem.md §12): the workflow stays installed and
//! listed, but `run` and `resume` refuse it until `enable`.

use super::enable::{toggle, ToggleArgs};
use crate::exit::CliError;

/// Runs `disable`.
pub fn disable(args: &ToggleArgs) -> Result<i32, CliError> {
    toggle(args, false)
}
