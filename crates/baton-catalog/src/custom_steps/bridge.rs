//! The Python bridge: `python3 -B -c <shim> serve` worker processes talking JSON lines
//! (see `shim.py`). The shim never imports the real `specify_cli`.
//!
//! A [`Pool`] keeps idle workers for the life of the project's [`super::CustomSteps`]:
//! a package is imported once per worker and its step instance reused (as Spec Kit
//! keeps one instance per type), and a call costs a JSON round trip instead of an
//! interpreter start. Concurrent calls (fan-out) take further workers. A worker whose
//! call was interrupted or went wrong is ended; the next call starts a fresh one.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, PoisonError};

use baton_expr::json::{self, DumpOptions};
use baton_expr::{Map, Value};
use baton_steps::Cancel;

/// The shim's source, shipped inside the binary.
pub const SHIM: &str = include_str!("shim.py");

/// What the shim answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The mode's result.
    Result(Value),
    /// The package raised: Python's `str(exc)`.
    Raised(String),
}

/// Why a bridge call gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The interpreter could not be started.
    #[error("could not start {python}: {source}")]
    Spawn {
        /// The interpreter.
        python: String,
        /// Why.
        source: std::io::Error,
    },
    /// The process ended without an answer, or answered something else.
    #[error("{0}")]
    Protocol(String),
    /// Ctrl-C / SIGTERM ended the call.
    #[error("interrupted")]
    Interrupted,
}

/// Answers a callback: `evaluate` (a template) or `condition`.
pub type Callback<'a> = dyn FnMut(&str, &Value) -> Result<Value, String> + 'a;

fn line(value: &Value) -> String {
    let mut text = json::dumps(value, &DumpOptions::default()).unwrap_or_else(|_| "null".to_owned());
    text.push('\n');
    text
}

/// One `serve` process.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn spawn(python: &Path, cwd: &Path, env: Option<&BTreeMap<String, String>>) -> Result<Self, BridgeError> {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(python);
        if let Some(env) = env {
            cmd.env_clear().envs(env);
        }
        let mut child = cmd
            .arg("-B")
            .arg("-c")
            .arg(SHIM)
            .arg("serve")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .map_err(|source| BridgeError::Spawn { python: python.display().to_string(), source })?;
        match (child.stdin.take(), child.stdout.take()) {
            (Some(stdin), Some(stdout)) => Ok(Worker { child, stdin: Some(stdin), stdout: BufReader::new(stdout) }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(BridgeError::Protocol("the Python process has no pipes".into()))
            }
        }
    }

    fn kill_group(&self) {
        if let Some(pid) = rustix::process::Pid::from_raw(self.child.id() as i32) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }

    fn send(&mut self, value: &Value) -> bool {
        match self.stdin.as_mut() {
            Some(stdin) => stdin.write_all(line(value).as_bytes()).and_then(|()| stdin.flush()).is_ok(),
            None => false,
        }
    }

    /// One request, answering callbacks, until the reply line.
    fn call(&mut self, request: &Value, callback: &mut Callback<'_>) -> Result<(Reply, Map), BridgeError> {
        if !self.send(request) {
            return Err(self.ended());
        }
        let mut buf = String::new();
        loop {
            buf.clear();
            match self.stdout.read_line(&mut buf) {
                Ok(0) | Err(_) => return Err(self.ended()),
                Ok(_) => {}
            }
            let Ok(Value::Map(message)) = json::loads(buf.trim_end()) else {
                return Err(BridgeError::Protocol(format!("unexpected output from the Python bridge: {}", buf.trim_end())));
            };
            if let Some(Value::Str(op)) = message.get("op") {
                let arg = message.get("value").cloned().unwrap_or(Value::Null);
                let mut answer = Map::new();
                match callback(op, &arg) {
                    Ok(v) => answer.insert("value".into(), v),
                    Err(e) => answer.insert("error".into(), Value::Str(e)),
                };
                if !self.send(&Value::Map(answer)) {
                    return Err(self.ended());
                }
                continue;
            }
            if let Some(v) = message.get("result") {
                return Ok((Reply::Result(v.clone()), message));
            }
            if let Some(v) = message.get("raised") {
                return Ok((Reply::Raised(v.py_str()), message));
            }
            return Err(BridgeError::Protocol(format!("unexpected answer from the Python bridge: {}", buf.trim_end())));
        }
    }

    /// The error for a worker that stopped answering.
    fn ended(&mut self) -> BridgeError {
        self.stdin = None;
        let how = match self.child.wait() {
            Ok(s) => match s.code() {
                Some(code) => format!("exit status {code}"),
                None => format!("{s}"),
            },
            Err(e) => e.to_string(),
        };
        BridgeError::Protocol(format!("the Python process ended without an answer ({how})"))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin ends the serve loop; a worker that does not stop is killed.
        self.stdin = None;
        for _ in 0..20 {
            if matches!(self.child.try_wait(), Ok(Some(_)) | Err(_)) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        self.kill_group();
        let _ = self.child.wait();
    }
}

/// Idle `serve` workers of one project.
pub struct Pool {
    python: Mutex<PathBuf>,
    cwd: PathBuf,
    env: Option<BTreeMap<String, String>>,
    idle: Mutex<Vec<Worker>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("python", &self.python()).field("cwd", &self.cwd).finish_non_exhaustive()
    }
}

impl Pool {
    /// A pool starting `python` in `cwd` (the project root) with baton's environment.
    pub fn new(python: &Path, cwd: &Path) -> Self {
        Pool { python: Mutex::new(python.to_path_buf()), cwd: cwd.to_path_buf(), env: None, idle: Mutex::new(Vec::new()) }
    }

    /// The same pool with workers started in exactly this environment (instead of
    /// inheriting baton's).
    #[must_use]
    pub fn with_env(mut self, env: BTreeMap<String, String>) -> Self {
        self.env = Some(env);
        self
    }

    /// The interpreter new workers start.
    pub fn python(&self) -> PathBuf {
        self.python.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Runs one request (`{"mode": …, …}`) on an idle or new worker, answering
    /// callbacks with `callback`; `cancel` ends the worker when it fires.
    ///
    /// # Errors
    /// [`BridgeError`].
    pub fn call(&self, request: &Value, callback: &mut Callback<'_>, cancel: Option<&Cancel>) -> Result<Reply, BridgeError> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut worker = match idle {
            Some(w) => w,
            None => Worker::spawn(&self.python(), &self.cwd, self.env.as_ref())?,
        };
        let pid = worker.child.id();
        let guard = cancel.map(|c| {
            c.on_cancel(move || {
                if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
                    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::TERM);
                }
            })
        });
        let outcome = worker.call(request, callback);
        drop(guard);
        if cancel.is_some_and(Cancel::is_cancelled) {
            return Err(BridgeError::Interrupted);
        }
        let (reply, message) = outcome?;
        if let Some(Value::Str(exe)) = message.get("executable") {
            let exe = PathBuf::from(exe);
            if exe.is_absolute() && exe.is_file() {
                *self.python.lock().unwrap_or_else(PoisonError::into_inner) = exe;
            }
        }
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(worker);
        Ok(reply)
    }
}
