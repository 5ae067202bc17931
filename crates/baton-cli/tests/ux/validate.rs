//! `baton validate`: text and `--json` snapshots (location, source line, caret, hint),
//! and colours only on a terminal without `NO_COLOR`.

use crate::{baton, stdout};

const CASES: [&str; 7] = [
    "fixtures/workflows/invalid/all-errors-reported.yml",
    "fixtures/workflows/invalid/semantic/step-type-unknown.yml",
    "fixtures/workflows/invalid/semantic/condition-not-evaluated.yml",
    "fixtures/workflows/invalid/semantic/gate-verdict-input.yml",
    "fixtures/workflows/invalid/steps-not-list.yml",
    "fixtures/workflows/invalid/step-not-mapping.yml",
    "fixtures/workflows/valid/hello.yml",
];

fn name(rel: &str) -> String {
    rel.trim_start_matches("fixtures/workflows/")
        .trim_end_matches(".yml")
        .replace('/', "_")
}

#[test]
fn text_reports() {
    for rel in CASES {
        let out = baton(&["validate", rel]);
        let valid = rel.contains("/valid/");
        assert_eq!(out.status.code(), Some(if valid { 0 } else { 1 }), "{rel}");
        let text = stdout(&out);
        assert!(!text.contains('\x1b'), "no colour off a terminal");
        if !valid {
            // every diagnostic points into the file
            let diags = text.matches("error: ").count() + text.matches("warning: ").count();
            assert_eq!(
                text.matches(&format!("--> {rel}:")).count(),
                diags,
                "{text}"
            );
            assert_eq!(
                text.lines()
                    .filter(|l| l.trim_start().starts_with("| ")
                        && l.trim()
                            .trim_start_matches('|')
                            .trim()
                            .chars()
                            .all(|c| c == '^'))
                    .count(),
                diags,
                "{text}"
            );
        }
        insta::assert_snapshot!(format!("validate_text_{}", name(rel)), text);
    }
}

#[test]
fn json_reports() {
    for rel in CASES {
        let out = baton(&["validate", "--json", rel]);
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for diag in value["errors"]
            .as_array()
            .unwrap()
            .iter()
            .chain(value["warnings"].as_array().unwrap())
        {
            let location = diag["location"].as_str().unwrap();
            assert_eq!(
                location,
                format!("{rel}:{}:{}", diag["line"], diag["column"])
            );
            assert!(diag["source"].is_string(), "{diag}");
            assert!(diag.get("hint").is_some());
        }
        insta::assert_json_snapshot!(format!("validate_json_{}", name(rel)), value);
    }
}

#[test]
fn hints_are_reported() {
    let text = stdout(&baton(&[
        "validate",
        "fixtures/workflows/invalid/semantic/step-type-unknown.yml",
    ]));
    assert!(text.contains("  hint: did you mean `shell`?\n"), "{text}");
    assert!(
        text.contains("    type: shel\n  |           ^^^^\n") || text.contains("|           ^^^^"),
        "{text}"
    );
}

/// Runs `baton validate` under a pseudo-terminal (`script`), optionally with NO_COLOR.
fn on_terminal(no_color: bool) -> Option<String> {
    let script = std::path::Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("skipped: /usr/bin/script (util-linux) is not installed");
        return None;
    }
    let cmd = format!(
        "{} validate fixtures/workflows/invalid/semantic/step-type-unknown.yml",
        crate::BATON
    );
    let mut command = std::process::Command::new(script);
    command
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(crate::repo_root())
        .env("TERM", "xterm");
    if no_color {
        command.env("NO_COLOR", "1");
    } else {
        command.env_remove("NO_COLOR");
    }
    let out = command.stdin(std::process::Stdio::null()).output().unwrap();
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let Some(coloured) = on_terminal(false) else {
        return;
    };
    let Some(plain) = on_terminal(true) else {
        return;
    };
    assert!(coloured.contains("\x1b[1;31merror\x1b[0m"), "{coloured:?}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(
        plain.contains("error: Step 'build' has invalid type 'shel'."),
        "{plain:?}"
    );
}
