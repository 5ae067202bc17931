//! `baton`: a durable, fast implementation of Spec Kit's `specify workflow` CLI.
//!
//! This binary is glue: it parses the command line, reads the process environment and
//! the terminal, calls the library crates, renders their results (text or `--json`) and
//! maps errors to exit codes in one place ([`exit`]).

mod args;
mod commands;
mod diagnostics;
mod exit;
mod interaction;
mod output;
mod progress;
mod project;
mod signals;
mod workflow_file;

use clap::Parser;

fn main() {
    let cli = args::Cli::parse();
    let code = match commands::dispatch(cli) {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    };
    std::process::exit(code);
}
