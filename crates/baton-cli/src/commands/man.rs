//! `baton man [--out-dir DIR]` (hidden): man pages generated from the clap definitions.
//! Without `--out-dir`, `baton(1)` goes to stdout; with it, `baton.1` and one
//! `baton-<verb>.1` per verb are written there (`baton man --out-dir target/man`).

use std::path::{Path, PathBuf};

use crate::args::Cli;
use crate::exit::{CliError, Stream};
use crate::output;

/// `baton man` arguments.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `baton.1` and a page per verb into this directory instead of printing
    /// `baton.1`.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Prints or writes the pages.
pub fn man(args: &ManArgs) -> Result<i32, CliError> {
    let cmd = <Cli as clap::CommandFactory>::command();
    match &args.out_dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page)?;
            output::write_stdout(&page)?;
        }
        Some(dir) => {
            write_all(cmd, dir).map_err(|e| CliError {
                lines: vec![format!(
                    "Error: cannot write man pages to {}: {e}",
                    dir.display()
                )],
                stream: Stream::Stderr,
                code: 1,
            })?;
        }
    }
    Ok(0)
}

/// `baton.1`, then `baton-<verb>.1` for each visible verb (nested verbs too, as
/// `baton-<verb>-<sub>.1`).
fn write_all(cmd: clap::Command, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd;
    cmd.build();
    write_page(&cmd, "baton", dir)
}

fn write_page(cmd: &clap::Command, name: &str, dir: &Path) -> std::io::Result<()> {
    let page_cmd = cmd
        .clone()
        .display_name(name.to_owned())
        .bin_name(name.replace('-', " "));
    let mut page = Vec::new();
    clap_mangen::Man::new(page_cmd).render(&mut page)?;
    std::fs::write(dir.join(format!("{name}.1")), page)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_page(sub, &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(())
}
