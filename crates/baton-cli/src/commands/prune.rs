//! `baton prune [--older-than DURATION] [--status S]... [--dry-run] [--json]` (baton
//! addition, issue 22): removes run folders. A run is removed only while this process
//! holds its run lock, so a run that another process is executing is never touched.

use std::sync::Arc;

use baton_engine::json_to_value;
use baton_state::{FileStore, Json, JsonObject, RunId, RunStore, SystemClock};

use super::run::print_payload;
use crate::exit::CliError;
use crate::output;
use crate::project::{self, Context};

/// `baton prune` arguments.
#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// Only runs last updated longer ago than this (`30s`, `15m`, `12h`, `7d`, `2w`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub older_than: Option<jiff::SignedDuration>,
    /// Only runs with this status (repeatable): completed, failed, aborted, paused, running.
    #[arg(long = "status", value_name = "STATUS")]
    pub status: Vec<String>,
    /// List what would be removed without removing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `<number><unit>` with unit s, m, h, d or w.
fn parse_duration(text: &str) -> Result<jiff::SignedDuration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: i64 = digits.parse().map_err(|_| format!("invalid duration {text:?} (expected e.g. 30s, 15m, 12h, 7d, 2w)"))?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(format!("invalid duration unit in {text:?} (use s, m, h, d or w)")),
    };
    n.checked_mul(secs).map(jiff::SignedDuration::from_secs).ok_or_else(|| format!("duration {text:?} is too long"))
}

fn text(j: &Json) -> String {
    json_to_value(j).py_str()
}

/// Removes the runs that match.
pub fn prune(args: &PruneArgs) -> Result<i32, CliError> {
    let json = args.json;
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, json)?;
    let store = FileStore::new(&root, baton_engine::source_parser(), Arc::new(SystemClock));
    let listing = store.list_runs().map_err(|e| CliError::user(e, json))?;
    let now = jiff::Timestamp::now();
    let mut removed = Vec::new();
    let mut skipped = Vec::new();
    for run in &listing.runs {
        let status = run.status.as_ref().map(text).unwrap_or_default();
        if !args.status.is_empty() && !args.status.contains(&status) {
            continue;
        }
        if let Some(age) = args.older_than {
            let updated = run.updated_at.as_ref().and_then(|u| text(u).parse::<jiff::Timestamp>().ok());
            match updated {
                Some(t) if now.duration_since(t) > age => {}
                _ => continue,
            }
        }
        let Ok(id) = RunId::new(&run.dir_name) else { continue };
        if args.dry_run {
            match store.lock_holder(&id) {
                Ok(None) => removed.push(run.dir_name.clone()),
                _ => skipped.push(run.dir_name.clone()),
            }
            continue;
        }
        // Holding the lock while deleting: a run being executed is never removed.
        match store.lock(&id) {
            Ok(session) => {
                let dir = store.run_dir(&id);
                let result = std::fs::remove_dir_all(&dir);
                drop(session);
                match result {
                    Ok(()) => removed.push(run.dir_name.clone()),
                    Err(e) => {
                        let _ = std::io::Write::write_all(
                            &mut std::io::stderr(),
                            format!("warning: could not remove {}: {e}\n", dir.display()).as_bytes(),
                        );
                        skipped.push(run.dir_name.clone());
                    }
                }
            }
            Err(_) => skipped.push(run.dir_name.clone()),
        }
    }
    if json {
        let list = |v: &[String]| Json::Array(v.iter().cloned().map(Json::String).collect());
        let mut payload = JsonObject::new();
        payload.insert("dry_run".into(), Json::Bool(args.dry_run));
        payload.insert("removed".into(), list(&removed));
        payload.insert("skipped_locked".into(), list(&skipped));
        print_payload(&payload)?;
        return Ok(0);
    }
    let verb = if args.dry_run { "Would remove" } else { "Removed" };
    let mut out = String::new();
    for id in &removed {
        out.push_str(&format!("{verb} run {id}\n"));
    }
    for id in &skipped {
        out.push_str(&format!("Skipped run {id} (in use by another process)\n"));
    }
    out.push_str(&format!("{verb} {} run(s).\n", removed.len()));
    output::write_stdout(out.as_bytes())?;
    Ok(0)
}
