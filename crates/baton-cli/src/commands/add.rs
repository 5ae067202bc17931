//! `baton add SOURCE [--dev] [--from URL] [--version V] [--json]` (ecosystem.md §7).

use baton_catalog::install::{self, AddOptions, AddPlan};

use super::catalog::{aborted, confirm, print_json, println_line, Eco};
use crate::exit::CliError;

/// `add` arguments.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Workflow ID, URL, or local path.
    pub source: String,
    /// Install from a local workflow YAML file or directory.
    #[arg(long)]
    pub dev: bool,
    /// Install from a custom URL.
    #[arg(long = "from", value_name = "URL")]
    pub from: Option<String>,
    /// Install an exact catalog release.
    #[arg(long)]
    pub version: Option<String>,
    /// Print `{"id", "source", "message"}` on stdout (baton addition).
    #[arg(long)]
    pub json: bool,
}

/// The untrusted-source panel of `--from`.
fn trust_panel(url: &str, json: bool) {
    let lines = [
        String::new(),
        "\u{26a0} Untrusted Source".to_owned(),
        "You are installing a workflow from an external URL that is not".to_owned(),
        "listed in any of your configured workflow catalogs.".to_owned(),
        String::new(),
        format!("URL: {url}"),
        String::new(),
        "Only install workflows from sources you trust.".to_owned(),
        String::new(),
    ];
    for line in lines {
        if json {
            super::catalog::eprintln_line(&line);
        } else {
            println_line(&line);
        }
    }
}

/// Runs `add`.
pub fn add(args: &AddArgs) -> Result<i32, CliError> {
    let eco = Eco::new(args.json)?;
    let env = eco.env();
    let opts = AddOptions { source: &args.source, dev: args.dev, from: args.from.as_deref(), version: args.version.as_deref() };
    let plan = install::plan_add(&env, &opts).map_err(|f| eco.fail(f))?;
    if let AddPlan::Url { url, trust_prompt } = &plan {
        install::check_url_source(url).map_err(|f| eco.fail(f))?;
        if *trust_prompt {
            trust_panel(url, args.json);
            match confirm("Continue with installation?", args.json) {
                None => return Err(aborted()),
                Some(false) => {
                    eco.say("Cancelled");
                    if args.json {
                        return print_json(&serde_json::json!({ "cancelled": true }));
                    }
                    return Ok(0);
                }
                Some(true) => {}
            }
        }
    }
    let mut out = Vec::new();
    let result = install::run_add(&env, &opts, &plan, &mut out);
    eco.print_lines(&out);
    let installed = result.map_err(|f| eco.fail(f))?;
    if args.json {
        return print_json(&installed);
    }
    println_line(&installed.message);
    Ok(0)
}
