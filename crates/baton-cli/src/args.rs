//! The command line. Each verb's doc comment is its help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Run resumable Spec Kit workflows: shell steps, AI agent calls, approval gates,
/// branches, loops and fan-out, saved after every step.
#[derive(Debug, Parser)]
#[command(name = "baton", version, about, long_about = None, disable_help_subcommand = true)]
pub struct Cli {
    /// The verb to run.
    #[command(subcommand)]
    pub command: Command,
}

/// `-i/--input KEY=VALUE` (repeatable).
#[derive(Debug, clap::Args, Clone, Default)]
pub struct InputArgs {
    /// Set a workflow input, as KEY=VALUE (repeatable).
    #[arg(short = 'i', long = "input", value_name = "KEY=VALUE")]
    pub input: Vec<String>,
}

/// The verbs: those of `specify workflow`, then baton's additions.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a workflow from an installed ID or local YAML path.
    Run {
        /// A workflow YAML file (.yml/.yaml) or the id of an installed workflow.
        source: String,
        #[command(flatten)]
        inputs: InputArgs,
        /// Print one JSON object with the outcome on stdout.
        #[arg(long)]
        json: bool,
        /// Write one JSON line per engine event to FILE (`-`: stderr) (baton addition).
        #[arg(long, value_name = "FILE")]
        events: Option<String>,
        /// When a finished step's journal line reaches the disk: `normal` syncs it while
        /// the next step runs (a power loss loses at most the last step), `strict`
        /// before the next step starts (baton addition).
        #[arg(long, value_enum, default_value_t = DurabilityArg::Normal)]
        durability: DurabilityArg,
        /// List the steps that would run, expressions resolved as far as the inputs
        /// allow; nothing is executed and no run is created (baton addition).
        #[arg(long)]
        dry_run: bool,
    },
    /// Resume a paused or failed workflow run.
    Resume {
        /// The run to resume.
        run_id: String,
        #[command(flatten)]
        inputs: InputArgs,
        /// Print one JSON object with the outcome on stdout.
        #[arg(long)]
        json: bool,
        /// Answer the gate the run is paused at with OPTION (baton addition).
        #[arg(long, value_name = "OPTION")]
        choose: Option<String>,
        /// Write one JSON line per engine event to FILE (`-`: stderr) (baton addition).
        #[arg(long, value_name = "FILE")]
        events: Option<String>,
        /// When a finished step's journal line reaches the disk: `normal` syncs it while
        /// the next step runs (a power loss loses at most the last step), `strict`
        /// before the next step starts (baton addition).
        #[arg(long, value_enum, default_value_t = DurabilityArg::Normal)]
        durability: DurabilityArg,
    },
    /// Start a new run of a finished run's workflow from STEP_ID, reusing earlier results.
    Rerun {
        /// The run whose results are reused.
        run_id: String,
        /// The (qualified) step id to execute from, e.g. `build` or `lp:s:1`.
        #[arg(long, value_name = "STEP_ID")]
        from: String,
        #[command(flatten)]
        inputs: InputArgs,
        /// Print one JSON object with the outcome on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Show workflow run status.
    Status {
        /// A run id; without it, every run is listed.
        run_id: Option<String>,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// List installed workflows.
    List(crate::commands::list::ListArgs),
    /// Install a workflow from catalog, URL, or local path.
    Add(crate::commands::add::AddArgs),
    /// Uninstall a workflow.
    Remove(crate::commands::remove::RemoveArgs),
    /// Update installed workflow(s) to the latest catalog version.
    Update(crate::commands::update::UpdateArgs),
    /// Enable a disabled workflow.
    Enable(crate::commands::enable::ToggleArgs),
    /// Disable a workflow without removing it.
    Disable(crate::commands::enable::ToggleArgs),
    /// Search workflow catalogs.
    Search(crate::commands::search::SearchArgs),
    /// Show workflow details and step graph.
    Info(crate::commands::info::InfoArgs),
    /// Show layer attribution for a resolved workflow.
    Resolve(crate::commands::resolve::ResolveArgs),
    /// Manage workflow catalogs.
    Catalog(crate::commands::catalog::CatalogArgs),
    /// Manage workflow step types.
    Step(crate::commands::step::StepArgs),
    /// Manage workflow overlays.
    Overlay(crate::commands::overlay::OverlayArgs),
    /// Check a workflow file and report every problem with its location (baton addition).
    Validate {
        /// The workflow YAML file to check.
        file: PathBuf,
        /// Print the diagnostics as one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Print a JSON Schema for editors (baton addition).
    Schema {
        /// Which schema to print.
        #[arg(value_enum, default_value = "workflow")]
        kind: SchemaKind,
    },
    /// Draw a workflow's step graph (baton addition).
    Graph(crate::commands::graph::GraphArgs),
    /// Print shell completions (baton addition).
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
    /// Serve baton's tools over the Model Context Protocol on stdio (baton addition).
    Mcp(crate::commands::mcp::McpArgs),
    /// Print each step's captured stdout, stderr and exit code (baton addition).
    Logs(crate::commands::logs::LogsArgs),
    /// Remove old run folders, never one in use (baton addition).
    Prune(crate::commands::prune::PruneArgs),
    /// Print the man page generated from these definitions (baton addition).
    #[command(hide = true)]
    Man(crate::commands::man::ManArgs),
}

/// The schemas `baton schema` can print.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SchemaKind {
    /// Workflow definition files.
    Workflow,
}

/// Arguments of a verb that a later release implements.
#[derive(Debug, clap::Args)]
pub struct Passthrough {
    /// Arguments of the verb.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// `--durability` of `run` and `resume`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DurabilityArg {
    /// Sync each finished step while the next one runs (the default).
    Normal,
    /// Sync each finished step before the next one starts.
    Strict,
}

impl From<DurabilityArg> for baton_state::Durability {
    fn from(d: DurabilityArg) -> Self {
        match d {
            DurabilityArg::Normal => baton_state::Durability::Normal,
            DurabilityArg::Strict => baton_state::Durability::Strict,
        }
    }
}
