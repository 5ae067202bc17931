//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A run id that is not a safe path component (the reference's message).
    #[error("Invalid run_id {}: must be alphanumeric with hyphens/underscores only (and must start with an alphanumeric character).", crate::py::repr_str(.0))]
    InvalidRunId(String),
    /// `state.json` is missing (the reference's message; its CLI says `Run not found: <id>`).
    #[error("Run state not found: {}", .0.display())]
    NotFound(PathBuf),
    /// The run files are structurally invalid: the reference's `ValueError` text
    /// (`Invalid run state: …`, `Invalid execution …`, `Invalid run inputs: …`).
    #[error("{0}")]
    Invalid(String),
    /// A run file is not JSON.
    #[error("invalid JSON in `{}`: {source}", .path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: crate::json::JsonError,
    },
    /// baton refuses to reuse a run id whose `state.json` exists (DESIGN §1.5).
    #[error("run `{0}` already exists")]
    RunExists(String),
    /// Another live process holds the run's lock.
    #[error("run `{run_id}` is in use by another process{}", .pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Locked {
        /// The run.
        run_id: String,
        /// The holder's pid, when it could be read from the lock file.
        pid: Option<u32>,
    },
    /// A journal entry that cannot apply to the snapshot it claims to extend.
    #[error("corrupt journal `{}` at line {line}: {message}", .path.display())]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What did not fit.
        message: String,
    },
    /// A delta that does not fit the in-memory state (a bug in the caller).
    #[error("invalid step delta: {0}")]
    Delta(String),
    /// `commit` before the session's first `snapshot`.
    #[error("no snapshot written yet for run `{0}`")]
    NoSnapshot(String),
    /// An earlier write of this session failed (the reference's `CheckpointError` text).
    #[error("A previous checkpoint failed; reload the run")]
    CheckpointFailed,
    /// An I/O error, naming the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn invalid(msg: impl Into<String>) -> Error {
    Error::Invalid(msg.into())
}
