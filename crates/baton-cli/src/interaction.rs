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
