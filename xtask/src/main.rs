//! Maintainer tasks. Run with `cargo xtask <task>` from anywhere in the repository.
//!
//! * `schema [--check]` — regenerate `schemas/*.json` from the model types; with
//!   `--check`, fail (without writing) when a committed schema is stale.
//! * `snapshots [--accept] [ARGS…]` — run `cargo test --workspace ARGS…` with insta
//!   snapshot updates off (`INSTA_UPDATE=no`), or written in place with `--accept`
//!   (`INSTA_UPDATE=always`); cargo-insta is not needed.
//! * `bench [--quick] [--json] [--reference PATH] [--baton PATH] …` — speed and memory
//!   of baton beside issue 20's targets (and the reference's times); see [`bench`].

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

mod bench;

/// The generated schema files: path under the repository root, and their content.
fn schemas() -> Vec<(&'static str, String)> {
    vec![
        ("schemas/workflow.schema.json", baton_model::workflow_schema_text()),
        ("schemas/overlay.schema.json", baton_catalog::overlay::schema::overlay_schema_text()),
        ("schemas/step-package.schema.json", baton_catalog::overlay::schema::step_package_schema_text()),
        ("schemas/catalog.schema.json", baton_catalog::catalog_schema::catalog_schema_text()),
        ("schemas/step-catalog.schema.json", baton_catalog::catalog_schema::step_catalog_schema_text()),
        ("schemas/events.schema.json", baton_engine::events_schema_text()),
    ]
}

const USAGE: &str = "usage: cargo xtask schema [--check]\n       cargo xtask snapshots [--accept] [cargo test args…]\n       cargo xtask bench [--quick] [--json] [--reference PATH] [--baton PATH] (--help for more)";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let root = repo_root();
    std::env::set_current_dir(&root).with_context(|| format!("cannot enter {}", root.display()))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("schema") => schema(&args[1..]),
        Some("snapshots") => snapshots(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!("unknown task\n{USAGE}"),
    }
}

/// The repository root: the parent of this crate's folder.
fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn schema(args: &[String]) -> Result<ExitCode> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("{USAGE}"),
    };
    let mut stale = Vec::new();
    for (path, content) in schemas() {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current == content {
            println!("{path}: up to date");
            continue;
        }
        if check {
            stale.push(path);
        } else {
            if let Some(dir) = Path::new(path).parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(path, content).with_context(|| format!("cannot write {path}"))?;
            println!("{path}: written");
        }
    }
    if stale.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for path in &stale {
        eprintln!("{path}: stale");
    }
    eprintln!("run `cargo xtask schema` and commit the result");
    Ok(ExitCode::FAILURE)
}

fn snapshots(args: &[String]) -> Result<ExitCode> {
    let (accept, rest) = match args.first().map(String::as_str) {
        Some("--accept") => (true, &args[1..]),
        _ => (false, args),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["test", "--workspace"])
        .args(rest)
        .env("INSTA_UPDATE", if accept { "always" } else { "no" })
        .env_remove("INSTA_FORCE_PASS")
        .status()
        .context("cannot run cargo test")?;
    if accept && status.success() {
        println!("snapshots accepted: review them with `git diff`");
    }
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
