//! `baton search [QUERY] [--tag T] [--author A] [--json]` (ecosystem.md §5.2).

use baton_catalog::catalog::{self, CatalogInputs};
use baton_expr::Value;

use super::catalog::{print_json, println_line, Eco};
use crate::exit::CliError;

/// `search` arguments.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Search query.
    pub query: Option<String>,
    /// Filter by tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Filter by author.
    #[arg(long)]
    pub author: Option<String>,
    /// Print `{"workflows": [...]}` on stdout (baton addition).
    #[arg(long)]
    pub json: bool,
}

/// `", ".join(str(t) for t in tags)` of a list-valued `tags`.
pub(crate) fn tags_text(entry: &baton_expr::Map) -> Option<String> {
    match entry.get("tags") {
        Some(Value::List(items)) if !items.is_empty() => Some(items.iter().map(Value::py_str).collect::<Vec<_>>().join(", ")),
        _ => None,
    }
}

/// Runs `search`.
pub fn search(args: &SearchArgs) -> Result<i32, CliError> {
    let eco = Eco::new(args.json)?;
    let inputs = CatalogInputs { stack: eco.stack(), client: &eco.client, now: eco.now.as_millisecond() as f64 / 1000.0 };
    let merged = catalog::load_merged(&inputs).map_err(|e| eco.error(e))?;
    eco.warn_all(&merged.warnings);
    let results = catalog::search(&merged, args.query.as_deref(), args.tag.as_deref(), args.author.as_deref());
    if args.json {
        let items: Vec<serde_json::Value> = results
            .iter()
            .map(|(id, entry)| {
                let mut e = (*entry).clone();
                e.entry("id".to_owned()).or_insert_with(|| Value::Str((*id).to_owned()));
                serde_json::to_value(Value::Map(e)).unwrap_or(serde_json::Value::Null)
            })
            .collect();
        return print_json(&serde_json::json!({ "workflows": items }));
    }
    if results.is_empty() {
        println_line("No workflows found.");
        return Ok(0);
    }
    println_line("");
    println_line(&format!("Workflows ({}):", results.len()));
    println_line("");
    for (id, entry) in results {
        let shown_id = entry.get("id").map_or_else(|| id.to_owned(), Value::py_str);
        let name = entry.get("name").or_else(|| entry.get("id")).map_or_else(|| id.to_owned(), Value::py_str);
        let version = entry.get("version").map_or_else(|| "?".to_owned(), Value::py_str);
        println_line(&format!("  {name} ({shown_id}) v{version}"));
        if let Some(desc) = entry.get("description").filter(|d| d.truthy()) {
            println_line(&format!("    {}", desc.py_str()));
        }
        if let Some(tags) = tags_text(entry) {
            println_line(&format!("    Tags: {tags}"));
        }
        println_line("");
    }
    Ok(0)
}
