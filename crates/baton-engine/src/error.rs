//! The crate's error type.

/// Why a run or resume did not produce an outcome.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The reference's `ValueError` raised before the run changed (input resolution,
    /// a refused resume, an invalid state or definition): printed as `Error: <it>`.
    #[error("{0}")]
    Refused(String),
    /// The run store failed or refused (run not found, run exists, run locked, invalid
    /// state files, I/O).
    #[error(transparent)]
    State(#[from] baton_state::Error),
    /// A checkpoint failed while the run executed; the run on disk is whatever the last
    /// successful write left.
    #[error("{source}")]
    Checkpoint {
        /// The run as it was in memory.
        state: Box<baton_state::RunState>,
        /// The store error.
        source: baton_state::Error,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
