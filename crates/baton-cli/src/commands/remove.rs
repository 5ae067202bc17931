//! `baton remove ID [--json]` (ecosystem.md §11).

use baton_catalog::manage;

use super::catalog::{print_json, println_line, Eco};
use crate::exit::CliError;

/// `remove` arguments.
#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// Workflow ID to uninstall.
    pub workflow_id: String,
    /// Print `{"removed": id}` on stdout (baton addition).
    #[arg(long)]
    pub json: bool,
}

/// Runs `remove`.
pub fn remove(args: &RemoveArgs) -> Result<i32, CliError> {
    let eco = Eco::new(args.json)?;
    let mut out = Vec::new();
    let result = manage::remove(&eco.root, &args.workflow_id, &mut out);
    let message = result.map_err(|f| {
        eco.print_lines(&out);
        eco.fail(f)
    })?;
    if args.json {
        eco.print_lines(&out);
        return print_json(&serde_json::json!({ "removed": args.workflow_id }));
    }
    println_line(&message);
    eco.print_lines(&out);
    Ok(0)
}
