//! The Python bridge: one `python3 -B -c <shim> <mode>` process per call, talking JSON
//! lines (see `shim.py`). The shim never imports the real `specify_cli`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

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

/// One bridge call.
pub struct Call<'a> {
    /// The Python interpreter.
    pub python: &'a Path,
    /// `probe`, `validate` or `execute`.
    pub mode: &'a str,
    /// The request object.
    pub request: &'a Value,
    /// The working directory.
    pub cwd: &'a Path,
    /// The child's complete environment (`None`: inherit baton's).
    pub env: Option<&'a BTreeMap<String, String>>,
    /// Ends the call's process group when it fires.
    pub cancel: Option<&'a Cancel>,
    /// Receives the interpreter's real path (`sys.executable`) when the shim reports
    /// it (the probe does).
    pub executable: std::cell::Cell<Option<std::path::PathBuf>>,
}

/// Answers a callback: `evaluate` (a template) or `condition`.
pub type Callback<'a> = dyn FnMut(&str, &Value) -> Result<Value, String> + 'a;

fn line(value: &Value) -> String {
    let mut text = json::dumps(value, &DumpOptions::default()).unwrap_or_else(|_| "null".to_owned());
    text.push('\n');
    text
}

/// Runs one call, answering callbacks with `callback`.
///
/// # Errors
/// [`BridgeError`].
pub fn call(call: &Call<'_>, callback: &mut Callback<'_>) -> Result<Reply, BridgeError> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(call.python);
    cmd.arg("-B").arg("-c").arg(SHIM).arg(call.mode).current_dir(call.cwd);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).process_group(0);
    if let Some(env) = call.env {
        cmd.env_clear().envs(env);
    }
    let mut child = cmd
        .spawn()
        .map_err(|source| BridgeError::Spawn { python: call.python.display().to_string(), source })?;
    let pid = child.id();
    let _guard = call.cancel.map(|c| {
        c.on_cancel(move || {
            if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::TERM);
            }
        })
    });
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(BridgeError::Protocol("the Python process has no pipes".into()));
    };
    let mut reply = None;
    let mut problem = None;
    let mut executable = None;
    if stdin.write_all(line(call.request).as_bytes()).and_then(|()| stdin.flush()).is_ok() {
        let mut reader = BufReader::new(stdout);
        let mut buf = String::new();
        loop {
            buf.clear();
            match reader.read_line(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let Ok(Value::Map(message)) = json::loads(buf.trim_end()) else {
                problem = Some(format!("unexpected output from the Python bridge: {}", buf.trim_end()));
                break;
            };
            if let Some(Value::Str(op)) = message.get("op") {
                let arg = message.get("value").cloned().unwrap_or(Value::Null);
                let mut answer = Map::new();
                match callback(op, &arg) {
                    Ok(v) => answer.insert("value".into(), v),
                    Err(e) => answer.insert("error".into(), Value::Str(e)),
                };
                if stdin.write_all(line(&Value::Map(answer)).as_bytes()).and_then(|()| stdin.flush()).is_err() {
                    break;
                }
                continue;
            }
            if let Some(v) = message.get("result") {
                if let Some(Value::Str(exe)) = message.get("executable") {
                    executable = Some(exe.clone());
                }
                reply = Some(Reply::Result(v.clone()));
            } else if let Some(v) = message.get("raised") {
                reply = Some(Reply::Raised(v.py_str()));
            }
            break;
        }
    }
    drop(stdin);
    let status = child.wait();
    if call.cancel.is_some_and(Cancel::is_cancelled) {
        return Err(BridgeError::Interrupted);
    }
    if let Some(reply) = reply {
        if let Some(exe) = executable {
            call.executable.set(Some(std::path::PathBuf::from(exe)));
        }
        return Ok(reply);
    }
    let how = match status {
        Ok(s) => match s.code() {
            Some(code) => format!("exit status {code}"),
            None => format!("{s}"),
        },
        Err(e) => e.to_string(),
    };
    Err(BridgeError::Protocol(problem.unwrap_or_else(|| format!("the Python process ended without an answer ({how})"))))
}
