//! `baton enable ID [--json]` (ecosystem.md §12).

use baton_catalog::manage::{self, Toggle};

use super::catalog::{print_json, println_line, Eco};
use crate::exit::CliError;

/// `enable` / `disable` arguments.
#[derive(Debug, clap::Args)]
pub struct ToggleArgs {
    /// Workflow ID.
    pub workflow_id: String,
    /// Print `{"id", "enabled", "changed"}` on stdout (baton addition).
    #[arg(long)]
    pub json: bool,
}

/// Runs `enable` (`enabled = true`) or `disable`.
pub fn toggle(args: &ToggleArgs, enabled: bool) -> Result<i32, CliError> {
    let eco = Eco::new(args.json)?;
    let id = &args.workflow_id;
    let outcome = manage::set_enabled(&eco.root, id, enabled, eco.now).map_err(|f| eco.fail(f))?;
    if args.json {
        return print_json(&serde_json::json!({ "id": id, "enabled": enabled, "changed": outcome == Toggle::Changed }));
    }
    let state = if enabled { "enabled" } else { "disabled" };
    match outcome {
        Toggle::Already => println_line(&format!("Workflow '{id}' is already {state}")),
        Toggle::Changed => {
            println_line(&format!("\u{2713} Workflow '{id}' {state}"));
            if !enabled {
                println_line(&format!("To re-enable: baton enable {id}"));
            }
        }
    }
    Ok(0)
}

/// Runs `enable`.
pub fn enable(args: &ToggleArgs) -> Result<i32, CliError> {
    toggle(args, true)
}
