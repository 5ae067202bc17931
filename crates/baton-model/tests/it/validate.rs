//! Validation over the fixtures, the conformance cases, and targeted documents.

use std::fmt::Write as _;
use std::path::PathBuf;

use baton_model::yaml::Node;
use baton_model::{check, check_with, codes, error_messages, CustomStepTypes, Diagnostic, Severity};

use crate::common::{fixtures, read, repo_root, short};

/// Every diagnostic of a document given as text.
fn diags(text: &str) -> Vec<Diagnostic> {
    check(text).unwrap_or_else(|e| panic!("load failed: {e}")).1
}

/// The diagnostics as `line:col severity code: message` lines with `hint:` lines.
fn render(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let at = d.span.map_or("-".to_owned(), |s| format!("{}:{}", s.line, s.col));
        writeln!(out, "{at} {} {}: {}", d.severity, d.code, d.message).unwrap();
        if let Some(hint) = &d.hint {
            writeln!(out, "    hint: {hint}").unwrap();
        }
    }
    out
}

#[test]
fn valid_fixtures_have_no_diagnostics() {
    for path in fixtures("valid") {
        let d = diags(&read(&path));
        assert!(d.is_empty(), "{}:\n{}", short(&path), render(&d));
    }
}

#[test]
fn invalid_fixtures_fail_with_stable_diagnostics() {
    let mut all = fixtures("invalid");
    all.extend(fixtures("invalid/semantic"));
    for path in all {
        let d = diags(&read(&path));
        assert!(
            d.iter().any(Diagnostic::is_error),
            "{} should fail validation:\n{}",
            short(&path),
            render(&d)
        );
        let name = short(&path).trim_end_matches(".yml").replace('/', "__");
        insta::assert_snapshot!(name, render(&d));
    }
}

#[test]
fn every_code_is_unique_and_dotted() {
    let mut seen = std::collections::HashSet::new();
    for code in codes::ALL {
        assert!(seen.insert(code), "duplicate code {code}");
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '-'),
            "code {code} is not lower-case kebab/dotted"
        );
    }
}

#[test]
fn unknown_step_fields_are_warnings_with_a_suggestion() {
    let d = diags(
        "workflow: {id: w, name: W}\nsteps:\n  - id: s\n    type: shell\n    run: echo\n    tiemout: 5\n    retry: {max_attempts: 2}\n",
    );
    assert_eq!(d.len(), 1, "{}", render(&d));
    assert_eq!(d[0].severity, Severity::Warning);
    assert_eq!(d[0].code, codes::UNKNOWN_FIELD);
    assert_eq!(d[0].message, "unknown field `tiemout` in step 's'");
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `timeout`?"));
    let span = d[0].span.unwrap();
    assert_eq!((span.line, span.col), (6, 5));
}

#[test]
fn record_fields_and_extension_fields_are_known() {
    let d = diags(
        "workflow: {id: w, name: W}\nsteps:\n  - id: s\n    type: shell\n    run: echo\n    model: m\n    integration: x\n    options: {}\n    input: {}\n    retry: {max_attempts: 2}\n  - id: g\n    type: gate\n    message: ok\n    retry: 1\n",
    );
    assert_eq!(render(&d), "14:5 warning unknown-field: unknown field `retry` in step 'g'\n", "retry is known only on shell/command/prompt");
}

#[test]
fn unknown_keys_elsewhere_are_warnings() {
    let d = diags(
        "schema_version: \"1.0\"\nworkflow: {id: w, name: W, verison: \"1.0.0\"}\ninputs:\n  x: {type: string, defualt: a}\nstpes: []\nsteps:\n  - id: s\n    type: shell\n    run: echo\n",
    );
    let text = render(&d);
    assert!(d.iter().all(|d| d.severity == Severity::Warning), "{text}");
    assert!(text.contains("unknown top-level key `stpes`\n    hint: did you mean `steps`?"), "{text}");
    assert!(text.contains("unknown field `verison` in `workflow`\n    hint: did you mean `version`?"), "{text}");
    assert!(text.contains("unknown field `defualt` in input 'x'\n    hint: did you mean `default`?"), "{text}");
}

#[test]
fn github_unknown_keys_stay_errors() {
    let d = diags(
        "workflow: {id: w, name: W}\nsteps:\n  - id: g\n    type: github\n    operation: add-label\n    target: issue\n    repository: o/r\n    number: 1\n    label: x\n    lable: y\n",
    );
    assert_eq!(error_messages(&d), ["GitHub step has unsupported field 'lable'."]);
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `label`?"));
    assert_eq!(d.len(), 1);
}

#[test]
fn typo_in_step_type_gets_a_suggestion() {
    let d = diags("workflow: {id: w, name: W}\nsteps:\n  - id: s\n    type: shel\n    run: echo\n");
    assert_eq!(error_messages(&d), ["Step 's' has invalid type 'shel'."]);
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `shell`?"));
    let span = d[0].span.unwrap();
    assert_eq!((span.line, span.col), (4, 11));
}

struct Custom;

impl CustomStepTypes for Custom {
    fn is_known(&self, type_key: &str) -> bool {
        type_key == "echo-twice" || type_key == "shell"
    }

    fn validate(&self, type_key: &str, step: &Node) -> Vec<String> {
        assert_ne!(type_key, "shell", "built-in types are never delegated");
        if step.get("value").is_none() {
            vec!["echo-twice needs value".to_owned()]
        } else {
            Vec::new()
        }
    }
}

#[test]
fn custom_step_types_are_known_and_validated() {
    let text = "workflow: {id: w, name: W}\nsteps:\n  - id: a\n    type: echo-twice\n    anything: 1\n  - id: b\n    type: echo-twice\n    value: x\n  - id: c\n    type: shell\n    run: echo\n";
    let (_, d) = check_with(text, &Custom).unwrap();
    assert_eq!(error_messages(&d), ["echo-twice needs value"], "{}", render(&d));
    assert_eq!(d.len(), 1, "custom steps get no unknown-field warnings");
    let (_, d) = check(text).unwrap();
    assert_eq!(
        error_messages(&d),
        ["Step 'a' has invalid type 'echo-twice'.", "Step 'b' has invalid type 'echo-twice'."]
    );
}

#[test]
fn load_errors_match_the_reference() {
    let err = check("- a\n").unwrap_err();
    assert_eq!(err.message(Some("wf.yml")), "Workflow YAML must be a mapping, got list.");
    assert_eq!(check("").unwrap_err().message(None), "Workflow YAML must be a mapping, got NoneType.");
    assert_eq!(check("hello").unwrap_err().message(None), "Workflow YAML must be a mapping, got str.");
    // The wording of PyYAML's error itself is the YAML loader's (tested there).
    let err = check("a: [1\nb: 2\n").unwrap_err();
    let message = err.message(Some("bad.yml"));
    assert!(message.starts_with("Invalid YAML in bad.yml: "), "{message}");
    assert!(message.contains("in \"bad.yml\", line "), "{message}");
    assert!(err.message(None).starts_with("Invalid YAML: "));
}

#[test]
fn a_non_mapping_document_is_one_error() {
    let node = baton_model::yaml::parse("[1, 2]").unwrap();
    let d = baton_model::validate(&node, &baton_model::NoCustomSteps);
    assert_eq!(error_messages(&d), ["Workflow YAML must be a mapping, got list."]);
}

#[test]
fn condition_hints_carry_the_correction() {
    let d = diags(
        "workflow: {id: w, name: W}\nsteps:\n  - id: i\n    type: if\n    condition: inputs.count > 100\n    then: []\n",
    );
    assert_eq!(d.len(), 1, "{}", render(&d));
    assert_eq!(
        d[0].message,
        "If step 'i': 'condition' 'inputs.count > 100' is not a single complete '{{ }}' block, so it is never evaluated as an expression and is always true. Wrap the expression: \"{{ inputs.count > 100 }}\"."
    );
    assert_eq!(d[0].code, codes::CONDITION_NEVER_EVALUATED);
    assert_eq!(d[0].hint.as_deref(), Some("write `condition: \"{{ inputs.count > 100 }}\"`"));
    let span = d[0].span.unwrap();
    assert_eq!((span.line, span.col), (5, 16));
}

/// The directory of the shared conformance cases, when present.
fn conformance_cases() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/conformance/cases");
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the conformance cases are missing at {}",
            dir.display()
        );
        eprintln!("skipping: no conformance cases at {}", dir.display());
        None
    }
}

#[test]
fn conformance_validation_cases_hold() {
    let Some(dir) = conformance_cases() else { return };
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let case_dir = entry.unwrap().path();
        let name = case_dir.file_name().unwrap().to_string_lossy().to_string();
        let relevant = name.starts_with("engine-validate-")
            || name.starts_with("engine-load-")
            || (name.starts_with("step-") && name.contains("-validate"));
        if !relevant {
            continue;
        }
        let case: serde_json::Value = serde_json::from_str(&read(&case_dir.join("case.json"))).unwrap();
        for step in case["steps"].as_array().unwrap() {
            let args: Vec<&str> = step["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            if args.first() != Some(&"run") {
                continue;
            }
            let file = case_dir.join(args[1]);
            let text = read(&file);
            let expect = &step["expect"];
            let (ok, shown) = match check(&text) {
                Err(e) => (false, e.message(Some(args[1]))),
                Ok((_, d)) => {
                    (!baton_model::has_errors(&d), error_messages(&d).join("\n"))
                }
            };
            let should_pass = expect["exit_code"] == 0;
            if should_pass {
                assert!(ok, "{name}/{}: should validate, got:\n{shown}", args[1]);
            } else if let Some(needles) = expect["stderr_contains"].as_array() {
                assert!(!ok, "{name}/{}: should fail validation", args[1]);
                for needle in needles {
                    let needle = needle.as_str().unwrap();
                    if needle == "Workflow validation failed" {
                        continue;
                    }
                    assert!(
                        shown.to_lowercase().contains(&needle.to_lowercase()),
                        "{name}/{}: {needle:?} not in:\n{shown}",
                        args[1]
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} conformance runs checked");
}
