//! The conversions and accessors, and how errors render (as the reference prints them).

use baton_expr::Value;
use baton_model::yaml::{parse, YamlErrorKind};

#[test]
fn to_value_writes_keys_as_json_dumps_does() {
    let node = parse("{1: a, false: b, null: c, 1.5: d, .inf: e, x: f, 2024-01-01: g, 10: {n: [1, 2.5, ~]}}").unwrap();
    let Value::Map(map) = node.to_value() else { panic!("not a map") };
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    assert_eq!(keys, ["1", "false", "null", "1.5", "Infinity", "x", "2024-01-01", "10"]);
    assert_eq!(
        map["10"],
        Value::Map([("n".to_owned(), Value::List(vec![1.into(), 2.5.into(), Value::Null]))].into_iter().collect())
    );
    // Keys equal once written: the first position, the last value (json.loads of json.dumps).
    let Value::Map(map) = parse("{1: a, '1': b}").unwrap().to_value() else { panic!() };
    assert_eq!(map.len(), 1);
    assert_eq!(map["1"], Value::from("b"));
    // Values JSON cannot hold are Python's str() of them.
    let node = parse("d: 2024-01-01\nt: 2024-01-01t10:00:00Z\nb: !!binary aGVsbG8=").unwrap();
    let Value::Map(map) = node.to_value() else { panic!() };
    assert_eq!(map["d"], Value::from("2024-01-01"));
    assert_eq!(map["t"], Value::from("2024-01-01 10:00:00+00:00"));
    assert_eq!(map["b"], Value::from("b'hello'"));
}

#[test]
fn python_views() {
    let node = parse("a: [x, 1, 1.0, yes, ~, 2024-01-01, 2024-01-01 10:00:00, !!binary aGk=]\nb: {k: v}").unwrap();
    let items = node.get("a").and_then(|a| a.as_seq()).unwrap();
    let names: Vec<&str> = items.iter().map(|n| n.type_name()).collect();
    assert_eq!(names, ["str", "int", "float", "bool", "NoneType", "date", "datetime", "bytes"]);
    assert_eq!(
        node.get("a").unwrap().py_repr(),
        "['x', 1, 1.0, True, None, datetime.date(2024, 1, 1), datetime.datetime(2024, 1, 1, 10, 0), b'hi']"
    );
    assert_eq!(node.get("b").unwrap().type_name(), "dict");
    assert_eq!(node.get("b").and_then(|b| b.get("k")).and_then(|v| v.as_str()), Some("v"));
    assert_eq!(node.as_map().map(<[_]>::len), Some(2));
    assert!(node.get("missing").is_none());
    assert!(items[0].get("x").is_none());
}

#[test]
fn serde_types_deserialize_from_nodes() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Step {
        id: String,
        timeout: Option<u64>,
        enabled: bool,
        tags: Vec<String>,
    }
    let node = parse("id: s1\ntimeout: 0x10\nenabled: on\ntags: [a, 'b']\n").unwrap();
    let step: Step = serde_yaml::from_value(node.to_serde_yaml()).unwrap();
    assert_eq!(step, Step { id: "s1".into(), timeout: Some(16), enabled: true, tags: vec!["a".into(), "b".into()] });
}

#[test]
fn errors_render_as_pyyaml_prints_them() {
    // The texts after `Invalid YAML in <path>: ` that specify-cli 1.2.3 printed.
    let cases = [
        ("id: x\nname: a: b\n", "mapping values are not allowed here\n  in \"bad.yml\", line 2, column 8"),
        (
            "a: 1\n---\nb: 2\n",
            "expected a single document in the stream\n  in \"bad.yml\", line 1, column 1\nbut found another document\n  in \"bad.yml\", line 2, column 1",
        ),
        (
            "a: !!python/object:os.system x\n",
            "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object:os.system'\n  in \"bad.yml\", line 1, column 4",
        ),
    ];
    for (text, want) in cases {
        let e = parse(text).unwrap_err();
        assert!(e.is_yaml_error(), "{text:?}");
        assert_eq!(e.render("bad.yml"), want, "{text:?}");
    }
    // Python's own exceptions: the reference prints only their text.
    let e = parse("a: 2024-02-30\n").unwrap_err();
    assert_eq!((e.kind, e.render("x.yml")), (YamlErrorKind::Python, "day is out of range for month".to_owned()));
    assert!(!e.is_yaml_error());
    // Display uses PyYAML's name for a string source.
    let e = parse("a: [1").unwrap_err();
    assert!(e.to_string().contains("in \"<unicode string>\", line"), "{e}");
}
