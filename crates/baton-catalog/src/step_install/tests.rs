#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".specify")).unwrap();
    dir
}

fn package(root: &Path, name: &str, step_yml: &str) -> PathBuf {
    let dir = root.join("src").join(name);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("step.yml"), step_yml).unwrap();
    fs::write(dir.join("__init__.py"), "").unwrap();
    dir
}

fn now() -> jiff::Timestamp {
    "2026-03-04T05:06:07Z".parse().unwrap()
}

fn err(r: Result<impl std::fmt::Debug, Error>) -> String {
    r.unwrap_err().message
}

#[test]
fn metadata_errors() {
    let p = |t: &str| parse_step_metadata(t, "s").map(|_| ()).map_err(|e| e.message);
    assert_eq!(p(""), Err("step.yml missing 'step.type_key' field".into()));
    assert_eq!(p("---\n"), Err("step.yml missing 'step.type_key' field".into()));
    assert_eq!(p("null\n"), Err("step.yml must be a YAML mapping".into()));
    assert_eq!(p("[]\n"), Err("step.yml must be a YAML mapping".into()));
    assert_eq!(p("step: 5\n"), Err("step.yml 'step' field must be a mapping".into()));
    assert_eq!(p("step: null\n"), Err("step.yml 'step' field must be a mapping".into()));
    assert_eq!(p("step: {type_key: ''}\n"), Err("step.yml missing 'step.type_key' field".into()));
    assert_eq!(p("step: {type_key: 5}\n"), Err("step.yml type_key (5) does not match step ID ('s')".into()));
    assert_eq!(p("step: {type_key: s}\n"), Ok(()));
    assert!(p("step: [\n").unwrap_err().starts_with("Invalid step.yml: "));
}

#[test]
fn package_shape_and_limits() {
    let root = project();
    let ok = package(root.path(), "s", "step:\n  type_key: s\n");
    assert!(validate_package(&ok, "s").is_ok());

    let missing = root.path().join("src/none");
    fs::create_dir_all(&missing).unwrap();
    fs::write(missing.join("step.yml"), "step: {type_key: none}\n").unwrap();
    assert_eq!(err(validate_package(&missing, "none")), "Step package is missing required file '__init__.py' at its root");

    let deep = package(root.path(), "deep", "step: {type_key: deep}\n");
    let mut d = deep.clone();
    for i in 0..33 {
        d.push(format!("d{i}"));
    }
    fs::create_dir_all(&d).unwrap();
    assert_eq!(err(validate_package(&deep, "deep")), "Step package exceeds the 32-level directory depth limit");
    // 32 levels are fine.
    let fine = package(root.path(), "fine", "step: {type_key: fine}\n");
    let mut d = fine.clone();
    for i in 0..32 {
        d.push(format!("d{i}"));
    }
    fs::create_dir_all(&d).unwrap();
    assert!(validate_package(&fine, "fine").is_ok());

    let many = package(root.path(), "many", "step: {type_key: many}\n");
    for i in 0..520 {
        fs::write(many.join(format!("f{i}")), "").unwrap();
    }
    assert_eq!(
        err(validate_package(&many, "many")),
        "Step package contains too many entries, exceeding the 512-entry limit (files and directories combined)"
    );

    let link = package(root.path(), "link", "step: {type_key: link}\n");
    std::os::unix::fs::symlink("/etc/passwd", link.join("x")).unwrap();
    assert!(err(validate_package(&link, "link")).starts_with("Step package contains symlink: "));
}

#[test]
fn install_force_and_remove() {
    let root = project();
    let src = package(root.path(), "my-step", "step:\n  type_key: my-step\n  name: My Step\n  version: '1.0.0'\n");
    for excluded in [".git", "__pycache__"] {
        fs::create_dir_all(src.join(excluded)).unwrap();
        fs::write(src.join(excluded).join("x"), "x").unwrap();
    }
    fs::write(src.join(".DS_Store"), "x").unwrap();
    fs::create_dir_all(src.join("helpers")).unwrap();
    fs::write(src.join("helpers/util.py"), "def f(): pass\n").unwrap();
    let entry = install_package(root.path(), "my-step", &src, &Source::Local, false, now()).unwrap();
    assert_eq!(entry.get("name"), Some(&Value::Str("My Step".into())));
    assert_eq!(entry.get("source"), Some(&Value::Str("local".into())));
    let dest = root.path().join(".specify/workflows/steps/my-step");
    assert!(dest.join("helpers/util.py").is_file());
    assert!(!dest.join(".git").exists() && !dest.join("__pycache__").exists() && !dest.join(".DS_Store").exists());
    let leftovers: Vec<_> = fs::read_dir(dest.parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(WORK_DIR_PREFIX))
        .collect();
    assert!(leftovers.is_empty());

    assert!(err(install_package(root.path(), "my-step", &src, &Source::Local, false, now()))
        .starts_with("Step type 'my-step' is already installed."));
    assert!(err(install_package(root.path(), "My-Step", &src, &Source::Local, true, now()))
        .starts_with("Step ID 'My-Step' collides case-insensitively with registered step ID 'my-step'"));
    let later: jiff::Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
    install_package(root.path(), "my-step", &src, &Source::Local, true, later).unwrap();
    let reg = StepRegistry::open(root.path());
    let Some(Value::Map(e)) = reg.get("my-step") else { panic!() };
    assert_eq!(e.get("installed_at"), Some(&Value::Str("2026-03-04T05:06:07+00:00".into())));
    assert_eq!(e.get("updated_at"), Some(&Value::Str("2027-01-01T00:00:00+00:00".into())));

    assert_eq!(remove_step(root.path(), "my-step").unwrap(), Removed::Registered);
    assert!(!dest.exists());
    assert_eq!(err(remove_step(root.path(), "my-step")), "Step type 'my-step' is not installed");
    assert_eq!(err(remove_step(root.path(), "shell")), "Step type 'shell' is not installed");
    fs::create_dir_all(root.path().join(".specify/workflows/steps/orphan")).unwrap();
    assert!(is_orphan(root.path(), "orphan"));
    assert_eq!(remove_step(root.path(), "orphan").unwrap(), Removed::Orphan);
}

#[test]
fn refusals_before_anything_is_written() {
    let root = project();
    let shell = package(root.path(), "shell", "step: {type_key: shell}\n");
    assert_eq!(
        err(install_package(root.path(), "shell", &shell, &Source::Local, true, now())),
        "Step type 'shell' conflicts with a built-in step type"
    );
    let float = package(root.path(), "floatver", "step: {type_key: floatver, version: 1.0}\n");
    assert_eq!(
        err(install_package(root.path(), "floatver", &float, &Source::Local, false, now())),
        "step metadata 'version' must be a string when present"
    );
    assert!(!root.path().join(".specify/workflows/steps").exists());
    let orphan = root.path().join(".specify/workflows/steps/orphan");
    fs::create_dir_all(&orphan).unwrap();
    let src = package(root.path(), "orphan", "step: {type_key: orphan}\n");
    assert!(err(install_package(root.path(), "orphan", &src, &Source::Local, false, now()))
        .starts_with("Step directory already exists at '"));
    assert_eq!(
        err(validate_step_id("a:b")),
        "Invalid step id 'a:b': must be a single safe path component (no separators, no leading dot, not a reserved name, no invalid filename characters)"
    );
}

#[test]
fn catalog_metadata_wins() {
    let step = baton_model::yaml::parse("type_key: s\nname: Pkg\nversion: '1.0.0'\ndescription: pd\n").unwrap();
    let mut meta = Map::new();
    meta.insert("name".into(), Value::Str("Cat".into()));
    meta.insert("description".into(), Value::Str(String::new()));
    let entry = build_entry("s", &step, &Source::Catalog { name: "local".into(), metadata: meta }).unwrap();
    let text = baton_expr::json::dumps(&Value::Map(entry), &baton_expr::json::DumpOptions::default()).unwrap();
    assert_eq!(
        text,
        r#"{"name": "Cat", "version": "1.0.0", "description": "", "author": "", "type_key": "s", "source": "catalog", "catalog_name": "local"}"#
    );
}
