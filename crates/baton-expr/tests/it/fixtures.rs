//! The expression tables of `fixtures/expr/*.jsonl`: one row per line,
//! `{"id", "mode", "input", "expect", "ns"?, "opts"?, "baton"?, "note"?}`.
//!
//! `expect` is the reference's answer (`null`, `<type> <repr>`, `ERROR <message>`, or for
//! `diag` rows `ok` / `malformed-block` / `interpolated-to-text` /
//! `never-evaluated: <remediation>`); `baton` overrides it for baton where the
//! reference crashes or cannot be matched (with a `note` saying why).

use std::path::PathBuf;

use baton_expr::json::{self, DumpOptions};
use baton_expr::{
    condition_diagnostics, condition_truth, context_value, evaluate, evaluate_condition,
    render_value, ConditionFault, Map, MapNamespace, Value,
};

/// One table row.
pub struct Row {
    pub file: String,
    pub id: String,
    pub raw: String,
    pub mode: String,
    pub input: Value,
    pub expect: String,
    pub baton: Option<String>,
    pub ns: Map,
    pub opts: Map,
}

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/expr")
}

pub fn default_namespace_text() -> String {
    std::fs::read_to_string(dir().join("namespace.json")).unwrap()
}

fn field<'a>(row: &'a Map, key: &str) -> Option<&'a Value> {
    row.get(key)
}

fn text(row: &Map, key: &str) -> Option<String> {
    field(row, key).and_then(Value::as_str).map(str::to_owned)
}

fn map(row: &Map, key: &str) -> Map {
    match field(row, key) {
        Some(Value::Map(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// Every row of every `*.jsonl` table, in file then line order.
pub fn rows() -> Vec<Row> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for (n, line) in std::fs::read_to_string(&file).unwrap().lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Value::Map(row) = json::loads(line)
                .unwrap_or_else(|e| panic!("{name}:{}: {e}", n + 1))
            else {
                panic!("{name}:{}: not an object", n + 1)
            };
            out.push(Row {
                file: name.clone(),
                id: text(&row, "id").unwrap_or_else(|| format!("line {}", n + 1)),
                raw: line.to_owned(),
                mode: text(&row, "mode").unwrap(),
                input: field(&row, "input").cloned().unwrap_or(Value::Null),
                expect: text(&row, "expect").unwrap_or_else(|| panic!("{name}:{}: no expect", n + 1)),
                baton: text(&row, "baton"),
                ns: map(&row, "ns"),
                opts: map(&row, "opts"),
            });
        }
    }
    out
}

/// The namespace of a row: the default one with the row's overrides, built the way
/// the reference builds it (`inputs`, `steps` and `fan_in` default to `{}`).
pub fn namespace(overrides: &Map) -> MapNamespace {
    let Value::Map(mut spec) = json::loads(&default_namespace_text()).unwrap() else {
        panic!("namespace.json is not an object")
    };
    for (k, v) in overrides {
        spec.insert(k.clone(), v.clone());
    }
    let or_empty = |v: Option<&Value>| match v {
        Some(v) if v.truthy() => v.clone(),
        _ => Value::Map(Map::new()),
    };
    let str_of = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    MapNamespace::new()
        .with("inputs", or_empty(spec.get("inputs")))
        .with("steps", or_empty(spec.get("steps")))
        .with("item", spec.get("item").cloned().unwrap_or(Value::Null))
        .with("fan_in", or_empty(spec.get("fan_in")))
        .with(
            "context",
            context_value(str_of(spec.get("run_id")).as_deref(), str_of(spec.get("workflow_dir")).as_deref()),
        )
}

/// `null` or `<python type> <repr>`, as the tables spell results.
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        v => format!("{} {}", v.type_name(), v.py_repr()),
    }
}

fn show_result<E: std::fmt::Display>(r: Result<Value, E>) -> String {
    match r {
        Ok(v) => show(&v),
        Err(e) => format!("ERROR {e}"),
    }
}

/// What baton answers for a row.
pub fn actual(row: &Row) -> String {
    let ns = namespace(&row.ns);
    let input_str = row.input.as_str();
    match (row.mode.as_str(), input_str) {
        ("expr", _) => show_result(render_value(&row.input, &ns)),
        ("cond", Some(s)) => show_result(evaluate_condition(s, &ns).map(Value::Bool)),
        ("cond", None) => show(&Value::Bool(condition_truth(&row.input))),
        ("body", Some(s)) => show_result(evaluate(s, &ns)),
        ("diag", Some(s)) => match condition_diagnostics(s).first() {
            None => "ok".to_owned(),
            Some(d) => match d.fault {
                ConditionFault::MalformedBlock => "malformed-block".to_owned(),
                ConditionFault::InterpolatedToText => "interpolated-to-text".to_owned(),
                ConditionFault::NeverEvaluated => {
                    let (_, remediation) = d.message.split_once(" and is always true. ").unwrap();
                    format!("never-evaluated: {remediation}")
                }
            },
        },
        ("loads", Some(s)) => show_result(json::loads(s)),
        ("dumps", Some(s)) => {
            let flag = |k: &str, default: bool| match row.opts.get(k) {
                Some(Value::Bool(b)) => *b,
                _ => default,
            };
            let opts = DumpOptions {
                ensure_ascii: flag("ensure_ascii", true),
                sort_keys: flag("sort_keys", false),
                allow_nan: flag("allow_nan", true),
                indent: match row.opts.get("indent") {
                    Some(Value::Int(n)) => Some(n.try_into().unwrap()),
                    _ => None,
                },
            };
            show_result(json::loads(s).and_then(|v| json::dumps(&v, &opts)).map(Value::Str))
        }
        (mode, _) => panic!("{}: unknown mode {mode} or non-string input", row.id),
    }
}

#[test]
fn every_row_matches() {
    let rows = rows();
    assert!(rows.len() >= 128, "only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let want = row.baton.as_deref().unwrap_or(&row.expect);
        let got = actual(row);
        if got != want {
            failures.push(format!("{} {}: {}\n  want {want}\n  got  {got}", row.file, row.id, row.raw));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

#[test]
fn the_spec_probes_are_all_there() {
    let ids: Vec<String> = rows().into_iter().filter(|r| r.file == "probes.jsonl").map(|r| r.id).collect();
    assert_eq!(ids.len(), 128);
    for (n, id) in ids.iter().enumerate() {
        assert_eq!(&id[1..], format!("{:03}", n + 1));
    }
}
