//! Property tests: the loader never panics, and dumping then loading gives the value back.

use baton_model::yaml::{dump, dump_with, parse, DumpOptions, Node, Span, Yaml};
use num_bigint::BigInt;
use proptest::prelude::*;

fn node(value: Yaml) -> Node {
    Node { value, span: Span::default() }
}

/// Strings that stress the dumper's quoting: indicators, spaces, breaks, YAML 1.1
/// keywords, numbers, non-ASCII. (U+0085/U+2028/U+2029 are left out: PyYAML reads them
/// as line breaks, baton as content.)
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z :#\\-?,\\[\\]{}&*!|>'\"%@`.~=<\\\\]{0,12}",
        "[ a-zA-Z0-9\n\t\r]{0,30}",
        "[ éü日本😀\u{a0}\u{feff}\u{1}\u{7f}a-z]{0,20}",
        "[a-z]{1,9}( [a-z]{1,9}){5,25}",
        prop::sample::select(vec![
            "yes", "No", "ON", "off", "y", "n", "true", "False", "null", "~", "", "1.0", "1e3",
            "1.0e+3", "0777", "08", "0x1F", "0b101", "1:30", "1_000", ".inf", "-.Inf", ".nan",
            "2024-01-01", "2024-01-01 10:00:00", "<<", "=", "---", "...", "- a", "a: b", "#c",
            "{{ true }}", "{{ inputs.x }}", " lead", "trail ", "a\n", "\n", "a\n\nb", "a \nb",
        ])
        .prop_map(str::to_owned),
    ]
}

fn scalar() -> impl Strategy<Value = Node> {
    prop_oneof![
        Just(node(Yaml::Null)),
        any::<bool>().prop_map(|b| node(Yaml::Bool(b))),
        any::<i64>().prop_map(|i| node(Yaml::Int(BigInt::from(i)))),
        "[1-9][0-9]{19,40}".prop_map(|s| node(Yaml::Int(s.parse().unwrap()))),
        any::<f64>().prop_map(|f| node(Yaml::Float(f))),
        prop::sample::select(vec![0.0, -0.0, 1.0, 0.1, 1e16, 1e-7, f64::INFINITY, f64::NEG_INFINITY])
            .prop_map(|f| node(Yaml::Float(f))),
        text().prop_map(|s| node(Yaml::Str(s))),
        prop::sample::select(vec![
            "2024-01-01", "2001-12-14 21:59:43.100000-05:00", "2001-12-14 21:59:43", "2030-06-30 00:00:00+00:00",
        ])
        .prop_map(|t| node(Yaml::Timestamp(t.to_owned()))),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(|b| node(Yaml::Binary(b))),
    ]
}

/// Values as `yaml.safe_load` can build them: string keys (unique), any scalars.
pub(crate) fn value() -> impl Strategy<Value = Node> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| node(Yaml::Seq(v))),
            prop::collection::vec((text(), inner), 0..6).prop_map(|entries| {
                let mut seen = std::collections::HashSet::new();
                let entries = entries
                    .into_iter()
                    .filter(|(k, _)| seen.insert(k.clone()))
                    .map(|(k, v)| (node(Yaml::Str(k)), v))
                    .collect();
                node(Yaml::Map(entries))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_text(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn never_panics_on_bytes(b in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn never_panics_on_yaml_like_text(s in "[-:?&*!|>'\"%@`#,\\[\\]{} \n\ta-c0-9.<=~\\\\]{0,80}") {
        if let Ok(node) = parse(&s) {
            // Whatever loads also dumps and loads back.
            let text = dump(&node);
            let back = parse(&text);
            prop_assert!(back.is_ok(), "{s:?} dumps to {text:?} which fails: {:?}", back.err());
        }
    }

    #[test]
    fn dump_then_parse_gives_the_value_back(v in value()) {
        for options in [DumpOptions { allow_unicode: true }, DumpOptions { allow_unicode: false }] {
            let text = dump_with(&v, options);
            match parse(&text) {
                Ok(back) => prop_assert!(back.value_eq(&v), "{} dumps to {text:?}, reads back as {}", v.py_repr(), back.py_repr()),
                Err(e) => prop_assert!(false, "{} dumps to {text:?}, which fails: {e}", v.py_repr()),
            }
        }
    }
}
