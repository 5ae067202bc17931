//! `baton mcp`: a Model Context Protocol server on stdio, so coding agents can run,
//! resume and inspect workflows.
//!
//! The reference (specify-cli 1.2.3) only *plans* workflow tools, as
//! `specify_workflow_<leaf>` (ecosystem.md §20); baton implements them under those
//! names, plus `baton_validate` and `baton_graph` for its own verbs. Every tool runs
//! baton's own binary as a subprocess (`--json`, stdin closed, in the project
//! directory) and returns its JSON object as the tool's structured content, so an agent
//! sees exactly what `baton … --json` prints; a non-zero exit is a tool error
//! (`isError: true`) whose text is the command's stderr.
//!
//! The protocol is handled by the official Rust SDK ([`rmcp`]); stdout carries only
//! protocol messages.

mod exec;
mod tools;

use crate::exit::{CliError, Stream};

/// `baton mcp` takes no options (stdio only, as the reference's `specify mcp`).
#[derive(Debug, clap::Args)]
pub struct McpArgs {}

/// Serves until the client closes stdin.
pub fn mcp(_args: &McpArgs) -> Result<i32, CliError> {
    let exe = std::env::current_exe()
        .map_err(|e| fatal(format!("cannot locate the baton binary: {e}")))?;
    let cwd = std::env::current_dir()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| fatal(format!("cannot start the MCP runtime: {e}")))?;
    runtime
        .block_on(tools::serve(tools::Baton::new(exe, cwd)))
        .map_err(fatal)?;
    // A pending read of stdin cannot be cancelled; do not wait for it at shutdown.
    runtime.shutdown_background();
    Ok(0)
}

fn fatal(message: impl std::fmt::Display) -> CliError {
    CliError {
        lines: vec![format!("error: baton mcp: {message}")],
        stream: Stream::Stderr,
        code: 1,
    }
}
