//! `baton mcp` spoken to over stdio as a client would: initialize, tools/list, tool
//! calls; a workflow that pauses at a gate, its status, a resume with the verdict input,
//! and the run completed.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

use crate::{repo_root, BATON};

/// A client of one `baton mcp` process.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    next_id: u64,
}

impl Client {
    /// Starts `baton mcp` in `cwd` and completes the handshake.
    fn start(cwd: &Path) -> (Client, Value) {
        let mut child = Command::new(BATON)
            .arg("mcp")
            .current_dir(cwd)
            .env_remove("SPECIFY_INIT_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            lines,
            next_id: 1,
        };
        let init = client.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "baton-test", "version": "0"}
            }),
        );
        client.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        (client, init)
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a request and returns its `result` (panics on a JSON-RPC error).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("no answer to {method} within 120 s"));
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {line}"));
            if message.get("id") == Some(&json!(id)) {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
            // Notifications (logging, progress) may come first.
        }
    }

    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": tool, "arguments": arguments}))
    }

    /// Closes stdin and expects the server to exit 0.
    fn finish(mut self) {
        drop(self.stdin.take());
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "baton mcp exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("baton mcp did not exit after stdin closed");
    }
}

fn text_of(result: &Value) -> String {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn handshake_tools_and_validate() {
    let (mut client, init) = Client::start(&repo_root());
    assert_eq!(init["serverInfo"]["name"], "baton");
    assert!(init["capabilities"]["tools"].is_object(), "{init}");
    assert_eq!(init["protocolVersion"], "2025-06-18");

    let tools = client.request("tools/list", json!({}));
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for required in [
        "specify_workflow_run",
        "specify_workflow_resume",
        "specify_workflow_status",
        "specify_workflow_list",
        "specify_workflow_info",
        "baton_validate",
    ] {
        assert!(
            names.contains(&required),
            "{required} missing from {names:?}"
        );
    }
    for tool in tools["tools"].as_array().unwrap() {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert!(
            tool["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{tool}"
        );
    }
    let run = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "specify_workflow_run")
        .unwrap();
    assert_eq!(run["inputSchema"]["required"], json!(["source"]));
    assert!(run["inputSchema"]["properties"]["inputs"].is_object());

    let bad = client.call(
        "baton_validate",
        json!({"file": "fixtures/workflows/invalid/semantic/step-type-unknown.yml"}),
    );
    assert_eq!(bad["isError"], true, "{bad}");
    let report = &bad["structuredContent"];
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["code"], "step.type-unknown");
    assert_eq!(report["errors"][0]["hint"], "did you mean `shell`?");

    let good = client.call(
        "baton_validate",
        json!({"file": "fixtures/workflows/valid/review-gate.yml"}),
    );
    assert_eq!(good["isError"], false, "{good}");
    assert_eq!(good["structuredContent"]["valid"], true);

    let graph = client.call(
        "baton_graph",
        json!({"source": "fixtures/workflows/valid/review-gate.yml", "format": "dot"}),
    );
    assert!(
        text_of(&graph).starts_with("digraph \"review-gate\""),
        "{graph}"
    );

    // Arguments that do not fit the schema are refused, not guessed at.
    let id = client.next_id;
    client.next_id += 1;
    client.send(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "baton_validate", "arguments": {"path": "x.yml"}}}));
    let line = client.lines.recv_timeout(Duration::from_secs(60)).unwrap();
    let answer: Value = serde_json::from_str(&line).unwrap();
    assert!(
        answer.get("error").is_some() || answer["result"]["isError"] == true,
        "{answer}"
    );
    client.finish();
}

#[test]
fn gate_pauses_then_resume_with_the_verdict_completes() {
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join(".specify")).unwrap();
    let flow = repo_root().join("fixtures/workflows/valid/review-gate.yml");
    std::fs::copy(&flow, project.path().join("review.yml")).unwrap();
    // The server runs elsewhere; every call names the project.
    let (mut client, _) = Client::start(&repo_root());
    let dir = project.path().to_str().unwrap();

    let run = client.call(
        "specify_workflow_run",
        json!({"source": "review.yml", "project": dir}),
    );
    assert_eq!(run["isError"], false, "{run}");
    let outcome = &run["structuredContent"];
    assert_eq!(outcome["status"], "paused", "{run}");
    assert_eq!(outcome["current_step_id"], "review");
    assert_eq!(outcome["gate"]["options"], json!(["approve", "reject"]));
    let run_id = outcome["run_id"].as_str().unwrap().to_owned();
    assert!(project
        .path()
        .join(".specify/workflows/runs")
        .join(&run_id)
        .join("state.json")
        .is_file());

    let status = client.call(
        "specify_workflow_status",
        json!({"run_id": run_id, "project": dir}),
    );
    assert_eq!(status["isError"], false, "{status}");
    assert_eq!(status["structuredContent"]["status"], "paused");
    assert_eq!(status["structuredContent"]["steps"]["build"], "completed");
    assert_eq!(status["structuredContent"]["steps"]["review"], "paused");

    let all = client.call("specify_workflow_status", json!({"project": dir}));
    assert_eq!(
        all["structuredContent"]["runs"][0]["run_id"],
        run_id.as_str(),
        "{all}"
    );

    let resumed = client.call(
        "specify_workflow_resume",
        json!({"run_id": run_id, "inputs": {"verdict": "approve"}, "project": dir}),
    );
    assert_eq!(resumed["isError"], false, "{resumed}");
    assert_eq!(
        resumed["structuredContent"]["status"], "completed",
        "{resumed}"
    );

    let done = client.call(
        "specify_workflow_status",
        json!({"run_id": run_id, "project": dir}),
    );
    assert_eq!(done["structuredContent"]["status"], "completed");
    assert_eq!(
        done["structuredContent"]["steps"]["ship"], "completed",
        "{done}"
    );

    // A failing command is a tool error carrying baton's message.
    let missing = client.call(
        "specify_workflow_status",
        json!({"run_id": "nope1234", "project": dir}),
    );
    assert_eq!(missing["isError"], true, "{missing}");
    assert!(
        text_of(&missing).contains("Run not found: nope1234"),
        "{missing}"
    );
    let nowhere = client.call("specify_workflow_list", json!({"project": "/no/such/dir"}));
    assert_eq!(nowhere["isError"], true);
    client.finish();
}

#[test]
fn steps_never_read_the_protocol_stream() {
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join(".specify")).unwrap();
    std::fs::write(
        project.path().join("cat.yml"),
        "workflow: {id: cat, name: Cat}\nsteps:\n  - id: read\n    type: shell\n    run: cat; echo read-done\n",
    )
    .unwrap();
    let (mut client, _) = Client::start(project.path());
    let run = client.call("specify_workflow_run", json!({"source": "cat.yml"}));
    assert_eq!(run["structuredContent"]["status"], "completed", "{run}");
    // The server still answers: `cat` got an empty stdin, not the requests.
    let list = client.request("tools/list", json!({}));
    assert!(list["tools"].as_array().is_some_and(|t| !t.is_empty()));
    client.finish();
}
