//! `baton step list|add|remove|search|info|catalog …` (ecosystem.md §17–§18).
//! Output and errors go to stdout (`Error: …`, exit 1), as the reference's step
//! commands print them.

use std::path::{Path, PathBuf};

use baton_catalog::net::{AuthConfig, Client, NetConfig};
use baton_catalog::sources::{AddOutcome, StackInputs};
use baton_catalog::step_catalog::{self, install::CatalogInstallError};
use baton_catalog::step_install::{self, Removed, Source};
use baton_expr::{Map, Value};

use crate::exit::{CliError, Stream};
use crate::output;
use crate::project::{self, Context};

/// `step` arguments.
#[derive(Debug, clap::Args)]
pub struct StepArgs {
    /// The step command.
    #[command(subcommand)]
    pub command: StepCommand,
}

/// The step commands.
#[derive(Debug, clap::Subcommand)]
pub enum StepCommand {
    /// List installed step types (built-in and custom).
    List,
    /// Install a custom step type from the catalog, a local directory, or a URL.
    Add {
        /// Step type ID.
        step_id: String,
        /// Install from a local step package directory.
        #[arg(long)]
        dev: Option<String>,
        /// Install from a .zip/.tar.gz/.tgz archive URL.
        #[arg(long = "from")]
        from_url: Option<String>,
        /// Replace an existing installation.
        #[arg(long)]
        force: bool,
        /// Install an exact catalog release.
        #[arg(long)]
        version: Option<String>,
    },
    /// Uninstall a custom step type.
    Remove {
        /// Step type ID to uninstall.
        step_id: String,
    },
    /// Search the step type catalog.
    Search {
        /// Search query.
        query: Option<String>,
    },
    /// Show details for a step type.
    Info {
        /// Step type ID.
        step_id: String,
        /// List releases in the winning catalog.
        #[arg(long)]
        versions: bool,
    },
    /// Manage step catalog sources.
    Catalog {
        /// The catalog command.
        #[command(subcommand)]
        command: StepCatalogCommand,
    },
}

/// `step catalog` commands.
#[derive(Debug, clap::Subcommand)]
pub enum StepCatalogCommand {
    /// List configured step catalog sources.
    List,
    /// Add a step catalog source.
    Add {
        /// Catalog URL to add.
        url: String,
        /// Catalog name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Remove a step catalog source by index.
    Remove {
        /// Catalog index to remove (from 'step catalog list').
        #[arg(value_parser = super::overlay::parse_int)]
        index: num_bigint::BigInt,
    },
}

/// `Error: <message>` on stdout, exit 1.
pub(crate) fn stdout_error(text: impl std::fmt::Display) -> CliError {
    let text = text.to_string();
    let mut lines = text.lines();
    let mut out = vec![format!("Error: {}", lines.next().unwrap_or_default())];
    out.extend(lines.map(str::to_owned));
    CliError { lines: out, stream: Stream::Stdout, code: 1 }
}

fn print(text: &str) -> Result<(), CliError> {
    output::write_stdout(text.as_bytes())?;
    Ok(())
}

/// A step-install error with its notes printed first as warnings.
fn install_error(err: step_install::Error) -> CliError {
    let mut e = stdout_error(&err.message);
    let mut lines: Vec<String> = err.notes.iter().map(|n| format!("Warning: {n}")).collect();
    lines.append(&mut e.lines);
    e.lines = lines;
    e
}

/// Runs a step command.
pub fn step(args: &StepArgs) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let root = project::resolve_root(&ctx, true, false)?;
    match &args.command {
        StepCommand::List => list(&root),
        StepCommand::Add { step_id, dev, from_url, force, version } => {
            add(&ctx, &root, step_id, dev.as_deref(), from_url.as_deref(), *force, version.as_deref())
        }
        StepCommand::Remove { step_id } => remove(&root, step_id),
        StepCommand::Search { query } => search(&root, query.as_deref()),
        StepCommand::Info { step_id, versions } => info(&root, step_id, *versions),
        StepCommand::Catalog { command } => catalog(&root, command),
    }
}

fn list(root: &Path) -> Result<i32, CliError> {
    let installed = step_install::list_installed(root);
    let mut out = String::from("\nInstalled Step Types:\n\n");
    let builtin: Vec<&str> =
        baton_model::BUILTIN_STEP_TYPES.iter().copied().filter(|k| !installed.iter().any(|i| i.id == *k)).collect();
    if !builtin.is_empty() {
        out.push_str("  Built-in:\n");
        for key in &builtin {
            out.push_str(&format!("    \u{2022} {key}\n"));
        }
        out.push('\n');
    }
    if !installed.is_empty() {
        out.push_str("  Custom (installed):\n");
        for step in &installed {
            out.push_str(&format!("    \u{2022} {} ({}) v{}\n", step.name, step.id, step.version));
        }
        out.push('\n');
    }
    out.push_str("  Install a new step type with: baton step add <id>\n");
    print(&out)?;
    Ok(0)
}

fn add(
    ctx: &Context,
    root: &Path,
    step_id: &str,
    dev: Option<&str>,
    from_url: Option<&str>,
    force: bool,
    version: Option<&str>,
) -> Result<i32, CliError> {
    if dev.is_some() && from_url.is_some() {
        return Err(stdout_error("--dev and --from are mutually exclusive"));
    }
    if dev.is_some_and(|d| d.trim().is_empty()) {
        return Err(stdout_error("--dev value must not be empty"));
    }
    if from_url.is_some_and(|u| u.trim().is_empty()) {
        return Err(stdout_error("--from value must not be empty"));
    }
    if version.is_some() && (dev.is_some() || from_url.is_some()) {
        return Err(stdout_error("--version requires a catalog step ID"));
    }
    if version.is_some_and(|v| v.trim().is_empty()) {
        return Err(stdout_error("--version value must not be empty"));
    }
    step_install::validate_step_id(step_id).map_err(install_error)?;
    let now = jiff::Timestamp::now();
    let entry = if let Some(dev) = dev {
        let dev_path: PathBuf = project::expand_tilde(dev);
        let shown = dev_path.display().to_string();
        let full = ctx.cwd.join(&dev_path);
        if std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(stdout_error(format!("Refusing to install from a symlinked source directory: '{shown}'")));
        }
        if !full.is_dir() {
            return Err(stdout_error(format!(
                "--dev source must be a directory containing step.yml and __init__.py: '{shown}'"
            )));
        }
        step_install::install_package(root, step_id, &dev_path, &Source::Local, force, now).map_err(install_error)?
    } else if let Some(url) = from_url {
        let net = Net::new(root);
        step_catalog::install::check_from_url(root, step_id, url, force).map_err(install_error)?;
        print(&format!(
            "\n\u{26a0} Untrusted Source\n  You are installing a workflow step type directly from an external URL.\n  A step package contains executable Python.\n\n  URL: {url}\n\n  Only install step packages from sources you trust.\n\n"
        ))?;
        if !confirm("Continue with installation?")? {
            print("Cancelled\n")?;
            return Ok(0);
        }
        step_catalog::install::install_from_url(&net.client, root, &std::env::temp_dir(), step_id, url, force, now)
            .map_err(install_error)?
    } else {
        let net = Net::new(root);
        let inputs = net.inputs();
        let mut warnings = Vec::new();
        let result = step_catalog::install::install_from_catalog(
            &inputs,
            &std::env::temp_dir(),
            &step_catalog::install::CatalogRequest { step_id, version, force },
            now,
            &mut |w| warnings.push(w),
            &mut |n| {
                let _ = writeln_stderr(&format!("Warning: {n}"));
            },
        );
        for w in &warnings {
            print(&format!("Warning: {w}\n"))?;
        }
        match result {
            Ok(entry) => entry,
            Err(CatalogInstallError::Install(e)) => return Err(install_error(e)),
            Err(CatalogInstallError::DiscoveryOnly(id)) => {
                let mut e = stdout_error("");
                e.lines = vec![
                    format!("Warning: Step type '{id}' is from a discovery-only catalog"),
                    "Direct installation is not enabled for this catalog source.".to_owned(),
                ];
                return Err(e);
            }
        }
    };
    let name = entry.get("name").map_or_else(|| step_id.to_owned(), baton_expr::Value::py_str);
    print(&format!(
        "\u{2713} Step type '{name}' ({step_id}) installed\n  Use baton step list to verify the installation.\n"
    ))?;
    Ok(0)
}

fn remove(root: &Path, step_id: &str) -> Result<i32, CliError> {
    step_install::validate_step_id(step_id).map_err(install_error)?;
    if step_install::is_orphan(root, step_id) {
        print(&format!(
            "Warning: '{step_id}' has no registry entry (registry may have been reset). Removing the orphaned directory.\n"
        ))?;
    }
    match step_install::remove_step(root, step_id).map_err(install_error)? {
        Removed::Registered | Removed::Orphan => {}
    }
    print(&format!("\u{2713} Step type '{step_id}' uninstalled\n"))?;
    Ok(0)
}

/// What the step catalog commands read from the environment.
struct Net {
    root: PathBuf,
    home: Option<PathBuf>,
    env_override: Option<String>,
    client: Client,
    now: f64,
}

impl Net {
    fn new(root: &Path) -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
        let auth = match &home {
            Some(h) => {
                let path = h.join(".specify").join("auth.json");
                AuthConfig::load(&path, env.clone()).unwrap_or_else(|e| {
                    let _ = writeln_stderr(&format!(
                        "Warning: Failed to load {}: {e}. All requests will be unauthenticated.",
                        path.display()
                    ));
                    AuthConfig { entries: Vec::new(), env }
                })
            }
            None => AuthConfig::default(),
        };
        let client =
            Client::new(NetConfig { auth, user_agent: format!("baton/{}", env!("CARGO_PKG_VERSION")), ..NetConfig::default() });
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        Net {
            root: root.to_path_buf(),
            home,
            env_override: std::env::var("SPECKIT_STEP_CATALOG_URL").ok(),
            client,
            now,
        }
    }

    fn stack(&self) -> StackInputs<'_> {
        StackInputs { project_root: &self.root, home: self.home.as_deref(), env_override: self.env_override.as_deref() }
    }

    fn inputs(&self) -> step_catalog::Inputs<'_> {
        step_catalog::Inputs { stack: self.stack(), client: &self.client, now: self.now }
    }
}

fn writeln_stderr(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    writeln!(std::io::stderr().lock(), "{text}")
}

/// click's `confirm(text, default=False)`: `y`/`yes` accept, `n`/`no`/empty decline,
/// anything else asks again; end of input aborts (`Aborted.`, exit 1).
fn confirm(text: &str) -> Result<bool, CliError> {
    use std::io::BufRead;
    let stdin = std::io::stdin();
    loop {
        print(&format!("{text} [y/N]: "))?;
        let mut line = String::new();
        let n = stdin.lock().read_line(&mut line).unwrap_or(0);
        if n == 0 {
            print("\n")?;
            return Err(CliError { lines: vec!["Aborted.".to_owned()], stream: Stream::Stderr, code: 1 });
        }
        match line.trim().to_lowercase().as_str() {
            "y" | "yes" => return Ok(true),
            "" | "n" | "no" => return Ok(false),
            _ => print("Error: invalid input\n")?,
        }
    }
}

/// Prints the warnings of a catalog load on stderr (baton reports failed sources).
fn print_warnings(warnings: &[String]) {
    for w in warnings {
        let _ = writeln_stderr(&format!("Warning: {w}"));
    }
}

fn text(entry: &Map, key: &str) -> Option<String> {
    entry.get(key).map(Value::py_str)
}

fn search(root: &Path, query: Option<&str>) -> Result<i32, CliError> {
    let net = Net::new(root);
    let merged = step_catalog::load_merged(&net.inputs()).map_err(stdout_error)?;
    print_warnings(&merged.warnings);
    let results = step_catalog::search(&merged, query).map_err(stdout_error)?;
    if results.is_empty() {
        match query.filter(|q| !q.is_empty()) {
            Some(q) => print(&format!("No step types found matching '{q}'.\n"))?,
            None => print("No step types found in catalog.\n")?,
        }
        return Ok(0);
    }
    let mut out = format!("\nStep Types ({}):\n\n", results.len());
    for entry in &results {
        let id = text(entry, "id").unwrap_or_else(|| "?".into());
        let name = text(entry, "name").unwrap_or_else(|| id.clone());
        let version = text(entry, "version").unwrap_or_else(|| "?".into());
        let note = if step_catalog::install_allowed(entry) { "" } else { " (discovery only)" };
        out.push_str(&format!("  {name} ({id}) v{version}{note}\n"));
        if let Some(desc) = entry.get("description").filter(|d| d.truthy()) {
            out.push_str(&format!("    {}\n", desc.py_str()));
        }
        out.push('\n');
    }
    print(&out)?;
    Ok(0)
}

fn source_label(meta: &Map) -> String {
    match meta.get("source").and_then(Value::as_str) {
        Some("catalog") => match meta.get("catalog_name").filter(|n| n.truthy()) {
            Some(name) => format!("catalog ({})", name.py_str()),
            None => "catalog".into(),
        },
        Some(s @ ("local" | "url")) => s.to_owned(),
        _ => String::new(),
    }
}

fn info(root: &Path, step_id: &str, versions: bool) -> Result<i32, CliError> {
    let registry = step_install::StepRegistry::open(root);
    let installed = registry.get(step_id).filter(|v| v.truthy()).cloned();
    if baton_model::BUILTIN_STEP_TYPES.contains(&step_id) && installed.is_none() {
        if versions {
            return Err(stdout_error(format!("Built-in step type '{step_id}' has no catalog releases")));
        }
        print(&format!("\n{step_id} (built-in)\n  Type key: {step_id}\n  Built-in step type\n"))?;
        return Ok(0);
    }
    if versions {
        let net = Net::new(root);
        let merged = step_catalog::load_merged(&net.inputs()).map_err(stdout_error)?;
        print_warnings(&merged.warnings);
        let Some(entry) = step_catalog::step_info(&merged, step_id, None).map_err(stdout_error)? else {
            return Err(stdout_error(format!("Step type '{step_id}' not found")));
        };
        let releases = step_catalog::available_versions(&entry, step_id).map_err(stdout_error)?;
        let name = text(&entry, "name").unwrap_or_else(|| step_id.to_owned());
        let policy = if step_catalog::install_allowed(&entry) { "" } else { " (discovery only; not installable)" };
        let mut out = format!("\n{name} ({step_id}){policy}\n");
        for (i, r) in releases.iter().enumerate() {
            out.push_str(&format!("  {r}{}\n", if i == 0 { " (current)" } else { "" }));
        }
        print(&out)?;
        return Ok(0);
    }
    let describe = |entry: &Map, out: &mut String| {
        let name = text(entry, "name").unwrap_or_else(|| step_id.to_owned());
        let version = text(entry, "version").unwrap_or_else(|| "?".into());
        out.push_str(&format!("\n{name} ({step_id})\n  Version:     {version}\n"));
        if let Some(a) = entry.get("author").filter(|v| v.truthy()) {
            out.push_str(&format!("  Author:      {}\n", a.py_str()));
        }
        if let Some(d) = entry.get("description").filter(|v| v.truthy()) {
            out.push_str(&format!("  Description: {}\n", d.py_str()));
        }
    };
    if let Some(meta) = installed {
        let meta = match meta {
            Value::Map(m) => m,
            _ => Map::new(),
        };
        let mut out = String::new();
        describe(&meta, &mut out);
        let label = source_label(&meta);
        if !label.is_empty() {
            out.push_str(&format!("  Source:      {label}\n"));
        }
        out.push_str("  Installed\n");
        print(&out)?;
        return Ok(0);
    }
    let net = Net::new(root);
    let merged = step_catalog::load_merged(&net.inputs()).map_err(stdout_error)?;
    print_warnings(&merged.warnings);
    match step_catalog::step_info(&merged, step_id, None).map_err(stdout_error)? {
        Some(entry) => {
            let mut out = String::new();
            describe(&entry, &mut out);
            out.push_str(&format!("  Not installed\n\n  Install with: baton step add {step_id}\n"));
            print(&out)?;
            Ok(0)
        }
        None => Err(stdout_error(format!("Step type '{step_id}' not found"))),
    }
}

fn catalog(root: &Path, command: &StepCatalogCommand) -> Result<i32, CliError> {
    let net = Net::new(root);
    match command {
        StepCatalogCommand::List => {
            let sources = step_catalog::active_sources(&net.stack()).map_err(stdout_error)?;
            let mut out = String::from("\nStep Catalog Sources:\n\n");
            for (i, s) in sources.iter().enumerate() {
                let status = if s.install_allowed { "install allowed" } else { "discovery only" };
                out.push_str(&format!("  [{i}] {} \u{2014} {status}\n      {}\n", s.name, s.url));
                if !s.description.is_empty() {
                    out.push_str(&format!("      {}\n", s.description));
                }
                out.push('\n');
            }
            print(&out)?;
        }
        StepCatalogCommand::Add { url, name } => {
            let outcome = step_catalog::add_source(root, url, name.as_deref()).map_err(stdout_error)?;
            let url = url.trim();
            match outcome {
                AddOutcome::Unchanged => print(&format!("\u{2713} Step catalog source already configured: {url}\n"))?,
                AddOutcome::Added => print(&format!("\u{2713} Step catalog source added: {url}\n"))?,
            }
        }
        StepCatalogCommand::Remove { index } => {
            let index = i64::try_from(index).unwrap_or(i64::MAX);
            if index < 0 {
                return Err(CliError::usage(format!("No such option: {index}")));
            }
            let name = step_catalog::remove_source(root, net.env_override.as_deref(), index).map_err(stdout_error)?;
            print(&format!("\u{2713} Step catalog source '{name}' removed\n"))?;
        }
    }
    Ok(0)
}
