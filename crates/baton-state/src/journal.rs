//! `journal.jsonl`: baton's per-step log of [`StepDelta`]s (the reference ignores it).
//!
//! Line 1 is a header naming the run and a hash of the exact `state.json` bytes the
//! journal extends; each further line is one delta. A reader applies the entries only
//! when the hash matches the current `state.json` (so a `state.json` rewritten later by
//! the reference, which knows no journal, is never overridden), and stops at the first
//! line that is incomplete (no newline) or unreadable: a torn tail is ignored.

use crate::delta::StepDelta;
use crate::error::{Error, Result};
use crate::json::{Json, JsonObject};
use crate::lock::io_at;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

/// The journal's file name inside the run folder.
pub const JOURNAL_FILE: &str = "journal.jsonl";
const FORMAT: u64 = 1;

/// FNV-1a's 64-bit offset basis (the hash of no bytes).
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Continues the FNV-1a hash `h` over `bytes`.
pub(crate) fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A hash as the journal header spells it: 16 hex digits.
pub(crate) fn hash_hex(h: u64) -> String {
    format!("{h:016x}")
}

/// FNV-1a (64 bit) of `bytes`, as 16 hex digits: ties a journal to one `state.json`.
pub(crate) fn snapshot_hash(bytes: &[u8]) -> String {
    hash_hex(fnv1a(FNV_OFFSET, bytes))
}

fn header(run_id: &str, hash: &str) -> String {
    let mut o = JsonObject::new();
    o.insert("baton_journal".into(), Json::from(FORMAT));
    o.insert("run_id".into(), run_id.into());
    o.insert("snapshot".into(), hash.into());
    let mut line = Json::Object(o).to_compact();
    line.push('\n');
    line
}

/// Whether the journal `bytes` starts with the header for this run and snapshot.
pub(crate) fn extends(bytes: &[u8], run_id: &str, hash: &str) -> bool {
    bytes.starts_with(header(run_id, hash).as_bytes())
}

/// The entries of a journal that extend the given snapshot.
pub(crate) struct JournalRead {
    /// `(line number, delta)` in order.
    pub entries: Vec<(usize, StepDelta)>,
}

/// Reads `bytes` (a whole journal): the deltas extending the snapshot whose hash is
/// `hash`. Never fails: a foreign, stale or torn journal yields fewer (or no) entries.
pub(crate) fn read(bytes: &[u8], run_id: &str, hash: &str) -> JournalRead {
    let mut entries = Vec::new();
    let mut lines = bytes.split_inclusive(|b| *b == b'\n');
    let header_ok = lines.next().is_some_and(|l| l == header(run_id, hash).as_bytes());
    if header_ok {
        for (i, line) in lines.enumerate() {
            let Some(body) = line.strip_suffix(b"\n") else { break };
            let Ok(text) = std::str::from_utf8(body) else { break };
            let Ok(json) = Json::parse(text) else { break };
            let Ok(delta) = StepDelta::from_json(json) else { break };
            entries.push((i + 2, delta));
        }
    }
    JournalRead { entries }
}

/// How hard `commit` pushes a journal line to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `write()` before returning (a `kill -9` loses nothing committed); `fdatasync` runs
    /// in the background while the next step executes and is awaited before the next
    /// line is written (a power loss loses at most the last committed step).
    #[default]
    Normal,
    /// `write()` and `fdatasync` before returning.
    Strict,
}

struct Syncer {
    request: Option<mpsc::Sender<()>>,
    done: mpsc::Receiver<std::io::Result<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    fn start(file: Arc<File>) -> Result<Syncer> {
        let (request, requests) = mpsc::channel::<()>();
        let (report, done) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("baton-journal-sync".into())
            .spawn(move || {
                while requests.recv().is_ok() {
                    if report.send(file.sync_data()).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Syncer { request: Some(request), done, thread: Some(thread) })
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        self.request = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The open journal of a session.
pub(crate) struct JournalWriter {
    file: Arc<File>,
    path: PathBuf,
    syncer: Option<Syncer>,
    pending: bool,
}

impl JournalWriter {
    /// Starts a fresh journal extending the snapshot with hash `hash` (truncating any
    /// older one), synced before returning.
    pub fn reset(run_dir: &Path, run_id: &str, hash: &str, durability: Durability) -> Result<JournalWriter> {
        let path = run_dir.join(JOURNAL_FILE);
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| io_at(&path, e))?;
        file.write_all(header(run_id, hash).as_bytes()).map_err(|e| io_at(&path, e))?;
        file.sync_data().map_err(|e| io_at(&path, e))?;
        let file = Arc::new(file);
        let syncer = match durability {
            Durability::Normal => Some(Syncer::start(Arc::clone(&file))?),
            Durability::Strict => None,
        };
        Ok(JournalWriter { file, path, syncer, pending: false })
    }

    /// Waits for the background `fdatasync` of the previous line, if any.
    pub fn wait(&mut self) -> Result<()> {
        if !self.pending {
            return Ok(());
        }
        self.pending = false;
        let syncer = self.syncer.as_ref().ok_or(Error::CheckpointFailed)?;
        match syncer.done.recv() {
            Ok(r) => r.map_err(|e| io_at(&self.path, e)),
            Err(_) => Err(io_at(&self.path, std::io::Error::other("journal sync thread stopped"))),
        }
    }

    /// Appends one line (with one `write`), after the previous line's sync completed.
    pub fn append(&mut self, line: &str) -> Result<()> {
        self.wait()?;
        let mut buf = String::with_capacity(line.len() + 1);
        buf.push_str(line);
        buf.push('\n');
        (&*self.file).write_all(buf.as_bytes()).map_err(|e| io_at(&self.path, e))?;
        match &self.syncer {
            None => self.file.sync_data().map_err(|e| io_at(&self.path, e)),
            Some(s) => {
                let sent = s.request.as_ref().is_some_and(|r| r.send(()).is_ok());
                if !sent {
                    return Err(io_at(&self.path, std::io::Error::other("journal sync thread stopped")));
                }
                self.pending = true;
                Ok(())
            }
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        let _ = self.wait();
    }
}
