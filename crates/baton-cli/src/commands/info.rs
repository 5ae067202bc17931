//! `baton info ID [--versions] [--json]` (ecosystem.md §5.3): the local definition
//! (installed with overlays, legacy, or a YAML path), else the catalog entry.

use std::path::Path;

use baton_catalog::catalog::{self, CatalogInputs};
use baton_catalog::overlay;
use baton_catalog::registry::Registry;
use baton_expr::Value;
use baton_model::yaml::Node;

use super::catalog::{print_json, println_line, Eco};
use super::search::tags_text;
use crate::exit::CliError;

/// `info` arguments.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Workflow ID.
    pub workflow_id: String,
    /// Show versions available in workflow catalogs.
    #[arg(long)]
    pub versions: bool,
    /// Print the details as JSON (baton addition).
    #[arg(long)]
    pub json: bool,
}

fn str_of(node: Option<&Node>) -> Option<String> {
    node.map(|n| n.to_value().py_str())
}

/// Loads the local definition: an installed or legacy id (with overlays), or a YAML path.
fn local_definition(eco: &Eco, id: &str) -> Result<Option<Node>, String> {
    let lower = id.to_lowercase();
    let path = eco.cwd.join(id);
    if (lower.ends_with(".yml") || lower.ends_with(".yaml")) && path.is_file() {
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        return baton_model::load(&text).map(Some).map_err(|e| e.message(Some(id)));
    }
    if !baton_catalog::ids::is_valid_workflow_id(id) {
        return Ok(None);
    }
    match overlay::resolve(&eco.root, id) {
        Ok(resolved) => Ok(Some(resolved.definition)),
        Err(overlay::Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `info`.
pub fn info(args: &InfoArgs) -> Result<i32, CliError> {
    let eco = Eco::new(args.json)?;
    let id = args.workflow_id.as_str();
    let inputs = CatalogInputs { stack: eco.stack(), client: &eco.client, now: eco.now.as_millisecond() as f64 / 1000.0 };
    if args.versions {
        let merged = catalog::load_merged(&inputs).map_err(|e| eco.error(e))?;
        eco.warn_all(&merged.warnings);
        let (versions, allowed) = match merged.workflows.get(id) {
            None => (Vec::new(), true),
            Some(entry) => {
                let mut entry = entry.clone();
                entry.entry("id".to_owned()).or_insert_with(|| Value::Str(id.to_owned()));
                (catalog::available_versions(id, &entry).map_err(|e| eco.error(e))?, catalog::install_allowed(&entry))
            }
        };
        if versions.is_empty() {
            return Err(eco.error(format!("Workflow '{id}' not found in catalog")));
        }
        if args.json {
            return print_json(&serde_json::json!({ "id": id, "versions": versions, "installable": allowed }));
        }
        println_line(&format!("Catalog versions for {id}: {}", versions.join(", ")));
        println_line(if allowed { "  Install policy: installable" } else { "  Install policy: discovery-only (not installable)" });
        return Ok(0);
    }
    let registry = Registry::open(&eco.root).map_err(|e| eco.error(format!("Failed to read workflow registry: {e}")))?;
    let installed = registry.get(id).is_some_and(Value::truthy);
    let definition = local_definition(&eco, id).map_err(|e| eco.error(format!("Invalid workflow: {e}")))?;
    if let Some(doc) = definition {
        return print_local(&eco, &doc, installed, args.json);
    }
    let merged = catalog::load_merged(&inputs).map_err(|e| eco.error(e))?;
    eco.warn_all(&merged.warnings);
    let Some(entry) = merged.workflows.get(id) else {
        return Err(eco.error(format!("Workflow '{id}' not found")));
    };
    let mut entry = entry.clone();
    entry.entry("id".to_owned()).or_insert_with(|| Value::Str(id.to_owned()));
    let info = catalog::select_release(id, &entry, None).map_err(|e| eco.error(e))?.unwrap_or(entry);
    if args.json {
        return print_json(&serde_json::json!({ "id": id, "installed": false, "catalog": Value::Map(info) }));
    }
    println_line("");
    println_line(&format!("{} ({id})", info.get("name").map_or_else(|| id.to_owned(), Value::py_str)));
    println_line(&format!("  Version:     {}", info.get("version").map_or_else(|| "?".to_owned(), Value::py_str)));
    if let Some(d) = info.get("description").filter(|d| d.truthy()) {
        println_line(&format!("  Description: {}", d.py_str()));
    }
    if let Some(tags) = tags_text(&info) {
        println_line(&format!("  Tags:        {tags}"));
    }
    println_line("  Not installed");
    Ok(0)
}

fn print_local(eco: &Eco, doc: &Node, installed: bool, json: bool) -> Result<i32, CliError> {
    let wf = doc.get("workflow").filter(|w| w.as_map().is_some());
    let field = |k: &str| wf.and_then(|w| w.get(k));
    let truthy = |k: &str| field(k).filter(|n| n.to_value().truthy()).map(|n| n.to_value().py_str());
    let name = str_of(field("name")).unwrap_or_default();
    let wid = str_of(field("id")).unwrap_or_default();
    let version = str_of(field("version")).unwrap_or_else(|| "0.0.0".into());
    let inputs: Vec<(String, String, bool)> = doc
        .get("inputs")
        .and_then(Node::as_map)
        .map(|pairs| {
            pairs
                .iter()
                .filter(|(_, v)| v.as_map().is_some())
                .map(|(k, v)| {
                    let ty = v.get("type").map_or_else(|| "string".into(), |t| t.to_value().py_str());
                    let required = v.get("required").is_some_and(|r| r.to_value().truthy());
                    (k.to_value().py_str(), ty, required)
                })
                .collect()
        })
        .unwrap_or_default();
    let steps: Vec<(String, String)> = doc
        .get("steps")
        .and_then(Node::as_seq)
        .map(|items| {
            items
                .iter()
                .map(|s| {
                    let sid = s.get("id").map_or_else(|| "?".into(), |n| n.to_value().py_str());
                    let ty = s.get("type").map_or_else(|| "command".into(), |n| n.to_value().py_str());
                    (sid, ty)
                })
                .collect()
        })
        .unwrap_or_default();
    if json {
        let _ = eco;
        return print_json(&serde_json::json!({
            "id": wid, "name": name, "version": version,
            "author": truthy("author"), "description": truthy("description"), "integration": truthy("integration"),
            "installed": installed,
            "inputs": inputs.iter().map(|(n, t, r)| serde_json::json!({"name": n, "type": t, "required": r})).collect::<Vec<_>>(),
            "steps": steps.iter().map(|(i, t)| serde_json::json!({"id": i, "type": t})).collect::<Vec<_>>(),
        }));
    }
    println_line("");
    println_line(&format!("{name} ({wid})"));
    println_line(&format!("  Version:     {version}"));
    if let Some(a) = truthy("author") {
        println_line(&format!("  Author:      {a}"));
    }
    if let Some(d) = truthy("description") {
        println_line(&format!("  Description: {d}"));
    }
    if let Some(i) = truthy("integration") {
        println_line(&format!("  Integration: {i}"));
    }
    if installed {
        println_line("  Installed");
    }
    if !inputs.is_empty() {
        println_line("");
        println_line("  Inputs:");
        for (n, t, r) in &inputs {
            println_line(&format!("    {n} ({t}) \u{2014} {}", if *r { "required" } else { "optional" }));
        }
    }
    if !steps.is_empty() {
        println_line("");
        println_line(&format!("  Steps ({}):", steps.len()));
        for (i, t) in &steps {
            println_line(&format!("    \u{2192} {i} [{t}]"));
        }
    }
    let _ = Path::new("");
    Ok(0)
}
