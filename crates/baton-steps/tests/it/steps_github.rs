//! `github` (steps.md §17; cases `step-github-*`) against a fake `gh`.

use baton_expr::Value;
use baton_steps::StepStatus;

use super::{assert_outcome, out, World};

/// The conformance cases' fake GitHub CLI, plus a label that is already there in a
/// different case, a POST that does not apply, and invalid JSON.
const GH: &str = r#"#!/bin/sh
echo "$*" >> gh-calls.log
case "$*" in
  *GET*repos/octo/demo/issues/7*)
    echo '{"number": 7, "labels": [{"name": "bug"}, {"name": "Straße"}]}' ;;
  *GET*repos/octo/demo/issues/9*)
    echo '{"number": 9, "pull_request": {}, "labels": []}' ;;
  *GET*repos/octo/demo/pulls/8*)
    echo '{"number": 8, "labels": []}' ;;
  *GET*repos/octo/demo/issues/10*)
    echo '  {"number": 10, "labels": "nope"}' ;;
  *GET*repos/octo/demo/issues/11*)
    echo 'not json' ;;
  *POST*repos/octo/demo/issues/7/labels*|*POST*repos/octo/demo/issues/8/labels*)
    cat > gh-post-body.json
    echo '[{"name": "bug"}, {"name": "triaged"}]' ;;
  *) echo "unexpected gh call" >&2; exit 4 ;;
esac
"#;

fn world() -> World {
    let world = World::new();
    world.script("gh", GH);
    world
}

fn step(target: &str, number: &str, label: &str) -> String {
    format!("id: label\ntype: github\noperation: add-label\ntarget: {target}\nrepository: octo/demo\nnumber: {number}\nlabel: {label}")
}

#[test]
fn a_new_label_is_posted() {
    let world = world();
    let r = world.run("github", &step("issue", "7", "triaged")).expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert_eq!(out(&r, "added"), &Value::Bool(true));
    assert_eq!(out(&r, "number"), &Value::from(7));
    assert_eq!(r.output.keys().collect::<Vec<_>>(), ["repository", "target", "number", "label", "added"]);
    assert_eq!(world.read("gh-post-body.json"), r#"{"labels": ["triaged"]}"#);
    assert_eq!(
        world.read("gh-calls.log"),
        "api --method GET https://api.github.com/repos/octo/demo/issues/7\n\
         api --method POST https://api.github.com/repos/octo/demo/issues/7/labels --header Content-Type: application/json --input -\n"
    );
}

#[test]
fn a_label_already_there_is_not_posted_again() {
    let world = world();
    for label in ["BUG", "STRASSE"] {
        let r = world.run("github", &step("issue", "'7'", label)).expect("runs");
        assert_outcome(&r, StepStatus::Completed, None);
        assert_eq!(out(&r, "added"), &Value::Bool(false));
        assert_eq!(out(&r, "number"), &Value::from(7), "a digit string becomes an int");
    }
    assert!(!world.read("gh-calls.log").contains("POST"));
}

#[test]
fn a_pull_request_is_read_from_pulls_and_labelled_as_an_issue() {
    let world = world();
    let r = world.run("github", &step("pull_request", "8", "triaged")).expect("runs");
    assert_outcome(&r, StepStatus::Completed, None);
    assert!(world.read("gh-calls.log").contains("/pulls/8\napi --method POST https://api.github.com/repos/octo/demo/issues/8/labels"));
}

#[test]
fn answers_that_do_not_fit_fail_the_step() {
    let world = world();
    let cases = [
        (step("issue", "9", "x"), "GitHub step: GitHub issue #9 does not match the requested target"),
        (step("pull_request", "9", "x"), "GitHub step: gh request failed (exit code 4)"),
        (step("issue", "10", "x"), "GitHub step: GitHub returned an invalid label list"),
        (step("issue", "11", "x"), "GitHub step: GitHub returned invalid JSON for https://api.github.com/repos/octo/demo/issues/11"),
    ];
    for (yaml, message) in cases {
        let r = world.run("github", &yaml).expect("runs");
        assert_outcome(&r, StepStatus::Failed, Some(message));
        assert!(r.output.is_empty());
    }
    assert!(world.read("gh-post-body.json").is_empty());
}

#[test]
fn without_gh_the_step_says_so() {
    let mut world = World::new();
    world.set_env("PATH", &world.bin.display().to_string());
    let r = world.run("github", &step("issue", "7", "x")).expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("GitHub step: gh request failed: [Errno 2] No such file or directory: 'gh'"));
}

#[test]
fn fields_are_checked_again_after_rendering() {
    let world = world();
    let r = world
        .run("github", "id: g\noperation: add-label\ntarget: issue\nrepository: \"{{ 'o/..' }}\"\nnumber: 7\nlabel: x")
        .expect("runs");
    assert_outcome(&r, StepStatus::Failed, Some("GitHub step: 'repository' must be a GitHub owner/repo name"));
    let r = world
        .run("github", "id: g\noperation: remove-label\ntarget: commit\nnumber: 0\nlabel: ''\nextra: 1")
        .expect("runs");
    assert_outcome(
        &r,
        StepStatus::Failed,
        Some("GitHub step: GitHub step 'operation' must be add-label.; GitHub step 'target' must be issue or pull_request.; GitHub step has unsupported field 'extra'.; 'number' must be a positive integer; GitHub step requires 'repository'.; 'label' must be a non-empty label name of at most 50 characters without control characters"),
    );
    assert!(world.read("gh-calls.log").is_empty());
}
