//! `baton run SOURCE [-i KEY=VALUE]... [--json]` (engine.md §3.1–§3.5).
//!
//! The checks happen in the reference's order: project root, source kind, load,
//! validation, `--input` parsing; only then does anything run. [`execute`] and
//! [`report`] are shared with `resume`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use baton_engine::{Engine, Finished};
use baton_expr::{Map, Value};
use baton_model::Severity;
use baton_state::{FileStore, Json, RunId, RunStatus, SystemClock};
use baton_steps::agents::SystemHost;
use baton_steps::{Cancel, StepRegistry};

use crate::exit::{CliError, Stream};
use crate::interaction::Terminal;
use crate::output;
use crate::progress::{Silent, StepLines};
use crate::project::{self, Context};
use crate::workflow_file::{self, ReadError};

/// Where the workflow to run comes from.
enum Source {
    /// A YAML file on disk.
    File(PathBuf),
    /// The id of an installed workflow.
    Installed(String),
}

/// Is `source` a YAML path (suffix `.yml`/`.yaml`, any case, and an existing file)?
fn classify(ctx: &Context, source: &str) -> Source {
    let path = ctx.cwd.join(project::expand_tilde(source));
    let lower = source.to_ascii_lowercase();
    if (lower.ends_with(".yml") || lower.ends_with(".yaml")) && path.is_file() {
        Source::File(path)
    } else {
        Source::Installed(source.to_owned())
    }
}

/// The reference's installed-workflow id rule, reserved names included.
fn valid_workflow_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    let ok_char = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    !bytes.is_empty()
        && bytes.iter().all(ok_char)
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
        && !matches!(id, "overlays" | "runs" | "steps")
}

/// A workflow ready to run: its definition and where it is installed, if it is.
pub(crate) struct Resolved {
    /// The project root the run belongs to.
    pub root: PathBuf,
    /// The workflow file (for an installed id, its base `workflow.yml`).
    pub path: PathBuf,
    /// The installed workflow id, when the source names (or points into) one.
    pub installed_id: Option<String>,
    /// The project owning the installed workflow, when it is not `root`.
    pub installed_registry_root: Option<String>,
    /// The definition composed with the enabled overlays (installed ids only; a
    /// YAML path is loaded as it is).
    pub composed: Option<baton_model::yaml::Node>,
}

/// The error of an installed-workflow check, on the reference's stream.
fn source_error(err: &baton_catalog::installed::RunSourceError, json: bool) -> CliError {
    let mut e = CliError::user(err.message(), json);
    if err.always_stderr() {
        e.stream = Stream::Stderr;
    }
    e
}

/// Resolves a `run` source: a YAML path, or the id of an installed workflow (with its
/// enabled overlays applied, ecosystem.md §14.3).
pub(crate) fn resolve_source(ctx: &Context, source: &str, json: bool) -> Result<Resolved, CliError> {
    match classify(ctx, source) {
        Source::File(path) => {
            let root = project::resolve_root(ctx, false, json)?;
            let owner = baton_catalog::installed::resolve_path_owner(&ctx.cwd, &path)
                .map_err(|e| source_error(&e, json))?;
            let (installed_id, installed_registry_root) = match owner {
                Some(owner) => {
                    let same = owner.root.canonicalize().ok() == root.canonicalize().ok();
                    (Some(owner.id), (!same).then(|| owner.root.display().to_string()))
                }
                None => (None, None),
            };
            Ok(Resolved { root, path, installed_id, installed_registry_root, composed: None })
        }
        Source::Installed(id) => {
            let root = project::resolve_root(ctx, true, json)?;
            if !valid_workflow_id(&id) {
                return Err(CliError::user(format!("Invalid workflow ID: {}", baton_expr::py::str_repr(&id)), json));
            }
            let installed =
                baton_catalog::installed::resolve_run_id(&root, &id).map_err(|e| source_error(&e, json))?;
            let resolved = match baton_catalog::overlay::compose_for_run(&root, &installed.id) {
                Ok(resolved) => resolved,
                Err(baton_catalog::overlay::Error::NotFound(_)) => {
                    return Err(CliError::user(format!("Workflow not found: {id}"), json));
                }
                Err(other) => return Err(CliError::user(format!("Invalid workflow: {other}"), json)),
            };
            Ok(Resolved {
                root,
                path: resolved.source_path,
                installed_id: Some(installed.id),
                installed_registry_root: None,
                composed: Some(resolved.definition),
            })
        }
    }
}

/// The project's custom step types (ecosystem.md §19), loaded before validation.
pub(crate) fn custom_steps(root: &Path) -> baton_catalog::custom_steps::CustomSteps {
    let python = baton_catalog::custom_steps::python_interpreter(std::env::var("BATON_PYTHON").ok().as_deref());
    let steps = baton_catalog::custom_steps::load_custom_steps(root, &python);
    for warning in &steps.warnings {
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("warning: {warning}\n").as_bytes());
    }
    steps
}

/// `--input` values: `key=value` each (split at the first `=`, both sides trimmed,
/// later keys win), refused with the reference's message before anything runs.
pub(crate) fn parse_inputs(inputs: &[String], json: bool) -> Result<Map, CliError> {
    let mut map = Map::new();
    for raw in inputs {
        let Some((k, v)) = raw.split_once('=') else {
            return Err(CliError::user(
                format!("Invalid input format: {} (expected key=value)", baton_expr::py::str_repr(raw)),
                json,
            ));
        };
        map.insert(baton_expr::py::strip(k).to_owned(), Value::from(baton_expr::py::strip(v)));
    }
    Ok(map)
}

/// Runs a workflow.
pub fn run(source: &str, inputs: &[String], json: bool) -> Result<i32, CliError> {
    let ctx = Context::from_process()?;
    let resolved = resolve_source(&ctx, source, json)?;
    let custom = custom_steps(&resolved.root);
    let node = match resolved.composed.clone() {
        Some(node) => check_definition(node, &resolved.path, &custom, json)?,
        None => load_checked(&resolved.path, &custom, json)?,
    };
    let provided = parse_inputs(inputs, json)?;
    if !json {
        let wf = node.get("workflow");
        let field = |k: &str| wf.and_then(|w| w.get(k)).map(|v| v.to_value().py_str()).unwrap_or_default();
        let version = wf.and_then(|w| w.get("version")).map_or_else(|| "0.0.0".to_owned(), |v| v.to_value().py_str());
        output::write_stdout(
            format!("\nRunning workflow: {} ({})\nVersion: {version}\n\n", field("name"), field("id")).as_bytes(),
        )?;
    }
    let env_id = std::env::var("SPECKIT_WORKFLOW_RUN_ID").ok();
    let run_id = RunId::resolve(env_id.as_deref(), RunId::generate).map_err(|e| CliError::user(e, json))?;
    let workflow_dir = resolved
        .path
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(|d| d.display().to_string()));
    let root = resolved.root.clone();
    let integration_json = read_integration_json(&root);
    let id_text = run_id.to_string();
    let result = execute(&root, json, &custom, |engine, store| {
        let mut prompter = crate::interaction::InputPrompter::on_terminal(engine.cancel);
        engine.run(
            store,
            baton_engine::NewRun {
                definition: &node,
                run_id,
                inputs: provided,
                integration_json: integration_json.as_deref(),
                prompter: prompter.as_mut().map(|p| p as &mut dyn baton_inputs::Prompter),
                workflow_dir,
                installed_workflow_id: resolved.installed_id.clone(),
                installed_registry_root: resolved.installed_registry_root.clone(),
            },
        )
    });
    report(result, json, false, &id_text)
}

/// `<root>/.specify/integration.json`, if readable.
pub(crate) fn read_integration_json(root: &Path) -> Option<String> {
    std::fs::read_to_string(root.join(".specify").join("integration.json")).ok()
}

/// The process environment, as the engine takes it.
fn env_map() -> BTreeMap<String, String> {
    std::env::vars_os()
        .map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
        .collect()
}

/// While alive under `--json`, fd 1 is a copy of fd 2, so whatever steps print
/// (gate boxes, subprocess output) goes to stderr and stdout keeps only the JSON.
struct StdoutToStderr {
    saved: Option<rustix::fd::OwnedFd>,
}

impl StdoutToStderr {
    fn new(active: bool) -> StdoutToStderr {
        if !active {
            return StdoutToStderr { saved: None };
        }
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let saved = rustix::io::dup(rustix::stdio::stdout()).ok();
        if saved.is_some() {
            let _ = rustix::stdio::dup2_stdout(rustix::stdio::stderr());
        }
        StdoutToStderr { saved }
    }
}

impl Drop for StdoutToStderr {
    fn drop(&mut self) {
        if let Some(fd) = self.saved.take() {
            let _ = std::io::Write::flush(&mut std::io::stdout());
            let _ = rustix::stdio::dup2_stdout(&fd);
        }
    }
}

/// The project's custom step types, loaded on first use (loading imports Python
/// packages, so verbs that never validate never pay for it).
pub(crate) struct LazyCustomSteps {
    root: PathBuf,
    loaded: std::sync::OnceLock<baton_catalog::custom_steps::CustomSteps>,
}

impl LazyCustomSteps {
    /// Custom step types of the project at `root`, not loaded yet.
    pub(crate) fn new(root: PathBuf) -> Self {
        LazyCustomSteps { root, loaded: std::sync::OnceLock::new() }
    }

    fn get(&self) -> &baton_catalog::custom_steps::CustomSteps {
        self.loaded.get_or_init(|| custom_steps(&self.root))
    }
}

impl baton_model::CustomStepTypes for LazyCustomSteps {
    fn is_known(&self, type_key: &str) -> bool {
        self.get().is_known(type_key)
    }

    fn validate(&self, type_key: &str, step: &baton_model::yaml::Node) -> Vec<String> {
        baton_model::CustomStepTypes::validate(self.get(), type_key, step)
    }
}

/// Callees of `type: workflow` steps: installed workflows of the project, with their
/// overlays, validated with the project's custom step types.
pub(crate) struct InstalledCalls<'a> {
    root: PathBuf,
    custom: &'a baton_catalog::custom_steps::CustomSteps,
}

impl baton_engine::CallResolver for InstalledCalls<'_> {
    fn resolve(&self, target: &Value, ancestry: &[String]) -> Result<baton_engine::CalledWorkflow, String> {
        use baton_catalog::overlay::call::{resolve_call_target, ProjectRegistry};
        let resolved = resolve_call_target(
            &self.root,
            target,
            ancestry,
            &ProjectRegistry(&self.root),
            self.custom,
        )
        .map_err(|e| e.to_string())?;
        let source = resolved.source_path.canonicalize().unwrap_or(resolved.source_path.clone());
        Ok(baton_engine::CalledWorkflow {
            definition: resolved.definition,
            workflow_dir: source.parent().map(|d| d.display().to_string()),
        })
    }
}

/// The step registry of a project: the built-ins, then its custom step types.
pub(crate) fn registry(custom: &baton_catalog::custom_steps::CustomSteps) -> Result<StepRegistry, CliError> {
    let mut registry = StepRegistry::new();
    baton_steps::builtin::register_builtins(&mut registry)
        .map_err(|e| CliError { lines: vec![format!("Error: {e}")], stream: Stream::Stderr, code: 1 })?;
    custom.register_into(&mut registry);
    Ok(registry)
}

/// Sets up everything a pass needs (signals, terminal, environment, store) and runs
/// `f` with stdout redirected under `--json`.
pub(crate) fn execute<R>(
    root: &Path,
    json: bool,
    custom: &baton_catalog::custom_steps::CustomSteps,
    f: impl FnOnce(&Engine<'_>, &FileStore) -> R,
) -> Result<R, CliError> {
    let registry = registry(custom)?;
    let cancel = Cancel::new();
    crate::signals::cancel_on_signals(&cancel);
    let env = env_map();
    let host_env = std::env::vars_os().collect();
    let cwd = std::env::current_dir()?;
    let host = SystemHost::new(host_env, cwd);
    let spin = crate::progress::SpinState::default();
    let terminal = Terminal::new(&cancel, std::sync::Arc::clone(&spin), crate::interaction::login_name(&env));
    let tty = rustix::termios::isatty(rustix::stdio::stdout());
    let err_tty = rustix::termios::isatty(rustix::stdio::stderr());
    let lines = StepLines::new(tty && !json, err_tty, spin);
    let silent = Silent;
    let calls = InstalledCalls { root: root.to_path_buf(), custom };
    let engine = Engine {
        calls: Some(&calls),
        registry: &registry,
        project_root: root,
        env: &env,
        interaction: &super::extras::Scripted::wrap(&terminal),
        host: &host,
        cancel: &cancel,
        events: &super::extras::Tee::wrap(if json { &silent } else { &lines }),
    };
    let store = FileStore::new(root, baton_engine::source_parser(), Arc::new(SystemClock))
        .with_durability(super::extras::durability());
    let _redirect = StdoutToStderr::new(json);
    Ok(f(&engine, &store))
}

/// Prints a JSON payload as the reference's `json.dumps(indent=2)`.
pub(crate) fn print_payload(payload: &baton_state::JsonObject) -> Result<(), CliError> {
    let value = serde_json::Value::from(&Json::Object(payload.clone()));
    output::print_json(&value)?;
    Ok(())
}

/// The exit code of a finished pass: 1 for failed/aborted, else 0.
fn exit_code(status: RunStatus) -> i32 {
    i32::from(matches!(status, RunStatus::Failed | RunStatus::Aborted))
}

/// Reports the end of a run or resume pass (engine.md §3.5).
pub(crate) fn report(
    result: Result<baton_engine::Result<Finished>, CliError>,
    json: bool,
    resume: bool,
    run_id: &str,
) -> Result<i32, CliError> {
    let label = if resume { "Resume failed" } else { "Workflow failed" };
    match result? {
        Ok(Finished { state, exception: None }) => {
            if json {
                print_payload(&baton_engine::outcome_payload(&state))?;
                return Ok(exit_code(state.status));
            }
            let mut text = format!("\nStatus: {}\n", state.status);
            if !resume {
                text.push_str(&format!("Run ID: {}\n", state.run_id));
            }
            if let Some(e) = baton_engine::failed_error(&state) {
                text.push_str(&format!("Error: {e}\n"));
            }
            if state.status == RunStatus::Paused && !resume {
                // On a terminal, the command that resumes; elsewhere the reference's line.
                let command = if rustix::termios::isatty(rustix::stdio::stdout()) {
                    "baton resume"
                } else {
                    "specify workflow resume"
                };
                text.push_str(&format!("\nResume with: {command} {}\n", state.run_id));
            }
            output::write_stdout(text.as_bytes())?;
            Ok(exit_code(state.status))
        }
        Ok(Finished { state, exception: Some(message) }) => {
            if json {
                print_payload(&baton_engine::outcome_payload(&state))?;
            } else {
                output::write_stdout(format!("{label}: {message}\n").as_bytes())?;
            }
            Ok(1)
        }
        Err(baton_engine::Error::Refused(message)) => Err(CliError::user(message, json)),
        Err(baton_engine::Error::State(baton_state::Error::NotFound(_))) => {
            Err(CliError::user(format!("Run not found: {run_id}"), json))
        }
        Err(baton_engine::Error::State(e)) => Err(CliError::user(e, json)),
        Err(baton_engine::Error::Checkpoint { state, source }) => {
            if json {
                let mut payload = baton_engine::outcome_payload(&state);
                payload.insert("status".into(), "failed".into());
                payload.insert("error".into(), source.to_string().into());
                print_payload(&payload)?;
            } else {
                output::write_stdout(format!("{label}: {source}\n").as_bytes())?;
            }
            Ok(1)
        }
        Err(other) => Err(CliError::user(other, json)),
    }
}

/// Loads and validates the workflow file, refusing it exactly as the reference does:
/// `Error: Invalid workflow: …` or `Workflow validation failed:` with one bullet per
/// error (stdout in text mode, stderr under `--json`; exit 1; nothing created).
pub(crate) fn load_checked(
    path: &Path,
    custom: &baton_catalog::custom_steps::CustomSteps,
    json: bool,
) -> Result<baton_model::yaml::Node, CliError> {
    let (_source, node) = match workflow_file::read(path) {
        Ok(loaded) => loaded,
        Err(ReadError::Io(err)) => {
            return Err(CliError::user(format!("Invalid workflow: {err}"), json));
        }
        Err(ReadError::Load { message, span }) => {
            let mut err = CliError::user(format!("Invalid workflow: {message}"), json);
            if let (false, Some(span)) = (json, span) {
                err = err.with_line(format!("  --> {}:{}:{}", path.display(), span.line, span.col));
            }
            return Err(err);
        }
    };
    check_definition(node, path, custom, json)
}

/// Validates a loaded (or composed) definition with the project's step types.
pub(crate) fn check_definition(
    node: baton_model::yaml::Node,
    path: &Path,
    custom: &baton_catalog::custom_steps::CustomSteps,
    json: bool,
) -> Result<baton_model::yaml::Node, CliError> {
    let diags = baton_model::validate(&node, custom);
    let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
    if errors.is_empty() {
        return Ok(node);
    }
    let mut err = CliError::user("", json);
    err.lines = vec!["Workflow validation failed:".to_owned()];
    for diag in errors {
        err.lines.push(format!("  • {}", diag.message));
        if !json {
            if let Some(span) = diag.span {
                err.lines.push(format!("    --> {}:{}:{}", path.display(), span.line, span.col));
            }
            if let Some(hint) = &diag.hint {
                err.lines.push(format!("    hint: {hint}"));
            }
        }
    }
    Err(err)
}
