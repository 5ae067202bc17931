//! Property tests: no panics on any text or namespace, ordering symmetry, JSON round
//! trips.

use baton_expr::json::{self, DumpOptions};
use baton_expr::{
    condition_diagnostics, evaluate, evaluate_condition, render, Map, MapNamespace, Template, Value,
};
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::Float),
        "[a-z0-9 .,'\"|{}()\\[\\]é٣-]{0,8}".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::vec(("[a-z-]{1,4}", inner), 0..4)
                .prop_map(|kv| Value::Map(kv.into_iter().collect::<Map>())),
        ]
    })
}

/// Finite JSON values (what `to_json` can write).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i128>().prop_map(|i| Value::Int(i.into())),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::Float),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::List),
            prop::collection::vec((any::<String>(), inner), 0..5)
                .prop_map(|kv| Value::Map(kv.into_iter().collect::<Map>())),
        ]
    })
}

fn namespace() -> impl Strategy<Value = MapNamespace> {
    (value(), value(), value()).prop_map(|(inputs, steps, item)| {
        MapNamespace::new().with("inputs", inputs).with("steps", steps).with("item", item)
    })
}

/// Text built from the language's own pieces, so it reaches deep into the grammar.
fn expression_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("inputs.a"), Just("inputs"), Just("item[0]"), Just("item[-1]"), Just("steps.x-1.y"),
        Just(" or "), Just(" and "), Just("not "), Just(" in "), Just(" not in "), Just("=="),
        Just("!="), Just(">"), Just("<="), Just("|"), Just(" | "), Just("default"), Just("join(','"),
        Just("map('a')"), Just("from_json"), Just("to_json"), Just("length"), Just("split('')"),
        Just("("), Just(")"), Just("["), Just("]"), Just(","), Just("'"), Just("\""), Just("{{"),
        Just("}}"), Just("1"), Just("-2"), Just("1.5"), Just("true"), Just("null"), Just(" "),
        Just("\n"), Just("٣"), Just("é"), Just("."),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_panics_on_any_text(text in any::<String>(), ns in namespace()) {
        let _ = render(&text, &ns);
        let _ = evaluate(&text, &ns);
        let _ = evaluate_condition(&text, &ns);
        let _ = condition_diagnostics(&text);
        let _ = Template::parse(&text).paths();
        let _ = json::loads(&text);
    }

    #[test]
    fn never_panics_on_grammar_pieces(text in expression_text(), ns in namespace()) {
        let _ = render(&text, &ns);
        let _ = evaluate(&text, &ns);
        let _ = condition_diagnostics(&text);
        for span in Template::parse(&text).paths().into_iter().map(|p| p.span) {
            prop_assert!(text.get(span.clone()).is_some(), "bad span {span:?}");
        }
    }

    #[test]
    fn less_than_mirrors_greater_than(a in value(), b in value()) {
        let ns = MapNamespace::new().with("a", a).with("b", b);
        for (x, y) in [("a < b", "b > a"), ("a <= b", "b >= a")] {
            prop_assert_eq!(evaluate(x, &ns), evaluate(y, &ns));
        }
    }

    #[test]
    fn to_json_then_from_json_round_trips(v in json_value()) {
        let ns = MapNamespace::new().with("item", v.clone());
        let back = evaluate("(item | to_json) | from_json", &ns).unwrap();
        // Keys come back sorted; equality ignores key order, as Python's does.
        prop_assert!(back.py_eq(&v), "{} became {}", v.py_repr(), back.py_repr());
    }

    #[test]
    fn dumps_then_loads_round_trips(v in json_value(), ascii in any::<bool>(), indent in prop::option::of(0usize..4)) {
        let opts = DumpOptions { ensure_ascii: ascii, indent, ..DumpOptions::default() };
        let text = json::dumps(&v, &opts).unwrap();
        prop_assert_eq!(json::loads(&text).unwrap().py_repr(), v.py_repr());
    }
}
