//! One module per verb; [`dispatch`] routes the parsed command line.

pub(crate) mod add;
pub(crate) mod catalog;
pub(crate) mod disable;
mod dry_run;
pub(crate) mod enable;
pub(crate) mod events_file;
pub(crate) mod extras;
pub(crate) mod info;
pub(crate) mod list;
pub(crate) mod logs;
pub(crate) mod remove;
pub(crate) mod search;
pub(crate) mod update;
pub(crate) mod overlay;
pub(crate) mod prune;
pub(crate) mod resolve;
pub(crate) mod step;
mod rerun;
mod resume;
pub(crate) mod graph;
pub(crate) mod man;
pub(crate) mod mcp;
mod run;
mod schema;
mod status;
mod validate;

use crate::args::{Cli, Command};
use crate::exit::CliError;

/// Runs the verb and returns the exit code.
pub fn dispatch(cli: Cli) -> Result<i32, CliError> {
    match cli.command {
        Command::Run { source, inputs, json, dry_run: true, .. } => dry_run::dry_run(&source, &inputs.input, json),
        Command::Run { source, inputs, json, events, durability, dry_run: false } => {
            extras::set(extras::Extras {
                choose: None,
                events: open_events(events.as_deref(), json)?,
                durability: durability.into(),
            });
            run::run(&source, &inputs.input, json)
        }
        Command::Validate { file, json } => validate::validate(&file, json),
        Command::Schema { kind } => schema::schema(kind),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "baton", &mut std::io::stdout());
            Ok(0)
        }
        Command::Resume { run_id, inputs, json, choose, events, durability } => {
            let choose = choose.map(|c| extras::check_choose(&run_id, &c, json)).transpose()?;
            extras::set(extras::Extras {
                choose,
                events: open_events(events.as_deref(), json)?,
                durability: durability.into(),
            });
            resume::resume(&run_id, &inputs.input, json)
        }
        Command::Rerun { run_id, from, inputs, json } => rerun::rerun(&run_id, &from, &inputs.input, json),
        Command::Status { run_id, json } => status::status(run_id.as_deref(), json),
        Command::List(args) => list::list(&args),
        Command::Add(args) => add::add(&args),
        Command::Remove(args) => remove::remove(&args),
        Command::Update(args) => update::update(&args),
        Command::Enable(args) => enable::enable(&args),
        Command::Disable(args) => disable::disable(&args),
        Command::Search(args) => search::search(&args),
        Command::Info(args) => info::info(&args),
        Command::Catalog(args) => catalog::catalog(&args),
        Command::Resolve(args) => resolve::resolve(&args),
        Command::Overlay(args) => overlay::overlay(&args),
        Command::Step(args) => step::step(&args),
        Command::Graph(args) => graph::graph(&args),
        Command::Mcp(args) => mcp::mcp(&args),
        Command::Man(args) => man::man(&args),
        Command::Logs(args) => logs::logs(&args),
        Command::Prune(args) => prune::prune(&args),
    }
}

/// Opens the `--events` target, if given.
fn open_events(path: Option<&str>, json: bool) -> Result<Option<std::sync::Arc<events_file::EventsFile>>, CliError> {
    path.map(|p| {
        events_file::EventsFile::open(p)
            .map(std::sync::Arc::new)
            .map_err(|e| CliError::user(format!("--events: cannot open {p}: {e}"), json))
    })
    .transpose()
}
