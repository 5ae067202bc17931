//! Command lines per integration (steps.md §7.3 with the corrections of §7.5).

use std::collections::BTreeMap;
use std::path::Path;

use super::layout::Layout;
use super::shlex;
use super::table::{ArgvKind, Family, Integration, RuntimeConfig};
use super::{DispatchError, Host};

/// The engine's environment, read for the `SPECKIT_*` variables.
pub type Env = BTreeMap<String, String>;

/// Python's `str.strip()`: Unicode white space plus the ASCII separators `\x1c`..`\x1f`.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

fn repr(s: &str) -> String {
    baton_expr::py::str_repr(s)
}

/// The command name without a leading `speckit.`.
fn stem(command: &str) -> &str {
    command.strip_prefix("speckit.").unwrap_or(command)
}

fn with_args(invocation: String, args: &str) -> String {
    if args.is_empty() {
        invocation
    } else {
        format!("{invocation} {args}")
    }
}

/// The text a `command` step sends for `command` with `args` in `family`, given the
/// project's layout (only bob and copilot look at it).
pub fn family_invocation(family: Family, command: &str, args: &str, layout: Layout) -> String {
    let hyphen = |prefix: &str| format!("{prefix}speckit-{}", stem(command).replace('.', "-"));
    let base = match family {
        Family::Dotted => format!("/speckit.{}", stem(command)),
        Family::Skills => hyphen("/"),
        Family::Dollar => hyphen("$"),
        Family::SkillColon => hyphen("/skill:"),
        Family::Forge => {
            if command.starts_with("speckit-") {
                format!("/{command}")
            } else {
                hyphen("/")
            }
        }
        Family::Junie => {
            let name = command.replace('.', "-");
            if name.starts_with("speckit-") {
                format!("/{name}")
            } else {
                format!("/speckit-{name}")
            }
        }
        Family::Bob => match layout {
            Layout::Skills => hyphen("/"),
            Layout::Legacy => format!("/speckit.{}", stem(command)),
        },
        Family::Copilot => match layout {
            Layout::Skills => hyphen("/"),
            Layout::Legacy => return args.to_owned(),
        },
    };
    with_args(base, args)
}

/// The `command` step's invocation text for the integration `key` (steps.md §7.2), or
/// `None` for an unknown key. bob and copilot read `project_root` to pick their layout;
/// copilot's legacy layout sends only `args` (the command goes to `--agent`).
pub fn invocation_text(key: &str, command: &str, args: &str, project_root: &Path) -> Option<String> {
    let integration = super::table::lookup(key)?;
    Some(family_invocation(integration.family, command, args, layout_of(integration, project_root)))
}

pub(super) fn layout_of(integration: &Integration, root: &Path) -> Layout {
    integration.layout.map_or(Layout::Skills, |f| f(root))
}

/// The integration's runtime check of a `command` step's `integration_args` and
/// `integration_options` (`None` values are ones that did not resolve to a string).
pub fn validate_runtime_config(
    integration: &Integration,
    integration_args: &[String],
    integration_options: &[(String, Option<String>)],
) -> Result<(), DispatchError> {
    let err = |m: String| Err(DispatchError::Config(m));
    match integration.runtime {
        RuntimeConfig::Refused => {
            if !integration_args.is_empty() {
                return err(format!(
                    "Integration {} does not support per-step 'integration_args'.",
                    repr(integration.key)
                ));
            }
            if !integration_options.is_empty() {
                let mut names: Vec<&str> = integration_options.iter().map(|(k, _)| k.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                return err(format!(
                    "Integration {} does not support per-step 'integration_options' ({}).",
                    repr(integration.key),
                    names.join(", ")
                ));
            }
            Ok(())
        }
        RuntimeConfig::DockerAgent => {
            if integration_args.iter().any(|a| py_strip(a).is_empty()) {
                return err("Docker Agent 'integration_args' values must be non-empty strings.".into());
            }
            if integration_args.len() > 1 {
                return err("Docker Agent accepts at most one per-step 'integration_args' value: \
                            the agent configuration reference."
                    .into());
            }
            if integration_args.first().is_some_and(|a| a.starts_with('-')) {
                return err("Docker Agent 'integration_args' must start with an agent configuration \
                            reference, for example ./agent.yaml."
                    .into());
            }
            if integration_options.iter().any(|(k, _)| k == "model") {
                return err("Docker Agent model selection must use the command-step 'model' field, \
                            not 'integration_options.model'."
                    .into());
            }
            let mut unknown: Vec<&str> = integration_options
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| !matches!(*k, "agent" | "safety"))
                .collect();
            if !unknown.is_empty() {
                unknown.sort_unstable();
                unknown.dedup();
                let names: Vec<String> = unknown.iter().map(|n| repr(n)).collect();
                return err(format!(
                    "Docker Agent received unknown integration option(s): {}. Supported options: agent, safety.",
                    names.join(", ")
                ));
            }
            for (name, value) in integration_options {
                if value.as_deref().is_none_or(|v| py_strip(v).is_empty()) {
                    return err(format!(
                        "Docker Agent integration option {} must be a non-empty string.",
                        repr(name)
                    ));
                }
            }
            let safety = integration_options.iter().rev().find(|(k, _)| k == "safety");
            if let Some((_, Some(s))) = safety {
                if !matches!(s.as_str(), "strict" | "balanced" | "restricted" | "autonomous") {
                    return err("Docker Agent integration option 'safety' must be one of: \
                                autonomous, balanced, restricted, strict."
                        .into());
                }
            }
            Ok(())
        }
    }
}

/// What [`exec_args`] builds a command line from.
pub(super) struct ExecInput<'a> {
    pub prompt: &'a str,
    pub model: Option<&'a str>,
    pub integration_args: &'a [String],
    pub integration_options: &'a [(String, Option<String>)],
    pub project_root: &'a Path,
}

/// Where the builders read the environment and the host, and leave warnings.
pub(super) struct Ctx<'a> {
    pub env: &'a Env,
    pub host: &'a dyn Host,
    pub warnings: &'a mut Vec<String>,
}

impl Ctx<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    fn warn(&mut self, message: &str) {
        if !self.warnings.iter().any(|w| w == message) {
            self.warnings.push(message.to_owned());
        }
    }
}

/// `SPECKIT_INTEGRATION_<KEY>_EXECUTABLE` (trimmed, blank = unset), else the default.
pub(super) fn executable(integration: &Integration, env: &Env) -> String {
    match env.get(&integration.executable_var()).map(|v| py_strip(v)) {
        Some(v) if !v.is_empty() => v.to_owned(),
        _ => integration.executable.to_owned(),
    }
}

/// Appends the `SPECKIT_INTEGRATION_<KEY>_EXTRA_ARGS` words.
fn push_extra_args(
    integration: &Integration,
    env: &Env,
    argv: &mut Vec<String>,
) -> Result<(), DispatchError> {
    let name = integration.extra_args_var();
    let value = env.get(&name).map_or("", |v| py_strip(v));
    if value.is_empty() {
        return Ok(());
    }
    match shlex::split(value) {
        Ok(words) => {
            argv.extend(words);
            Ok(())
        }
        Err(e) => Err(DispatchError::Config(format!(
            "{name} is not parseable as a POSIX-quoted command line (value: {}). shlex reported: {e}. \
             Use single or double quotes to group multi-word values, e.g. {name}='--flag \"value with spaces\"'.",
            repr(value)
        ))),
    }
}

/// agy's `--dangerously-skip-permissions`: the first non-blank of the two variables is
/// `1`, `true`, `yes` or `on` (trimmed, any case).
fn agy_allow_all(env: &Env) -> bool {
    ["SPECKIT_INTEGRATION_AGY_ALLOW_ALL_TOOLS", "SPECKIT_AGY_ALLOW_ALL_TOOLS"]
        .iter()
        .find_map(|k| env.get(*k).map(|v| py_strip(v)).filter(|v| !v.is_empty()))
        .is_some_and(|v| matches!(v.to_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

/// The deprecation warning the reference prints when it reads `SPECKIT_ALLOW_ALL_TOOLS`.
pub const ALLOW_ALL_TOOLS_DEPRECATED: &str =
    "SPECKIT_ALLOW_ALL_TOOLS is deprecated; use SPECKIT_COPILOT_ALLOW_ALL_TOOLS instead.";

/// copilot's `--yolo`: on unless `SPECKIT_COPILOT_ALLOW_ALL_TOOLS` (or, when that is
/// unset, the deprecated `SPECKIT_ALLOW_ALL_TOOLS`) is exactly `0`.
fn copilot_allow_all(ctx: &mut Ctx<'_>) -> bool {
    if let Some(v) = ctx.get("SPECKIT_COPILOT_ALLOW_ALL_TOOLS") {
        return v != "0";
    }
    if let Some(v) = ctx.get("SPECKIT_ALLOW_ALL_TOOLS") {
        let on = v != "0";
        ctx.warn(ALLOW_ALL_TOOLS_DEPRECATED);
        return on;
    }
    true
}

/// Python's `Path(p).resolve()` for agy's `--add-dir`: the real path when it exists.
fn resolved(root: &Path) -> String {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()).to_string_lossy().into_owned()
}

/// The docker-agent command prefix: `docker-agent run`, `docker agent run` (plugin),
/// `<override> agent run` for an override named `docker` whose plugin answers, else
/// `<exe> run`.
fn docker_agent_command(integration: &Integration, env: &Env, host: &dyn Host) -> Vec<String> {
    let exe = executable(integration, env);
    let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    if exe == integration.key {
        if host.which("docker-agent").is_some() {
            return owned(&["docker-agent", "run"]);
        }
        if let Some(docker) = host.which("docker") {
            if is_docker(&docker) && host.docker_agent_plugin(&docker) {
                return owned(&["docker", "agent", "run"]);
            }
        }
    } else if is_docker(&exe) && host.docker_agent_plugin(&exe) {
        return vec![exe, "agent".into(), "run".into()];
    }
    vec![exe, "run".into()]
}

fn is_docker(exe: &str) -> bool {
    Path::new(exe)
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| matches!(n.to_lowercase().as_str(), "docker" | "docker.exe"))
}

/// docker-agent's arguments: the agent reference (per-step, else the legacy variable's
/// words), then the options in their order, the model, `--` and the text.
fn docker_agent_args(
    integration: &Integration,
    input: &ExecInput<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<Vec<String>, DispatchError> {
    const VAR: &str = "SPECKIT_INTEGRATION_DOCKER_AGENT_EXTRA_ARGS";
    let legacy = ctx.get(VAR).map_or("", py_strip);
    if input.integration_args.is_empty() && legacy.is_empty() {
        return Err(DispatchError::Config(format!(
            "Docker Agent requires an agent configuration reference. Set per-step 'integration_args', \
             for example integration_args: ['./agent.yaml'], or use the legacy {VAR}=./agent.yaml \
             environment variable."
        )));
    }
    let reference: Vec<String> = if input.integration_args.is_empty() {
        let words = shlex::split(legacy).map_err(|_| {
            DispatchError::Config(format!(
                "{VAR} is not parseable as a POSIX-quoted command line (value: {}).",
                repr(legacy)
            ))
        })?;
        if words.first().is_none_or(|w| w.is_empty() || w.starts_with('-')) {
            return Err(DispatchError::Config(format!(
                "{VAR} must start with an agent configuration reference, for example ./agent.yaml"
            )));
        }
        words
    } else {
        input.integration_args.to_vec()
    };
    let mut argv = docker_agent_command(integration, ctx.env, ctx.host);
    argv.push("--exec".into());
    argv.extend(reference);
    for (name, value) in input.integration_options {
        let flag = if name == "agent" { "--agent" } else { "--safety" };
        argv.push(flag.into());
        argv.push(value.clone().unwrap_or_default());
    }
    push_model(&mut argv, "--model", input.model);
    argv.push("--".into());
    argv.push(input.prompt.into());
    Ok(argv)
}

fn push_model(argv: &mut Vec<String>, flag: &str, model: Option<&str>) {
    if let Some(m) = model.filter(|m| !m.is_empty()) {
        argv.push(flag.into());
        argv.push(m.into());
    }
}

/// `/<name> rest` → `(name, rest)` when `name` is non-empty (split at the first space).
fn slash_command(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_prefix('/')?;
    let (name, rest) = body.split_once(' ').unwrap_or((body, ""));
    (!name.is_empty()).then_some((name, rest))
}

/// The integration's command line for `input.prompt` in text mode (the reference's
/// `build_exec_args`), with `argv[0]` not yet looked up on `PATH`; `None` when the
/// integration has no CLI dispatch.
pub(super) fn exec_args(
    integration: &Integration,
    input: &ExecInput<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<Option<Vec<String>>, DispatchError> {
    validate_runtime_config(integration, input.integration_args, input.integration_options)?;
    let exe = executable(integration, ctx.env);
    let p = input.prompt.to_owned();
    let model = input.model;
    let mut argv = vec![exe];
    let env = ctx.env;
    let extra = |argv: &mut Vec<String>| push_extra_args(integration, env, argv);
    match integration.argv {
        ArgvKind::None => return Ok(None),
        ArgvKind::Print { model_flag } => {
            argv.extend(["-p".into(), p]);
            extra(&mut argv)?;
            if let Some(flag) = model_flag {
                push_model(&mut argv, flag, model);
            }
        }
        ArgvKind::Exec => {
            argv.extend(["exec".into(), p]);
            extra(&mut argv)?;
            push_model(&mut argv, "--model", model);
        }
        ArgvKind::Agy => {
            if agy_allow_all(ctx.env) {
                argv.push("--dangerously-skip-permissions".into());
            }
            push_model(&mut argv, "--model", model);
            let root = input.project_root.to_string_lossy();
            if !py_strip(&root).is_empty() {
                argv.extend(["--add-dir".into(), resolved(input.project_root)]);
            }
            extra(&mut argv)?;
            argv.extend(["--print".into(), p]);
        }
        ArgvKind::Amp => {
            extra(&mut argv)?;
            argv.extend(["--execute".into(), p]);
        }
        ArgvKind::Bob => {
            argv.extend(["run", "--trust", "--accept-license", "-f", "pretty"].map(String::from));
            extra(&mut argv)?;
            argv.push(p);
        }
        ArgvKind::Copilot => {
            argv.extend(["-p".into(), p]);
            extra(&mut argv)?;
            if copilot_allow_all(ctx) {
                argv.push("--yolo".into());
            }
            push_model(&mut argv, "--model", model);
        }
        ArgvKind::CursorAgent => {
            argv.extend(["-p", "--trust", "--approve-mcps", "--force"].map(String::from));
            argv.push(p);
            extra(&mut argv)?;
            push_model(&mut argv, "--model", model);
        }
        ArgvKind::DockerAgent => return docker_agent_args(integration, input, ctx).map(Some),
        ArgvKind::Droid => {
            argv.extend(["exec".into(), p]);
            push_model(&mut argv, "--model", model);
            extra(&mut argv)?;
        }
        ArgvKind::Dsh => {
            argv.extend(["--profile".into(), "headless".into()]);
            extra(&mut argv)?;
            argv.push(p);
        }
        ArgvKind::Forge => {
            extra(&mut argv)?;
            argv.extend(["-p".into(), p]);
        }
        ArgvKind::Goose => {
            argv.push("run".into());
            extra(&mut argv)?;
            push_model(&mut argv, "--model", model);
            let recipe = p.strip_prefix("/speckit.").map(|body| body.split_once(' ').unwrap_or((body, "")));
            match recipe {
                Some((stem, rest)) if !stem.is_empty() => {
                    argv.extend(["--recipe".into(), format!(".goose/recipes/speckit.{stem}.yaml")]);
                    if !py_strip(rest).is_empty() {
                        argv.extend(["--params".into(), format!("args={rest}")]);
                    }
                }
                _ => argv.extend(["-t".into(), p.clone()]),
            }
        }
        ArgvKind::Grok => {
            argv.extend(["-p".into(), p, "--always-approve".into()]);
            extra(&mut argv)?;
            push_model(&mut argv, "--model", model);
        }
        ArgvKind::Hermes => {
            argv.extend(["chat".into(), "-Q".into()]);
            extra(&mut argv)?;
            push_model(&mut argv, "-m", model);
            match slash_command(&p) {
                Some((name, rest)) => {
                    argv.extend(["-s".into(), name.into()]);
                    if !rest.is_empty() {
                        argv.extend(["-q".into(), rest.into()]);
                    }
                }
                None => argv.extend(["-q".into(), p.clone()]),
            }
        }
        ArgvKind::Mcode => {
            argv.extend(["exec".into(), p, "--permission".into(), "full".into()]);
            extra(&mut argv)?;
            push_model(&mut argv, "--model", model);
        }
        ArgvKind::Omp => {
            argv.push("--print".into());
            extra(&mut argv)?;
            push_model(&mut argv, "--model", model);
            argv.push(p);
        }
        ArgvKind::Opencode => {
            argv.push("run".into());
            extra(&mut argv)?;
            let message = match slash_command(&p) {
                Some((name, rest)) => {
                    argv.extend(["--command".into(), name.into()]);
                    rest
                }
                None => p.as_str(),
            };
            push_model(&mut argv, "-m", model);
            if !message.is_empty() {
                argv.push(message.into());
            }
        }
        ArgvKind::Rovodev => {
            argv.extend(["rovodev".into(), "run".into(), p]);
            extra(&mut argv)?;
        }
    }
    Ok(Some(argv))
}

/// A `command` step's command line (the reference's `dispatch_command`): the
/// invocation text in the project's layout, then [`exec_args`]; copilot's legacy layout
/// adds `--agent speckit.<stem>`.
pub(super) fn command_args(
    integration: &Integration,
    command: &str,
    args: &str,
    input: &ExecInput<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<Option<Vec<String>>, DispatchError> {
    validate_runtime_config(integration, input.integration_args, input.integration_options)?;
    let layout = layout_of(integration, input.project_root);
    let text = family_invocation(integration.family, command, args, layout);
    if integration.argv == ArgvKind::Copilot && layout == Layout::Legacy {
        let mut argv = vec![executable(integration, ctx.env), "-p".into(), text];
        push_extra_args(integration, ctx.env, &mut argv)?;
        argv.extend(["--agent".into(), format!("speckit.{}", stem(command))]);
        if copilot_allow_all(ctx) {
            argv.push("--yolo".into());
        }
        push_model(&mut argv, "--model", input.model);
        return Ok(Some(argv));
    }
    exec_args(integration, &ExecInput { prompt: &text, ..*input }, ctx)
}
