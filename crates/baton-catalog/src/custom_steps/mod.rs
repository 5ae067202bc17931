//! Custom step types at run time (ecosystem.md §19).
//!
//! [`load_custom_steps`] scans `.specify/workflows/steps/` as the reference does
//! (the registry is not consulted) and returns the loadable types as [`CustomSteps`],
//! which is both the validator's [`baton_model::CustomStepTypes`] and a source of
//! [`baton_steps::Step`] implementations for the run's [`baton_steps::StepRegistry`].
//!
//! Two package forms run:
//!
//! * **Spec Kit's Python packages** (`__init__.py` defining a `StepBase` subclass):
//!   baton starts `python3` with its own compatibility shim ([`bridge::SHIM`]), which
//!   provides `specify_cli.workflows.base` and `specify_cli.workflows.expressions`
//!   without importing the real `specify_cli`, imports the package as the reference
//!   does (relative imports work; a failing import skips the type) and exchanges
//!   config, context and result as JSON. Expressions a package evaluates are
//!   evaluated by baton against the running workflow. Worker processes
//!   ([`bridge::Pool`]) live as long as the [`CustomSteps`].
//! * **baton's executable form**: `step.yml` names an executable (`step.run`, relative
//!   to the package) that reads `{"config", "rendered", "context"}` as JSON on stdin
//!   and answers a result JSON on stdout; with `step.validate: true` it is also asked
//!   `validate` (see `docs/custom-steps.md`).
//!
//! # Wiring (for `run`, `resume`, `add`, `update`)
//! ```text
//! let python = python_interpreter(std::env::var("BATON_PYTHON").ok().as_deref());
//! let custom = load_custom_steps(&root, &python);
//! for w in &custom.warnings { eprintln!("Warning: {w}") }
//! baton_model::validate(&doc, &custom)                // validation with custom types
//! custom.register_into(&mut registry)                 // before running
//! ```

pub mod bridge;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use baton_expr::{Map, Value};
use baton_model::yaml::{self, Node, Yaml};
use baton_model::CustomStepTypes;
use baton_steps::process::{self, Input, Output, ProcessSpec};
use baton_steps::{Step, StepContext, StepError, StepRegistry, StepResult, StepStatus};

use bridge::{BridgeError, Pool, Reply};

/// How a loaded custom step runs.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A Spec Kit Python package, through the bridge.
    Python {
        /// The project's bridge workers.
        pool: Arc<Pool>,
        /// Whether its class overrides `validate`.
        validates: bool,
    },
    /// baton's executable form.
    Executable {
        /// The executable.
        program: PathBuf,
        /// Whether it is asked to `validate` step configurations.
        validates: bool,
    },
}

/// One loaded custom step type.
#[derive(Debug, Clone)]
pub struct CustomStep {
    /// Its `type` key.
    pub type_key: String,
    /// The package folder.
    pub dir: PathBuf,
    /// The project root (the working directory of the step's processes).
    pub project_root: PathBuf,
    /// How it runs.
    pub kind: Kind,
}

/// The custom step types of a project.
#[derive(Debug, Clone, Default)]
pub struct CustomSteps {
    steps: BTreeMap<String, Arc<CustomStep>>,
    /// Packages skipped for a reason the user can fix that the reference would not
    /// mention (no Python interpreter); the CLI prints them as warnings.
    pub warnings: Vec<String>,
}

impl CustomSteps {
    /// No custom steps.
    pub fn none() -> Self {
        Self::default()
    }

    /// The loaded types, by key.
    pub fn get(&self, type_key: &str) -> Option<&Arc<CustomStep>> {
        self.steps.get(type_key)
    }

    /// The loaded type keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.steps.keys().map(String::as_str)
    }

    /// Registers every loaded type into a run's registry (built-ins always win: a key
    /// that is already registered is left alone).
    pub fn register_into(&self, registry: &mut StepRegistry) {
        for step in self.steps.values() {
            if !registry.contains(&step.type_key) {
                let _ = registry.register(step.clone() as Arc<dyn Step>);
            }
        }
    }
}

impl CustomStepTypes for CustomSteps {
    fn is_known(&self, type_key: &str) -> bool {
        self.steps.contains_key(type_key)
    }

    fn validate(&self, type_key: &str, step: &Node) -> Vec<String> {
        match self.steps.get(type_key) {
            Some(s) => s.validate_config(&step.to_value()),
            None => Vec::new(),
        }
    }
}

/// The interpreter for Python step packages: the value of `BATON_PYTHON` when it is set
/// and not blank (the CLI passes it in), else `python3` from `PATH`.
pub fn python_interpreter(baton_python: Option<&str>) -> PathBuf {
    match baton_python.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from("python3"),
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// A package folder that passed the reference's file checks, with its `step.yml`.
struct Candidate {
    dir: PathBuf,
    type_key: String,
    /// baton's executable form: `step.run`, and `step.validate`.
    run: Option<(String, bool)>,
}

/// Reads a candidate's `step.yml`; `None` when the reference would skip it.
fn read_candidate(dir: &Path) -> Option<Candidate> {
    let text = String::from_utf8(fs::read(dir.join("step.yml")).ok()?).ok()?;
    let doc = yaml::parse(&text).ok()?;
    let meta = if doc.to_value().truthy() { doc } else { Node { value: Yaml::Map(Vec::new()), span: doc.span } };
    meta.as_map()?;
    let step = meta.get("step")?;
    step.as_map()?;
    let type_key = step.get("type_key")?.as_str()?.to_owned();
    if type_key.is_empty() {
        return None;
    }
    let run = step.get("run").and_then(Node::as_str).filter(|r| !r.trim().is_empty()).map(|r| {
        let validates = matches!(step.get("validate").map(|v| &v.value), Some(Yaml::Bool(true)));
        (r.to_owned(), validates)
    });
    Some(Candidate { dir: dir.to_path_buf(), type_key, run })
}

/// Scans `.specify/workflows/steps/` and loads the custom step types (ecosystem.md
/// §19): the scan is skipped when `.specify`, `workflows` or `steps` is a symlink;
/// children that are symlinks or not folders, whose `step.yml` or `__init__.py` is a
/// symlink or missing, whose `step.type_key` is empty, or whose key is built in or
/// already loaded (first in directory-listing order wins) are skipped; Python
/// packages that fail to import or define no matching `StepBase` subclass are
/// skipped silently. `python` is the interpreter for Python packages.
pub fn load_custom_steps(project_root: &Path, python: &Path) -> CustomSteps {
    let mut out = CustomSteps::default();
    let mut current = project_root.to_path_buf();
    for part in [".specify", "workflows", "steps"] {
        current.push(part);
        if is_symlink(&current) {
            return out;
        }
    }
    let Ok(entries) = fs::read_dir(&current) else { return out };
    let mut candidates = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let dir = entry.path();
        if is_symlink(&dir) || !dir.is_dir() {
            continue;
        }
        let (yml, init) = (dir.join("step.yml"), dir.join("__init__.py"));
        if is_symlink(&yml) || is_symlink(&init) || !yml.is_file() || !init.is_file() {
            continue;
        }
        let Some(candidate) = read_candidate(&dir) else { continue };
        if baton_model::BUILTIN_STEP_TYPES.contains(&candidate.type_key.as_str()) {
            continue;
        }
        candidates.push(candidate);
    }
    // Python packages are imported by one probe process, in order.
    let python_candidates: Vec<usize> = (0..candidates.len()).filter(|&i| candidates[i].run.is_none()).collect();
    let mut probe: BTreeMap<usize, Option<bool>> = BTreeMap::new();
    let pool = Arc::new(Pool::new(python, project_root));
    if !python_candidates.is_empty() {
        let packages: Vec<Value> = python_candidates
            .iter()
            .map(|&i| {
                let mut m = Map::new();
                m.insert("dir".into(), Value::Str(candidates[i].dir.display().to_string()));
                m.insert("type_key".into(), Value::Str(candidates[i].type_key.clone()));
                Value::Map(m)
            })
            .collect();
        let mut request = Map::new();
        request.insert("mode".into(), Value::Str("probe".into()));
        request.insert("packages".into(), Value::List(packages));
        let request = Value::Map(request);
        let reply = pool.call(&request, &mut |_, _| Err("expressions are not available while loading".into()), None);
        match reply {
            Ok(Reply::Result(Value::List(results))) => {
                for (k, result) in python_candidates.iter().zip(results) {
                    let ok = matches!(&result, Value::Map(m) if m.get("ok") == Some(&Value::Bool(true)));
                    let validates = matches!(&result, Value::Map(m) if m.get("validates") == Some(&Value::Bool(true)));
                    probe.insert(*k, ok.then_some(validates));
                }
            }
            Ok(_) => {}
            Err(e) => {
                for &i in &python_candidates {
                    out.warnings.push(format!(
                        "custom step type '{}' ({}) was not loaded: {e}{}",
                        candidates[i].type_key,
                        candidates[i].dir.display(),
                        if matches!(e, BridgeError::Spawn { .. }) {
                            "; set BATON_PYTHON to a Python 3 interpreter"
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
    }
    for (i, c) in candidates.into_iter().enumerate() {
        if out.steps.contains_key(&c.type_key) {
            continue;
        }
        let kind = match &c.run {
            Some((run, validates)) => {
                let program = c.dir.join(run);
                if !program.is_file() {
                    continue;
                }
                Kind::Executable { program, validates: *validates }
            }
            None => match probe.get(&i) {
                Some(Some(validates)) => Kind::Python { pool: pool.clone(), validates: *validates },
                _ => continue,
            },
        };
        out.steps.insert(c.type_key.clone(), Arc::new(CustomStep {
            type_key: c.type_key,
            dir: c.dir,
            project_root: project_root.to_path_buf(),
            kind,
        }));
    }
    out
}

/// Runs `<program> validate` with `request` on stdin (the environment is inherited)
/// and returns its stdout.
fn run_validator(program: &Path, cwd: &Path, dir: &Path, request: &str) -> std::io::Result<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .arg("validate")
        .current_dir(cwd)
        .env("BATON_STEP_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(request.as_bytes());
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!("its validator exited with {}", out.status)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The JSON text of a value, as Python's `json.dumps` writes it.
fn dumps(value: &Value) -> String {
    baton_expr::json::dumps(value, &baton_expr::json::DumpOptions::default()).unwrap_or_else(|_| "null".into())
}

fn status_of(text: &str) -> StepStatus {
    match text {
        "failed" => StepStatus::Failed,
        "skipped" => StepStatus::Skipped,
        "paused" => StepStatus::Paused,
        _ => StepStatus::Completed,
    }
}

/// A result object (`{"status", "output", "next_steps", "error"}`) as a [`StepResult`].
fn to_result(value: &Value) -> Result<StepResult, StepError> {
    let Value::Map(m) = value else {
        return Err(StepError::Raised(format!("custom step answered {}, not a result object", value.py_repr())));
    };
    let status = status_of(m.get("status").and_then(Value::as_str).unwrap_or("completed"));
    let output = match m.get("output") {
        Some(Value::Map(o)) => o.clone(),
        _ => Map::new(),
    };
    let next_steps = match m.get("next_steps") {
        Some(Value::List(l)) => l.clone(),
        _ => Vec::new(),
    };
    let error = match m.get("error") {
        None | Some(Value::Null) => None,
        Some(e) => Some(e.py_str()),
    };
    let mut result = StepResult::with_status(status, output);
    result.next_steps = next_steps;
    result.error = error;
    Ok(result)
}

impl CustomStep {
    /// The step's own validation messages for one configuration.
    fn validate_config(&self, config: &Value) -> Vec<String> {
        match &self.kind {
            Kind::Python { pool, validates: true } => {
                let mut request = Map::new();
                request.insert("mode".into(), Value::Str("validate".into()));
                request.insert("dir".into(), Value::Str(self.dir.display().to_string()));
                request.insert("type_key".into(), Value::Str(self.type_key.clone()));
                request.insert("config".into(), config.clone());
                let request = Value::Map(request);
                match pool.call(&request, &mut |_, _| Err("expressions are not available while validating".into()), None) {
                    Ok(Reply::Result(Value::List(errors))) => errors.iter().map(Value::py_str).collect(),
                    Ok(Reply::Result(_)) => Vec::new(),
                    Ok(Reply::Raised(e)) => vec![format!("Step type '{}' could not validate a step: {e}", self.type_key)],
                    Err(e) => vec![format!("Step type '{}' could not validate a step: {e}", self.type_key)],
                }
            }
            Kind::Executable { program, validates: true } => {
                let mut request = Map::new();
                request.insert("config".into(), config.clone());
                match run_validator(program, &self.project_root, &self.dir, &dumps(&Value::Map(request))) {
                    Ok(text) => match baton_expr::json::loads(text.trim()) {
                        Ok(Value::List(errors)) => errors.iter().map(Value::py_str).collect(),
                        Ok(Value::Map(m)) => match m.get("errors") {
                            Some(Value::List(errors)) => errors.iter().map(Value::py_str).collect(),
                            _ => Vec::new(),
                        },
                        _ => vec![format!(
                            "Step type '{}' could not validate a step: its validator answered no JSON list",
                            self.type_key
                        )],
                    },
                    Err(e) => vec![format!("Step type '{}' could not validate a step: {e}", self.type_key)],
                }
            }
            _ => Vec::new(),
        }
    }

    /// The context object the step receives.
    fn context_json(ctx: &StepContext<'_>) -> Value {
        let root = |name: &str, default: Value| ctx.namespace.root(name).cloned().unwrap_or(default);
        let opt = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Str(s.to_owned()));
        let mut m = Map::new();
        m.insert("inputs".into(), root("inputs", Value::Map(Map::new())));
        m.insert("steps".into(), root("steps", Value::Map(Map::new())));
        m.insert("item".into(), root("item", Value::Null));
        m.insert("inside_fan_out".into(), Value::Bool(ctx.inside_fan_out));
        let fan_in = match root("fan_in", Value::Null) {
            Value::Null => Value::Map(Map::new()),
            v => v,
        };
        m.insert("fan_in".into(), fan_in);
        m.insert("default_integration".into(), opt(ctx.default_integration));
        m.insert("default_model".into(), opt(ctx.default_model));
        m.insert("default_options".into(), Value::Map(ctx.default_options.clone()));
        m.insert("project_root".into(), Value::Str(ctx.project_root.display().to_string()));
        m.insert("run_id".into(), Value::Str(ctx.run_id.to_owned()));
        m.insert("is_resume".into(), Value::Bool(ctx.is_resume));
        m.insert("workflow_dir".into(), ctx.workflow_dir.map_or(Value::Null, |d| Value::Str(d.display().to_string())));
        Value::Map(m)
    }

    fn execute_python(&self, pool: &Pool, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let mut request = Map::new();
        request.insert("mode".into(), Value::Str("execute".into()));
        request.insert("dir".into(), Value::Str(self.dir.display().to_string()));
        request.insert("type_key".into(), Value::Str(self.type_key.clone()));
        request.insert("config".into(), Value::Map(config.clone()));
        request.insert("context".into(), Self::context_json(ctx));
        let request = Value::Map(request);
        let mut callback = |op: &str, arg: &Value| -> Result<Value, String> {
            match (op, arg) {
                ("evaluate", v) => baton_expr::render_value(v, ctx.namespace).map_err(|e| e.to_string()),
                ("condition", Value::Str(s)) => {
                    baton_expr::evaluate_condition(s, ctx.namespace).map(Value::Bool).map_err(|e| e.to_string())
                }
                ("condition", v) => Ok(Value::Bool(v.truthy())),
                _ => Err(format!("unknown callback {op:?}")),
            }
        };
        match pool.call(&request, &mut callback, Some(ctx.cancel)) {
            Ok(Reply::Result(v)) => to_result(&v),
            Ok(Reply::Raised(e)) => Err(StepError::Raised(e)),
            Err(BridgeError::Interrupted) => Err(StepError::Interrupted),
            Err(e @ BridgeError::Spawn { .. }) => Err(StepError::Raised(format!(
                "Custom step type '{}' ({}) needs Python: {e}; set BATON_PYTHON to a Python 3 interpreter",
                self.type_key,
                self.dir.display()
            ))),
            Err(e) => Err(StepError::Raised(format!("Custom step type '{}' failed: {e}", self.type_key))),
        }
    }

    fn execute_program(&self, program: &Path, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        let mut rendered = Map::new();
        for (k, v) in config {
            rendered.insert(k.clone(), baton_expr::render_value(v, ctx.namespace)?);
        }
        let mut request = Map::new();
        request.insert("config".into(), Value::Map(config.clone()));
        request.insert("rendered".into(), Value::Map(rendered));
        request.insert("context".into(), Self::context_json(ctx));
        let mut env: Vec<(std::ffi::OsString, std::ffi::OsString)> =
            ctx.env.iter().map(|(k, v)| (k.into(), v.into())).collect();
        env.push(("BATON_STEP_DIR".into(), self.dir.clone().into_os_string()));
        let spec = ProcessSpec {
            argv: vec![program.to_path_buf().into_os_string(), "execute".into()],
            cwd: ctx.project_root.to_path_buf(),
            env,
            stdin: Input::Bytes(dumps(&Value::Map(request)).into_bytes()),
            output: Output::Capture { max_bytes: Some(16 * 1024 * 1024) },
            timeout: None,
            own_group: true,
            foreground: false,
        };
        let done = process::run(&spec, ctx.cancel).map_err(|e| {
            StepError::Raised(format!("Custom step type '{}' could not start {}: {e}", self.type_key, program.display()))
        })?;
        if ctx.cancel.is_cancelled() {
            return Err(StepError::Interrupted);
        }
        let stdout = String::from_utf8_lossy(&done.stdout);
        let code = done.exit.map(process::Exit::returncode);
        if code != Some(0) {
            let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
            let detail = stderr.trim().to_owned();
            let mut output = Map::new();
            output.insert("exit_code".into(), code.map_or(Value::Null, |c| Value::Int(c.into())));
            output.insert("stderr".into(), Value::Str(stderr.clone()));
            let error = if detail.is_empty() {
                format!("Custom step '{}' exited with code {}", self.type_key, code.unwrap_or(-1))
            } else {
                detail.lines().last().unwrap_or(&detail).to_owned()
            };
            return Ok(StepResult::failed(output, error));
        }
        match baton_expr::json::loads(stdout.trim()) {
            Ok(v) => to_result(&v),
            Err(e) => Err(StepError::Raised(format!(
                "Custom step type '{}' answered no JSON result on stdout: {e}",
                self.type_key
            ))),
        }
    }
}

impl Step for CustomStep {
    fn type_key(&self) -> &str {
        &self.type_key
    }

    fn execute(&self, config: &Map, ctx: &StepContext<'_>) -> Result<StepResult, StepError> {
        match &self.kind {
            Kind::Python { pool, .. } => self.execute_python(pool, config, ctx),
            Kind::Executable { program, .. } => self.execute_program(program, config, ctx),
        }
    }
}

#[cfg(test)]
mod tests;
