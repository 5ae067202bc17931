//! `baton status [RUN_ID] [--json]` (engine.md §3.6).
//!
//! On a terminal (stdout a tty, no `--json`) baton adds views of its own
//! ([`terminal`]): a table of runs and, for one run, the tree of its steps. Elsewhere the
//! output is the reference's lines, unchanged.

use std::sync::Arc;

use baton_engine::{json_to_value, scope_summaries, status_payload};
use baton_state::{FileStore, Json, JsonObject, RunId, RunStore, SystemClock};

use jiff::Timestamp;

use super::run::print_payload;
use crate::diagnostics::Style;
use crate::exit::CliError;
use crate::output;
use crate::project::{self, Context};

fn text(j: &Json) -> String {
    json_to_value(j).py_str()
}

/// Shows one run, or lists every run.
pub fn status(run_id: Option<&str>, json: bool) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, json)?;
    let store = FileStore::new(&root, baton_engine::source_parser(), Arc::new(SystemClock));
    match run_id.filter(|id| !id.is_empty()) {
        Some(id) => show(&store, id, json),
        None => list(&store, json),
    }
}

fn show(store: &FileStore, id: &str, json: bool) -> Result<i32, CliError> {
    let tty = !json && rustix::termios::isatty(rustix::stdio::stdout());
    let run_id = RunId::new(id).map_err(|e| CliError::user(e, json))?;
    let state = match store.open_run(&run_id) {
        Ok(s) => s,
        Err(baton_state::Error::NotFound(_)) => return Err(CliError::user(format!("Run not found: {id}"), json)),
        Err(e) => return Err(CliError::user(e, json)),
    };
    if json {
        print_payload(&status_payload(&state))?;
        return Ok(0);
    }
    if tty {
        output::write_stdout(terminal::tree(store, &state, Style::stdout(), Timestamp::now()).as_bytes())?;
        return Ok(0);
    }
    let mut out = format!(
        "\nWorkflow Run: {}\n  Workflow: {}\n  Status:   {}\n  Created:  {}\n  Updated:  {}\n",
        state.run_id, state.workflow_id, state.status, state.created_at, state.updated_at
    );
    if let Some(current) = state.current_step_id.as_deref().filter(|c| !c.is_empty()) {
        out.push_str(&format!("  Current:  {current}\n"));
    }
    if let Some(e) = baton_engine::failed_error(&state) {
        out.push_str(&format!("  Error:    {e}\n"));
    }
    if !state.step_results.is_empty() {
        out.push_str(&format!("\n  Steps ({}):\n", state.step_results.len()));
        for (sid, record) in &state.step_results {
            let s = record.get("status").map_or_else(|| "unknown".to_owned(), text);
            out.push_str(&format!("    \u{25cf} {sid}: {s}\n"));
        }
    }
    for scope in scope_summaries(&state) {
        out.push_str(&format!("  {} \u{2192} {}: {}\n", scope.scope_path.join(" / "), scope.workflow_id, scope.status));
    }
    output::write_stdout(out.as_bytes())?;
    Ok(0)
}

fn list(store: &FileStore, json: bool) -> Result<i32, CliError> {
    let listing = store.list_runs().map_err(|e| CliError::user(e, json))?;
    if json {
        let runs = listing
            .runs
            .iter()
            .map(|r| {
                let mut o = JsonObject::new();
                o.insert("run_id".into(), r.run_id.clone());
                o.insert("workflow_id".into(), r.workflow_id.clone().unwrap_or(Json::Null));
                o.insert("status".into(), r.status.clone().unwrap_or_else(|| "unknown".into()));
                o.insert("updated_at".into(), r.updated_at.clone().unwrap_or(Json::Null));
                Json::Object(o)
            })
            .collect();
        let mut payload = JsonObject::new();
        payload.insert("runs".into(), Json::Array(runs));
        print_payload(&payload)?;
        return Ok(0);
    }
    if listing.runs.is_empty() {
        output::write_stdout(b"No workflow runs found.\n")?;
        return Ok(0);
    }
    if rustix::termios::isatty(rustix::stdio::stdout()) {
        let table = terminal::table(store, &listing.runs, Style::stdout(), Timestamp::now());
        output::write_stdout(table.as_bytes())?;
        return Ok(0);
    }
    let mut out = String::from("\nWorkflow Runs:\n\n");
    for r in &listing.runs {
        let wf = r.workflow_id.as_ref().map_or_else(|| "?".to_owned(), text);
        let status = r.status.as_ref().map_or_else(|| "unknown".to_owned(), text);
        let updated = r.updated_at.as_ref().map_or_else(|| "?".to_owned(), text);
        out.push_str(&format!("  \u{25cf} {}  {wf}  {status}  {updated}\n", text(&r.run_id)));
    }
    output::write_stdout(out.as_bytes())?;
    Ok(0)
}

/// The terminal views: the table of runs and the tree of one run's steps.
mod terminal {
    use std::collections::HashMap;
    use std::fmt::Write as _;

    use baton_engine::json_to_value;
    use baton_state::{FileStore, Json, JsonObject, RunId, RunState, RunStore, RunSummary, LOG_FILE};
    use jiff::Timestamp;

    use crate::diagnostics::Style;

    fn text(j: &Json) -> String {
        json_to_value(j).py_str()
    }

    /// The symbol and colour of a status.
    fn mark(status: &str) -> (&'static str, &'static str) {
        match status {
            "completed" => ("\u{2713}", "32"),
            "failed" => ("\u{2717}", "31"),
            "aborted" => ("\u{2298}", "31"),
            "paused" => ("\u{2016}", "33"),
            "running" => ("\u{25b6}", "36"),
            "skipped" => ("\u{21b7}", "2"),
            "created" => ("\u{25cb}", "2"),
            _ => ("\u{b7}", "2"),
        }
    }

    fn painted(style: Style, status: &str, width: usize) -> String {
        let (symbol, colour) = mark(status);
        let cell = format!("{symbol} {status}");
        let pad = width.saturating_sub(cell.chars().count());
        format!("{}{}", style.paint(colour, &cell), " ".repeat(pad))
    }

    /// `12s ago`, `3m ago`, `5h ago`, `2d ago`.
    pub(super) fn age(then: &str, now: Timestamp) -> String {
        let Ok(then) = then.parse::<Timestamp>() else { return "?".to_owned() };
        let secs = now.duration_since(then).as_secs();
        match secs {
            s if s < 0 => "just now".to_owned(),
            s if s < 60 => format!("{s}s ago"),
            s if s < 3600 => format!("{}m ago", s / 60),
            s if s < 86_400 => format!("{}h ago", s / 3600),
            s => format!("{}d ago", s / 86_400),
        }
    }

    /// `0.4s`, `12.0s`, `3m 05s`, `2h 10m`.
    pub(super) fn duration(secs: f64) -> String {
        if secs < 60.0 {
            return format!("{secs:.1}s");
        }
        // Whole seconds from here on (`as` truncates a finite, non-negative value).
        let whole = secs.max(0.0).round() as u64;
        if whole < 3600 {
            format!("{}m {:02}s", whole / 60, whole % 60)
        } else {
            format!("{}h {:02}m", whole / 3600, (whole % 3600) / 60)
        }
    }

    /// Lays out rows in columns two spaces apart (the status column is painted).
    fn columns(rows: &[Vec<String>], status_col: usize, style: Style) -> String {
        let n = rows.first().map_or(0, Vec::len);
        let widths: Vec<usize> =
            (0..n).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        let mut out = String::new();
        for (i, row) in rows.iter().enumerate() {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let last = c + 1 == n;
                if c == status_col && i > 0 {
                    let status = cell.split_once(' ').map_or(cell.as_str(), |(_, s)| s);
                    line.push_str(&painted(style, status, if last { 0 } else { widths[c] }));
                } else if i == 0 {
                    let head = format!("{cell:<w$}", w = if last { 0 } else { widths[c] });
                    line.push_str(&style.paint("1", &head));
                } else {
                    let _ = write!(line, "{cell:<w$}", w = if last { 0 } else { widths[c] });
                }
                if !last {
                    line.push_str("  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The table of runs (`status` with no id), in the reference's order.
    pub(super) fn table(store: &FileStore, runs: &[RunSummary], style: Style, now: Timestamp) -> String {
        let mut rows = vec![["RUN ID", "WORKFLOW", "STATUS", "CURRENT STEP", "UPDATED"].map(str::to_owned).to_vec()];
        for r in runs {
            let status = r.status.as_ref().map_or_else(|| "unknown".to_owned(), text);
            let current = RunId::new(&r.dir_name)
                .ok()
                .and_then(|id| store.open_run(&id).ok())
                .and_then(|s| s.current_step_id)
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "-".to_owned());
            rows.push(vec![
                text(&r.run_id),
                r.workflow_id.as_ref().map_or_else(|| "?".to_owned(), text),
                format!("{} {status}", mark(&status).0),
                current,
                r.updated_at.as_ref().map_or_else(|| "?".to_owned(), |u| age(&text(u), now)),
            ]);
        }
        format!("\n{}", columns(&rows, 2, style))
    }

    /// When each step occurrence last started and ended, from the run's `log.jsonl`.
    fn timings(store: &FileStore, run_id: &RunId) -> HashMap<String, (Timestamp, Option<Timestamp>)> {
        let mut out: HashMap<String, (Timestamp, Option<Timestamp>)> = HashMap::new();
        let Ok(log) = std::fs::read_to_string(store.run_dir(run_id).join(LOG_FILE)) else { return out };
        for line in log.lines() {
            let Ok(serde_json::Value::Object(event)) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let field = |k: &str| event.get(k).and_then(serde_json::Value::as_str);
            let (Some(kind), Some(id), Some(when)) = (field("event"), field("step_id"), field("timestamp")) else {
                continue;
            };
            let Ok(when) = when.parse::<Timestamp>() else { continue };
            match kind {
                "step_started" => {
                    out.insert(id.to_owned(), (when, None));
                }
                "step_completed" => {
                    if let Some(entry) = out.get_mut(id) {
                        entry.1.get_or_insert(when);
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn record_str(record: Option<&JsonObject>, key: &str) -> Option<String> {
        record.and_then(|r| r.get(key)).filter(|v| **v != Json::Null).map(text)
    }

    /// One run: its header, then the tree of its step occurrences with status, duration
    /// and the error of a failed step.
    pub(super) fn tree(store: &FileStore, state: &RunState, style: Style, now: Timestamp) -> String {
        let status = state.status.to_string();
        let mut out = format!(
            "\n{}  {}  {}  (updated {})\n",
            style.paint("1", &format!("Run {}", state.run_id)),
            state.workflow_id,
            painted(style, &status, 0),
            age(&state.updated_at, now)
        );
        if let Some(e) = baton_engine::failed_error(state) {
            let _ = writeln!(out, "{}", style.paint("31", &format!("Error: {e}")));
        }
        out.push('\n');
        let times = timings(store, &state.run_id);
        // (depth, id, type, status, error)
        let mut items: Vec<(usize, String, String, String, Option<String>)> = Vec::new();
        let occurrences = baton_engine::occurrences(state);
        if occurrences.is_empty() {
            for (id, record) in &state.step_results {
                let r = Some(&**record);
                items.push((
                    0,
                    id.clone(),
                    record_str(r, "type").unwrap_or_default(),
                    record_str(r, "status").unwrap_or_else(|| "unknown".to_owned()),
                    record_str(r, "error"),
                ));
            }
        }
        for o in occurrences {
            let depth = o.names.len().saturating_sub(1) - o.names.iter().filter(|n| n.parse::<u64>().is_ok()).count();
            let r = o.record.as_ref();
            let mut st = record_str(r, "status").unwrap_or_else(|| "not run".to_owned());
            if r.is_none() && state.current_step_id.as_deref() == Some(o.step_id.as_str()) {
                st = status.clone();
            }
            let error = if st == "failed" { record_str(r, "error") } else { None };
            items.push((depth, o.step_id, o.step_type, st, error));
        }
        if items.is_empty() {
            out.push_str("  (no steps run yet)\n");
            return out;
        }
        // A container lasts until the last of its nested steps ends.
        let ends: Vec<Option<Timestamp>> = (0..items.len())
            .map(|i| {
                let mut end = times.get(&items[i].1).and_then(|t| t.1);
                for item in items[i + 1..].iter().take_while(|it| it.0 > items[i].0) {
                    if let Some(e) = times.get(&item.1).and_then(|t| t.1) {
                        end = Some(end.map_or(e, |x: Timestamp| x.max(e)));
                    }
                }
                end
            })
            .collect();
        let mut rows = Vec::new();
        for (i, (depth, id, kind, st, _)) in items.iter().enumerate() {
            let took = match (times.get(id).map(|t| t.0), ends[i]) {
                (Some(start), Some(end)) if end >= start => {
                    duration(end.duration_since(start).as_secs_f64())
                }
                _ => String::new(),
            };
            rows.push((format!("{}{} {id}", "  ".repeat(*depth), mark(st).0), kind.clone(), st.clone(), took));
        }
        let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let w1 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
        let w2 = rows.iter().map(|r| r.2.chars().count()).max().unwrap_or(0);
        for (i, (label, kind, st, took)) in rows.iter().enumerate() {
            let (_, colour) = mark(st);
            let pad = " ".repeat(w0 - label.chars().count());
            let line = format!(
                "  {}{pad}  {kind:<w1$}  {}{}  {took}",
                style.paint(colour, label),
                style.paint(colour, st),
                " ".repeat(w2 - st.chars().count()),
            );
            let _ = writeln!(out, "{}", line.trim_end());
            if let Some(error) = &items[i].4 {
                let indent = "  ".repeat(items[i].0 + 2);
                let _ = writeln!(out, "  {indent}{}", style.paint("31", &format!("error: {error}")));
            }
        }
        for scope in baton_engine::scope_summaries(state) {
            let _ = writeln!(out, "  {} \u{2192} {}: {}", scope.scope_path.join(" / "), scope.workflow_id, scope.status);
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn ages_and_durations_read_well() {
            let now: Timestamp = "2026-01-01T12:00:00+00:00".parse().unwrap_or(Timestamp::UNIX_EPOCH);
            assert_eq!(age("2026-01-01T11:59:50.5+00:00", now), "9s ago");
            assert_eq!(age("2026-01-01T11:57:00+00:00", now), "3m ago");
            assert_eq!(age("2026-01-01T07:00:00+00:00", now), "5h ago");
            assert_eq!(age("2025-12-30T12:00:00+00:00", now), "2d ago");
            assert_eq!(age("not a time", now), "?");
            assert_eq!(duration(0.04), "0.0s");
            assert_eq!(duration(12.34), "12.3s");
            assert_eq!(duration(185.0), "3m 05s");
            assert_eq!(duration(7860.0), "2h 11m");
        }
    }
}
