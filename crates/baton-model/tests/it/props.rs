//! Property tests: validation and the typed model never panic, whatever the tree.

use baton_model::yaml::{Node, Span, Yaml};
use baton_model::{validate, NoCustomSteps};
use proptest::prelude::*;

fn node(value: Yaml) -> Node {
    Node { value, span: Span { line: 1, col: 1 } }
}

/// Keys that the validator looks at, plus a few others.
fn key() -> impl Strategy<Value = Node> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "id", "type", "run", "command", "prompt", "timeout", "capture", "capture_max_bytes",
            "condition", "then", "else", "steps", "step", "cases", "default", "items", "wait_for",
            "output", "options", "on_reject", "verdict_input", "message", "name", "script",
            "max_iterations", "continue_on_error", "workflow", "input", "inputs", "outputs",
            "requires", "schema_version", "integration", "model", "enum", "value", "number",
            "repository", "label", "operation", "target", "integration_args", "integration_options",
            "output_format", "permissions", "version", "expression",
        ])
        .prop_map(|k| node(Yaml::Str(k.to_owned()))),
        1 => any::<i64>().prop_map(|i| node(Yaml::Int(i.into()))),
        1 => any::<bool>().prop_map(|b| node(Yaml::Bool(b))),
        1 => Just(node(Yaml::Null)),
        1 => "[a-z:_-]{0,8}".prop_map(|s| node(Yaml::Str(s))),
    ]
}

fn scalar() -> impl Strategy<Value = Node> {
    prop_oneof![
        Just(node(Yaml::Null)),
        any::<bool>().prop_map(|b| node(Yaml::Bool(b))),
        any::<i64>().prop_map(|i| node(Yaml::Int(i.into()))),
        prop::num::f64::ANY.prop_map(|f| node(Yaml::Float(f))),
        prop::sample::select(vec![
            "", " ", "shell", "command", "if", "while", "do-while", "fan-out", "fan-in", "gate",
            "switch", "slot", "github", "workflow", "init", "prompt", "json", "abort", "retry",
            "skip", "sh", "{{ true }}", "{{ x", "a }} b", "{{ a }} and {{ b }}", "x:y", "1.0",
            "add-label", "issue", "o/r", "runs", "reject",
        ])
        .prop_map(|s| node(Yaml::Str(s.to_owned()))),
        ".{0,12}".prop_map(|s| node(Yaml::Str(s))),
        Just(node(Yaml::Timestamp("2024-01-01".to_owned()))),
        Just(node(Yaml::Binary(vec![0, 255]))),
    ]
}

fn tree() -> impl Strategy<Value = Node> {
    scalar().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| node(Yaml::Seq(v))),
            prop::collection::vec((key(), inner), 0..8).prop_map(|v| node(Yaml::Map(v))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn validate_never_panics(doc in tree()) {
        let _ = validate(&doc, &NoCustomSteps);
        let _ = baton_model::model::WorkflowDocument::from_node(&doc);
    }

    #[test]
    fn validate_never_panics_on_workflow_shaped_trees(
        steps in prop::collection::vec(tree(), 0..6),
        header in prop::collection::vec((key(), tree()), 0..6),
    ) {
        let mut entries = header;
        entries.push((node(Yaml::Str("steps".to_owned())), node(Yaml::Seq(steps))));
        let doc = node(Yaml::Map(entries));
        let diags = validate(&doc, &NoCustomSteps);
        for d in &diags {
            prop_assert!(!d.message.is_empty());
        }
        let _ = baton_model::model::WorkflowDocument::from_node(&doc);
    }
}
