//! Hostile and degenerate input: empty, garbage, deep nesting, alias bombs, big files.

use baton_model::yaml::{parse, Yaml, YamlErrorKind, MAX_DEPTH};

#[test]
fn empty_documents_are_null() {
    for text in ["", "\n", "# only a comment\n", "---\n", "--- \n...\n", "\u{feff}"] {
        let node = parse(text).unwrap();
        assert_eq!(node.value, Yaml::Null, "{text:?}");
    }
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for text in ["\0", "a: \0", "\u{1}\u{2}", "[[[", "]]]", "{", "\"", "'", "&", "*", "%", "@", "`", "a: *nope", ": : :", "- - - -\n  -  : ] }"] {
        let result = parse(text);
        assert!(result.is_err(), "{text:?} loaded as {:?}", result.map(|n| n.py_repr()));
    }
    let e = parse("a: 1\nb: \0").unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::Reader { position: 8 });
    assert_eq!(
        e.render("w.yml"),
        "unacceptable character #x0000: special characters are not allowed\n  in \"w.yml\", position 8"
    );
}

fn assert_limit(text: &str, what: &str) {
    let e = parse(text).unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::Limit, "{}", e.message);
    assert!(e.message.contains(what), "{}", e.message);
}

#[test]
fn deep_nesting_is_refused_with_a_clear_error() {
    let flow = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_limit(&flow, "too deep");
    // Block mappings need ever deeper indentation (2 000 levels: 2 MB of spaces).
    let block: String = (0..2_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert_limit(&block, "too deep");
    let seqs = format!("{}x\n", "- ".repeat(10_000));
    assert_limit(&seqs, "too deep");
    // Just under the limit is fine, converted and dumped too (on a thread with the
    // default stack of a spawned thread, 2 MiB).
    let ok: String = (0..MAX_DEPTH - 1).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let result = std::thread::spawn(move || {
        let node = parse(&ok)?;
        let text = baton_model::yaml::dump(&node);
        let _ = (node.to_value(), node.py_repr(), node.to_serde_yaml());
        parse(&text).map(|back| back.value_eq(&node))
    })
    .join()
    .unwrap();
    assert_eq!(result, Ok(true));
    // yaml-rust2 stops flow collections at about 250 levels (PyYAML goes a bit further
    // before its own recursion limit): still a clear error.
    let flow = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(parse(&flow).is_ok());
    assert_limit(&format!("{}{}", "[".repeat(300), "]".repeat(300)), "too deep");
}

#[test]
fn aliases_cannot_nest_deeper_than_the_limit() {
    // Each level wraps the previous anchor: shallow text, deep value.
    let mut text = String::from("l0: &l0 [1]\n");
    for i in 1..1000 {
        text.push_str(&format!("l{i}: &l{i} [*l{}]\n", i - 1));
    }
    assert_limit(&text, "too deep");
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    assert_limit(&text, "too many nodes");
    // Merge keys copy too.
    let mut text = String::from("m0: &m0 {k: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n");
    for i in 1..200_000 {
        text.push_str(&format!("x{i}: {{<<: *m0}}\n"));
    }
    assert_limit(&text, "too many nodes");
}

#[test]
fn ordinary_aliases_are_shared_values() {
    let node = parse("base: &b {x: 1, y: [1, 2]}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\n").unwrap();
    assert_eq!(
        node.py_repr(),
        "{'base': {'x': 1, 'y': [1, 2]}, 'use': {'x': 1, 'y': [1, 2]}, 'merged': {'x': 1, 'y': 3}}"
    );
}

#[test]
fn recursive_aliases_are_refused() {
    let e = parse("a: &x [*x]").unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::Limit);
}

#[test]
fn ten_megabytes_load() {
    let mut text = String::with_capacity(10_500_000);
    text.push_str("steps:\n");
    let mut i = 0;
    while text.len() < 10_000_000 {
        text.push_str(&format!(
            "- id: step-{i}\n  type: shell\n  run: echo \"hello {{{{ inputs.name }}}}\" # comment\n  when: [yes, 1.5, ~, 'q']\n"
        ));
        i += 1;
    }
    // Loads completely (its speed is measured by `cargo xtask bench`, not here).
    let node = parse(&text).unwrap();
    assert_eq!(node.get("steps").and_then(|s| s.as_seq()).map(<[_]>::len), Some(i));
}
