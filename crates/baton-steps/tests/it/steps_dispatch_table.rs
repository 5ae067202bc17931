//! The agent dispatch table (`fixtures/agents/cases.json`, filled by the reference)
//! replayed row by row through the real `command` and `prompt` steps: fake agent
//! executables on a `PATH` that holds nothing else record the argv and working
//! directory they were started with.

use baton_expr::Value;
use baton_steps::{StepError, StepStatus};
use serde_json::Value as Json;

use super::{Scripted, World};

const AGENT: &str = r#"#!/bin/sh
if [ "$1" = agent ] && [ "$2" = version ]; then exit PROBE_EXIT; fi
printf '%s\0' "$(pwd -P)" "$0" "$@" > 'RECORD'
"#;

fn table() -> Vec<Json> {
    let path = crate::agents_fixtures_dir().join("cases.json");
    let text = std::fs::read_to_string(path).expect("cases.json");
    let table: Json = serde_json::from_str(&text).expect("JSON");
    table["dispatch"].as_array().expect("dispatch rows").clone()
}

fn yaml_scalar(v: &Json) -> String {
    // JSON is YAML: strings, lists and mappings keep their meaning.
    v.to_string()
}

/// Runs one row; `Err` describes a mismatch.
fn check(row: &Json) -> Result<(), String> {
    let mut world = World::new();
    let record = world.root.parent().expect("parent").join("record.bin");
    let bin = world.bin.display().to_string();
    let root = world.root.display().to_string();
    let fill = |s: &str| s.replace("{bin}", &bin).replace("{root}", &root);
    let unfill = |s: &str| s.replace(&bin, "{bin}").replace(&root, "{root}");
    let probe = if row["docker_plugin"].as_bool().unwrap_or(true) { "0" } else { "1" };
    for name in row["path"].as_array().into_iter().flatten() {
        let script = AGENT.replace("PROBE_EXIT", probe).replace("RECORD", &record.display().to_string());
        world.script(name.as_str().expect("name"), &script);
    }
    for (rel, content) in row["files"].as_object().into_iter().flatten() {
        world.file(rel, content.as_str().expect("text"));
    }
    world.env.clear();
    world.set_env("PATH", &bin);
    for (k, v) in row["env"].as_object().into_iter().flatten() {
        world.set_env(k, &fill(v.as_str().expect("text")));
    }

    let kind = row["kind"].as_str().expect("kind");
    let mut yaml = format!("id: s\ntype: {kind}\n");
    for field in ["integration", "model", "integration_args", "integration_options"] {
        if let Some(v) = row.get(field) {
            yaml.push_str(&format!("{field}: {}\n", yaml_scalar(v)));
        }
    }
    if row["capture"].as_bool() == Some(true) {
        yaml.push_str("capture: true\n");
    }
    if kind == "command" {
        yaml.push_str(&format!("command: {}\n", yaml_scalar(&row["command"])));
        if let Some(args) = row.get("args") {
            yaml.push_str(&format!("input: {{args: {}}}\n", yaml_scalar(args)));
        }
    } else {
        yaml.push_str(&format!("prompt: {}\n", yaml_scalar(&row["prompt"])));
    }
    let person = Scripted::new([]);
    let result = world.run_with(kind, &yaml, &person);
    let expect = &row["expect"];

    if let Some(err) = expect.get("err").and_then(Json::as_str) {
        return match (kind, result) {
            ("prompt", Err(StepError::Raised(m))) if unfill(&m) == err => Ok(()),
            ("command", Ok(r)) if r.error.as_deref().map(&unfill) == Some(format!("Command step 's': {err}")) => {
                (r.output.get("dispatched") == Some(&Value::Bool(false)))
                    .then_some(())
                    .ok_or_else(|| format!("not marked undispatched: {:?}", r.output))
            }
            (_, other) => Err(format!("expected error {err:?}, got {other:?}")),
        };
    }
    let result = result.map_err(|e| format!("raised {e:?}"))?;
    if expect.get("not_dispatchable").is_some() {
        let ok = result.status == StepStatus::Failed
            && result.error.as_deref().is_some_and(|e| e.starts_with("Cannot dispatch"))
            && result.output.get("dispatched") == Some(&Value::Bool(false));
        return ok.then_some(()).ok_or_else(|| format!("expected not dispatchable, got {result:?}"));
    }
    if result.output.get("dispatched") != Some(&Value::Bool(true)) {
        return Err(format!("not dispatched: {result:?}"));
    }
    let bytes = std::fs::read(&record).map_err(|e| format!("no record: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut parts: Vec<String> = text.split('\0').map(unfill).collect();
    parts.pop();
    let cwd = parts.remove(0);
    let want_argv: Vec<String> =
        expect["argv"].as_array().expect("argv").iter().map(|a| a.as_str().expect("text").to_owned()).collect();
    if parts != want_argv || Some(cwd.as_str()) != expect["cwd"].as_str() {
        return Err(format!("argv {parts:?} in {cwd}, expected {want_argv:?} in {}", expect["cwd"]));
    }
    let want_warnings: Vec<String> = expect["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| w.as_str().expect("text").to_owned())
        .collect();
    let notices: Vec<String> = person.notices().into_iter().filter(|n| !n.trim_start().starts_with("hint:")).collect();
    if notices != want_warnings {
        return Err(format!("warnings {notices:?}, expected {want_warnings:?}"));
    }
    Ok(())
}

#[test]
fn every_row_of_the_reference_table_through_the_steps() {
    let rows = table();
    assert!(rows.len() > 800, "the table has {} rows", rows.len());
    // Rows are independent (each has its own folders): check them on a few threads.
    let threads = 4;
    let mut failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let rows = &rows;
                scope.spawn(move || {
                    (t..rows.len())
                        .step_by(threads)
                        .filter_map(|i| check(&rows[i]).err().map(|why| format!("row {i} {}:\n    {why}", rows[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("no panic")).collect()
    });
    failures.sort();
    assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
}
