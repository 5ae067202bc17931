//! `fixtures/yaml/spans.jsonl`: documents with the start mark PyYAML's composer gives
//! every node (pre-order: a mapping, then each key and its value), which baton's
//! positions reproduce.

use baton_model::yaml::{parse, Node, Yaml};
use serde_json::Value as Json;

fn walk(node: &Node, out: &mut Vec<String>) {
    out.push(format!("{}:{}", node.span.line, node.span.col));
    match &node.value {
        Yaml::Seq(items) => items.iter().for_each(|i| walk(i, out)),
        Yaml::Map(entries) => entries.iter().for_each(|(k, v)| {
            walk(k, out);
            walk(v, out);
        }),
        _ => {}
    }
}

#[test]
fn node_positions_are_pyyaml_marks() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/yaml/spans.jsonl");
    let mut failures = Vec::new();
    for line in std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
        let row: Json = serde_json::from_str(line).unwrap();
        let text = row["yaml"].as_str().unwrap();
        let want: Vec<String> = row["spans"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect();
        let mut got = Vec::new();
        walk(&parse(text).unwrap(), &mut got);
        if got != want {
            let diff: Vec<String> = got
                .iter()
                .zip(&want)
                .enumerate()
                .filter(|(_, (g, w))| g != w)
                .map(|(i, (g, w))| format!("node {i}: {g} != {w}"))
                .collect();
            failures.push(format!("{text:?}: {} (lengths {} / {})", diff.join(", "), got.len(), want.len()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
