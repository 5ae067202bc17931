//! Re-checks `fixtures/agents/cases.json` against the reference: `oracle.py` runs
//! specify-cli 1.2.3's command and prompt steps with fake agents for every row and must
//! reproduce the table exactly. Needs `BATON_REFERENCE_PYTHON` (a Python that can
//! `import specify_cli`); skipped without it, except under `CI=true`, where it fails.

use std::process::Command;

use super::fixtures_dir;

#[allow(clippy::print_stderr, reason = "a skipped oracle test says why")]
fn reference_python() -> Option<String> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let python = std::env::var("BATON_REFERENCE_PYTHON").ok().filter(|p| !p.is_empty());
    let usable = python.as_ref().is_some_and(|p| {
        Command::new(p).args(["-c", "import specify_cli"]).status().is_ok_and(|s| s.success())
    });
    if usable {
        return python;
    }
    let why = match &python {
        None => "BATON_REFERENCE_PYTHON is not set".to_owned(),
        Some(p) => format!("BATON_REFERENCE_PYTHON={p} cannot import specify_cli"),
    };
    assert!(!ci, "the reference oracle is required under CI=true: {why}");
    eprintln!("skipping the reference re-check: {why}");
    None
}

#[test]
fn table_matches_the_reference() {
    let Some(python) = reference_python() else {
        return;
    };
    let dir = fixtures_dir();
    let out = Command::new(&python)
        .arg(dir.join("oracle.py"))
        .arg(dir.join("cases.json"))
        .output()
        .expect("run oracle.py");
    assert!(out.status.success(), "oracle.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let fresh = String::from_utf8(out.stdout).expect("oracle output is UTF-8");
    let committed = std::fs::read_to_string(dir.join("cases.json")).expect("cases.json");
    let diffs: Vec<String> = committed
        .lines()
        .zip(fresh.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| format!("line {}:\n  table:     {a}\n  reference: {b}", i + 1))
        .collect();
    assert!(
        diffs.is_empty() && committed.lines().count() == fresh.lines().count(),
        "the reference disagrees with fixtures/agents/cases.json (regenerate with \
         `python oracle.py cases.json > new.json` and review):\n{}",
        diffs.join("\n")
    );
}
