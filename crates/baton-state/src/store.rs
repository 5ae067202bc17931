//! [`FileStore`]: runs under `<project>/.specify/workflows/runs/<run_id>/`, and
//! [`FileSession`]: the writer of one executing run (it holds the run lock).

use crate::clock::{isoformat, Clock};
use crate::delta::StepDelta;
use crate::error::{Error, Result};
use crate::execution::SourceParser;
use crate::journal::{self, Durability, JournalWriter, JOURNAL_FILE};
use crate::json::Json;
use crate::lock::{io_at, RunLock};
use crate::log::{EventScope, LogEvent};
use crate::run_id::RunId;
use crate::state::RunState;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `state.json`.
pub const STATE_FILE: &str = "state.json";
/// `inputs.json`.
pub const INPUTS_FILE: &str = "inputs.json";
/// `log.jsonl`.
pub const LOG_FILE: &str = "log.jsonl";
/// `workflow.yml`.
pub const WORKFLOW_FILE: &str = "workflow.yml";

/// Where runs live and how they are read and written. [`FileStore`] is the real one;
/// the engine may test against its own.
pub trait RunStore {
    /// The writer of one executing run.
    type Session: RunSession;

    /// Whether the run exists (its `state.json` does).
    fn exists(&self, run_id: &RunId) -> Result<bool>;
    /// Starts a new run: creates its folder, takes its lock, refuses an id whose
    /// `state.json` exists ([`Error::RunExists`]), writes `workflow.yml`.
    fn create_run(&self, run_id: &RunId, workflow_yml: &str) -> Result<Self::Session>;
    /// Takes the lock of an existing run (to resume it); fails at once with
    /// [`Error::Locked`] when a live process holds it.
    fn lock(&self, run_id: &RunId) -> Result<Self::Session>;
    /// Loads a run: `state.json` plus the journal entries that extend it.
    fn open_run(&self, run_id: &RunId) -> Result<RunState>;
    /// The run's `workflow.yml` copy, if present.
    fn read_workflow(&self, run_id: &RunId) -> Result<Option<String>>;
    /// The runs for `status` without an id.
    fn list_runs(&self) -> Result<RunListing>;
}

/// Writes of one executing run. Every state change goes through `commit` (or is followed
/// by a `snapshot`).
pub trait RunSession {
    /// Writes `state.json` and `inputs.json` atomically (restamping `updated_at`) and
    /// starts a fresh journal extending it. Call at run/resume start and at every stop.
    fn snapshot(&mut self, state: &mut RunState) -> Result<()>;
    /// Stamps `delta.updated_at`, applies the delta to `state` and appends it to the
    /// journal (written before returning; synced per [`Durability`]).
    fn commit(&mut self, state: &mut RunState, delta: StepDelta) -> Result<()>;
    /// Like [`RunSession::commit`], for changes `staged` that the caller already applied
    /// to `state` (so they are not applied twice): applies `delta` only, and appends
    /// `staged` followed by `delta` as one journal line.
    fn commit_staged(&mut self, state: &mut RunState, staged: StepDelta, delta: StepDelta) -> Result<()>;
    /// Appends a `log.jsonl` event (stamped with the clock).
    fn log(&mut self, event: &LogEvent, scope: Option<&EventScope>) -> Result<()>;
    /// Waits until every committed line is on disk.
    fn sync(&mut self) -> Result<()>;
}

/// The run store on disk.
#[derive(Clone)]
pub struct FileStore {
    root: PathBuf,
    parser: Arc<dyn SourceParser>,
    clock: Arc<dyn Clock>,
    durability: Durability,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore").field("root", &self.root).field("durability", &self.durability).finish()
    }
}

/// One run in a listing: the raw values of `state.json` (absent keys are `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// The folder name.
    pub dir_name: String,
    /// `run_id` as stored.
    pub run_id: Json,
    /// `workflow_id`, if present.
    pub workflow_id: Option<Json>,
    /// `status`, if present.
    pub status: Option<Json>,
    /// `updated_at` (the latest journal entry's when a journal extends the file).
    pub updated_at: Option<Json>,
}

/// A run folder left out of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRun {
    /// The folder.
    pub dir: PathBuf,
    /// Why (unreadable, invalid JSON, not an object, no `run_id`).
    pub reason: String,
}

/// The result of [`RunStore::list_runs`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunListing {
    /// Runs sorted by folder name.
    pub runs: Vec<RunSummary>,
    /// Folders with a `state.json` that could not be listed (the reference skips them
    /// silently; the CLI may warn).
    pub skipped: Vec<SkippedRun>,
}

impl FileStore {
    /// A store for the project at `project_root`. `parser` reads the YAML texts of the
    /// execution tree (for validation); `clock` stamps `updated_at` and log lines.
    pub fn new(project_root: &Path, parser: Arc<dyn SourceParser>, clock: Arc<dyn Clock>) -> FileStore {
        FileStore { root: project_root.to_path_buf(), parser, clock, durability: Durability::Normal }
    }

    /// Sets how commits reach the disk (`--durability strict`).
    pub fn with_durability(mut self, durability: Durability) -> FileStore {
        self.durability = durability;
        self
    }

    /// `<project>/.specify/workflows/runs`.
    pub fn runs_dir(&self) -> PathBuf {
        self.root.join(".specify").join("workflows").join("runs")
    }

    /// The folder of a run.
    pub fn run_dir(&self, run_id: &RunId) -> PathBuf {
        self.runs_dir().join(run_id.as_str())
    }

    /// The current time in the reference's spelling.
    pub fn now(&self) -> String {
        isoformat(self.clock.now())
    }

    /// Whether a live process holds the run's lock: `Some(pid)` when held.
    pub fn lock_holder(&self, run_id: &RunId) -> Result<Option<Option<u32>>> {
        RunLock::holder(&self.run_dir(run_id))
    }

    fn session(&self, run_id: &RunId, lock: RunLock) -> FileSession {
        FileSession {
            dir: self.run_dir(run_id),
            run_id: run_id.clone(),
            _lock: lock,
            clock: Arc::clone(&self.clock),
            durability: self.durability,
            journal: None,
            log: None,
            poisoned: false,
        }
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_at(path, e)),
    }
}

fn parse_file(path: &Path, bytes: &[u8]) -> Result<Json> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Invalid(format!("invalid UTF-8 in `{}`: {e}", path.display())))?;
    Json::parse(text).map_err(|source| Error::Json { path: path.to_path_buf(), source })
}

impl RunStore for FileStore {
    type Session = FileSession;

    fn exists(&self, run_id: &RunId) -> Result<bool> {
        Ok(self.run_dir(run_id).join(STATE_FILE).exists())
    }

    fn create_run(&self, run_id: &RunId, workflow_yml: &str) -> Result<FileSession> {
        let dir = self.run_dir(run_id);
        std::fs::create_dir_all(&dir).map_err(|e| io_at(&dir, e))?;
        let lock = RunLock::acquire(&dir, run_id)?;
        if dir.join(STATE_FILE).exists() {
            return Err(Error::RunExists(run_id.to_string()));
        }
        let path = dir.join(WORKFLOW_FILE);
        std::fs::write(&path, workflow_yml).map_err(|e| io_at(&path, e))?;
        Ok(self.session(run_id, lock))
    }

    fn lock(&self, run_id: &RunId) -> Result<FileSession> {
        let dir = self.run_dir(run_id);
        let state = dir.join(STATE_FILE);
        if !state.exists() {
            return Err(Error::NotFound(state));
        }
        let lock = RunLock::acquire(&dir, run_id)?;
        Ok(self.session(run_id, lock))
    }

    fn open_run(&self, run_id: &RunId) -> Result<RunState> {
        let dir = self.run_dir(run_id);
        let state_path = dir.join(STATE_FILE);
        let journal_path = dir.join(JOURNAL_FILE);
        let read_state = || read_optional(&state_path)?.ok_or_else(|| Error::NotFound(state_path.clone()));
        // A writer snapshotting between our two reads replaces both files; read again
        // until `state.json` is the one the journal extends (or is unchanged).
        let mut bytes = read_state()?;
        let mut jbytes = read_optional(&journal_path)?;
        for _ in 0..3 {
            let hash = journal::snapshot_hash(&bytes);
            if jbytes.as_ref().is_none_or(|j| journal::extends(j, run_id.as_str(), &hash)) {
                break;
            }
            let again = read_state()?;
            if again == bytes {
                break;
            }
            bytes = again;
            jbytes = read_optional(&journal_path)?;
        }
        let data = parse_file(&state_path, &bytes)?;
        let inputs_path = dir.join(INPUTS_FILE);
        let mut state = RunState::from_json(data, run_id, &*self.parser, || match read_optional(&inputs_path)? {
            None => Ok(None),
            Some(b) => parse_file(&inputs_path, &b).map(Some),
        })?;
        if let Some(jbytes) = jbytes {
            let read = journal::read(&jbytes, run_id.as_str(), &journal::snapshot_hash(&bytes));
            let mut tree_changed = false;
            for (line, delta) in &read.entries {
                tree_changed |= delta.execution.is_some() || !delta.edits.is_empty();
                state.apply_delta(delta).map_err(|e| Error::Journal {
                    path: journal_path.clone(),
                    line: *line,
                    message: e.to_string(),
                })?;
            }
            if tree_changed {
                if let Some(tree) = &state.execution {
                    tree.validate(&*self.parser, None).map_err(|e| Error::Journal {
                        path: journal_path.clone(),
                        line: read.entries.len() + 1,
                        message: e.to_string(),
                    })?;
                }
            }
        }
        Ok(state)
    }

    fn read_workflow(&self, run_id: &RunId) -> Result<Option<String>> {
        let path = self.run_dir(run_id).join(WORKFLOW_FILE);
        match std::fs::read_to_string(&path) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_at(&path, e)),
        }
    }

    fn list_runs(&self) -> Result<RunListing> {
        let runs_dir = self.runs_dir();
        if !runs_dir.exists() {
            return Ok(RunListing::default());
        }
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&runs_dir)
            .map_err(|e| io_at(&runs_dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        dirs.sort_by(|a, b| a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes()));
        let mut listing = RunListing::default();
        for dir in dirs {
            if !dir.is_dir() {
                continue;
            }
            let state_path = dir.join(STATE_FILE);
            if !state_path.exists() {
                continue;
            }
            let skip = |reason: String| SkippedRun { dir: dir.clone(), reason };
            let bytes = match std::fs::read(&state_path) {
                Ok(b) => b,
                Err(e) => {
                    listing.skipped.push(skip(format!("cannot read `{STATE_FILE}`: {e}")));
                    continue;
                }
            };
            let data = match parse_file(&state_path, &bytes) {
                Ok(d) => d,
                Err(e) => {
                    listing.skipped.push(skip(e.to_string()));
                    continue;
                }
            };
            let Json::Object(o) = data else {
                listing.skipped.push(skip(format!("`{STATE_FILE}` is not a JSON object")));
                continue;
            };
            let Some(run_id) = o.get("run_id").cloned() else {
                listing.skipped.push(skip(format!("`{STATE_FILE}` has no `run_id`")));
                continue;
            };
            let mut updated_at = o.get("updated_at").cloned();
            if let Some(id) = run_id.as_str() {
                if let Ok(Some(j)) = read_optional(&dir.join(JOURNAL_FILE)) {
                    let read = journal::read(&j, id, &journal::snapshot_hash(&bytes));
                    if let Some(t) = read.entries.iter().rev().find_map(|(_, d)| d.updated_at.clone()) {
                        updated_at = Some(Json::String(t));
                    }
                }
            }
            listing.runs.push(RunSummary {
                dir_name: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                run_id,
                workflow_id: o.get("workflow_id").cloned(),
                status: o.get("status").cloned(),
                updated_at,
            });
        }
        Ok(listing)
    }
}

/// The writer of one executing run; holds the run lock until dropped.
pub struct FileSession {
    dir: PathBuf,
    run_id: RunId,
    _lock: RunLock,
    clock: Arc<dyn Clock>,
    durability: Durability,
    journal: Option<JournalWriter>,
    log: Option<File>,
    poisoned: bool,
}

impl std::fmt::Debug for FileSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileSession").field("dir", &self.dir).field("run_id", &self.run_id).finish()
    }
}

/// Writes a file atomically: `write` fills a 0600 temp file `.<name>.<random>.tmp` in the
/// same folder (through a buffer), then fsync, rename. (The caller fsyncs the folder.)
fn atomic_write_with<T>(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&File>) -> std::io::Result<T>,
) -> Result<T> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| io_at(dir, e))?;
    let value = {
        let mut w = std::io::BufWriter::with_capacity(64 * 1024, tmp.as_file());
        let value = write(&mut w).map_err(|e| io_at(tmp.path(), e))?;
        w.flush().map_err(|e| io_at(tmp.path(), e))?;
        value
    };
    tmp.as_file().sync_all().map_err(|e| io_at(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| io_at(path, e.error))?;
    Ok(value)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_at(dir, e))
}

impl FileSession {
    /// The run folder.
    pub fn run_dir(&self) -> &Path {
        &self.dir
    }

    fn guard<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.poisoned {
            return Err(Error::CheckpointFailed);
        }
        let r = f(self);
        if r.is_err() {
            self.poisoned = true;
        }
        r
    }
}

impl RunSession for FileSession {
    fn snapshot(&mut self, state: &mut RunState) -> Result<()> {
        self.guard(|s| {
            if let Some(j) = &mut s.journal {
                j.wait()?;
            }
            state.updated_at = isoformat(s.clock.now());
            std::fs::create_dir_all(&s.dir).map_err(|e| io_at(&s.dir, e))?;
            // Streamed from the state: no copy of it is built in memory.
            let hash = atomic_write_with(&s.dir.join(STATE_FILE), |w| state.write_state_json(w).map(|(_, h)| h))?;
            let inputs = state.to_inputs_json();
            atomic_write_with(&s.dir.join(INPUTS_FILE), |w| w.write_all(inputs.as_bytes()))?;
            sync_dir(&s.dir)?;
            s.journal = None;
            let hash = journal::hash_hex(hash);
            s.journal = Some(JournalWriter::reset(&s.dir, s.run_id.as_str(), &hash, s.durability)?);
            sync_dir(&s.dir)
        })
    }

    fn commit(&mut self, state: &mut RunState, delta: StepDelta) -> Result<()> {
        self.commit_staged(state, StepDelta::default(), delta)
    }

    fn commit_staged(&mut self, state: &mut RunState, mut staged: StepDelta, mut delta: StepDelta) -> Result<()> {
        self.guard(|s| {
            if s.journal.is_none() {
                return Err(Error::NoSnapshot(s.run_id.to_string()));
            }
            delta.updated_at = Some(isoformat(s.clock.now()));
            state.apply_delta(&delta)?;
            staged.merge(delta);
            let line = staged.to_line();
            match &mut s.journal {
                Some(j) => j.append(&line),
                None => Err(Error::NoSnapshot(s.run_id.to_string())),
            }
        })
    }

    fn log(&mut self, event: &LogEvent, scope: Option<&EventScope>) -> Result<()> {
        self.guard(|s| {
            let mut line = event.to_line(scope, &isoformat(s.clock.now()));
            line.push('\n');
            if s.log.is_none() {
                let path = s.dir.join(LOG_FILE);
                s.log = Some(OpenOptions::new().append(true).create(true).open(&path).map_err(|e| io_at(&path, e))?);
            }
            match &mut s.log {
                Some(f) => f.write_all(line.as_bytes()).map_err(|e| io_at(&s.dir.join(LOG_FILE), e)),
                None => Ok(()),
            }
        })
    }

    fn sync(&mut self) -> Result<()> {
        self.guard(|s| match &mut s.journal {
            Some(j) => j.wait(),
            None => Ok(()),
        })
    }
}
