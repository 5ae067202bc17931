//! The built-in steps, run directly through the `Step` trait: a temporary project,
//! a test namespace, scripted interactions and fake executables on a private `PATH`.

#[path = "steps_agents.rs"]
mod agents;
#[path = "steps_github.rs"]
mod github;
#[path = "steps_init.rs"]
mod init;
#[path = "steps_dispatch_table.rs"]
mod dispatch_table;
#[path = "steps_oracle_table.rs"]
mod oracle_table;
#[path = "steps_gate.rs"]
mod gate;
#[path = "steps_shell.rs"]
mod shell;

use std::collections::{BTreeMap, VecDeque};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use baton_expr::{Map, MapNamespace, Value};
use baton_steps::agents::SystemHost;
use baton_steps::builtin::register_builtins;
use baton_steps::{
    Cancel, GateAnswer, GateQuestion, Interaction, NoInteraction, StepContext, StepError, StepRegistry,
    StepResult, StepStatus,
};

/// A step's configuration from YAML (the step mapping as written in a workflow).
pub fn config(yaml: &str) -> Map {
    let node = baton_model::yaml::parse(yaml).expect("valid YAML");
    match node.to_value() {
        Value::Map(m) => m,
        other => panic!("a step is a mapping, got {other:?}"),
    }
}

/// A JSON value (for inputs and prior step records).
pub fn json(text: &str) -> Value {
    baton_expr::json::loads(text).expect("valid JSON")
}

/// A project folder with a `bin` of fake executables and everything a step sees.
pub struct World {
    _dir: tempfile::TempDir,
    /// The project root (canonical).
    pub root: PathBuf,
    /// Fake executables, first on `PATH`.
    pub bin: PathBuf,
    /// The engine's environment.
    pub env: BTreeMap<String, String>,
    /// `inputs`.
    pub inputs: Value,
    /// `steps`.
    pub steps: Value,
    /// The workflow's directory.
    pub workflow_dir: Option<PathBuf>,
    /// `workflow.integration`.
    pub default_integration: Option<String>,
    /// `workflow.model`.
    pub default_model: Option<String>,
    /// `workflow.options`.
    pub default_options: Map,
    /// Whether the step runs as a fan-out item.
    pub inside_fan_out: bool,
    /// The run's cancellation.
    pub cancel: Cancel,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(dir.path()).expect("canonical");
        let root = base.join("project");
        let bin = base.join("bin");
        std::fs::create_dir(&root).expect("mkdir");
        std::fs::create_dir(&bin).expect("mkdir");
        let mut env = BTreeMap::new();
        env.insert("PATH".to_owned(), format!("{}:/usr/bin:/bin", bin.display()));
        World {
            _dir: dir,
            root,
            bin,
            env,
            inputs: Value::Map(Map::new()),
            steps: Value::Map(Map::new()),
            workflow_dir: None,
            default_integration: None,
            default_model: None,
            default_options: Map::new(),
            inside_fan_out: false,
            cancel: Cancel::new(),
        }
    }

    /// Adds an executable script to `bin`.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.bin.join(name);
        std::fs::write(&path, body).expect("write script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    /// Writes a project file.
    pub fn file(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    }

    /// Reads a project file ("" when missing).
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_default()
    }

    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.insert(key.to_owned(), value.to_owned());
    }

    /// Runs the registered step `type` with this configuration, without a person.
    pub fn run(&self, type_key: &str, yaml: &str) -> Result<StepResult, StepError> {
        self.run_with(type_key, yaml, &NoInteraction)
    }

    /// Runs the registered step `type` with this configuration and interaction.
    pub fn run_with(
        &self,
        type_key: &str,
        yaml: &str,
        interaction: &dyn Interaction,
    ) -> Result<StepResult, StepError> {
        self.execute(type_key, config(yaml), interaction)
    }

    /// Runs the registered step `type` with a configuration mapping, without a person.
    pub fn run_config(&self, type_key: &str, config: Map) -> Result<StepResult, StepError> {
        self.execute(type_key, config, &NoInteraction)
    }

    fn execute(&self, type_key: &str, config: Map, interaction: &dyn Interaction) -> Result<StepResult, StepError> {
        let mut registry = StepRegistry::new();
        register_builtins(&mut registry).expect("no duplicates");
        let step = registry.get(type_key).unwrap_or_else(|| panic!("{type_key} is registered"));
        let context = baton_expr::context_value(
            Some("run-1"),
            self.workflow_dir.as_deref().and_then(Path::to_str),
        );
        let ns = MapNamespace::new()
            .with("inputs", self.inputs.clone())
            .with("steps", self.steps.clone())
            .with("context", context);
        let env_pairs: Vec<_> = self.env.iter().map(|(k, v)| (k.into(), v.into())).collect();
        let host = SystemHost::new(env_pairs, self.root.clone());
        let step_id = config.get("id").and_then(Value::as_str).unwrap_or("step").to_owned();
        let ctx = StepContext {
            namespace: &ns,
            step_id: &step_id,
            inside_fan_out: self.inside_fan_out,
            default_integration: self.default_integration.as_deref(),
            default_model: self.default_model.as_deref(),
            default_options: &self.default_options,
            project_root: &self.root,
            run_id: "run-1",
            is_resume: false,
            workflow_dir: self.workflow_dir.as_deref(),
            env: &self.env,
            cancel: &self.cancel,
            interaction,
            host: &host,
        };
        step.execute(&config, &ctx)
    }
}

/// A question a gate asked: (message, options, file block).
pub type Asked = (String, Vec<String>, Option<String>);

/// An interaction with a terminal: answers given in advance, notices recorded.
pub struct Scripted {
    answers: Mutex<VecDeque<GateAnswer>>,
    /// Every notice, in order.
    pub notices: Mutex<Vec<String>>,
    /// Every question.
    pub questions: Mutex<Vec<Asked>>,
    /// What [`Interaction::user_name`] answers.
    pub user: Option<String>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = GateAnswer>) -> Scripted {
        Scripted {
            answers: Mutex::new(answers.into_iter().collect()),
            notices: Mutex::new(Vec::new()),
            questions: Mutex::new(Vec::new()),
            user: None,
        }
    }

    /// The same, with `user` at the terminal.
    pub fn by(user: &str, answers: impl IntoIterator<Item = GateAnswer>) -> Scripted {
        Scripted { user: Some(user.to_owned()), ..Scripted::new(answers) }
    }

    pub fn notices(&self) -> Vec<String> {
        self.notices.lock().expect("lock").clone()
    }
}

impl Interaction for Scripted {
    fn stdin_is_terminal(&self) -> bool {
        true
    }
    fn ask_gate(&self, question: &GateQuestion<'_>) -> GateAnswer {
        self.questions.lock().expect("lock").push((
            question.message.to_owned(),
            question.options.to_vec(),
            question.file.map(str::to_owned),
        ));
        self.answers.lock().expect("lock").pop_front().unwrap_or(GateAnswer::Eof)
    }
    fn notice(&self, text: &str) {
        self.notices.lock().expect("lock").push(text.to_owned());
    }
    fn user_name(&self) -> Option<&str> {
        self.user.as_deref()
    }
}

/// `result.output[key]`.
pub fn out<'a>(result: &'a StepResult, key: &str) -> &'a Value {
    result.output.get(key).unwrap_or_else(|| panic!("output has no {key}: {:?}", result.output))
}

/// Asserts status and error.
pub fn assert_outcome(result: &StepResult, status: StepStatus, error: Option<&str>) {
    assert_eq!(result.status, status, "{result:?}");
    assert_eq!(result.error.as_deref(), error, "{result:?}");
}
