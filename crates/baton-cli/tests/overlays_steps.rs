//! `resolve`, `overlay …` and `step …` through the real binary (issue 19): transcripts
//! of whole command sequences, snapshotted with insta (the project folder and the
//! loopback port are filtered out).

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BATON: &str = env!("CARGO_BIN_EXE_baton");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A scratch project (`.specify/` present) with its own `$HOME`.
struct Project {
    dir: tempfile::TempDir,
    transcript: String,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".specify")).unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Project { dir, transcript: String::new() }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    fn copy(&self, from: &Path, to: &str) {
        let target = self.root().join(to);
        if from.is_dir() {
            copy_dir(from, &target);
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(from, &target).unwrap();
        }
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }

    /// Runs `baton <args>` (stdin `input`), appends it to the transcript, returns the
    /// exit code.
    fn run_with(&mut self, args: &[&str], input: &str, env: &[(&str, &str)]) -> i32 {
        let mut cmd = Command::new(BATON);
        cmd.args(args)
            .current_dir(self.root())
            .env("HOME", self.root().join("home"))
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .env_remove("SPECIFY_INIT_DIR")
            .env_remove("SPECKIT_STEP_CATALOG_URL")
            .env_remove("SPECKIT_WORKFLOW_CATALOG_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        self.transcript.push_str(&format!("$ baton {}\n[exit {code}]\n", args.join(" ")));
        for (label, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            if !text.is_empty() {
                self.transcript.push_str(&format!("--- {label}\n{text}"));
                if !text.ends_with('\n') {
                    self.transcript.push('\n');
                }
            }
        }
        self.transcript.push('\n');
        code
    }

    /// The `state.json` of the run id in the last `--json` outcome.
    fn last_state(&self) -> serde_json::Value {
        let at = self.transcript.rfind("\"run_id\": \"").unwrap();
        let id: String = self.transcript[at + 11..].chars().take_while(|c| *c != '"').collect();
        let text = self.read(&format!(".specify/workflows/runs/{id}/state.json"));
        serde_json::from_str(&text).unwrap()
    }

    fn run(&mut self, args: &[&str]) -> i32 {
        self.run_with(args, "", &[])
    }

    /// The transcript with the project folder and loopback ports filtered.
    fn transcript(&self) -> String {
        let root = self.root().display().to_string();
        let text = self.transcript.replace(&root, "[ROOT]");
        regex_lite_port(&text)
    }
}

/// Replaces `127.0.0.1:<port>` by `127.0.0.1:[PORT]`.
fn regex_lite_port(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i + 10]);
        rest = &rest[i + 10..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("[PORT]");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A loopback HTTP server for the files under `root` (GET only).
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
            let file = root.join(&path);
            let (status, body) = match std::fs::File::open(&file) {
                Ok(mut f) if file.is_file() => {
                    let mut body = Vec::new();
                    f.read_to_end(&mut body).unwrap();
                    ("200 OK", body)
                }
                _ => ("404 Not Found", b"not found".to_vec()),
            };
            let kind = if path.ends_with(".zip") { "application/zip" } else { "application/octet-stream" };
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: {kind}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    base
}

fn sha256(path: &Path) -> String {
    let out = Command::new("python3")
        .args(["-c", "import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn overlay_commands_and_resolve() {
    let mut p = Project::new();
    let fx = repo().join("fixtures/overlays/cli");
    p.copy(&fx.join("base.yml"), ".specify/workflows/ovl/workflow.yml");
    p.copy(&fx.join("lint.yml"), "lint.yml");
    p.copy(&fx.join("audit.yml"), "audit.yml");
    p.copy(&fx.join("bad.yml"), "bad.yml");
    assert_eq!(p.run(&["overlay", "list", "ovl"]), 0);
    assert_eq!(p.run(&["overlay", "add", "lint.yml"]), 0);
    assert_eq!(p.run(&["overlay", "add", "bad.yml"]), 1);
    assert_eq!(p.run(&["overlay", "add", "missing.yml"]), 1);
    assert_eq!(p.run(&["overlay", "list", "ovl"]), 0);
    assert_eq!(p.run(&["resolve", "ovl"]), 0);
    assert_eq!(p.run(&["resolve", "ovl", "--json"]), 0);
    assert_eq!(p.run(&["overlay", "set-priority", "ovl", "lint", "7"]), 0);
    assert_eq!(p.run(&["overlay", "set-priority", "ovl", "lint", "0"]), 1);
    assert_eq!(p.run(&["overlay", "add", "audit.yml", "--priority", "2"]), 0);
    assert_eq!(p.run(&["resolve", "ovl"]), 1);
    assert_eq!(p.run(&["overlay", "disable", "ovl", "audit"]), 0);
    assert_eq!(p.run(&["overlay", "list", "ovl", "--json"]), 0);
    assert_eq!(p.run(&["resolve", "ovl"]), 0);
    assert_eq!(p.run(&["overlay", "remove", "ovl", "audit"]), 0);
    assert_eq!(p.run(&["overlay", "enable", "ovl", "audit"]), 1);
    assert_eq!(p.run(&["overlay", "list", "Bad"]), 1);
    assert_eq!(p.run(&["resolve", "runs"]), 1);
    assert_eq!(p.run(&["resolve", "nothere"]), 1);
    // The stored file is the re-serialised mapping: comment gone, priority rewritten.
    p.transcript.push_str("=== .specify/workflows/overlays/ovl/lint.yml\n");
    let stored = p.read(".specify/workflows/overlays/ovl/lint.yml");
    p.transcript.push_str(&stored);
    insta::assert_snapshot!("overlay_commands_and_resolve", p.transcript());
}

#[test]
fn step_packages_from_directories() {
    let mut p = Project::new();
    let pk = repo().join("fixtures/steps-catalog/packages");
    p.copy(&pk.join("python/echo-twice"), "src/echo-twice");
    p.copy(&pk.join("exec/greet-sh"), "src/greet-sh");
    p.copy(&pk.join("python/claims-shell"), "src/shell");
    assert_eq!(p.run(&["step", "list"]), 0);
    assert_eq!(p.run(&["step", "add", "echo-twice", "--dev", "src/echo-twice"]), 0);
    assert_eq!(p.run(&["step", "add", "greet-sh", "--dev", "src/greet-sh"]), 0);
    assert_eq!(p.run(&["step", "add", "echo-twice", "--dev", "src/echo-twice"]), 1);
    assert_eq!(p.run(&["step", "add", "Echo-Twice", "--dev", "src/echo-twice", "--force"]), 1);
    assert_eq!(p.run(&["step", "add", "shell", "--dev", "src/shell"]), 1);
    assert_eq!(p.run(&["step", "add", "x", "--dev", "a", "--from", "b"]), 1);
    assert_eq!(p.run(&["step", "add", "x", "--dev", "a", "--version", "1"]), 1);
    assert_eq!(p.run(&["step", "add", ".hidden", "--dev", "src/echo-twice"]), 1);
    assert_eq!(p.run(&["step", "add", "nope", "--dev", "src/nope"]), 1);
    assert_eq!(p.run(&["step", "list"]), 0);
    assert_eq!(p.run(&["step", "info", "echo-twice"]), 0);
    assert_eq!(p.run(&["step", "info", "shell"]), 0);
    assert_eq!(p.run(&["step", "info", "shell", "--versions"]), 1);
    assert_eq!(p.run(&["step", "remove", "greet-sh"]), 0);
    assert_eq!(p.run(&["step", "remove", "greet-sh"]), 1);
    std::fs::create_dir_all(p.root().join(".specify/workflows/steps/orphan")).unwrap();
    assert_eq!(p.run(&["step", "remove", "orphan"]), 0);
    assert_eq!(p.run(&["step", "catalog", "list"]), 0);
    // The executable keeps its mode through the staged copy.
    use std::os::unix::fs::PermissionsExt;
    let installed = std::fs::metadata(p.root().join(".specify/workflows/steps/echo-twice/helpers/twice.py")).unwrap();
    assert_eq!(installed.permissions().mode() & 0o111, 0);
    insta::assert_snapshot!("step_packages_from_directories", p.transcript());
}

#[test]
fn step_catalogs_and_downloads() {
    let mut p = Project::new();
    let www = tempfile::tempdir().unwrap();
    let pk = repo().join("fixtures/steps-catalog/packages/python/echo-twice");
    copy_dir(&pk, &www.path().join("echo-twice"));
    // An archive with the package in one top-level folder.
    let made = Command::new("python3")
        .args(["-c", "import shutil,sys; shutil.make_archive(sys.argv[1], 'zip', sys.argv[2], 'echo-twice')"])
        .arg(www.path().join("arch"))
        .arg(www.path())
        .status()
        .unwrap();
    assert!(made.success());
    let http = serve(www.path().to_path_buf());
    let file = |rel: &str| format!("{http}/echo-twice/{rel}");
    let sum = |rel: &str| sha256(&www.path().join("echo-twice").join(rel));
    let catalog = serde_json::json!({
        "schema_version": "1.0",
        "steps": {
            "echo-twice": {
                "name": "Echo Twice (catalog)", "version": "1.0.0", "author": "cat", "description": "From the catalog",
                "url": file("step.yml"),
                "extra_files": {"helpers/__init__.py": file("helpers/__init__.py"), "helpers/twice.py": file("helpers/twice.py")},
                "sha256": {"step.yml": sum("step.yml"), "__init__.py": sum("__init__.py"),
                           "helpers/__init__.py": sum("helpers/__init__.py"), "helpers/twice.py": sum("helpers/twice.py")}
            },
            "badsum": {"name": "Bad Sum", "version": "1.0.0", "url": file("step.yml"),
                       "sha256": {"step.yml": "0".repeat(64), "__init__.py": sum("__init__.py")}},
            "partial": {"version": "1.0.0", "url": file("step.yml"), "sha256": {"step.yml": sum("step.yml")}},
            "noinit": {"version": "1.0.0", "url": format!("{http}/echo-twice/stepfile")},
            "trav": {"version": "1.0.0", "url": file("step.yml"), "extra_files": {"../evil.py": file("__init__.py")}}
        }
    });
    std::fs::write(www.path().join("step-cat.json"), serde_json::to_string_pretty(&catalog).unwrap()).unwrap();
    let discovery = serde_json::json!({"steps": [{"id": " lint-step ", "name": "Lint Step", "version": "0.1.0", "description": "Lints"}]});
    std::fs::write(www.path().join("disc.json"), discovery.to_string()).unwrap();
    std::fs::write(www.path().join("dup.json"), r#"{"steps": {"a": {"name": "x", "name": "y"}}}"#).unwrap();
    let cat_url = format!("{http}/step-cat.json");
    assert_eq!(p.run(&["step", "catalog", "add", &cat_url, "--name", "local"]), 0);
    assert_eq!(p.run(&["step", "catalog", "add", &cat_url]), 0);
    p.write(".specify/step-catalogs.yml", &format!(
        "catalogs:\n- name: local\n  url: {cat_url}\n  priority: 1\n  install_allowed: true\n- name: disc\n  url: {http}/disc.json\n  priority: 2\n"
    ));
    assert_eq!(p.run(&["step", "catalog", "list"]), 0);
    assert_eq!(p.run(&["step", "search"]), 0);
    assert_eq!(p.run(&["step", "search", "catalog"]), 0);
    assert_eq!(p.run(&["step", "info", "echo-twice"]), 0);
    assert_eq!(p.run(&["step", "info", "echo-twice", "--versions"]), 0);
    assert_eq!(p.run(&["step", "add", "echo-twice"]), 0);
    assert_eq!(p.run(&["step", "info", "echo-twice"]), 0);
    assert_eq!(p.run(&["step", "add", "badsum"]), 1);
    assert_eq!(p.run(&["step", "add", "partial"]), 1);
    assert_eq!(p.run(&["step", "add", "noinit"]), 1);
    assert_eq!(p.run(&["step", "add", "trav"]), 1);
    assert_eq!(p.run(&["step", "add", "lint-step"]), 1);
    assert_eq!(p.run(&["step", "add", "nothere"]), 1);
    let zip = format!("{http}/arch.zip");
    assert_eq!(p.run_with(&["step", "add", "echo-twice", "--from", &zip, "--force"], "n\n", &[]), 0);
    assert_eq!(p.run_with(&["step", "add", "echo-twice", "--from", &zip, "--force"], "y\n", &[]), 0);
    assert_eq!(p.run(&["step", "add", "echo-twice", "--from", "http://example.com/a.zip", "--force"]), 1);
    let dup = format!("{http}/dup.json");
    assert_eq!(p.run_with(&["step", "search"], "", &[("SPECKIT_STEP_CATALOG_URL", &dup)]), 1);
    assert_eq!(p.run_with(&["step", "catalog", "remove", "0"], "", &[("SPECKIT_STEP_CATALOG_URL", &dup)]), 1);
    assert_eq!(p.run(&["step", "catalog", "remove", "1"]), 0);
    assert_eq!(p.run(&["step", "catalog", "remove", "5"]), 1);
    let registry = p.read(".specify/workflows/steps/step-registry.json");
    assert!(registry.contains("\"source\": \"url\""), "{registry}");
    insta::assert_snapshot!("step_catalogs_and_downloads", p.transcript());
}

/// baton's executable step form end to end: installed with `step add --dev`, run in a
/// workflow, its validation error and a failure exit.
#[test]
fn executable_step_package_runs_in_a_workflow() {
    let mut p = Project::new();
    p.copy(&repo().join("fixtures/steps-catalog/packages/exec/greet-sh"), "src/greet-sh");
    assert_eq!(p.run(&["step", "add", "greet-sh", "--dev", "src/greet-sh"]), 0);
    p.write("ok.yml", "workflow: {id: ok, name: OK}\ninputs: {who: {type: string, default: bob}}\nsteps:\n  - {id: g, type: greet-sh, who: '{{ inputs.who }}'}\n");
    p.write("invalid.yml", "workflow: {id: bad, name: Bad}\nsteps:\n  - {id: g, type: greet-sh}\n");
    assert_eq!(p.run(&["run", "ok.yml", "--json"]), 0);
    let ok = p.last_state();
    assert_eq!(ok["step_results"]["g"]["output"]["msg"], "hello bob", "{ok}");
    assert_eq!(p.run(&["run", "invalid.yml", "--json"]), 1);
    assert!(p.transcript().contains("greet-sh needs who"), "{}", p.transcript());
    assert_eq!(p.run(&["run", "ok.yml", "--json", "-i", "who=fail"]), 1);
    let failed = p.last_state();
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["step_results"]["g"]["error"], "greet-sh: refusing to greet fail", "{failed}");
    assert_eq!(failed["step_results"]["g"]["output"]["exit_code"], 3, "{failed}");
}
