//! `baton catalog list|add|remove` (ecosystem.md §4.3–§4.5), and what every
//! ecosystem verb (`list`, `add`, `remove`, `update`, `enable`, `disable`, `search`,
//! `info`, `catalog`) shares: the project context, the HTTP client, printing the
//! library's lines, the `[y/N]` prompt and `--json` output.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use baton_catalog::install::{Env, Failure, Line, NoFaults};
use baton_catalog::net::{AuthConfig, Client, NetConfig};
use baton_catalog::sources::{self, StackInputs, WORKFLOW_STACK};
use serde::Serialize;

use crate::exit::{CliError, Stream};
use crate::output;
use crate::project::{self, Context};

/// `catalog` arguments.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// The catalog command.
    #[command(subcommand)]
    pub command: CatalogCommand,
}

/// The catalog commands.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// List configured workflow catalog sources.
    List {
        /// Print the sources as JSON (baton addition).
        #[arg(long)]
        json: bool,
    },
    /// Add a workflow catalog source.
    Add {
        /// Catalog URL to add.
        url: String,
        /// Catalog name.
        #[arg(long)]
        name: Option<String>,
        /// Print the outcome as JSON (baton addition).
        #[arg(long)]
        json: bool,
    },
    /// Remove a workflow catalog source by index.
    Remove {
        /// Catalog index to remove (see `catalog list`).
        index: u64,
        /// Print the outcome as JSON (baton addition).
        #[arg(long)]
        json: bool,
    },
}

/// The environment of an ecosystem verb.
pub(crate) struct Eco {
    /// The working directory.
    pub cwd: PathBuf,
    /// The project root.
    pub root: PathBuf,
    /// `$HOME`.
    pub home: Option<PathBuf>,
    /// `SPECKIT_WORKFLOW_CATALOG_URL`.
    pub catalog_env: Option<String>,
    /// The temp directory.
    pub temp_dir: PathBuf,
    /// The HTTP client.
    pub client: Client,
    /// Now.
    pub now: jiff::Timestamp,
    /// The project's custom step types, loaded when a validation first asks
    /// (`add` and `update` validate with them, as the reference does).
    pub custom_steps: super::run::LazyCustomSteps,
    /// Whether `--json` was given.
    pub json: bool,
}

impl Eco {
    /// Resolves the project (with the storage guard) and reads the environment.
    pub(crate) fn new(json: bool) -> Result<Self, CliError> {
        let ctx = Context::from_process()?;
        let root = project::resolve_root(&ctx, true, json)?;
        let root = if root.is_absolute() { root } else { ctx.cwd.join(root) };
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
        let auth = match &home {
            Some(h) => match AuthConfig::load(&h.join(".specify").join("auth.json"), env.clone()) {
                Ok(a) => a,
                Err(e) => {
                    eprintln_line(&format!(
                        "Warning: Failed to load {}: {e}. All requests will be unauthenticated.",
                        h.join(".specify/auth.json").display()
                    ));
                    AuthConfig { entries: Vec::new(), env }
                }
            },
            None => AuthConfig::default(),
        };
        let client = Client::new(NetConfig { auth, user_agent: format!("baton/{}", env!("CARGO_PKG_VERSION")), ..NetConfig::default() });
        Ok(Eco {
            cwd: ctx.cwd,
            custom_steps: super::run::LazyCustomSteps::new(root.clone()),
            root,
            home,
            catalog_env: std::env::var("SPECKIT_WORKFLOW_CATALOG_URL").ok(),
            temp_dir: std::env::temp_dir(),
            client,
            now: jiff::Timestamp::now(),
            json,
        })
    }

    /// The library environment.
    pub(crate) fn env(&self) -> Env<'_> {
        Env {
            project_root: &self.root,
            cwd: &self.cwd,
            home: self.home.as_deref(),
            catalog_env: self.catalog_env.as_deref(),
            client: &self.client,
            temp_dir: &self.temp_dir,
            now: self.now,
            custom_steps: &self.custom_steps,
            faults: &NoFaults,
        }
    }

    /// The catalog stack inputs.
    pub(crate) fn stack(&self) -> StackInputs<'_> {
        StackInputs { project_root: &self.root, home: self.home.as_deref(), env_override: self.catalog_env.as_deref() }
    }

    /// Prints lines the library produced along the way (stdout ones go to stderr
    /// under `--json`).
    pub(crate) fn print_lines(&self, lines: &[Line]) {
        for line in lines {
            if line.stderr || self.json {
                eprintln_line(&line.render());
            } else {
                println_line(&line.render());
            }
        }
    }

    /// A library failure as a CLI error (text on stdout, or stderr under `--json`).
    pub(crate) fn fail(&self, failure: Failure) -> CliError {
        let stderr = self.json || failure.lines.first().is_some_and(|l| l.stderr);
        CliError {
            lines: failure.lines.iter().map(Line::render).collect(),
            stream: if stderr { Stream::Stderr } else { Stream::Stdout },
            code: failure.code,
        }
    }

    /// `Error: <msg>` (stdout; stderr under `--json`).
    pub(crate) fn error(&self, msg: impl std::fmt::Display) -> CliError {
        CliError::user(msg, self.json)
    }

    /// A text line on stdout (nothing under `--json`).
    pub(crate) fn say(&self, text: &str) {
        if !self.json {
            println_line(text);
        }
    }

    /// Prints warnings the catalog produced (always stderr).
    pub(crate) fn warn_all(&self, warnings: &[String]) {
        for w in warnings {
            eprintln_line(&format!("Warning: {w}"));
        }
    }
}

/// Prints one line on stdout.
pub(crate) fn println_line(text: &str) {
    let _ = output::write_stdout(format!("{text}\n").as_bytes());
}

/// Prints one line on stderr.
pub(crate) fn eprintln_line(text: &str) {
    let _ = std::io::stderr().lock().write_all(format!("{text}\n").as_bytes());
}

/// Prints `value` as the `--json` object.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<i32, CliError> {
    output::print_json(value)?;
    Ok(0)
}

/// click's `confirm(text, default=False)`: `Some(bool)`, or `None` at end of input.
/// The prompt goes to stdout (stderr under `--json`).
pub(crate) fn confirm(text: &str, json: bool) -> Option<bool> {
    let stdin = std::io::stdin();
    loop {
        let prompt = format!("{text} [y/N]: ");
        if json {
            let _ = std::io::stderr().lock().write_all(prompt.as_bytes());
        } else {
            let _ = output::write_stdout(prompt.as_bytes());
            let _ = std::io::stdout().flush();
        }
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                if json {
                    eprintln_line("");
                } else {
                    println_line("");
                }
                return None;
            }
            Ok(_) => {}
        }
        match line.trim().to_lowercase().as_str() {
            "" | "n" | "no" => return Some(false),
            "y" | "yes" => return Some(true),
            _ => {
                if json {
                    eprintln_line("Error: invalid input");
                } else {
                    println_line("Error: invalid input");
                }
            }
        }
    }
}

/// `Aborted.` at end of input (exit 1).
pub(crate) fn aborted() -> CliError {
    CliError { lines: vec!["Aborted.".to_owned()], stream: Stream::Stderr, code: 1 }
}

/// Runs `catalog …`.
pub fn catalog(args: &CatalogArgs) -> Result<i32, CliError> {
    match &args.command {
        CatalogCommand::List { json } => list(*json),
        CatalogCommand::Add { url, name, json } => add(url, name.as_deref(), *json),
        CatalogCommand::Remove { index, json } => remove(*index, *json),
    }
}

fn list(json: bool) -> Result<i32, CliError> {
    let eco = Eco::new(json)?;
    let stack = sources::active_sources(&WORKFLOW_STACK, &eco.stack()).map_err(|e| eco.error(e))?;
    if json {
        return print_json(&serde_json::json!({ "sources": stack }));
    }
    println_line("");
    println_line("Workflow Catalog Sources:");
    println_line("");
    for (i, source) in stack.iter().enumerate() {
        let policy = if source.install_allowed { "install allowed" } else { "discovery only" };
        println_line(&format!("  [{i}] {} \u{2014} {policy}", source.name));
        println_line(&format!("      {}", source.url));
        if !source.description.is_empty() {
            println_line(&format!("      {}", source.description));
        }
        println_line("");
    }
    Ok(0)
}

fn add(url: &str, name: Option<&str>, json: bool) -> Result<i32, CliError> {
    let eco = Eco::new(json)?;
    let outcome = sources::add_source(&WORKFLOW_STACK, &eco.root, url, name).map_err(|e| eco.error(e))?;
    let url = url.trim();
    if json {
        return print_json(&serde_json::json!({ "outcome": outcome, "url": url }));
    }
    match outcome {
        sources::AddOutcome::Added => println_line(&format!("\u{2713} Catalog source added: {url}")),
        sources::AddOutcome::Unchanged => println_line(&format!("\u{2713} Catalog source already configured: {url}")),
    }
    Ok(0)
}

fn remove(index: u64, json: bool) -> Result<i32, CliError> {
    let eco = Eco::new(json)?;
    let index = i64::try_from(index).unwrap_or(i64::MAX);
    let name = sources::remove_source(&WORKFLOW_STACK, &eco.root, eco.catalog_env.as_deref(), index).map_err(|e| eco.error(e))?;
    if json {
        return print_json(&serde_json::json!({ "removed": name }));
    }
    println_line(&format!("\u{2713} Catalog source '{name}' removed"));
    Ok(0)
}
