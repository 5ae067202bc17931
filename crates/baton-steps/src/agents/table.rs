//! The integrations the reference ships, one row per key (specify-cli 1.2.3, 43 keys).

use std::path::Path;

use super::layout::{bob_layout, copilot_layout, Layout};

/// How a `command` step spells its command for the agent (steps.md §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Markdown, TOML and YAML agents: `/speckit.<stem>`.
    Dotted,
    /// Skills agents: `/speckit-<stem>` with the stem's dots turned into `-`.
    Skills,
    /// `$speckit-<stem>` (codex, command-code, zcode).
    Dollar,
    /// `/skill:speckit-<stem>` (kimi).
    SkillColon,
    /// Forge: dots → `-`, `speckit-` prefix unless the name already starts with it
    /// (checked before `speckit.` is removed).
    Forge,
    /// Junie and Cline: dots → `-` first, then a `speckit-` prefix unless present.
    Junie,
    /// Bob: [`Family::Skills`], or [`Family::Dotted`] in a legacy commands layout.
    Bob,
    /// Copilot: [`Family::Skills`], or in a legacy agents layout only the arguments
    /// (the command goes to `--agent speckit.<stem>`).
    Copilot,
}

/// The shape of an integration's command line (steps.md §7.3; `P` = the text sent,
/// `M` = the model, `X` = the `SPECKIT_INTEGRATION_<KEY>_EXTRA_ARGS` words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgvKind {
    /// `<exe> -p P X [<flag> M]`; with no flag the model is dropped.
    Print {
        /// The model flag (`--model` or `-m`), if the CLI takes one.
        model_flag: Option<&'static str>,
    },
    /// `<exe> exec P X [--model M]` (codex, muse).
    Exec,
    /// `agy [--dangerously-skip-permissions] [--model M] --add-dir <root> X --print P`.
    Agy,
    /// `amp X --execute P` (model dropped).
    Amp,
    /// `bob run --trust --accept-license -f pretty X P` (model dropped).
    Bob,
    /// `copilot -p P X [--yolo] [--model M]`, and for commands in a legacy layout
    /// `copilot -p <args> X --agent speckit.<stem> [--yolo] [--model M]`.
    Copilot,
    /// `cursor-agent -p --trust --approve-mcps --force P X [--model M]`.
    CursorAgent,
    /// `docker-agent run --exec <ref> [--agent A] [--safety S] [--model M] -- P`, or
    /// `docker agent run …` through the Docker CLI plugin.
    DockerAgent,
    /// `droid exec P [--model M] X`.
    Droid,
    /// `dsh --profile headless X P` (model dropped).
    Dsh,
    /// `forge X -p P` (model dropped).
    Forge,
    /// `goose run X [--model M] --recipe .goose/recipes/speckit.<stem>.yaml
    /// [--params args=<rest>]` for `/speckit.<stem> rest`, else `… -t P`.
    Goose,
    /// `grok -p P --always-approve X [--model M]`.
    Grok,
    /// `hermes chat -Q X [-m M] -s <name> [-q <rest>]` for `/<name> rest`, else `… -q P`.
    Hermes,
    /// `mcode exec P --permission full X [--model M]`.
    Mcode,
    /// `omp --print X [--model M] P`.
    Omp,
    /// `opencode run X --command <name> [-m M] [<rest>]` for `/<name> rest`, else
    /// `opencode run X [-m M] P`.
    Opencode,
    /// `acli rovodev run P X` (model dropped).
    Rovodev,
    /// No CLI dispatch: command and prompt steps fail with "Cannot dispatch …".
    None,
}

/// Which per-step `integration_args` / `integration_options` an integration takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeConfig {
    /// None: any non-empty value is refused.
    Refused,
    /// docker-agent's: one agent reference, options `agent` and `safety`.
    DockerAgent,
}

/// One integration: everything baton needs to start its CLI from a workflow step.
#[derive(Debug, Clone, Copy)]
pub struct Integration {
    /// The key a workflow names (matched exactly).
    pub key: &'static str,
    /// The default `argv[0]` (the key, except rovodev: `acli`).
    pub executable: &'static str,
    /// How a command is spelled.
    pub family: Family,
    /// How the command line is built.
    pub argv: ArgvKind,
    /// Whether `capture: true` is possible (every built-in integration).
    pub supports_capture: bool,
    /// Which per-step runtime configuration it accepts.
    pub runtime: RuntimeConfig,
    /// Reads the project to pick between two layouts (bob, copilot).
    pub layout: Option<fn(&Path) -> Layout>,
}

impl Integration {
    /// Whether the integration has a CLI a step can start.
    pub fn dispatchable(&self) -> bool {
        self.argv != ArgvKind::None
    }

    /// `SPECKIT_INTEGRATION_<KEY>_EXECUTABLE`.
    pub fn executable_var(&self) -> String {
        env_var_name(self.key, "EXECUTABLE")
    }

    /// `SPECKIT_INTEGRATION_<KEY>_EXTRA_ARGS`.
    pub fn extra_args_var(&self) -> String {
        env_var_name(self.key, "EXTRA_ARGS")
    }
}

fn env_var_name(key: &str, suffix: &str) -> String {
    format!("SPECKIT_INTEGRATION_{}_{suffix}", key.to_uppercase().replace('-', "_"))
}

const fn row(key: &'static str, family: Family, argv: ArgvKind) -> Integration {
    Integration {
        key,
        executable: key,
        family,
        argv,
        supports_capture: true,
        runtime: RuntimeConfig::Refused,
        layout: None,
    }
}

const MODEL: ArgvKind = ArgvKind::Print { model_flag: Some("--model") };
const M: ArgvKind = ArgvKind::Print { model_flag: Some("-m") };
const NO_MODEL: ArgvKind = ArgvKind::Print { model_flag: None };

use ArgvKind as A;
use Family as F;

/// Every built-in integration, sorted by key.
pub static INTEGRATIONS: [Integration; 43] = [
    row("agy", F::Skills, A::Agy),
    row("alquimia", F::Skills, MODEL),
    row("amp", F::Dotted, A::Amp),
    row("auggie", F::Dotted, MODEL),
    Integration { layout: Some(bob_layout), ..row("bob", F::Bob, A::Bob) },
    row("claude", F::Skills, MODEL),
    row("cline", F::Junie, A::None),
    row("codebuddy", F::Dotted, MODEL),
    row("codex", F::Dollar, A::Exec),
    row("command-code", F::Dollar, MODEL),
    Integration { layout: Some(copilot_layout), ..row("copilot", F::Copilot, A::Copilot) },
    row("cursor-agent", F::Skills, A::CursorAgent),
    row("devin", F::Skills, MODEL),
    Integration { runtime: RuntimeConfig::DockerAgent, ..row("docker-agent", F::Skills, A::DockerAgent) },
    row("droid", F::Skills, A::Droid),
    row("dsh", F::Skills, A::Dsh),
    row("firebender", F::Dotted, A::None),
    row("forge", F::Forge, A::Forge),
    row("gemini", F::Dotted, M),
    row("generic", F::Dotted, A::None),
    row("goose", F::Dotted, A::Goose),
    row("grok", F::Skills, A::Grok),
    row("hermes", F::Skills, A::Hermes),
    row("junie", F::Junie, MODEL),
    row("kilocode", F::Dotted, A::None),
    row("kimi", F::SkillColon, MODEL),
    row("kiro-cli", F::Dotted, MODEL),
    row("lingma", F::Skills, A::None),
    row("mcode", F::Skills, A::Mcode),
    row("muse", F::Skills, A::Exec),
    row("none", F::Dotted, A::None),
    row("omp", F::Dotted, A::Omp),
    row("opencode", F::Dotted, A::Opencode),
    row("pi", F::Dotted, MODEL),
    row("qodercli", F::Skills, MODEL),
    row("qwen", F::Dotted, MODEL),
    Integration { executable: "acli", ..row("rovodev", F::Skills, A::Rovodev) },
    row("shai", F::Dotted, A::None),
    row("tabnine", F::Dotted, M),
    row("trae", F::Skills, A::None),
    row("vibe", F::Skills, NO_MODEL),
    row("zcode", F::Dollar, NO_MODEL),
    row("zed", F::Skills, A::None),
];

/// The integration named exactly `key` (no case folding, no trimming).
pub fn lookup(key: &str) -> Option<&'static Integration> {
    INTEGRATIONS.binary_search_by(|i| i.key.cmp(key)).ok().map(|i| &INTEGRATIONS[i])
}

/// A known key that `key` probably meant (same letters ignoring case, `_` for `-` and
/// surrounding spaces), for a hint line.
pub fn suggest(key: &str) -> Option<&'static str> {
    let norm = |s: &str| s.trim().to_lowercase().replace('_', "-");
    let wanted = norm(key);
    INTEGRATIONS.iter().map(|i| i.key).find(|k| *k != key && norm(k) == wanted)
}
