//! The one place where errors become exit codes and stream output.
//!
//! Exit codes follow the reference (click): 0 success, 1 a failure the user can fix
//! (bad workflow, bad input, failed run), 2 a usage error (clap handles most of those).

use std::io::Write;

/// Where an error message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output (the reference prints most text-mode errors there).
    Stdout,
    /// Standard error.
    Stderr,
}

/// A failure of a command, already worded for the user.
#[derive(Debug)]
pub struct CliError {
    /// The lines to print (the first is usually `Error: …`).
    pub lines: Vec<String>,
    /// Where to print them.
    pub stream: Stream,
    /// The process exit code.
    pub code: i32,
}

impl CliError {
    /// `Error: <message>` with exit code 1, on stdout in text mode (as the reference's
    /// Rich console does) and on stderr under `--json`.
    pub fn user(message: impl std::fmt::Display, json: bool) -> Self {
        CliError {
            lines: vec![format!("Error: {message}")],
            stream: if json { Stream::Stderr } else { Stream::Stdout },
            code: 1,
        }
    }

    /// A usage error (exit 2, stderr).
    pub fn usage(message: impl std::fmt::Display) -> Self {
        CliError { lines: vec![format!("error: {message}")], stream: Stream::Stderr, code: 2 }
    }

    /// Adds a line after the message (a hint or a location).
    pub fn with_line(mut self, line: impl Into<String>) -> Self {
        self.lines.push(line.into());
        self
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        CliError { lines: vec![format!("Error: {err}")], stream: Stream::Stderr, code: 1 }
    }
}

/// Prints `err` and returns the exit code to use.
pub fn report(err: &CliError) -> i32 {
    let text: String = err.lines.iter().map(|l| format!("{l}\n")).collect();
    // A closed pipe must not turn into a panic; nothing else can be done about it.
    let _ = match err.stream {
        Stream::Stdout => std::io::stdout().lock().write_all(text.as_bytes()),
        Stream::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
    };
    err.code
}
