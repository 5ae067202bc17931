//! Bridge tests: real `python3` runs the sample packages of
//! `fixtures/steps-catalog/packages/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use baton_expr::{MapNamespace, Value};
use baton_steps::agents::SystemHost;
use baton_steps::{Cancel, NoInteraction};

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/steps-catalog/packages")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A project with the sample packages installed (by hand, as the case does).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let steps = dir.path().join(".specify/workflows/steps");
    for (src, name) in [
        ("python/echo-twice", "echo-twice"),
        ("python/broken", "broken"),
        ("python/claims-shell", "claims-shell"),
        ("python/validating", "uses-engine"),
        ("python/pauser", "pauser"),
        ("exec/greet-sh", "greet-sh"),
    ] {
        copy_dir(&fixtures().join(src), &steps.join(name));
    }
    // Skipped by the file checks: no __init__.py, a symlinked package.
    fs::create_dir_all(steps.join("no-init")).unwrap();
    fs::write(steps.join("no-init/step.yml"), "step: {type_key: no-init}\n").unwrap();
    std::os::unix::fs::symlink(steps.join("echo-twice"), steps.join("linked")).unwrap();
    dir
}

fn python() -> PathBuf {
    PathBuf::from("python3")
}

fn run(step: &CustomStep, config: &str, inputs: Value, env: &BTreeMap<String, String>) -> Result<StepResult, StepError> {
    let root = step.project_root.clone();
    let ns = MapNamespace::new().with("inputs", inputs).with("steps", Value::Map(Map::new()));
    let config = match baton_model::yaml::parse(config).unwrap().to_value() {
        Value::Map(m) => m,
        _ => panic!("config must be a mapping"),
    };
    let options = Map::new();
    let cancel = Cancel::new();
    let host = SystemHost::new(Vec::new(), root.clone());
    let ctx = StepContext {
        namespace: &ns,
        step_id: "s1",
        inside_fan_out: false,
        default_integration: None,
        default_model: None,
        default_options: &options,
        project_root: &root,
        run_id: "run-123",
        is_resume: false,
        workflow_dir: None,
        env,
        cancel: &cancel,
        interaction: &NoInteraction,
        host: &host,
    };
    step.execute(&config, &ctx)
}

fn process_env() -> BTreeMap<String, String> {
    std::env::vars().collect()
}

fn node(text: &str) -> Node {
    baton_model::yaml::parse(text).unwrap()
}

#[test]
fn loads_what_the_reference_loads() {
    let p = project();
    let custom = load_custom_steps(p.path(), &python());
    assert_eq!(custom.keys().collect::<Vec<_>>(), ["echo-twice", "greet-sh", "pauser"]);
    assert!(custom.warnings.is_empty(), "{:?}", custom.warnings);
    assert!(!custom.is_known("broken"));
    assert!(!custom.is_known("uses-engine"));
    assert!(matches!(custom.get("echo-twice").unwrap().kind, Kind::Python { validates: true, .. }));
    assert!(matches!(custom.get("pauser").unwrap().kind, Kind::Python { validates: false, .. }));
    // Later calls use the interpreter's real path (no launcher such as a pyenv shim).
    let Kind::Python { pool, .. } = &custom.get("pauser").unwrap().kind else { unreachable!() };
    assert!(pool.python().is_absolute(), "{}", pool.python().display());
    // The probe left nothing behind in the packages.
    assert!(!p.path().join(".specify/workflows/steps/echo-twice/__pycache__").exists());
}

#[test]
fn a_symlinked_steps_folder_loads_nothing() {
    let p = tempfile::tempdir().unwrap();
    let real = project();
    fs::create_dir_all(p.path().join(".specify/workflows")).unwrap();
    std::os::unix::fs::symlink(real.path().join(".specify/workflows/steps"), p.path().join(".specify/workflows/steps")).unwrap();
    assert_eq!(load_custom_steps(p.path(), &python()).keys().count(), 0);
}

#[test]
fn validation_messages_join_the_list() {
    let p = project();
    let custom = load_custom_steps(p.path(), &python());
    assert_eq!(custom.validate("echo-twice", &node("{id: s1, type: echo-twice}")), ["echo-twice needs value"]);
    assert!(custom.validate("echo-twice", &node("{id: s1, type: echo-twice, value: x}")).is_empty());
    assert!(custom.validate("pauser", &node("{id: s1, type: pauser}")).is_empty());
    assert_eq!(custom.validate("greet-sh", &node("{id: s1, type: greet-sh}")), ["greet-sh needs who"]);
    assert!(custom.validate("greet-sh", &node("{id: s1, type: greet-sh, who: x}")).is_empty());
    // Through baton-model's validator, in the reference's words.
    let doc = node("workflow: {id: w, name: W}\nsteps:\n  - {id: s1, type: echo-twice}\n  - {id: s2, type: broken}\n");
    let diags = baton_model::validate(&doc, &custom);
    let errors = baton_model::error_messages(&diags);
    assert_eq!(errors, ["echo-twice needs value", "Step 's2' has invalid type 'broken'."]);
}

#[test]
fn python_steps_run_with_expressions_and_context() {
    let p = project();
    let custom = load_custom_steps(p.path(), &python());
    let step = custom.get("echo-twice").unwrap();
    let mut inputs = Map::new();
    inputs.insert("x".into(), Value::Str("ab".into()));
    let done = run(step, "{id: s1, type: echo-twice, value: '{{ inputs.x }}'}", Value::Map(inputs), &process_env()).unwrap();
    assert_eq!(done.status, StepStatus::Completed);
    assert_eq!(done.output.get("value"), Some(&Value::Str("abab".into())));
    assert_eq!(done.output.get("run_id"), Some(&Value::Str("run-123".into())));
    assert_eq!(done.output.get("is_resume"), Some(&Value::Bool(false)));
    let failed = run(step, "{id: s1, value: 1, fail_if: '{{ 1 < 2 }}'}", Value::Map(Map::new()), &process_env()).unwrap();
    assert_eq!(failed.status, StepStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("asked to fail"));
    let broken = run(step, "{id: s1, value: '{{ inputs | nope }}'}", Value::Map(Map::new()), &process_env());
    assert!(matches!(broken, Err(StepError::Raised(_))), "{broken:?}");
}

#[test]
fn paused_results_next_steps_and_exceptions() {
    let p = project();
    let custom = load_custom_steps(p.path(), &python());
    let step = custom.get("pauser").unwrap();
    let done = run(step, "{id: s1}", Value::Map(Map::new()), &process_env()).unwrap();
    assert_eq!(done.status, StepStatus::Paused);
    assert_eq!(done.output.get("p"), Some(&Value::Int(1.into())));
    assert_eq!(done.next_steps.len(), 1);
    let raised = run(step, "{id: s1, raise: true}", Value::Map(Map::new()), &process_env());
    assert_eq!(raised, Err(StepError::Raised("pauser was told to raise".into())));
}

#[test]
fn the_real_specify_cli_is_never_imported() {
    let p = project();
    let fake = tempfile::tempdir().unwrap();
    fs::create_dir_all(fake.path().join("specify_cli/workflows")).unwrap();
    fs::write(fake.path().join("specify_cli/__init__.py"), "raise RuntimeError('the real specify_cli was imported')\n").unwrap();
    fs::write(fake.path().join("specify_cli/workflows/__init__.py"), "raise RuntimeError('the real specify_cli was imported')\n").unwrap();
    let mut env = process_env();
    env.insert("PYTHONPATH".into(), fake.path().display().to_string());
    // The fake package is importable in this interpreter…
    let status = Command::new("python3").arg("-c").arg("import specify_cli").envs(&env).stderr(std::process::Stdio::null()).status().unwrap();
    assert!(!status.success());
    // …yet the bridge loads and runs the package against baton's shim.
    let pool = bridge::Pool::new(&python(), p.path()).with_env(env);
    let dir = p.path().join(".specify/workflows/steps/echo-twice");
    let request = baton_expr::json::loads(&format!(
        r#"{{"mode": "probe", "packages": [{{"dir": {}, "type_key": "echo-twice"}}]}}"#,
        baton_expr::json::dumps(&Value::Str(dir.display().to_string()), &Default::default()).unwrap()
    ))
    .unwrap();
    let reply = pool.call(&request, &mut |_, _| Err("none".into()), None).unwrap();
    assert_eq!(reply, bridge::Reply::Result(baton_expr::json::loads(r#"[{"ok": true, "validates": true}]"#).unwrap()));
}

#[test]
fn ctrl_c_ends_a_running_python_step() {
    let p = project();
    let dir = p.path().join(".specify/workflows/steps/sleeper");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("step.yml"), "step: {type_key: sleeper}\n").unwrap();
    fs::write(
        dir.join("__init__.py"),
        "import time\nfrom specify_cli.workflows.base import StepBase, StepResult\n\nclass Sleeper(StepBase):\n    type_key = 'sleeper'\n    def execute(self, config, context):\n        time.sleep(30)\n        return StepResult()\n",
    )
    .unwrap();
    let custom = load_custom_steps(p.path(), &python());
    let step = custom.get("sleeper").unwrap().clone();
    let cancel = Cancel::new();
    let fire = cancel.clone();
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        fire.cancel();
    });
    let root = p.path().to_path_buf();
    let ns = MapNamespace::new();
    let options = Map::new();
    let host = SystemHost::new(Vec::new(), root.clone());
    let env = process_env();
    let ctx = StepContext {
        namespace: &ns,
        step_id: "s1",
        inside_fan_out: false,
        default_integration: None,
        default_model: None,
        default_options: &options,
        project_root: &root,
        run_id: "r",
        is_resume: false,
        workflow_dir: None,
        env: &env,
        cancel: &cancel,
        interaction: &NoInteraction,
        host: &host,
    };
    assert_eq!(step.execute(&Map::new(), &ctx), Err(StepError::Interrupted));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // The next call starts a fresh worker.
    let pauser = custom.get("pauser").unwrap();
    assert_eq!(run(pauser, "{id: s1}", Value::Map(Map::new()), &env).unwrap().status, StepStatus::Paused);
}

#[test]
fn a_missing_interpreter_is_named() {
    let p = project();
    let custom = load_custom_steps(p.path(), Path::new("/nonexistent/python3"));
    assert_eq!(custom.keys().collect::<Vec<_>>(), ["greet-sh"]);
    assert!(custom.warnings.iter().any(|w| w.contains("'echo-twice'") && w.contains("/nonexistent/python3") && w.contains("BATON_PYTHON")), "{:?}", custom.warnings);
}

#[test]
fn executable_steps_run_and_fail_by_exit_code() {
    let p = project();
    let custom = load_custom_steps(p.path(), &python());
    let step = custom.get("greet-sh").unwrap();
    let mut inputs = Map::new();
    inputs.insert("who".into(), Value::Str("bob".into()));
    let done = run(step, "{id: s1, type: greet-sh, who: '{{ inputs.who }}'}", Value::Map(inputs), &process_env()).unwrap();
    assert_eq!(done.status, StepStatus::Completed);
    assert_eq!(done.output.get("msg"), Some(&Value::Str("hello bob".into())));
    let failed = run(step, "{id: s1, type: greet-sh, who: fail}", Value::Map(Map::new()), &process_env()).unwrap();
    assert_eq!(failed.status, StepStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("greet-sh: refusing to greet fail"));
    assert_eq!(failed.output.get("exit_code"), Some(&Value::Int(3.into())));
}
