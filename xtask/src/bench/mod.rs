//! `cargo xtask bench [--quick] [--json] [--reference PATH] [--baton PATH] …`: the speed
//! and memory figures of issue 20, each beside its target.
//!
//! Every workload runs in a fresh temporary project. For each one: the median wall time
//! over several repetitions; the floor measured in the same repetitions (N bare
//! `/bin/sh -c true` spawns from a Rust loop, interleaved with baton's runs so both see
//! the same machine); the ratio to the floor; the peak RSS (`wait4`); the growth factor
//! time(4N)/time(N); and, when the reference `specify` is found, its time on the sizes it
//! can finish (≤ 800 steps) and baton's speed-up over it.

mod measure;
mod report;
mod workloads;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use measure::{median, Sample};
use report::{Durability, Row};
use workloads::{Kind, FAN_OUT_WORKERS};

pub const USAGE: &str = "cargo xtask bench [--quick] [--json] [--reference PATH] [--baton PATH]
                  [--only shell,do-while,fan-out,validate,status,startup]
                  [--sizes N,M] [--reps K] [--reference-max N] [--no-reference]

  --quick           small sizes (100/400 steps), 3 repetitions: a smoke run (~1 min)
  --json            print the results as one JSON object on stdout (progress on stderr)
  --reference PATH  the reference `specify` executable (default: `specify` on PATH, or
                    the one beside $BATON_REFERENCE_PYTHON)
  --baton PATH      the baton binary to measure (default: cargo build --release -p baton-cli)
  --only LIST       run only these workloads
  --sizes N,M       step-workload sizes (default 800,3200; --quick 100,400)
  --reps K          repetitions per measurement (default 5; --quick 3)
  --reference-max N largest step-workload size given to the reference (default 800)";

/// Parsed options.
#[derive(Debug)]
struct Options {
    quick: bool,
    json: bool,
    reference: Option<PathBuf>,
    no_reference: bool,
    baton: Option<PathBuf>,
    only: Option<Vec<String>>,
    sizes: Option<Vec<usize>>,
    reps: Option<usize>,
    reference_max: usize,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        quick: false,
        json: false,
        reference: None,
        no_reference: false,
        baton: None,
        only: None,
        sizes: None,
        reps: None,
        reference_max: 800,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().with_context(|| format!("{name} needs a value\n{USAGE}"));
        let list = |v: String| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        match a.as_str() {
            "--quick" => o.quick = true,
            "--json" => o.json = true,
            "--no-reference" => o.no_reference = true,
            "--reference" => o.reference = Some(PathBuf::from(value("--reference")?)),
            "--baton" => o.baton = Some(PathBuf::from(value("--baton")?)),
            "--only" => o.only = Some(list(value("--only")?)),
            "--sizes" => {
                let sizes = list(value("--sizes")?)
                    .iter()
                    .map(|s| s.parse::<usize>().with_context(|| format!("bad size {s:?}")))
                    .collect::<Result<Vec<_>>>()?;
                if sizes.is_empty() || sizes.contains(&0) {
                    bail!("--sizes needs positive numbers");
                }
                o.sizes = Some(sizes);
            }
            "--reps" => o.reps = Some(value("--reps")?.parse().context("bad --reps")?),
            "--reference-max" => o.reference_max = value("--reference-max")?.parse().context("bad --reference-max")?,
            "-h" | "--help" => bail!("usage: {USAGE}"),
            other => bail!("unknown option {other:?}\nusage: {USAGE}"),
        }
    }
    if o.reps == Some(0) {
        bail!("--reps must be at least 1");
    }
    if let Some(only) = &o.only {
        for w in only {
            if !ALL.iter().any(|k| k.name() == w) {
                bail!("unknown workload {w:?} (known: shell, do-while, fan-out, validate, status, startup)");
            }
        }
    }
    Ok(o)
}

const ALL: [Kind; 6] = [Kind::Shell, Kind::DoWhile, Kind::FanOut, Kind::Validate, Kind::Status, Kind::Startup];

/// Prints progress on stderr.
macro_rules! progress {
    ($($t:tt)*) => { eprintln!("bench: {}", format!($($t)*)) };
}

/// The `bench` task.
pub fn bench(args: &[String]) -> Result<std::process::ExitCode> {
    let o = parse_args(args)?;
    let baton = match &o.baton {
        Some(p) => std::fs::canonicalize(p).with_context(|| format!("no baton binary at {}", p.display()))?,
        None => build_baton()?,
    };
    let reference = if o.no_reference { None } else { find_reference(o.reference.as_deref())? };
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bench/status-run");
    let version = first_line(&capture(&baton, &["--version"])?);
    let run_help = capture(&baton, &["run", "--help"]).unwrap_or_default();
    let has_strict = run_help.contains("--durability");
    let reps = o.reps.unwrap_or(if o.quick { 3 } else { 5 });
    let sizes = o.sizes.clone().unwrap_or_else(|| if o.quick { vec![100, 400] } else { vec![800, 3200] });
    let selected = |k: Kind| o.only.as_ref().is_none_or(|only| only.iter().any(|w| w == k.name()));
    progress!("baton: {} ({version})", baton.display());
    match &reference {
        Some(r) => progress!("reference: {}", r.display()),
        None => progress!("reference: not found (give --reference PATH or put `specify` on PATH)"),
    }
    if !has_strict {
        progress!("`baton run` has no --durability flag: strict figures are not measured");
    }

    let mut rows: Vec<Row> = Vec::new();
    let bench = Bench { baton: &baton, reference: reference.as_deref(), template: &template, reps };
    for kind in [Kind::Shell, Kind::DoWhile, Kind::FanOut] {
        if !selected(kind) {
            continue;
        }
        let mut durabilities = vec![Durability::Default];
        if has_strict {
            durabilities.push(Durability::Strict);
        }
        for d in durabilities {
            let mut group = Vec::new();
            for &n in &sizes {
                if let Some(failed) = group.iter().find_map(|r: &Row| r.error.clone()) {
                    let mut row = Row::new(kind, n, d, 0);
                    row.error = Some(format!("skipped: a smaller size failed ({failed})"));
                    group.push(row);
                    continue;
                }
                let with_ref = d == Durability::Default && n <= o.reference_max;
                group.push(bench.measure(kind, n, d, with_ref)?);
            }
            report::set_growth(&mut group);
            rows.extend(group);
        }
    }
    if selected(Kind::Validate) {
        let mut group = vec![bench.measure(Kind::Validate, 1000, Durability::None, false)?];
        group.push(bench.measure(Kind::Validate, 4000, Durability::None, false)?);
        report::set_growth(&mut group);
        rows.extend(group);
    }
    if selected(Kind::Status) {
        let mut group = vec![bench.measure(Kind::Status, 2500, Durability::None, false)?];
        group.push(bench.measure(Kind::Status, 10_000, Durability::None, true)?);
        report::set_growth(&mut group);
        rows.extend(group);
    }
    if selected(Kind::Startup) {
        rows.push(bench.measure(Kind::Startup, 1, Durability::None, true)?);
    }
    let step_target_size = sizes.iter().copied().max().unwrap_or(0);
    for row in &mut rows {
        report::judge(row, step_target_size);
    }
    let info = report::Info {
        machine: report::machine(),
        baton: baton.display().to_string(),
        baton_version: version,
        reference: reference.as_ref().map(|r| r.display().to_string()),
        durability_flag: has_strict,
        quick: o.quick,
        reps,
        sizes,
    };
    if o.json {
        println!("{}", serde_json::to_string_pretty(&report::json(&info, &rows))?);
    } else {
        print!("{}", report::table(&info, &rows));
    }
    Ok(std::process::ExitCode::SUCCESS)
}

struct Bench<'a> {
    baton: &'a Path,
    reference: Option<&'a Path>,
    template: &'a Path,
    reps: usize,
}

/// The argv of a workload, after the program (baton, or `specify workflow` for the
/// reference; `--version` is `specify --version`).
fn argv(kind: Kind, durability: Durability) -> Vec<&'static str> {
    let mut v = match kind {
        Kind::Shell | Kind::DoWhile | Kind::FanOut => vec!["run", "wf.yml", "--json"],
        Kind::Validate => vec!["validate", "wf.yml"],
        Kind::Status => vec!["status"],
        Kind::Startup => vec!["--version"],
    };
    if durability == Durability::Strict {
        v.extend(["--durability", "strict"]);
    }
    v
}

impl Bench<'_> {
    fn measure(&self, kind: Kind, n: usize, durability: Durability, with_reference: bool) -> Result<Row> {
        let project = tempfile::Builder::new().prefix("baton-bench-").tempdir().context("cannot create a temp project")?;
        let root = project.path();
        std::fs::create_dir_all(root.join(".specify")).context("cannot create .specify")?;
        let scratch = tempfile::tempdir()?;
        let wf = workloads::workflow(kind, n);
        if !wf.is_empty() {
            std::fs::write(root.join("wf.yml"), &wf)?;
        }
        if kind == Kind::Status {
            progress!("status: writing {n} run folders");
            workloads::fill_runs(root, self.template, n)?;
        }
        let label = format!("{} N={n}{}", kind.name(), durability.suffix());
        let reps = if kind == Kind::Startup { self.reps * 6 } else { self.reps };
        let workers = if kind == Kind::FanOut { FAN_OUT_WORKERS } else { 1 };
        let floor_n = if kind.runs_steps() { n } else { 1 };
        let mut row = Row::new(kind, n, durability, reps);

        let baton_cmd = || {
            let mut c = Command::new(self.baton);
            c.args(argv(kind, durability)).current_dir(root);
            hermetic(&mut c);
            c
        };
        if !kind.runs_steps() {
            // One untimed warm-up: page cache and dynamic loader.
            let _ = measure::run(baton_cmd(), scratch.path());
        }
        let mut walls = Vec::new();
        let mut floors = Vec::new();
        for rep in 0..reps {
            floors.push(measure::floor(floor_n, workers)?);
            let s = measure::run(baton_cmd(), scratch.path())?;
            if let Err(why) = check(kind, n, &s) {
                progress!("{label}: baton failed: {why}");
                row.error = Some(why);
                break;
            }
            walls.push(s.wall);
            row.rss_kib = row.rss_kib.max(s.max_rss_kib);
            if kind.runs_steps() {
                clear_runs(root)?;
            }
            if rep == 0 && kind.runs_steps() {
                progress!("{label}: {:.1} ms (floor {:.1} ms)", ms(s.wall), ms(floors[0]));
            }
        }
        if !walls.is_empty() {
            row.median = Some(median(&walls));
            row.min = walls.iter().min().copied();
        }
        row.floor = Some(median(&floors));
        if with_reference && row.error.is_none() {
            if let Some(reference) = self.reference {
                let ref_reps = match kind {
                    Kind::Startup => 5,
                    _ if n >= 400 => 1,
                    _ => 3,
                };
                let mut times = Vec::new();
                for _ in 0..ref_reps {
                    let mut c = Command::new(reference);
                    if kind != Kind::Startup {
                        c.arg("workflow");
                    }
                    c.args(argv(kind, Durability::Default)).current_dir(root);
                    hermetic(&mut c);
                    let s = measure::run(c, scratch.path())?;
                    if let Err(why) = check(kind, n, &s) {
                        progress!("{label}: reference failed: {why}");
                        break;
                    }
                    times.push(s.wall);
                    row.reference_rss_kib = row.reference_rss_kib.max(s.max_rss_kib);
                    if kind.runs_steps() {
                        clear_runs(root)?;
                    }
                }
                if !times.is_empty() {
                    row.reference = Some(median(&times));
                    progress!("{label}: reference {:.1} ms", ms(median(&times)));
                }
            }
        }
        progress!("{label}: {}", report::summary(&row));
        Ok(row)
    }
}

/// Removes the run folders a run workload made (outside the timed region).
fn clear_runs(root: &Path) -> Result<()> {
    let runs = root.join(".specify/workflows/runs");
    if runs.exists() {
        std::fs::remove_dir_all(&runs).with_context(|| format!("cannot remove {}", runs.display()))?;
    }
    Ok(())
}

/// Keeps the caller's run-related environment out of the measured processes.
fn hermetic(c: &mut Command) {
    for var in ["SPECIFY_INIT_DIR", "SPECKIT_WORKFLOW_RUN_ID", "SPECKIT_WORKFLOW_DIR"] {
        c.env_remove(var);
    }
}

/// Did the measured process do the whole job?
fn check(kind: Kind, n: usize, s: &Sample) -> std::result::Result<(), String> {
    let why = |msg: &str| {
        let detail = first_line(if s.stderr.trim().is_empty() { &s.stdout } else { &s.stderr });
        format!("{msg} (exit {:?}): {detail}", s.code)
    };
    if s.code != Some(0) {
        return Err(why("non-zero exit"));
    }
    match kind {
        Kind::Shell | Kind::DoWhile | Kind::FanOut => {
            let out: serde_json::Value = serde_json::from_str(&s.stdout).map_err(|_| why("no JSON outcome"))?;
            if out["status"] != "completed" {
                return Err(why(&format!("run ended {}", out["status"])));
            }
        }
        Kind::Status => {
            let listed = s.stdout.lines().filter(|l| l.contains("run-0")).count();
            if listed != n {
                return Err(why(&format!("listed {listed} of {n} runs")));
            }
        }
        Kind::Validate | Kind::Startup => {}
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn first_line(s: &str) -> String {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_owned()
}

/// Stdout of `program args…` (which must succeed).
fn capture(program: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(program).args(args).output().with_context(|| format!("cannot run {}", program.display()))?;
    if !out.status.success() {
        bail!("{} {} failed: {}", program.display(), args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `cargo build --release -p baton-cli`, returning the binary's path.
fn build_baton() -> Result<PathBuf> {
    progress!("building baton (cargo build --release -p baton-cli)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["build", "--release", "-p", "baton-cli", "--message-format=json-render-diagnostics"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot run cargo build")?;
    if !out.status.success() {
        bail!("cargo build --release -p baton-cli failed");
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if msg["reason"] == "compiler-artifact" && msg["target"]["name"] == "baton" {
            if let Some(exe) = msg["executable"].as_str() {
                return Ok(PathBuf::from(exe));
            }
        }
    }
    bail!("cargo build did not report the baton executable")
}

/// The reference: `--reference PATH`, else `specify` on PATH, else the `specify` beside
/// `$BATON_REFERENCE_PYTHON`.
fn find_reference(given: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(p) = given {
        let p = std::fs::canonicalize(p).with_context(|| format!("no reference at {}", p.display()))?;
        return Ok(Some(p));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("specify");
            if candidate.is_file() {
                return Ok(Some(candidate));
            }
        }
    }
    if let Some(py) = std::env::var_os("BATON_REFERENCE_PYTHON") {
        if let Some(dir) = Path::new(&py).parent() {
            let candidate = dir.join("specify");
            if candidate.is_file() {
                return Ok(Some(candidate));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options_parse_and_reject_nonsense() -> Result<()> {
        let o = parse_args(&args("--quick --json --only shell,status --sizes 10,40 --reps 2"))?;
        assert!(o.quick && o.json);
        assert_eq!(o.only, Some(vec!["shell".to_owned(), "status".to_owned()]));
        assert_eq!(o.sizes, Some(vec![10, 40]));
        assert_eq!(o.reps, Some(2));
        assert!(parse_args(&args("--only nope")).is_err());
        assert!(parse_args(&args("--sizes 0")).is_err());
        assert!(parse_args(&args("--reps 0")).is_err());
        assert!(parse_args(&args("--frobnicate")).is_err());
        assert!(parse_args(&args("--baton")).is_err());
        Ok(())
    }

    #[test]
    fn argv_adds_strict_only_when_asked() {
        assert_eq!(argv(Kind::Shell, Durability::Default), ["run", "wf.yml", "--json"]);
        assert_eq!(argv(Kind::FanOut, Durability::Strict), ["run", "wf.yml", "--json", "--durability", "strict"]);
        assert_eq!(argv(Kind::Startup, Durability::None), ["--version"]);
    }

    #[test]
    fn check_wants_a_completed_run() {
        let sample = |code, stdout: &str| Sample {
            wall: Duration::ZERO,
            max_rss_kib: 0,
            code,
            stdout: stdout.to_owned(),
            stderr: String::new(),
        };
        assert!(check(Kind::Shell, 1, &sample(Some(0), r#"{"status": "completed"}"#)).is_ok());
        assert!(check(Kind::Shell, 1, &sample(Some(0), r#"{"status": "failed"}"#)).is_err());
        assert!(check(Kind::Shell, 1, &sample(Some(2), "")).is_err());
        assert!(check(Kind::Status, 2, &sample(Some(0), "Workflow Runs:\n  ● run-000000\n  ● run-000001\n")).is_ok());
        assert!(check(Kind::Status, 3, &sample(Some(0), "Workflow Runs:\n  ● run-000000\n")).is_err());
    }
}
