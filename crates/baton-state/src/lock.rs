//! The run lock: an exclusive `flock` on `run.lock` in the run folder, held while a run
//! executes. The kernel drops it when the holder dies, so it never outlives a killed
//! process; the holder's pid is written into the file for the error message.

use crate::error::{Error, Result};
use crate::run_id::RunId;
use rustix::fs::{flock, FlockOperation};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The lock file's name inside the run folder.
pub const LOCK_FILE: &str = "run.lock";

/// A held run lock; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

fn open(run_dir: &Path) -> Result<(File, PathBuf)> {
    let path = run_dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .open(&path)
        .map_err(|e| io_at(&path, e))?;
    Ok((file, path))
}

pub(crate) fn io_at(path: &Path, e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(e.kind(), format!("{e} (`{}`)", path.display())))
}

fn holder_pid(file: &mut File) -> Option<u32> {
    let mut s = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}

impl RunLock {
    /// Takes the lock of the run in `run_dir` at once, or fails with
    /// [`Error::Locked`] naming the holder's pid (waiting at most ~50 ms for a holder
    /// that has just locked to write it).
    pub fn acquire(run_dir: &Path, run_id: &RunId) -> Result<RunLock> {
        let (mut file, path) = open(run_dir)?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => {
                // The holder writes its pid right after locking; give it a moment.
                let mut pid = holder_pid(&mut file);
                for _ in 0..50 {
                    if pid.is_some() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    pid = holder_pid(&mut file);
                }
                return Err(Error::Locked { run_id: run_id.to_string(), pid });
            }
            Err(e) => return Err(io_at(&path, e.into())),
        }
        let pid = std::process::id().to_string();
        file.set_len(0).map_err(|e| io_at(&path, e))?;
        file.seek(SeekFrom::Start(0)).map_err(|e| io_at(&path, e))?;
        file.write_all(pid.as_bytes()).map_err(|e| io_at(&path, e))?;
        Ok(RunLock { _file: file, path })
    }

    /// Whether a live process holds the lock of the run in `run_dir`: `Some(pid)` when
    /// held (the pid when readable), `None` when free (or when there is no lock file).
    pub fn holder(run_dir: &Path) -> Result<Option<Option<u32>>> {
        let path = run_dir.join(LOCK_FILE);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_at(&path, e)),
        };
        match flock(&file, FlockOperation::NonBlockingLockShared) {
            Ok(()) => Ok(None),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(Some(holder_pid(&mut file))),
            Err(e) => Err(io_at(&path, e.into())),
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
