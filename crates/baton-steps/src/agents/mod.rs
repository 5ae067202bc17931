//! Agent dispatch for `command` and `prompt` steps (steps.md §5–§7): which CLI an
//! integration starts, with which arguments, and why a step cannot be dispatched.
//!
//! Everything here is pure apart from reading the project's files (bob and copilot
//! choose their layout from them): the environment comes in as an [`Env`] map and
//! `PATH` lookups and the Docker plugin probe go through a [`Host`] ([`SystemHost`] on
//! the real machine). [`plan`] walks the reference's order — integration, runtime
//! configuration, a sample command line, the CLI presence check, the real command line,
//! `argv[0]` on `PATH` — and returns a [`Plan`] that [`Dispatch::process_spec`] turns
//! into a [`ProcessSpec`](crate::process::ProcessSpec).
//!
//! ```
//! use std::collections::BTreeMap;
//! use std::path::Path;
//! use std::time::Duration;
//! use baton_steps::agents::{plan, Host, Mode, Outcome, Request, Task};
//!
//! struct OnPath;
//! impl Host for OnPath {
//!     fn which(&self, name: &str) -> Option<String> {
//!         (name == "claude").then(|| format!("/usr/bin/{name}"))
//!     }
//!     fn docker_agent_plugin(&self, _docker: &str) -> bool {
//!         false
//!     }
//! }
//!
//! let request = Request {
//!     integration: Some("claude"),
//!     model: Some("haiku"),
//!     task: Task::Command {
//!         command: "speckit.plan",
//!         args: "build it",
//!         integration_args: &[],
//!         integration_options: &[],
//!     },
//!     project_root: Path::new("/work/project"),
//!     mode: Mode::Stream,
//!     timeout: Duration::from_secs(600),
//! };
//! let planned = plan(&request, &BTreeMap::new(), &OnPath).expect("valid configuration");
//! let Outcome::Dispatch(dispatch) = planned.outcome else { panic!("claude is on PATH") };
//! assert_eq!(dispatch.argv, ["/usr/bin/claude", "-p", "/speckit-plan build it", "--model", "haiku"]);
//! assert_eq!(dispatch.timeout, None); // a streaming command has no timeout
//! ```

mod argv;
mod host;
mod layout;
mod shlex;
mod table;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::process::{Output, ProcessSpec};

pub use argv::{invocation_text, validate_runtime_config, Env, ALLOW_ALL_TOOLS_DEPRECATED};
pub use host::SystemHost;
pub use layout::{bob_layout, copilot_layout, Layout};
pub use table::{lookup, suggest, ArgvKind, Family, Integration, RuntimeConfig, INTEGRATIONS};

use argv::{command_args, exec_args, Ctx, ExecInput};

/// The machine as dispatch sees it.
pub trait Host {
    /// Python's `shutil.which(name)`: the path to run, or `None` when nothing
    /// executable is found.
    fn which(&self, name: &str) -> Option<String>;
    /// Whether `<docker> agent version` exits 0 (the Docker Agent CLI plugin is there).
    fn docker_agent_plugin(&self, docker: &str) -> bool;
}

/// A configuration the reference refuses with a `ValueError` (texts verbatim).
///
/// A `command` step fails with `Command step '<id>': <message>` and output
/// `exit_code: 1, dispatched: false`; in a `prompt` step the error fails the whole run
/// with the bare message and no record for the step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DispatchError {
    /// Refused `integration_args`/`integration_options`, docker-agent's own checks, an
    /// unparseable `SPECKIT_INTEGRATION_<KEY>_EXTRA_ARGS`.
    #[error("{0}")]
    Config(String),
    /// `capture: true` on an integration that cannot capture.
    #[error("integration {} does not support 'capture: true'.", baton_expr::py::str_repr(.key))]
    CaptureUnsupported {
        /// The integration key.
        key: String,
    },
}

/// What the step dispatches.
#[derive(Debug, Clone, Copy)]
pub enum Task<'a> {
    /// A `command` step.
    Command {
        /// The `command` field (`speckit.plan`, `plan`, `speckit.git.commit`).
        command: &'a str,
        /// `str(input.args)` (`""` when absent).
        args: &'a str,
        /// The resolved `integration_args`.
        integration_args: &'a [String],
        /// The resolved `integration_options` in mapping order; `None` for a value that
        /// did not resolve to a string.
        integration_options: &'a [(String, Option<String>)],
    },
    /// A `prompt` step.
    Prompt {
        /// The resolved prompt text.
        text: &'a str,
    },
}

/// Streaming or capturing the agent's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The agent shares the terminal (baton's stdin, stdout, stderr and process group).
    Stream,
    /// `capture: true`: stdout and stderr kept up to `max_bytes` each (`None`: the
    /// step's `capture_max_bytes: -1`), in a process group of its own.
    Capture {
        /// The cap per stream.
        max_bytes: Option<usize>,
    },
}

/// One step's dispatch, with everything resolved except the integration's CLI.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The resolved integration key (step, else workflow default); `None` or `""`
    /// means none.
    pub integration: Option<&'a str>,
    /// The resolved model; `None` or `""` sends none.
    pub model: Option<&'a str>,
    /// Command or prompt.
    pub task: Task<'a>,
    /// The project root (absolute): the agent's working directory.
    pub project_root: &'a Path,
    /// Streaming or capture.
    pub mode: Mode,
    /// The step's timeout (command 600 s, prompt 300 s by default); a streaming
    /// command ignores it.
    pub timeout: Duration,
}

/// The result of [`plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Start the agent, or fail the step with "Cannot dispatch …".
    pub outcome: Outcome,
    /// Warnings the reference prints on stderr while building the command line
    /// ([`ALLOW_ALL_TOOLS_DEPRECATED`]), each once.
    pub warnings: Vec<String>,
}

/// Whether the step starts an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Start this process.
    Dispatch(Dispatch),
    /// Fail the step: [`cannot_dispatch_command`] / [`cannot_dispatch_prompt`], output
    /// `exit_code: 1, dispatched: false`.
    NotDispatchable(NotDispatchable),
}

/// An agent process to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatch {
    /// The command line; `argv[0]` is already the `PATH` lookup's result.
    pub argv: Vec<String>,
    /// The project root.
    pub cwd: PathBuf,
    /// Inherited (streaming) or captured output.
    pub output: Output,
    /// `None` for a streaming command; the step timeout otherwise.
    pub timeout: Option<Duration>,
    /// Whether the agent gets a process group of its own (capture only: a streaming
    /// agent stays in the terminal's foreground group, and a streaming prompt's timeout
    /// kills the agent alone).
    pub own_group: bool,
}

impl Dispatch {
    /// The process to run. The agent gets the engine's environment unchanged (a
    /// caller's `SPECKIT_WORKFLOW_DIR` passes through; none is added).
    pub fn process_spec(&self, engine_env: &[(OsString, OsString)]) -> ProcessSpec {
        ProcessSpec {
            argv: self.argv.iter().map(OsString::from).collect(),
            cwd: self.cwd.clone(),
            env: engine_env.to_vec(),
            stdin: crate::process::Input::Inherit,
            output: self.output,
            timeout: self.timeout,
            own_group: self.own_group,
            foreground: false,
        }
    }
}

/// Why a step cannot start an agent. The step's error is the same whatever the reason
/// ([`cannot_dispatch_command`], [`cannot_dispatch_prompt`]); [`NotDispatchable::hint`]
/// says which it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotDispatchable {
    /// No integration on the step nor the workflow.
    NoIntegration,
    /// A prompt step whose prompt is empty.
    EmptyPrompt,
    /// The key names no integration.
    UnknownIntegration {
        /// The key as given.
        key: String,
        /// A known key it probably meant.
        suggestion: Option<&'static str>,
    },
    /// The integration has no CLI to start (cline, generic, none, …).
    NoCliDispatch {
        /// The integration key.
        key: &'static str,
    },
    /// The integration's CLI is not installed.
    CliNotFound(MissingCli),
}

/// The CLI that was looked for and not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCli {
    /// The integration key.
    pub key: &'static str,
    /// The executable looked for (`claude`, `acli`, an override's value).
    pub executable: String,
    /// The variable that overrides it (`SPECKIT_INTEGRATION_CLAUDE_EXECUTABLE`).
    pub override_var: String,
}

impl NotDispatchable {
    /// baton's extra line under the reference's error, saying which case it is.
    pub fn hint(&self) -> String {
        match self {
            NotDispatchable::NoIntegration => {
                "no integration: set `integration` on the step or `workflow.integration`".into()
            }
            NotDispatchable::EmptyPrompt => "the prompt is empty".into(),
            NotDispatchable::UnknownIntegration { key, suggestion: Some(s) } => {
                format!("`{key}` is not a known integration; did you mean `{s}`?")
            }
            NotDispatchable::UnknownIntegration { key, suggestion: None } => {
                format!("`{key}` is not a known integration")
            }
            NotDispatchable::NoCliDispatch { key } => {
                format!("`{key}` has no command-line agent to start; use an integration that has one")
            }
            NotDispatchable::CliNotFound(m) => format!(
                "`{}` was not found on PATH; install it or set `{}` to the executable",
                m.executable, m.override_var
            ),
        }
    }
}

fn repr_or_none(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), baton_expr::py::str_repr)
}

/// The `command` step's error when it cannot dispatch (verbatim).
pub fn cannot_dispatch_command(command: &str, integration: Option<&str>) -> String {
    format!(
        "Cannot dispatch command {}: integration {} CLI not found or not installed, or the \
         integration does not support CLI dispatch. If the CLI is missing, install it or check \
         'specify integration list'; if the integration does not support CLI dispatch, set the \
         step's 'integration' to one that does.",
        baton_expr::py::str_repr(command),
        repr_or_none(integration)
    )
}

/// The `prompt` step's error when it cannot dispatch (verbatim; also for an empty
/// prompt).
pub fn cannot_dispatch_prompt(integration: Option<&str>) -> String {
    format!(
        "Cannot dispatch prompt: integration {} CLI not found or not installed, or the \
         integration does not support CLI dispatch. If the CLI is missing, install it; if the \
         integration does not support CLI dispatch, set the step's 'integration' to one that does.",
        repr_or_none(integration)
    )
}

fn missing(integration: &'static Integration, executable: &str) -> Outcome {
    Outcome::NotDispatchable(NotDispatchable::CliNotFound(MissingCli {
        key: integration.key,
        executable: executable.to_owned(),
        override_var: integration.executable_var(),
    }))
}

/// The command line a step would run, without the CLI presence check and with
/// `argv[0]` not looked up on `PATH` (for a dry run); `None` when there is nothing to
/// run (no or an unknown integration, one without CLI dispatch, an empty prompt). The
/// Docker plugin probe still runs for docker-agent.
pub fn build_argv(
    request: &Request<'_>,
    env: &Env,
    host: &dyn Host,
) -> Result<Option<Vec<String>>, DispatchError> {
    let Some(integration) = request.integration.filter(|k| !k.is_empty()).and_then(lookup) else {
        return Ok(None);
    };
    let mut warnings = Vec::new();
    let mut ctx = Ctx { env, host, warnings: &mut warnings };
    let input = |prompt, integration_args, integration_options| ExecInput {
        prompt,
        model: request.model,
        integration_args,
        integration_options,
        project_root: request.project_root,
    };
    match request.task {
        Task::Command { command, args, integration_args, integration_options } => command_args(
            integration,
            command,
            args,
            &input("", integration_args, integration_options),
            &mut ctx,
        ),
        Task::Prompt { text: "" } => Ok(None),
        Task::Prompt { text } => exec_args(integration, &input(text, &[], &[]), &mut ctx),
    }
}

/// Decides whether and how a `command` or `prompt` step starts its agent, in the
/// reference's order, so that the first refusal it would report is the one returned.
pub fn plan(request: &Request<'_>, env: &Env, host: &dyn Host) -> Result<Plan, DispatchError> {
    let mut warnings = Vec::new();
    let outcome = outcome(request, env, host, &mut warnings)?;
    Ok(Plan { outcome, warnings })
}

fn outcome(
    request: &Request<'_>,
    env: &Env,
    host: &dyn Host,
    warnings: &mut Vec<String>,
) -> Result<Outcome, DispatchError> {
    let not = Outcome::NotDispatchable;
    let Some(key) = request.integration.filter(|k| !k.is_empty()) else {
        return Ok(not(NotDispatchable::NoIntegration));
    };
    if let Task::Prompt { text: "" } = request.task {
        return Ok(not(NotDispatchable::EmptyPrompt));
    }
    let Some(integration) = lookup(key) else {
        return Ok(not(NotDispatchable::UnknownIntegration {
            key: key.to_owned(),
            suggestion: suggest(key),
        }));
    };
    let mut ctx = Ctx { env, host, warnings };
    let root = request.project_root;
    let model = request.model;
    let argv = match request.task {
        Task::Command { command, args, integration_args, integration_options } => {
            validate_runtime_config(integration, integration_args, integration_options)?;
            let input = ExecInput {
                prompt: "test",
                model: None,
                integration_args,
                integration_options,
                project_root: root,
            };
            let Some(sample) = exec_args(integration, &input, &mut ctx)? else {
                return Ok(not(NotDispatchable::NoCliDispatch { key: integration.key }));
            };
            let sample0 = sample.first().map_or("", String::as_str);
            if host.which(key).is_none() && host.which(sample0).is_none() {
                return Ok(missing(integration, sample0));
            }
            if matches!(request.mode, Mode::Capture { .. }) && !integration.supports_capture {
                return Err(DispatchError::CaptureUnsupported { key: key.to_owned() });
            }
            let input = ExecInput { model, ..input };
            command_args(integration, command, args, &input, &mut ctx)?
        }
        Task::Prompt { text } => {
            let input = ExecInput {
                prompt: text,
                model,
                integration_args: &[],
                integration_options: &[],
                project_root: root,
            };
            let argv = exec_args(integration, &input, &mut ctx)?;
            let argv0 = argv.as_ref().and_then(|a| a.first()).map_or("", String::as_str);
            if host.which(key).is_none() && host.which(argv0).is_none() && argv.is_some() {
                return Ok(missing(integration, argv0));
            }
            argv
        }
    };
    let Some(mut argv) = argv.filter(|a| !a.is_empty()) else {
        return Ok(not(NotDispatchable::NoCliDispatch { key: integration.key }));
    };
    match host.which(&argv[0]) {
        Some(found) => argv[0] = found,
        // Spawning it would fail: the reference reports that as not dispatchable.
        None => return Ok(missing(integration, &argv[0])),
    }
    let capture = match request.mode {
        Mode::Stream => None,
        Mode::Capture { max_bytes } => Some(max_bytes),
    };
    let streaming_command = capture.is_none() && matches!(request.task, Task::Command { .. });
    Ok(Outcome::Dispatch(Dispatch {
        argv,
        cwd: root.to_path_buf(),
        output: capture.map_or(Output::Inherit, |max_bytes| Output::Capture { max_bytes }),
        timeout: (!streaming_command).then_some(request.timeout),
        own_group: capture.is_some(),
    }))
}
