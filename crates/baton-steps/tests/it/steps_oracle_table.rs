//! `fixtures/steps/cases.json`: rows of (step type, configuration, context) with the
//! result the reference's own step class returned, replayed through baton's steps.
//! `recheck` reruns `fixtures/steps/oracle.py` with the reference, when installed.

use std::process::Command;

use baton_expr::{Map, Value};
use baton_steps::StepError;

use super::World;

fn fixtures() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/steps")
}

fn rows() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("cases.json")).expect("cases.json");
    // Python's json (integers of any size), not serde_json.
    match baton_expr::json::loads(&text).expect("JSON") {
        Value::Map(mut m) => match m.shift_remove("rows") {
            Some(Value::List(rows)) => rows,
            _ => panic!("no rows"),
        },
        _ => panic!("not a mapping"),
    }
}

fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::Str(s) => Value::Str(f(s)),
        Value::List(items) => Value::List(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), map_strings(v, f))).collect()),
        other => other.clone(),
    }
}

fn get<'a>(row: &'a Value, key: &str) -> Option<&'a Value> {
    match row {
        Value::Map(m) => m.get(key),
        _ => None,
    }
}

fn entries(value: Option<&Value>) -> Vec<(String, Value)> {
    match value {
        Some(Value::Map(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    }
}

fn string(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

fn check(row: &Value) -> Result<(), String> {
    let mut world = World::new();
    let base = world.root.parent().expect("parent").to_path_buf();
    let wfdir = base.join("wf");
    std::fs::create_dir(&wfdir).expect("mkdir");
    let (root, bin, wf) = (world.root.display().to_string(), world.bin.display().to_string(), wfdir.display().to_string());
    let fill = |s: &str| s.replace("{root}", &root).replace("{bin}", &bin).replace("{wfdir}", &wf);
    let unfill = |s: &str| s.replace(&root, "{root}").replace(&bin, "{bin}").replace(&wf, "{wfdir}");

    for (name, body) in entries(get(row, "path")) {
        world.script(&name, body.as_str().expect("script"));
    }
    for (rel, text) in entries(get(row, "files")) {
        world.file(&rel, text.as_str().expect("text"));
    }
    world.env.clear();
    world.set_env("PATH", &format!("{bin}:/usr/bin:/bin"));
    for (k, v) in entries(get(row, "env")) {
        world.set_env(&k, &fill(v.as_str().expect("text")));
    }
    world.inputs = map_strings(get(row, "inputs").unwrap_or(&Value::Map(Map::new())), &fill);
    world.inside_fan_out = get(row, "inside_fan_out").is_some_and(Value::truthy);
    if get(row, "workflow_dir").is_some_and(Value::truthy) {
        world.workflow_dir = Some(wfdir.clone());
    }
    let defaults = get(row, "defaults");
    world.default_integration = string(defaults.and_then(|d| get(d, "integration")));
    world.default_model = string(defaults.and_then(|d| get(d, "model")));
    world.default_options = entries(defaults.and_then(|d| get(d, "options"))).into_iter().collect();
    let type_key = get(row, "type").and_then(Value::as_str).expect("type");
    if type_key == "init" {
        let (code, out, err) = match get(row, "init_result") {
            Some(Value::List(r)) if r.len() == 3 => (r[0].py_str(), r[1].py_str(), r[2].py_str()),
            _ => ("0".to_owned(), "ok\n".to_owned(), String::new()),
        };
        std::fs::write(base.join("init.out"), out).expect("write");
        std::fs::write(base.join("init.err"), err).expect("write");
        let b = base.display();
        world.script("specify", &format!("#!/bin/sh\ncat '{b}/init.out'\ncat '{b}/init.err' >&2\nexit {code}\n"));
    }
    let config = match map_strings(get(row, "config").expect("config"), &fill) {
        Value::Map(m) => m,
        _ => panic!("config is a mapping"),
    };
    let result = world.run_config(type_key, config);
    let expect = get(row, "expect").expect("expect");

    if let Some(raised) = get(expect, "raised").and_then(Value::as_str) {
        return match result {
            Err(StepError::Raised(m)) if unfill(&m) == raised => Ok(()),
            other => Err(format!("expected the step to raise {raised:?}, got {other:?}")),
        };
    }
    let result = result.map_err(|e| format!("raised {e:?}"))?;
    let status = get(expect, "status").and_then(Value::as_str).expect("status");
    let output = map_strings(&Value::Map(result.output.clone()), &unfill);
    let error = result.error.as_deref().map(unfill);
    let want_updates = entries(get(expect, "input_updates"));
    let updates: Vec<(String, Value)> = result.input_updates.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut problems = Vec::new();
    if result.status.as_str() != status {
        problems.push(format!("status {} (expected {status})", result.status.as_str()));
    }
    if Some(&output) != get(expect, "output") {
        problems.push(format!("output {output:?}\n      expected {:?}", get(expect, "output")));
    }
    if error.as_deref() != get(expect, "error").and_then(Value::as_str) {
        problems.push(format!("error {error:?}\n      expected {:?}", get(expect, "error")));
    }
    if updates != want_updates {
        problems.push(format!("input updates {updates:?} (expected {want_updates:?})"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n    "))
    }
}

#[test]
fn every_row_matches_the_reference() {
    let rows = rows();
    assert!(rows.len() > 150, "{} rows", rows.len());
    let threads = 4;
    let mut failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let rows = &rows;
                scope.spawn(move || {
                    (t..rows.len())
                        .step_by(threads)
                        .filter_map(|i| {
                            let name = get(&rows[i], "name").map(Value::py_str).unwrap_or_default();
                            check(&rows[i]).err().map(|why| format!("{name}:\n    {why}"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("no panic")).collect()
    });
    failures.sort();
    assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

#[test]
#[allow(clippy::print_stderr, reason = "a skipped oracle test says why")]
fn recheck() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let Some(python) = std::env::var_os("BATON_REFERENCE_PYTHON").filter(|p| !p.is_empty()) else {
        assert!(!ci, "BATON_REFERENCE_PYTHON is required under CI=true");
        eprintln!("skipping the reference re-check: BATON_REFERENCE_PYTHON is not set");
        return;
    };
    let dir = fixtures();
    let out = Command::new(&python)
        .arg(dir.join("oracle.py"))
        .arg(dir.join("cases.json"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run oracle.py");
    assert!(out.status.success(), "oracle.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let fresh = String::from_utf8(out.stdout).expect("UTF-8");
    let committed = std::fs::read_to_string(dir.join("cases.json")).expect("cases.json");
    // Paths differ between runs only inside `{root}`-style placeholders, which the
    // oracle writes back; the rows must be identical.
    let diffs: Vec<String> = committed
        .lines()
        .zip(fresh.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| format!("line {}:\n  table:     {a}\n  reference: {b}", i + 1))
        .collect();
    assert!(
        diffs.is_empty() && committed.lines().count() == fresh.lines().count(),
        "the reference disagrees with fixtures/steps/cases.json:\n{}",
        diffs.join("\n")
    );
}
