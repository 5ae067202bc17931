//! `baton overlay add|list|set-priority|enable|disable|remove` (ecosystem.md §14.4).
//! Every command needs a project; successes go to stdout, errors to stderr (exit 1).

use std::path::PathBuf;

use baton_catalog::overlay::manage;
use num_bigint::BigInt;

use super::resolve::stderr_error;
use crate::exit::CliError;
use crate::output;
use crate::project::{self, Context};

/// `overlay` arguments.
#[derive(Debug, clap::Args)]
pub struct OverlayArgs {
    /// The overlay command.
    #[command(subcommand)]
    pub command: OverlayCommand,
}

/// The overlay commands.
#[derive(Debug, clap::Subcommand)]
pub enum OverlayCommand {
    /// Add a project-local overlay for a workflow.
    Add {
        /// Path to overlay YAML file.
        source: PathBuf,
        /// Resolution priority (lower = higher precedence, default 10).
        #[arg(long, default_value = "10", value_parser = parse_int, allow_hyphen_values = true)]
        priority: BigInt,
    },
    /// Set the priority of a project-local overlay.
    SetPriority {
        /// Workflow ID the overlay extends.
        workflow_id: String,
        /// Overlay ID.
        overlay_id: String,
        /// New priority (lower = higher precedence).
        #[arg(value_parser = parse_int)]
        priority: BigInt,
    },
    /// Enable a project-local overlay.
    Enable {
        /// Workflow ID the overlay extends.
        workflow_id: String,
        /// Overlay ID.
        overlay_id: String,
    },
    /// Disable a project-local overlay without removing it.
    Disable {
        /// Workflow ID the overlay extends.
        workflow_id: String,
        /// Overlay ID.
        overlay_id: String,
    },
    /// Remove a project-local overlay.
    Remove {
        /// Workflow ID the overlay extends.
        workflow_id: String,
        /// Overlay ID.
        overlay_id: String,
    },
    /// List overlays for a workflow.
    List {
        /// Workflow ID.
        workflow_id: String,
        /// Print the overlays as a JSON list (baton addition).
        #[arg(long)]
        json: bool,
    },
}

/// An integer as click's `INT` reads it (Python's `int()` of the text).
pub(crate) fn parse_int(text: &str) -> Result<BigInt, String> {
    baton_expr::py::parse_int(text).map_err(|_| format!("'{text}' is not a valid integer."))
}

fn say(text: String) -> Result<i32, CliError> {
    output::write_stdout(format!("{text}\n").as_bytes())?;
    Ok(0)
}

/// Runs an overlay command.
pub fn overlay(args: &OverlayArgs) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, false)?;
    match &args.command {
        OverlayCommand::Add { source, priority } => {
            let shown = source.display().to_string();
            let added = manage::add(&root, &ctx.cwd.join(source), &shown, priority).map_err(stderr_error)?;
            say(format!("\u{2713} Overlay '{}' added for workflow '{}'", added.id, added.extends))
        }
        OverlayCommand::SetPriority { workflow_id, overlay_id, priority } => {
            let set = manage::set_priority(&root, workflow_id, overlay_id, priority).map_err(stderr_error)?;
            say(format!("\u{2713} Priority of overlay '{overlay_id}' set to {set}"))
        }
        OverlayCommand::Enable { workflow_id, overlay_id } => {
            manage::set_enabled(&root, workflow_id, overlay_id, true).map_err(stderr_error)?;
            say(format!("\u{2713} Overlay '{overlay_id}' enabled"))
        }
        OverlayCommand::Disable { workflow_id, overlay_id } => {
            manage::set_enabled(&root, workflow_id, overlay_id, false).map_err(stderr_error)?;
            say(format!("\u{2713} Overlay '{overlay_id}' disabled"))
        }
        OverlayCommand::Remove { workflow_id, overlay_id } => {
            manage::remove(&root, workflow_id, overlay_id).map_err(stderr_error)?;
            say(format!("\u{2713} Overlay '{overlay_id}' removed"))
        }
        OverlayCommand::List { workflow_id, json } => list(&root, workflow_id, *json),
    }
}

fn list(root: &std::path::Path, workflow_id: &str, json: bool) -> Result<i32, CliError> {
    let layers = manage::list(root, workflow_id).map_err(stderr_error)?;
    if json {
        let rows: Vec<serde_json::Value> = layers
            .iter()
            .map(|l| {
                let priority: serde_json::Value =
                    serde_json::from_str(&l.priority().to_string()).unwrap_or(serde_json::Value::Null);
                serde_json::json!({
                    "id": l.overlay.id,
                    "source": l.source,
                    "tier": baton_catalog::overlay::Layer::TIER,
                    "priority": priority,
                    "enabled": l.overlay.enabled,
                    "path": l.path.display().to_string(),
                })
            })
            .collect();
        output::print_json(&rows)?;
        return Ok(0);
    }
    if layers.is_empty() {
        return say(format!("No overlays found for workflow '{workflow_id}'."));
    }
    let mut out = format!("Overlays for workflow '{workflow_id}':\n");
    for l in &layers {
        let state = if l.overlay.enabled { "enabled" } else { "disabled" };
        out.push_str(&format!(
            "  \u{2022} {} (priority={}, source={}, {state})\n",
            l.overlay.id,
            l.priority(),
            l.source
        ));
    }
    output::write_stdout(out.as_bytes())?;
    Ok(0)
}
