//! Filesystem building blocks with the reference's durability rules (spec §1.4, §9,
//! §6.3): install locks, random sibling names, atomic file replacement, and reading or
//! writing a leaf under a project root without following any symlink.
//!
//! Reuse (step installs): `InstallLock::acquire(&root.join(".specify/.step-install.lock"))`,
//! `write_atomic(path, bytes, AtomicMode::Keep)` for registries,
//! `confined_read`/`confined_write` for catalog caches.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{FlockOperation, Mode, OFlags};

/// `n` random lowercase hex/alphanumeric characters (for staged file names).
pub fn random_suffix(n: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    let mut bytes = vec![0u8; n];
    if getrandom::fill(&mut bytes).is_err() {
        // Fall back on the clock: uniqueness is still checked by exclusive creation.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (nanos >> (i % 16 * 8)) as u8 ^ (i as u8).wrapping_mul(31);
        }
    }
    bytes.iter().map(|b| CHARS[usize::from(*b) % CHARS.len()] as char).collect()
}

/// 32 random hex characters (a uuid4 hex, as the cache's staged names use).
pub fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An exclusive `flock` on a lock file opened with `O_NOFOLLOW`, mode 0600.
/// Blocks until acquired; released on drop.
#[derive(Debug)]
pub struct InstallLock {
    _file: File,
}

impl InstallLock {
    /// Opens (creating, 0600) and locks `path`. A symlinked lock file is refused.
    ///
    /// # Errors
    /// I/O errors; `ELOOP` for a symlink.
    pub fn acquire(path: &Path) -> io::Result<Self> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let fd = rustix::fs::open(
            path,
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )?;
        let file = File::from(fd);
        rustix::fs::flock(&file, FlockOperation::LockExclusive)?;
        Ok(InstallLock { _file: file })
    }
}

/// What mode a replaced file gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomicMode {
    /// Keep the existing file's mode; a new file gets `0o600`.
    KeepOr0600,
    /// Exactly this mode.
    Exactly(u32),
}

/// Writes `bytes` to `path` atomically: an exclusive temp sibling
/// (`.<name>.<rand>.tmp`), fsync, rename over the target. The target is never
/// truncated in place and a symlinked target is refused.
///
/// # Errors
/// I/O errors; the temp file is removed on failure.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: AtomicMode) -> io::Result<()> {
    let dir = path.parent().ok_or_else(|| io::Error::other("no parent directory"))?;
    let name = path.file_name().ok_or_else(|| io::Error::other("no file name"))?.to_string_lossy().into_owned();
    let existing = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(io::Error::other(format!("Refusing to write through symlinked path {}", path.display())));
        }
        Ok(meta) if meta.is_file() => Some(meta),
        Ok(_) => return Err(io::Error::other(format!("{} is not a regular file", path.display()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let (tmp, mut file) = create_exclusive(dir, &format!(".{name}."), ".tmp", 0o600)?;
    let result = (|| {
        file.write_all(bytes)?;
        let wanted = match mode {
            AtomicMode::KeepOr0600 => existing.as_ref().map_or(0o600, |m| m.mode() & 0o7777),
            AtomicMode::Exactly(m) => m,
        };
        file.set_permissions(fs::Permissions::from_mode(wanted))?;
        file.sync_all()?;
        verify_same_file(&tmp, &file)?;
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates `dir/<prefix><rand><suffix>` exclusively with `mode`.
///
/// # Errors
/// I/O errors.
pub fn create_exclusive(dir: &Path, prefix: &str, suffix: &str, mode: u32) -> io::Result<(PathBuf, File)> {
    for _ in 0..16 {
        let path = dir.join(format!("{prefix}{}{suffix}", random_suffix(8)));
        let fd = rustix::fs::open(
            &path,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
        );
        match fd {
            Ok(fd) => return Ok((path, File::from(fd))),
            Err(rustix::io::Errno::EXIST) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "could not create a unique temporary file"))
}

/// Checks that `path` still names the inode `file` was opened on.
///
/// # Errors
/// An error when the staged file was swapped.
pub fn verify_same_file(path: &Path, file: &File) -> io::Result<()> {
    let on_disk = fs::symlink_metadata(path)?;
    let open = file.metadata()?;
    if !on_disk.is_file() || on_disk.dev() != open.dev() || on_disk.ino() != open.ino() {
        return Err(io::Error::other("staged file changed before commit"));
    }
    Ok(())
}

/// Best-effort fsync of a directory (after a rename).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Opens the directory `root/rel` component by component with `O_NOFOLLOW`,
/// creating missing components when `create`; a symlinked or non-directory component
/// is an error (`ENOTDIR`/`ELOOP`), so nothing is read or written through a link.
fn open_confined_dir(root: &Path, rel: &Path, create: bool) -> io::Result<rustix::fd::OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut dir = rustix::fs::open(root, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
    for component in rel.components() {
        let Component::Normal(part) = component else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "Catalog cache escapes project root"));
        };
        let child = match rustix::fs::openat(&dir, part, flags, Mode::empty()) {
            Err(rustix::io::Errno::NOENT) if create => {
                match rustix::fs::mkdirat(&dir, part, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                    Err(e) => return Err(e.into()),
                }
                rustix::fs::openat(&dir, part, flags, Mode::empty())?
            }
            other => other?,
        };
        dir = child;
    }
    Ok(dir)
}

/// Reads the regular file `root/rel` without following a symlink anywhere below `root`.
///
/// # Errors
/// I/O errors (a symlinked component is one).
pub fn confined_read(root: &Path, rel: &Path) -> io::Result<Vec<u8>> {
    let parent = rel.parent().unwrap_or(Path::new(""));
    let name = rel.file_name().ok_or_else(|| io::Error::other("no file name"))?;
    let dir = open_confined_dir(root, parent, false)?;
    let fd = rustix::fs::openat(&dir, name, OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC, Mode::empty())?;
    let mut file = File::from(fd);
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("Catalog cache leaf is not a regular file"));
    }
    let mut out = Vec::new();
    file.read_to_end(&mut out)?;
    Ok(out)
}

/// Atomically replaces the file `root/rel` (mode 0600) through directory descriptors
/// opened without following links, creating missing directories.
///
/// # Errors
/// I/O errors (a symlinked component is one); nothing is written through a link.
pub fn confined_write(root: &Path, rel: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = rel.parent().unwrap_or(Path::new(""));
    let name = rel.file_name().ok_or_else(|| io::Error::other("no file name"))?.to_string_lossy().into_owned();
    let dir = open_confined_dir(root, parent, true)?;
    let tmp = format!(".{name}.{}.tmp", random_hex());
    let fd = rustix::fs::openat(
        &dir,
        tmp.as_str(),
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )?;
    let mut file = File::from(fd);
    let result = file.write_all(bytes).and_then(|()| rustix::fs::renameat(&dir, tmp.as_str(), &dir, name.as_str()).map_err(io::Error::from));
    if result.is_err() {
        let _ = rustix::fs::unlinkat(&dir, tmp.as_str(), rustix::fs::AtFlags::empty());
    }
    result
}

/// `os.path.realpath`-like lexical normalization: collapses `.` and `..` without
/// touching the filesystem.
pub fn lexical_normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether `path` exists (as anything, symlinks included).
pub fn lexists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_keeps_mode_and_refuses_links() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        write_atomic(&p, b"one", AtomicMode::KeepOr0600).unwrap();
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&p, b"two", AtomicMode::KeepOr0600).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o644);
        let link = dir.path().join("l.json");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        assert!(write_atomic(&link, b"x", AtomicMode::KeepOr0600).is_err());
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn confined_io_refuses_symlinked_dirs() {
        let root = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        confined_write(root.path(), Path::new("a/b/c.json"), b"{}").unwrap();
        assert_eq!(confined_read(root.path(), Path::new("a/b/c.json")).unwrap(), b"{}");
        std::os::unix::fs::symlink(elsewhere.path(), root.path().join("link")).unwrap();
        assert!(confined_write(root.path(), Path::new("link/c.json"), b"{}").is_err());
        assert!(fs::read_dir(elsewhere.path()).unwrap().next().is_none());
        fs::write(elsewhere.path().join("c.json"), b"{}").unwrap();
        assert!(confined_read(root.path(), Path::new("link/c.json")).is_err());
    }

    #[test]
    fn lock_refuses_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t");
        fs::write(&target, b"").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("l.lock")).unwrap();
        assert!(InstallLock::acquire(&dir.path().join("l.lock")).is_err());
        let lock = InstallLock::acquire(&dir.path().join("ok.lock")).unwrap();
        assert_eq!(fs::metadata(dir.path().join("ok.lock")).unwrap().mode() & 0o777, 0o600);
        drop(lock);
    }
}
