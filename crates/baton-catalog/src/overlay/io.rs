//! File helpers shared by the overlay and step-package modules: reading text as
//! Python's `Path.read_text(encoding="utf-8")` does and Python's spelling of OS errors.

use std::fs;
use std::io;
use std::path::Path;

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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
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
}
