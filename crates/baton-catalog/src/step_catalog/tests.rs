#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn map(text: &str) -> Map {
    match json::loads(text).unwrap() {
        Value::Map(m) => m,
        _ => panic!("not an object"),
    }
}

#[test]
fn duplicate_keys_in_closing_order() {
    assert_eq!(first_duplicate_key(r#"{"a": 1, "b": 2}"#), None);
    assert_eq!(first_duplicate_key(r#"{"a": 1, "a": 2}"#).as_deref(), Some("a"));
    assert_eq!(first_duplicate_key(r#"{"a": 1, "a": {"b": 1, "b": 2}}"#).as_deref(), Some("b"));
    assert_eq!(first_duplicate_key(r#"{"a": 1, "\u0061": 2}"#).as_deref(), Some("a"));
    assert_eq!(first_duplicate_key(r#"[{"x": "a\"", "y": "a\""}, {"k": 1, "k": 1}]"#).as_deref(), Some("k"));
    assert_eq!(first_duplicate_key(r#"{"s": "{\"a\": 1, \"a\": 2}"}"#), None);
    assert_eq!(first_duplicate_key(r#"{"z": 1, "q": 2, "z": 3, "q": 4}"#).as_deref(), Some("z"));
}

#[test]
fn checksum_rule() {
    let h = "a".repeat(64);
    let ok = map(&format!(r#"{{"sha256": {{"step.yml": "{h}", "__init__.py": "{h}", "helpers/u.py": "{h}"}}, "extra_files": {{"helpers/u.py": "https://x/u.py"}}}}"#));
    assert!(validate_checksums(&ok, "s", false).is_ok());
    let none = map("{}");
    assert!(validate_checksums(&none, "s", false).is_ok());
    assert_eq!(
        validate_checksums(&none, "s", true).unwrap_err().0,
        "Step 's' needs SHA-256 digests for exactly ['__init__.py', 'step.yml']."
    );
    let partial = map(&format!(r#"{{"sha256": {{"step.yml": "{h}"}}, "extra_files": {{"helpers/u.py": "https://x/u.py"}}}}"#));
    assert_eq!(
        validate_checksums(&partial, "s", false).unwrap_err().0,
        "Step 's' needs SHA-256 digests for exactly ['__init__.py', 'helpers/u.py', 'step.yml']."
    );
    let prefixed = map(&format!(r#"{{"sha256": {{"step.yml": "sha256:{h}", "__init__.py": "{h}"}}}}"#));
    assert!(validate_checksums(&prefixed, "s", false).is_err());
    for bad in ["../evil.py", "a/../../evil.py", "/abs.py", "STEP.YML", "a\\b.py", ""] {
        let m = map(&format!(r#"{{"sha256": {{}}, "extra_files": {{{}: "https://x"}}}}"#, json::dumps(&Value::Str(bad.into()), &Default::default()).unwrap()));
        assert_eq!(validate_checksums(&m, "s", false).unwrap_err().0, "Step 's' has invalid extra_files.", "{bad}");
    }
}

#[test]
fn releases_and_versions() {
    let h = "b".repeat(64);
    let rel = |v: &str| format!(r#""{v}": {{"url": "https://x/{v}/step.yml", "sha256": {{"step.yml": "{h}", "__init__.py": "{h}"}}}}"#);
    let entry = map(&format!(
        r#"{{"name": "R", "version": "2.0.0", "url": "https://x/step.yml", "author": "me", "releases": {{{}, {}}}}}"#,
        rel("1.0.0"),
        rel("1.5.0")
    ));
    assert_eq!(available_versions(&entry, "r").unwrap(), ["2.0.0", "1.5.0", "1.0.0"]);
    let picked = select_release(&entry, "r", Some("1.5")).unwrap().unwrap();
    assert_eq!(picked.get("version"), Some(&Value::Str("1.5.0".into())));
    assert_eq!(picked.get("author"), Some(&Value::Str("me".into())));
    assert_eq!(picked.get("url"), Some(&Value::Str("https://x/1.5.0/step.yml".into())));
    assert!(select_release(&entry, "r", Some("9.9.9")).unwrap().is_none());
    assert!(select_release(&entry, "r", Some("not a version")).unwrap().is_none());
    assert_eq!(select_release(&entry, "r", Some("2.0")).unwrap().unwrap().get("version"), Some(&Value::Str("2.0.0".into())));

    let cases = [
        (r#"{"version": "1.0.0", "releases": []}"#, "Step 'r' has an invalid releases mapping."),
        (r#"{"id": "x", "version": "1.0.0", "releases": {}}"#, "Step 'r' has a mismatched catalog ID."),
        (r#"{"releases": {}}"#, "Step 'r' has releases but no current version."),
        (r#"{"version": "bogus!", "releases": {}}"#, "Step 'r' has invalid current version 'bogus!'."),
        (r#"{"version": "1.0.0", "releases": {"1.0": {}}}"#, "Step 'r' repeats release version '1.0'."),
        (r#"{"version": "1.0.0", "releases": {"0.1": 5}}"#, "Step 'r' release '0.1' must be an object."),
        (r#"{"version": "1.0.0", "releases": {"0.1": {"id": "r"}}}"#, "Step 'r' release '0.1' contains reserved fields."),
        (r#"{"version": "1.0.0", "releases": {"0.1": {"url": "https://x/a", "step_yml_url": "https://x/b"}}}"#, "Step 'r' release '0.1' needs a step.yml URL."),
        (r#"{"version": "1.0.0", "releases": {"0.1": {"url": "https://x/stepfile"}}}"#, "Step 'r' release '0.1' needs an __init__.py URL."),
        (r#"{"version": "1.0.0", "releases": {"0.1": {"url": "https://x/step.yml", "requires": []}}}"#, "Step 'r' release '0.1' has invalid requires."),
        (r#"{"version": "1.0.0", "releases": {"0.1": {"url": "https://x/step.yml"}}}"#, "Step 'r' needs SHA-256 digests for exactly ['__init__.py', 'step.yml']."),
    ];
    for (text, want) in cases {
        assert_eq!(validated_releases(&map(text), "r").unwrap_err().0, want, "{text}");
    }
}

#[test]
fn search_filters_and_validates() {
    let mut merged = Merged::default();
    merged.steps.insert("my-step".into(), map(r#"{"name": "My Step", "description": "Does a thing", "version": "1.2.0"}"#));
    merged.steps.insert("lint-step".into(), map(r#"{"name": "Lint Step", "description": "Lints things"}"#));
    let all = search(&merged, None).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].get("id"), Some(&Value::Str("my-step".into())));
    assert_eq!(search(&merged, Some("LINT")).unwrap().len(), 1);
    assert_eq!(search(&merged, Some("thing")).unwrap().len(), 2);
    merged.steps.insert("bad".into(), map(r#"{"releases": 5}"#));
    assert_eq!(search(&merged, Some("zzz")).unwrap_err().0, "Step 'bad' has an invalid releases mapping.");
}
