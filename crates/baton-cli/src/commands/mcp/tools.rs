//! The tools: their parameters (each a JSON Schema for the client), the baton command
//! line each one runs, and the server identity.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ErrorData, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;

use super::exec::{self, Invocation};

/// A workflow input value: text, a number or a boolean (passed as `-i name=value`; the
/// workflow's declaration decides its type).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum InputValue {
    /// Text, passed as is.
    Text(String),
    /// A boolean, passed as `true`/`false`.
    Flag(bool),
    /// A number, passed as JSON spells it.
    Number(serde_json::Number),
}

impl InputValue {
    fn text(&self) -> String {
        match self {
            InputValue::Text(text) => text.clone(),
            InputValue::Flag(flag) => flag.to_string(),
            InputValue::Number(number) => number.to_string(),
        }
    }
}

/// `specify_workflow_run`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// A workflow YAML file (relative to the project directory) or the id of a
    /// workflow installed in the project.
    pub source: String,
    /// Workflow inputs by name, e.g. `{"spec": "add login", "verdict": "approve"}`.
    #[serde(default)]
    pub inputs: BTreeMap<String, InputValue>,
    /// The project directory (default: the server's working directory).
    #[serde(default)]
    pub project: Option<String>,
}

/// `specify_workflow_resume`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeParams {
    /// The run to resume (the `run_id` a run or status call returned).
    pub run_id: String,
    /// Inputs to change before resuming, e.g. a gate's verdict input `{"verdict": "approve"}`.
    #[serde(default)]
    pub inputs: BTreeMap<String, InputValue>,
    /// The project directory (default: the server's working directory).
    #[serde(default)]
    pub project: Option<String>,
}

/// `specify_workflow_status`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusParams {
    /// One run's id; without it, every run of the project is listed.
    #[serde(default)]
    pub run_id: Option<String>,
    /// The project directory (default: the server's working directory).
    #[serde(default)]
    pub project: Option<String>,
}

/// Tools that only need the project.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectParams {
    /// The project directory (default: the server's working directory).
    #[serde(default)]
    pub project: Option<String>,
}

/// `specify_workflow_info`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InfoParams {
    /// The workflow id (installed, or in a catalog).
    pub id: String,
    /// Also list the versions the catalogs offer.
    #[serde(default)]
    pub versions: bool,
    /// The project directory (default: the server's working directory).
    #[serde(default)]
    pub project: Option<String>,
}

/// `specify_workflow_search`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words to look for in ids, names and descriptions.
    #[serde(default)]
    pub query: Option<String>,
    /// Only workflows with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// Only workflows by this author.
    #[serde(default)]
    pub author: Option<String>,
    /// The project directory (default: the server's working directory).
    #[serde(default)]
    pub project: Option<String>,
}

/// `baton_validate`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateParams {
    /// The workflow YAML file (relative to the project directory).
    pub file: String,
    /// The project directory (default: the server's working directory).
    #[serde(default)]
    pub project: Option<String>,
}

/// How `baton_graph` draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GraphFormat {
    /// A Mermaid flowchart.
    #[default]
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// `baton_graph`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphParams {
    /// A workflow YAML file (relative to the project directory) or an installed workflow id.
    pub source: String,
    /// `mermaid` (default) or `dot`.
    #[serde(default)]
    pub format: GraphFormat,
    /// The project directory (default: the server's working directory).
    #[serde(default)]
    pub project: Option<String>,
}

/// The server: baton's binary, the directory it was started in, and its tools.
#[derive(Debug, Clone)]
pub struct Baton {
    exe: PathBuf,
    cwd: PathBuf,
    tool_router: ToolRouter<Self>,
}

/// Serves on stdin/stdout until the client goes away.
pub async fn serve(server: Baton) -> Result<(), String> {
    let service = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| e.to_string())?;
    service.waiting().await.map_err(|e| e.to_string())?;
    Ok(())
}

fn inputs_args(args: &mut Vec<OsString>, inputs: &BTreeMap<String, InputValue>) {
    for (name, value) in inputs {
        args.push("--input".into());
        args.push(format!("{name}={}", value.text()).into());
    }
}

/// The command line of each tool (without the project), for tests and the handler.
pub mod argv {
    use super::*;

    /// `run [--input K=V]… --json -- SOURCE`.
    pub fn run(p: &RunParams) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["run".into()];
        inputs_args(&mut args, &p.inputs);
        args.extend(["--json".into(), "--".into(), p.source.clone().into()]);
        args
    }

    /// `resume [--input K=V]… --json -- RUN_ID`.
    pub fn resume(p: &ResumeParams) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["resume".into()];
        inputs_args(&mut args, &p.inputs);
        args.extend(["--json".into(), "--".into(), p.run_id.clone().into()]);
        args
    }

    /// `status --json [-- RUN_ID]`.
    pub fn status(p: &StatusParams) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["status".into(), "--json".into()];
        if let Some(id) = &p.run_id {
            args.extend(["--".into(), id.clone().into()]);
        }
        args
    }

    /// `info [--versions] --json -- ID`.
    pub fn info(p: &InfoParams) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["info".into()];
        if p.versions {
            args.push("--versions".into());
        }
        args.extend(["--json".into(), "--".into(), p.id.clone().into()]);
        args
    }

    /// `search [QUERY] [--tag T] [--author A] --json`.
    pub fn search(p: &SearchParams) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["search".into()];
        if let Some(tag) = &p.tag {
            args.extend(["--tag".into(), tag.clone().into()]);
        }
        if let Some(author) = &p.author {
            args.extend(["--author".into(), author.clone().into()]);
        }
        args.push("--json".into());
        if let Some(query) = &p.query {
            // After `--`, a query that starts with `-` stays a query.
            args.extend(["--".into(), query.clone().into()]);
        }
        args
    }

    /// `validate FILE --json`.
    pub fn validate(p: &ValidateParams) -> Vec<OsString> {
        vec![
            "validate".into(),
            "--json".into(),
            "--".into(),
            p.file.clone().into(),
        ]
    }

    /// `graph SOURCE --format F`.
    pub fn graph(p: &GraphParams) -> Vec<OsString> {
        let format = match p.format {
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Dot => "dot",
        };
        vec![
            "graph".into(),
            "--format".into(),
            format.into(),
            "--".into(),
            p.source.clone().into(),
        ]
    }
}

impl Baton {
    /// A server that runs `exe` for each tool, in `cwd` unless a call names a project.
    pub fn new(exe: PathBuf, cwd: PathBuf) -> Baton {
        Baton {
            exe,
            cwd,
            tool_router: Self::tool_router(),
        }
    }

    fn invocation(
        &self,
        args: Vec<OsString>,
        project: Option<&str>,
    ) -> Result<Invocation, Box<CallToolResult>> {
        let (cwd, explicit_project) = match project {
            Some(dir) => (self.cwd.join(dir), true),
            None => (self.cwd.clone(), false),
        };
        if !cwd.is_dir() {
            let text = format!("Project directory not found: {}", cwd.display());
            let mut result =
                CallToolResult::error(vec![rmcp::model::ContentBlock::text(text.clone())]);
            result.structured_content = Some(serde_json::json!({ "error": text }));
            return Err(Box::new(result));
        }
        Ok(Invocation {
            args,
            cwd,
            explicit_project,
        })
    }

    async fn call(
        &self,
        args: Vec<OsString>,
        project: Option<&str>,
        text: bool,
    ) -> Result<CallToolResult, ErrorData> {
        let invocation = match self.invocation(args, project) {
            Ok(invocation) => invocation,
            Err(result) => return Ok(*result),
        };
        let outcome = exec::run(&self.exe, &invocation).await.map_err(|e| {
            ErrorData::internal_error(format!("cannot run {}: {e}", self.exe.display()), None)
        })?;
        Ok(if text {
            exec::text_result(&outcome)
        } else {
            exec::json_result(&outcome)
        })
    }
}

#[tool_router(router = tool_router)]
impl Baton {
    /// Runs a workflow (`baton run SOURCE --input K=V… --json`). Non-interactive: a
    /// gate without its verdict input pauses the run (status `paused`); resume it with
    /// `specify_workflow_resume` and the verdict input. Returns the run's outcome,
    /// including its `run_id` and `status`.
    #[tool(
        name = "specify_workflow_run",
        annotations(
            title = "Run a workflow",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = true
        )
    )]
    async fn run(&self, Parameters(p): Parameters<RunParams>) -> Result<CallToolResult, ErrorData> {
        self.call(argv::run(&p), p.project.as_deref(), false).await
    }

    /// Resumes a paused or failed run (`baton resume RUN_ID --input K=V… --json`), with
    /// changed inputs such as a gate's verdict.
    #[tool(
        name = "specify_workflow_resume",
        annotations(
            title = "Resume a workflow run",
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = true
        )
    )]
    async fn resume(
        &self,
        Parameters(p): Parameters<ResumeParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call(argv::resume(&p), p.project.as_deref(), false)
            .await
    }

    /// The status of one run (its steps, current step, error) or, without `run_id`,
    /// of every run in the project (`baton status [RUN_ID] --json`).
    #[tool(
        name = "specify_workflow_status",
        annotations(title = "Workflow run status", read_only_hint = true)
    )]
    async fn status(
        &self,
        Parameters(p): Parameters<StatusParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call(argv::status(&p), p.project.as_deref(), false)
            .await
    }

    /// The workflows installed in the project (`baton list --json`).
    #[tool(
        name = "specify_workflow_list",
        annotations(title = "List installed workflows", read_only_hint = true)
    )]
    async fn list(
        &self,
        Parameters(p): Parameters<ProjectParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call(
            vec!["list".into(), "--json".into()],
            p.project.as_deref(),
            false,
        )
        .await
    }

    /// Details of a workflow, installed or in a catalog: its inputs and steps
    /// (`baton info ID [--versions] --json`). May read catalogs over the network.
    #[tool(
        name = "specify_workflow_info",
        annotations(
            title = "Workflow details",
            read_only_hint = true,
            open_world_hint = true
        )
    )]
    async fn info(
        &self,
        Parameters(p): Parameters<InfoParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call(argv::info(&p), p.project.as_deref(), false).await
    }

    /// Searches the workflow catalogs (`baton search [QUERY] [--tag T] [--author A] --json`).
    #[tool(
        name = "specify_workflow_search",
        annotations(
            title = "Search workflow catalogs",
            read_only_hint = true,
            open_world_hint = true
        )
    )]
    async fn search(
        &self,
        Parameters(p): Parameters<SearchParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call(argv::search(&p), p.project.as_deref(), false)
            .await
    }

    /// Checks a workflow file and reports every problem with its location and a hint
    /// (`baton validate FILE --json`). An invalid file is a tool error whose structured
    /// content lists the `errors` (and `warnings`).
    #[tool(
        name = "baton_validate",
        annotations(title = "Validate a workflow file", read_only_hint = true)
    )]
    async fn validate(
        &self,
        Parameters(p): Parameters<ValidateParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call(argv::validate(&p), p.project.as_deref(), false)
            .await
    }

    /// Draws a workflow's control flow (branches, loops, fan-out, gates) as Mermaid or
    /// Graphviz DOT text (`baton graph SOURCE --format F`).
    #[tool(
        name = "baton_graph",
        annotations(title = "Draw a workflow", read_only_hint = true)
    )]
    async fn graph(
        &self,
        Parameters(p): Parameters<GraphParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call(argv::graph(&p), p.project.as_deref(), true).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Baton {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("baton", env!("CARGO_PKG_VERSION"))
                    .with_title("baton")
                    .with_description("Run, resume and inspect Spec Kit workflows (specify workflow) with baton."),
            )
            .with_instructions(
                "Tools run baton in the project directory (the server's working directory, or the \
                 `project` argument) and return its --json output. Start a workflow with \
                 specify_workflow_run; a gate pauses the run until specify_workflow_resume supplies \
                 its verdict input; specify_workflow_status shows where a run is.",
            )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn strings(args: Vec<OsString>) -> Vec<String> {
        args.into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn run_passes_inputs_in_name_order() {
        let p: RunParams = serde_json::from_value(serde_json::json!({
            "source": "flow.yml",
            "inputs": {"n": 3, "flag": true, "text": "a=b c"}
        }))
        .unwrap();
        assert_eq!(
            strings(argv::run(&p)),
            [
                "run",
                "--input",
                "flag=true",
                "--input",
                "n=3",
                "--input",
                "text=a=b c",
                "--json",
                "--",
                "flow.yml"
            ]
        );
    }

    #[test]
    fn unknown_arguments_and_nested_inputs_are_refused() {
        assert!(serde_json::from_value::<RunParams>(
            serde_json::json!({"source": "a", "bogus": 1})
        )
        .is_err());
        assert!(serde_json::from_value::<RunParams>(
            serde_json::json!({"source": "a", "inputs": {"x": [1]}})
        )
        .is_err());
    }

    #[test]
    fn search_keeps_a_dash_query_a_query() {
        let p: SearchParams =
            serde_json::from_value(serde_json::json!({"query": "-x", "tag": "t"})).unwrap();
        assert_eq!(
            strings(argv::search(&p)),
            ["search", "--tag", "t", "--json", "--", "-x"]
        );
    }
}
