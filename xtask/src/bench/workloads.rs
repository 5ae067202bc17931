//! The workloads: generated workflow files and pre-filled run folders.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

/// What a workload measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `run` of N `true` shell steps.
    Shell,
    /// `run` of a `do-while` of N iterations around one `true` shell step.
    DoWhile,
    /// `run` of a `fan-out` over N items, `max_concurrency: 8`, template a `true` step.
    FanOut,
    /// `validate` of an N-step workflow.
    Validate,
    /// `status` (no id) over N stored runs.
    Status,
    /// `--version`.
    Startup,
}

/// Fan-out concurrency of the [`Kind::FanOut`] workload.
pub const FAN_OUT_WORKERS: usize = 8;

impl Kind {
    /// Its name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Shell => "shell",
            Kind::DoWhile => "do-while",
            Kind::FanOut => "fan-out",
            Kind::Validate => "validate",
            Kind::Status => "status",
            Kind::Startup => "startup",
        }
    }

    /// Whether it runs N step processes (so its floor is N spawns).
    pub fn runs_steps(self) -> bool {
        matches!(self, Kind::Shell | Kind::DoWhile | Kind::FanOut)
    }
}

fn header(id: &str) -> String {
    format!("schema_version: \"1.0\"\nworkflow:\n  id: \"{id}\"\n  name: \"bench {id}\"\n  version: \"1.0.0\"\nsteps:\n")
}

/// The workflow file text of a step workload of size `n`.
pub fn workflow(kind: Kind, n: usize) -> String {
    match kind {
        Kind::Shell | Kind::Validate => {
            let mut s = header("bench-shell");
            for i in 0..n {
                let _ = write!(s, "  - id: s{i}\n    type: shell\n    run: \"true\"\n");
            }
            s
        }
        Kind::DoWhile => {
            let mut s = header("bench-do-while");
            let _ = write!(
                s,
                "  - id: loop\n    type: do-while\n    condition: \"{{{{ true }}}}\"\n    max_iterations: {n}\n    steps:\n      - id: body\n        type: shell\n        run: \"true\"\n"
            );
            s
        }
        Kind::FanOut => {
            let mut s = header("bench-fan-out");
            let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let _ = write!(
                s,
                "  - id: fan\n    type: fan-out\n    items: [{}]\n    max_concurrency: {FAN_OUT_WORKERS}\n    step:\n      id: item\n      type: shell\n      run: \"true\"\n",
                items.join(", ")
            );
            s
        }
        Kind::Status | Kind::Startup => String::new(),
    }
}

/// A run folder made by the reference (`fixtures/bench/status-run`), copied `n` times
/// into `project` under fresh run ids, with a mix of statuses.
pub fn fill_runs(project: &Path, template: &Path, n: usize) -> Result<()> {
    let read = |f: &str| -> Result<String> {
        let p = template.join(f);
        std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))
    };
    let state = read("state.json")?;
    let others = [("inputs.json", read("inputs.json")?), ("log.jsonl", read("log.jsonl")?), ("workflow.yml", read("workflow.yml")?)];
    let runs = project.join(".specify/workflows/runs");
    for i in 0..n {
        let id = format!("run-{i:06}");
        let dir = runs.join(&id);
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let status = match i % 10 {
            7 => "failed",
            9 => "paused",
            _ => "completed",
        };
        let text = state.replacen("\"template-run\"", &format!("\"{id}\""), 1).replacen(
            "\n  \"status\": \"completed\"",
            &format!("\n  \"status\": \"{status}\""),
            1,
        );
        std::fs::write(dir.join("state.json"), text)?;
        for (name, body) in &others {
            std::fs::write(dir.join(name), body)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_workflows_have_the_requested_size() {
        let shell = workflow(Kind::Shell, 3);
        assert_eq!(shell.matches("type: shell").count(), 3);
        assert!(workflow(Kind::DoWhile, 7).contains("max_iterations: 7"));
        assert!(workflow(Kind::DoWhile, 7).contains("condition: \"{{ true }}\""));
        assert!(workflow(Kind::FanOut, 4).contains("items: [0, 1, 2, 3]"));
    }

    #[test]
    fn filled_runs_carry_their_own_ids() -> Result<()> {
        let tmp = tempfile::tempdir()?;
        let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bench/status-run");
        fill_runs(tmp.path(), &template, 12)?;
        let runs = tmp.path().join(".specify/workflows/runs");
        assert_eq!(std::fs::read_dir(&runs)?.count(), 12);
        let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(runs.join("run-000007/state.json"))?)?;
        assert_eq!(s["run_id"], "run-000007");
        assert_eq!(s["status"], "failed");
        assert_eq!(s["step_results"]["hello"]["status"], "completed");
        Ok(())
    }
}
