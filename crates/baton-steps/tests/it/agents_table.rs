//! `fixtures/agents/cases.json`: every row's expectation, as the reference computed it,
//! reproduced by `baton_steps::agents` with a fake host (`{bin}` = the folder of fake
//! executables, `{root}` = the project root).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use baton_steps::agents::{
    self, build_argv, invocation_text, plan, Host, Mode, NotDispatchable, Outcome, Request, Task,
};
use baton_steps::process::Output;
use serde_json::Value;

use super::fixtures_dir;

/// A machine whose `PATH` holds exactly the row's `path` names, in `{bin}`.
struct FakeHost {
    path: Vec<String>,
    plugin: bool,
}

impl Host for FakeHost {
    fn which(&self, name: &str) -> Option<String> {
        let on_path = |n: &str| self.path.iter().any(|p| p == n);
        match name.strip_prefix("{bin}/") {
            Some(rest) => on_path(rest).then(|| name.to_owned()),
            None if name.contains('/') => None,
            None => on_path(name).then(|| format!("{{bin}}/{name}")),
        }
    }

    fn docker_agent_plugin(&self, docker: &str) -> bool {
        self.plugin && self.which(docker).is_some()
    }
}

fn table() -> Value {
    let text = std::fs::read_to_string(fixtures_dir().join("cases.json")).expect("cases.json");
    serde_json::from_str(&text).expect("cases.json is JSON")
}

fn rows<'a>(table: &'a Value, section: &str) -> &'a [Value] {
    table[section].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().expect("a string").to_owned()).collect())
        .unwrap_or_default()
}

fn project(row: &Value) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    if let Some(files) = row["files"].as_object() {
        for (rel, content) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, content.as_str().expect("file text")).expect("write");
        }
    }
    let root = std::fs::canonicalize(dir.path()).expect("canonical root");
    let root = root.to_str().expect("UTF-8 temp path").to_owned();
    (dir, root)
}

fn reason_name(reason: &NotDispatchable) -> &'static str {
    match reason {
        NotDispatchable::NoIntegration => "no-integration",
        NotDispatchable::EmptyPrompt => "empty-prompt",
        NotDispatchable::UnknownIntegration { .. } => "unknown",
        NotDispatchable::NoCliDispatch { .. } => "no-cli",
        NotDispatchable::CliNotFound(_) => "cli-not-found",
    }
}

/// What baton makes of one dispatch row, in the table's terms.
fn outcome(row: &Value) -> Value {
    let (_dir, root) = project(row);
    let env: BTreeMap<String, String> = row["env"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("env text").replace("{root}", &root)))
                .collect()
        })
        .unwrap_or_default();
    let host =
        FakeHost { path: strings(&row["path"]), plugin: row["docker_plugin"].as_bool().unwrap_or(true) };
    let integration_args = strings(&row["integration_args"]);
    let integration_options: Vec<(String, Option<String>)> = row["integration_options"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned))).collect())
        .unwrap_or_default();
    let capture = row["capture"].as_bool().unwrap_or(false);
    let task = match row["kind"].as_str() {
        Some("command") => Task::Command {
            command: row["command"].as_str().expect("command"),
            args: row["args"].as_str().unwrap_or(""),
            integration_args: &integration_args,
            integration_options: &integration_options,
        },
        _ => Task::Prompt { text: row["prompt"].as_str().expect("prompt") },
    };
    let request = Request {
        integration: row["integration"].as_str(),
        model: row["model"].as_str(),
        task,
        project_root: Path::new(&root),
        mode: if capture { Mode::Capture { max_bytes: Some(1 << 20) } } else { Mode::Stream },
        timeout: Duration::from_secs(300),
    };
    let unroot = |s: &str| s.replace(&root, "{root}");
    if let Some(want) = row["expect"]["argv"].as_array() {
        let built = build_argv(&request, &env, &host).expect("it builds").expect("there is a command line");
        let built: Vec<Value> = built[1..].iter().map(|a| unroot(a).into()).collect();
        assert_eq!(built, want[1..], "build_argv for {row}");
    }
    let mut out = serde_json::Map::new();
    match plan(&request, &env, &host) {
        Err(e) => {
            out.insert("err".into(), unroot(&e.to_string()).into());
            return Value::Object(out);
        }
        Ok(planned) => {
            match planned.outcome {
                Outcome::Dispatch(d) => {
                    let argv: Vec<Value> = d.argv.iter().map(|a| unroot(a).into()).collect();
                    out.insert("argv".into(), argv.into());
                    out.insert("cwd".into(), unroot(&d.cwd.to_string_lossy()).into());
                    let capture_ok = match d.output {
                        Output::Capture { max_bytes } => capture && d.own_group && max_bytes == Some(1 << 20),
                        Output::Inherit => !capture && !d.own_group,
                    };
                    assert!(capture_ok, "output mode for {row}");
                }
                Outcome::NotDispatchable(reason) => {
                    out.insert("not_dispatchable".into(), true.into());
                    if let Some(want) = row["reason"].as_str() {
                        assert_eq!(reason_name(&reason), want, "reason for {row}");
                    }
                }
            }
            if !planned.warnings.is_empty() {
                out.insert("warnings".into(), planned.warnings.into());
            }
        }
    }
    Value::Object(out)
}

#[test]
fn every_dispatch_row_matches_the_reference() {
    let table = table();
    let failures: Vec<String> = rows(&table, "dispatch")
        .iter()
        .enumerate()
        .filter_map(|(i, row)| {
            let got = outcome(row);
            (got != row["expect"]).then(|| format!("row {i}: {row}\n   baton: {got}"))
        })
        .collect();
    assert!(rows(&table, "dispatch").len() > 500, "the table is there");
    assert!(failures.is_empty(), "{} rows differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_invocation_row_matches_the_reference() {
    let table = table();
    let failures: Vec<String> = rows(&table, "invocation")
        .iter()
        .enumerate()
        .filter_map(|(i, row)| {
            let (_dir, root) = project(row);
            let got = invocation_text(
                row["key"].as_str().expect("key"),
                row["command"].as_str().expect("command"),
                row["args"].as_str().expect("args"),
                Path::new(&root),
            );
            let want = row["expect"].as_str();
            (got.as_deref() != want).then(|| format!("row {i}: {row}\n   baton: {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{} rows differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_table_has_every_key_of_the_reference_and_rows_for_each() {
    let table = table();
    let reference = strings(&rows(&table, "registry")[0]["expect"]);
    let ours: Vec<&str> = agents::INTEGRATIONS.iter().map(|i| i.key).collect();
    assert_eq!(ours, reference);
    for key in ours {
        let n = rows(&table, "dispatch").iter().filter(|r| r["integration"] == key).count();
        assert!(n >= 10, "{key}: only {n} dispatch rows");
        assert!(agents::lookup(key).is_some_and(|i| i.key == key));
    }
}

/// Every `step-dispatch-*` conformance case is mirrored by at least one row.
#[test]
#[allow(clippy::print_stderr, reason = "a skipped check says why")]
fn every_dispatch_case_is_mirrored() {
    let cases = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    let Ok(entries) = std::fs::read_dir(&cases) else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{} is missing", cases.display());
        eprintln!("skipping: {} is missing", cases.display());
        return;
    };
    let table = table();
    let tagged: Vec<&str> = ["invocation", "dispatch"]
        .iter()
        .flat_map(|s| rows(&table, s))
        .filter_map(|r| r["case"].as_str())
        .collect();
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("step-dispatch-"))
        .collect();
    names.sort();
    let missing: Vec<&String> = names.iter().filter(|n| !tagged.contains(&n.as_str())).collect();
    assert!(!names.is_empty());
    assert!(missing.is_empty(), "cases without a row: {missing:?}");
}

use std::path::PathBuf;
