//! `baton resolve <WORKFLOW_ID> [--json]` (ecosystem.md §14.4): the layer stack of an
//! installed workflow and the source of every step. Successes go to stdout, errors to
//! stderr (as the reference's overlay commands do). `--json` is a baton addition.

use baton_catalog::overlay::{self, manage, Resolved};

use crate::exit::{CliError, Stream};
use crate::output;
use crate::project::{self, Context};

/// `resolve` arguments.
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// Workflow ID to resolve.
    pub workflow_id: String,
    /// Print the layers and attribution as one JSON object (baton addition).
    #[arg(long)]
    pub json: bool,
}

/// An overlay-family error: `Error: <first line>` and the rest, on stderr, exit 1.
pub(crate) fn stderr_error(text: impl std::fmt::Display) -> CliError {
    let text = text.to_string();
    let mut lines = text.lines();
    let mut out = vec![format!("Error: {}", lines.next().unwrap_or_default())];
    out.extend(lines.map(str::to_owned));
    CliError { lines: out, stream: Stream::Stderr, code: 1 }
}

/// The text `resolve` prints for a resolved workflow.
fn render(workflow_id: &str, resolved: &Resolved) -> String {
    let mut out = format!(
        "Resolved workflow '{workflow_id}':\nLayers (highest precedence first; on equal priority the last ID wins):\n"
    );
    for layer in &resolved.layers {
        out.push_str(&format!("  \u{2022} [{}] {} (priority={})\n", overlay::Layer::TIER, layer.source, layer.priority()));
    }
    out.push_str("  \u{2022} [base] base (priority=n/a)\n");
    out.push_str("Step attribution:\n");
    for a in &resolved.attribution {
        out.push_str(&format!("  \u{2022} {}: {}\n", a.step_id, a.source));
    }
    out
}

/// The `--json` object: the payload the reference's resolve function returns.
fn payload(workflow_id: &str, resolved: &Resolved) -> serde_json::Value {
    let mut layers: Vec<serde_json::Value> = resolved
        .layers
        .iter()
        .map(|l| {
            let priority: serde_json::Value =
                serde_json::from_str(&l.priority().to_string()).unwrap_or(serde_json::Value::Null);
            serde_json::json!({ "source": l.source, "tier": overlay::Layer::TIER, "priority": priority })
        })
        .collect();
    layers.push(serde_json::json!({ "source": "base", "tier": "base", "priority": null }));
    let attribution: Vec<serde_json::Value> = resolved
        .attribution
        .iter()
        .map(|a| serde_json::json!({ "step_id": a.step_id, "source": a.source }))
        .collect();
    serde_json::json!({ "workflow_id": workflow_id, "layers": layers, "attribution": attribution })
}

/// Runs `resolve`.
pub fn resolve(args: &ResolveArgs) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, false)?;
    manage::check_workflow_id(&args.workflow_id).map_err(stderr_error)?;
    let resolved = match overlay::resolve(&root, &args.workflow_id) {
        Ok(r) => r,
        Err(overlay::Error::NotFound(_)) => {
            return Err(stderr_error(format!("Workflow '{}' not found", args.workflow_id)));
        }
        Err(err) => return Err(stderr_error(err)),
    };
    if args.json {
        output::print_json(&payload(&args.workflow_id, &resolved))?;
    } else {
        output::write_stdout(render(&args.workflow_id, &resolved).as_bytes())?;
    }
    Ok(0)
}
