//! `fixtures/yaml/corpus.jsonl`: every workflow file of the conformance cases plus
//! documents aimed at the dumper, each with what PyYAML 6.0.4 does with it: the
//! `repr` of `yaml.safe_load`, or the exception (`error`), and the text of
//! `yaml.safe_dump(data, sort_keys=False, allow_unicode=True)` (`dump`) and of
//! `yaml.safe_dump(data, sort_keys=False)` (`dump_ascii`). Rows may carry
//! `baton_repr`/`baton_dump`/`baton_dump_ascii` where baton deliberately differs (`note`).

use baton_model::yaml::{dump, dump_with, parse, DumpOptions};
use serde_json::Value as Json;

type Row = serde_json::Map<String, Json>;

pub(crate) fn rows() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/yaml/corpus.jsonl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match serde_json::from_str(l).unwrap() {
            Json::Object(m) => m,
            other => panic!("bad row {other}"),
        })
        .collect()
}

fn field<'a>(row: &'a Row, name: &str) -> Option<&'a str> {
    row.get(name).and_then(Json::as_str)
}

fn check(row: &Row) -> Vec<String> {
    let name = field(row, "name").unwrap();
    let text = field(row, "yaml").unwrap();
    let mut problems = Vec::new();
    let node = match (parse(text), field(row, "error")) {
        (Err(_), Some(_)) => return problems,
        (Ok(node), None) => node,
        (Ok(node), Some(e)) => return vec![format!("{name}: loads as {} but PyYAML fails: {e}", node.py_repr())],
        (Err(e), None) => return vec![format!("{name}: fails ({e}) but PyYAML loads it")],
    };
    let want_repr = field(row, "baton_repr").or(field(row, "repr")).unwrap();
    if node.py_repr() != want_repr {
        problems.push(format!("{name}: repr {} != {want_repr}", node.py_repr()));
    }
    let checks = [("dump", dump(&node)), ("dump_ascii", dump_with(&node, DumpOptions { allow_unicode: false }))];
    for (key, got) in checks {
        let want = field(row, &format!("baton_{key}")).or(field(row, key));
        if let Some(want) = want {
            if got != want {
                problems.push(format!("{name}: {key} differs:\n--- got\n{got}--- want\n{want}---"));
            }
        }
        if row.get("skip_roundtrip").is_some() {
            continue;
        }
        match parse(&got) {
            Ok(back) if back.value_eq(&node) => {}
            Ok(back) => problems.push(format!("{name}: {key} reads back as {}", back.py_repr())),
            Err(e) => problems.push(format!("{name}: {key} does not read back: {e}")),
        }
    }
    problems
}

#[test]
fn corpus_loads_and_dumps_like_pyyaml() {
    let rows = rows();
    assert!(rows.len() > 300);
    let failures: Vec<String> = rows.iter().flat_map(check).collect();
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}
