//! The terminal side of a run: gates ask on stdin, and their box goes to stdout
//! (which is stderr while `--json` redirects fd 1).

use std::io::{BufRead, Write};
use std::sync::mpsc;
use std::time::Duration;

use baton_steps::{Cancel, GateAnswer, GateQuestion, Interaction};

use crate::progress::{clear, suspend, SpinState};

/// The process's terminal.
pub struct Terminal {
    stdin_tty: bool,
    cancel: Cancel,
    spin: SpinState,
}

impl Terminal {
    /// Reads whether stdin is a terminal; `cancel` interrupts a question; `spin` is
    /// paused while a gate talks.
    pub fn new(cancel: &Cancel, spin: SpinState) -> Terminal {
        Terminal { stdin_tty: rustix::termios::isatty(rustix::stdio::stdin()), cancel: cancel.clone(), spin }
    }
}

fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

impl Interaction for Terminal {
    fn stdin_is_terminal(&self) -> bool {
        self.stdin_tty
    }

    fn ask_gate(&self, question: &GateQuestion<'_>) -> GateAnswer {
        suspend(&self.spin, true);
        let answer = self.ask(question);
        suspend(&self.spin, false);
        answer
    }

    fn notice(&self, text: &str) {
        clear(&self.spin);
        out(&format!("{text}\n"));
    }
}

impl Terminal {
    fn ask(&self, question: &GateQuestion<'_>) -> GateAnswer {
        out(&format!("  Choose [1-{}]: ", question.options.len()));
        // Read on a helper thread so Ctrl-C (which fires `cancel`) ends the question
        // even while the read blocks.
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("baton-gate-input".into()).spawn(move || {
            let mut line = String::new();
            let read = std::io::stdin().lock().read_line(&mut line);
            let _ = tx.send(match read {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line),
            });
        });
        if spawned.is_err() {
            return GateAnswer::Eof;
        }
        loop {
            if self.cancel.is_cancelled() {
                return GateAnswer::Interrupted;
            }
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(Some(line)) => return GateAnswer::Choice(line.trim_end_matches(['\n', '\r']).to_owned()),
                Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => return GateAnswer::Eof,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

/// Asks on the terminal for a required input that has no value (a baton addition; the
/// reference fails with `Required input … not provided.`). Prompts go to stderr; a
/// value the input's type or `enum` refuses is asked again.
pub struct InputPrompter {
    cancel: Cancel,
}

impl InputPrompter {
    /// A prompter when stdin is a terminal, else `None`.
    pub fn on_terminal(cancel: &Cancel) -> Option<InputPrompter> {
        rustix::termios::isatty(rustix::stdio::stdin()).then(|| InputPrompter { cancel: cancel.clone() })
    }

    fn read_line(&self) -> std::io::Result<Option<String>> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new().name("baton-input".into()).spawn(move || {
            let mut line = String::new();
            let read = std::io::stdin().lock().read_line(&mut line);
            let _ = tx.send(match read {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line),
            });
        })?;
        loop {
            if self.cancel.is_cancelled() {
                return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted"));
            }
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => return Ok(line.map(|l| l.trim_end_matches(['\n', '\r']).to_owned())),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(None),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

impl baton_inputs::Prompter for InputPrompter {
    fn prompt(&mut self, decl: &baton_inputs::InputDecl) -> std::io::Result<Option<String>> {
        let ty = match &decl.ty {
            baton_inputs::InputType::String => "string",
            baton_inputs::InputType::Number => "number",
            baton_inputs::InputType::Boolean => "boolean",
            baton_inputs::InputType::Unchecked(_) => "value",
        };
        let choices = match &decl.enum_values {
            Some(baton_inputs::EnumValues::List(items)) => {
                format!(", one of: {}", items.iter().map(baton_expr::Value::py_str).collect::<Vec<_>>().join(", "))
            }
            _ => String::new(),
        };
        let about = decl.description.as_deref().map(|d| format!(" \u{2014} {d}")).unwrap_or_default();
        loop {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{} ({ty}{choices}){about}: ", decl.name);
            let _ = err.flush();
            drop(err);
            let Some(answer) = self.read_line()? else { return Ok(None) };
            let value = baton_expr::Value::from(baton_expr::py::strip(&answer));
            match baton_inputs::coerce(decl, &value) {
                Ok(_) => return Ok(Some(baton_expr::py::strip(&answer).to_owned())),
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "  {e}");
                }
            }
        }
    }
}
