//! The terminal side of a run: gates ask on stdin, and their box goes to stdout
//! (which is stderr while `--json` redirects fd 1).

use std::collections::BTreeMap;
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
    user: Option<String>,
}

impl Terminal {
    /// Reads whether stdin is a terminal; `cancel` interrupts a question; `spin` is
    /// paused while a gate talks; `user` (see [`login_name`]) is recorded as a typed
    /// gate answer's `answered_by`.
    pub fn new(cancel: &Cancel, spin: SpinState, user: Option<String>) -> Terminal {
        Terminal { stdin_tty: rustix::termios::isatty(rustix::stdio::stdin()), cancel: cancel.clone(), spin, user }
    }
}

/// The name of the person running baton: `USER`, else `LOGNAME` (the first that is
/// set and non-empty in `env`), else the real uid's name in the password database
/// (`getpwuid_r`); `None` when none is known.
pub fn login_name(env: &BTreeMap<String, String>) -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|key| env.get(*key))
        .find(|value| !value.is_empty())
        .cloned()
        .or_else(uid_name)
}

/// The real uid's user name, if the password database has one.
fn uid_name() -> Option<String> {
    let user = nix::unistd::User::from_uid(nix::unistd::getuid()).ok().flatten()?;
    (!user.name.is_empty()).then_some(user.name)
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

    fn user_name(&self) -> Option<&str> {
        self.user.as_deref()
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_login_name_comes_from_user_then_logname_then_the_uid() {
        assert_eq!(login_name(&env(&[("USER", "alice"), ("LOGNAME", "bob")])).as_deref(), Some("alice"));
        assert_eq!(login_name(&env(&[("USER", ""), ("LOGNAME", "bob")])).as_deref(), Some("bob"));
        assert_eq!(login_name(&env(&[("LOGNAME", "bob")])).as_deref(), Some("bob"));
        // Neither set: the password database's name for this process's uid.
        let by_uid = nix::unistd::User::from_uid(nix::unistd::getuid()).unwrap().map(|u| u.name);
        assert_eq!(login_name(&env(&[("USER", "")])), by_uid);
        assert_eq!(login_name(&BTreeMap::new()), by_uid);
    }

    /// The terminal answers [`Interaction::user_name`] with the name the CLI passed, and
    /// the `--choose` wrapper passes it through, so a typed gate answer records it.
    #[test]
    fn the_terminal_reports_the_user_it_was_given() {
        let cancel = Cancel::new();
        let terminal = Terminal::new(&cancel, SpinState::default(), Some("carol".to_owned()));
        assert_eq!(terminal.user_name(), Some("carol"));
        assert_eq!(crate::commands::extras::Scripted::wrap(&terminal).user_name(), Some("carol"));
        let nobody = Terminal::new(&cancel, SpinState::default(), None);
        assert_eq!(nobody.user_name(), None);
    }
}
