//! `baton list [--json]` (ecosystem.md §10): installed workflows, in registry order.

use baton_catalog::manage::{self, ListItem};

use super::catalog::{print_json, println_line, Eco};
use crate::exit::CliError;

/// `list` arguments.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print `{"workflows": [...]}` on stdout (baton addition).
    #[arg(long)]
    pub json: bool,
}

/// Runs `list`.
pub fn list(args: &ListArgs) -> Result<i32, CliError> {
    let eco = Eco::new(args.json)?;
    let items = manage::list(&eco.root).map_err(|f| eco.fail(f))?;
    if args.json {
        return print_json(&serde_json::json!({ "workflows": items }));
    }
    if items.is_empty() {
        println_line("No workflows installed.");
        println_line("");
        println_line("Install a workflow with:");
        println_line("  baton add <workflow-id>");
        return Ok(0);
    }
    println_line("");
    println_line("Installed Workflows:");
    println_line("");
    for item in items {
        match item {
            ListItem::Corrupted { id } => {
                println_line(&format!("  Warning: Skipping corrupted registry entry '{id}'."));
                println_line("");
            }
            ListItem::Workflow(w) => {
                let marker = if w.enabled { "" } else { " [disabled]" };
                println_line(&format!("  {} ({}) v{}{marker}", w.name, w.id, w.version));
                if !w.description.is_empty() {
                    println_line(&format!("    {}", w.description));
                }
                println_line("");
            }
        }
    }
    Ok(0)
}
