//! File helpers shared by the overlay and step-package modules: reading text as
//! Python's `Path.read_text(encoding="utf-8")` does, Python's spelling of OS errors,
//! and atomic file replacement.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use baton_expr::py::str_repr;

/// Python's `str(OSError)` for an error about `path`:
/// `[Errno 2] No such file or directory: 'missing.yml'`.
pub(crate) fn os_error(err: &io::Error, path: &Path) -> String {
    match err.raw_os_error() {
        Some(code) => {
            let text = io::Error::from_raw_os_error(code).to_string();
            let text = match text.rfind(" (os error ") {
                Some(i) => text[..i].to_owned(),
                None => text,
            };
            format!("[Errno {code}] {text}: {}", str_repr(&path.to_string_lossy()))
        }
        None => err.to_string(),
    }
}

/// Python's `UnicodeDecodeError` text for bytes that are not UTF-8.
pub(crate) fn decode_error(err: &std::string::FromUtf8Error) -> String {
    let at = err.utf8_error().valid_up_to();
    let byte = err.as_bytes().get(at).copied().unwrap_or(0);
    let reason = match err.utf8_error().error_len() {
        None => "unexpected end of data",
        Some(_) if matches!(byte, 0x80..=0xc1 | 0xf5..=0xff) => "invalid start byte",
        Some(_) => "invalid continuation byte",
    };
    format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: {reason}")
}

/// Why a text file could not be read.
#[derive(Debug)]
pub(crate) enum ReadTextError {
    /// The OS refused (Python's `OSError`).
    Io(io::Error),
    /// Not UTF-8 (Python's `UnicodeDecodeError`); the message as Python words it.
    Decode(String),
}

impl ReadTextError {
    /// Python's `str(exc)` for this error about `path`.
    pub(crate) fn python_text(&self, path: &Path) -> String {
        match self {
            ReadTextError::Io(err) => os_error(err, path),
            ReadTextError::Decode(text) => text.clone(),
        }
    }
}

/// Reads a UTF-8 text file (a leading BOM is kept, as Python keeps it; the YAML
/// reader skips it).
pub(crate) fn read_text(path: &Path) -> Result<String, ReadTextError> {
    let bytes = fs::read(path).map_err(ReadTextError::Io)?;
    String::from_utf8(bytes).map_err(|e| ReadTextError::Decode(decode_error(&e)))
}

/// Whether a YAML text holds no document at all (only whitespace and comments):
/// PyYAML's `compose` gives `None` for it, unlike an explicit `null` or `---`.
pub(crate) fn is_empty_yaml(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().all(|line| {
        let t = line.trim_start_matches([' ', '\t', '\r']);
        t.is_empty() || t.starts_with('#')
    })
}

/// A random hex suffix for temporary names.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        // Fall back to the clock and the pid: uniqueness, not secrecy, is needed.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let seed = nanos ^ u128::from(std::process::id());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Replaces (or creates) `dest` with `bytes` atomically: a temporary file in the same
/// directory (mode 0600, like Python's `mkstemp`), synced, given the mode of the file
/// it replaces, renamed over it; then the directory is synced.
pub(crate) fn write_atomic(dest: &Path, bytes: &[u8], tmp_prefix: &str) -> io::Result<()> {
    let dir = dest.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let tmp = dir.join(format!("{tmp_prefix}{}.tmp", random_hex(4)));
    let result = (|| {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(&tmp)?;
        file.write_all(bytes)?;
        if let Ok(meta) = fs::symlink_metadata(dest) {
            if meta.is_file() {
                file.set_permissions(meta.permissions())?;
            }
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, dest)?;
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_spellings() {
        let err = io::Error::from_raw_os_error(2);
        assert_eq!(os_error(&err, Path::new("missing.yml")), "[Errno 2] No such file or directory: 'missing.yml'");
        let bad = String::from_utf8(vec![b'a', 0xff]).unwrap_err();
        assert_eq!(decode_error(&bad), "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte");
        let cont = String::from_utf8(vec![0xc3, 0x28]).unwrap_err();
        assert_eq!(decode_error(&cont), "'utf-8' codec can't decode byte 0xc3 in position 0: invalid continuation byte");
        let end = String::from_utf8(vec![b'a', 0xc3]).unwrap_err();
        assert_eq!(decode_error(&end), "'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data");
    }

    #[test]
    fn empty_yaml() {
        assert!(is_empty_yaml(""));
        assert!(is_empty_yaml("\u{feff}# c\n\n"));
        assert!(!is_empty_yaml("---\n"));
        assert!(!is_empty_yaml("null\n"));
    }

    #[test]
    fn atomic_write_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yml");
        write_atomic(&p, b"one", ".a.yml.").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
            fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
            write_atomic(&p, b"two", ".a.yml.").unwrap();
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o644);
        }
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
