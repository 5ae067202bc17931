//! `baton update [ID] [--json]` (ecosystem.md §13): check the catalog for newer
//! versions, confirm, install them (a failed update keeps the old copy).

use baton_catalog::manage;

use super::catalog::{aborted, confirm, print_json, println_line, Eco};
use crate::exit::CliError;

/// `update` arguments.
#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// Workflow ID to update (default: all).
    pub workflow_id: Option<String>,
    /// Print the check and its outcome as JSON (baton addition); the confirmation
    /// prompt goes to stderr.
    #[arg(long)]
    pub json: bool,
}

/// Runs `update`.
pub fn update(args: &UpdateArgs) -> Result<i32, CliError> {
    let eco = Eco::new(args.json)?;
    let env = eco.env();
    let say = |t: &str| eco.say(t);
    // The reference prints the header before the catalog is consulted; the plan is
    // computed first here, so an early error (not installed) is printed alone.
    let plan = match manage::plan_update(&env, args.workflow_id.as_deref()) {
        Ok(plan) => plan,
        Err(f) => {
            if f.message().starts_with("Workflow '") || f.message().starts_with("Failed to read") || f.lines.first().is_some_and(|l| l.stderr) {
                return Err(eco.fail(f));
            }
            say("\u{1f504} Checking for updates...");
            say("");
            return Err(eco.fail(f));
        }
    };
    if plan.targets == 0 {
        if args.json {
            return print_json(&serde_json::json!({ "checked": [], "updates": [], "updated": [], "failed": [] }));
        }
        println_line("No workflows installed");
        return Ok(0);
    }
    eco.warn_all(&plan.warnings);
    say("\u{1f504} Checking for updates...");
    say("");
    for line in &plan.lines {
        say(&line.render());
    }
    if plan.updates.is_empty() {
        if args.json {
            return print_json(&serde_json::json!({ "checked": plan.lines, "updates": [], "updated": [], "failed": [], "summary": plan.summary() }));
        }
        say("");
        say(&plan.summary());
        return Ok(0);
    }
    say("");
    say("Updates available:");
    say("");
    for u in &plan.updates {
        say(&format!("  \u{2022} {}: {} \u{2192} {}", u.id, u.installed, u.available));
    }
    say("");
    match confirm("Update these workflows?", args.json) {
        None => return Err(aborted()),
        Some(false) => {
            if args.json {
                return print_json(&serde_json::json!({ "checked": plan.lines, "updates": plan.updates, "cancelled": true }));
            }
            println_line("Cancelled");
            return Ok(0);
        }
        Some(true) => {}
    }
    say("");
    let mut failed = Vec::new();
    let mut updated = Vec::new();
    for u in &plan.updates {
        let mut out = Vec::new();
        let result = manage::apply_update(&env, u, &mut out);
        eco.print_lines(&out);
        match result {
            Ok(installed) => {
                say(&installed.message);
                updated.push(u.id.clone());
            }
            Err(f) => {
                eco.print_lines(&f.lines);
                failed.push(u.id.clone());
            }
        }
    }
    if args.json {
        print_json(&serde_json::json!({ "checked": plan.lines, "updates": plan.updates, "updated": updated, "failed": failed }))?;
        return Ok(if failed.is_empty() { 0 } else { 1 });
    }
    if !failed.is_empty() {
        println_line("");
        println_line(&format!("Failed to update: {}", failed.join(", ")));
        return Ok(1);
    }
    Ok(0)
}
