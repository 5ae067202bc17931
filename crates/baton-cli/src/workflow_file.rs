//! Reading a workflow file from disk into a checked definition.

use std::path::Path;

use baton_model::yaml::{Node, Span};
use baton_model::Diagnostic;

/// Why a workflow file could not be loaded.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be read at all.
    Io(std::io::Error),
    /// The text is not a loadable workflow document; `message` is the reference's text
    /// after `Invalid workflow: `.
    Load {
        /// The reference's message.
        message: String,
        /// Where the problem is, when known.
        span: Option<Span>,
    },
}

/// Reads `path` and loads it as the reference does (UTF-8, a leading BOM ignored).
///
/// Load messages are the reference's: a YAML error is `Invalid YAML in <path>: ` and
/// PyYAML's text (context, problem and their `in "<path>", line L, column C` marks,
/// `<path>` as given on the command line: relative to the current directory when the
/// file is under it); text that is not UTF-8 is Python's `UnicodeDecodeError` text.
pub fn read(path: &Path) -> Result<(String, Node), ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    let name = display_name(path);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let (message, span) = decode_error(err.as_bytes(), err.utf8_error());
            return Err(ReadError::Load { message, span: Some(span) });
        }
    };
    let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
    match baton_model::load(&text) {
        Ok(node) => Ok((text, node)),
        Err(err) => Err(ReadError::Load { message: err.message(Some(&name)), span: err.span() }),
    }
}

/// The file's name as the user gave it: relative to the current directory when it is
/// under it (the CLI joins a relative argument to the current directory), else as is.
fn display_name(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// Python's `UnicodeDecodeError` text for `bytes` (`'utf-8' codec can't decode byte
/// 0xe9 in position 129: invalid continuation byte`) and where the bad byte is.
fn decode_error(bytes: &[u8], err: std::str::Utf8Error) -> (String, Span) {
    let at = err.valid_up_to();
    let first = bytes.get(at).copied().unwrap_or(0);
    // Python's reasons: a byte that cannot start a sequence; a valid start byte followed
    // by a byte that cannot continue it (Rust's `error_len` counts the bytes consumed);
    // a sequence cut off by the end of the file.
    let (len, reason) = match err.error_len() {
        Some(n) if (0xc2..=0xf4).contains(&first) => (n, "invalid continuation byte"),
        Some(n) => (n, "invalid start byte"),
        None => (bytes.len() - at, "unexpected end of data"),
    };
    let message = if len <= 1 {
        format!("'utf-8' codec can't decode byte 0x{first:02x} in position {at}: {reason}")
    } else {
        format!("'utf-8' codec can't decode bytes in position {at}-{}: {reason}", at + len - 1)
    };
    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let col = bytes[..at].iter().rev().take_while(|b| **b != b'\n').count() as u32 + 1;
    (message, Span { line, col })
}

/// Validates a loaded definition with the built-in step types.
pub fn validate(node: &Node) -> Vec<Diagnostic> {
    baton_model::validate(node, &baton_model::NoCustomSteps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> String {
        let err = std::str::from_utf8(bytes).expect_err("not UTF-8");
        decode_error(bytes, err).0
    }

    /// Python 3.11's `bytes.decode('utf-8')` texts for the same bytes.
    #[test]
    fn decode_errors_read_as_python_words_them() {
        assert_eq!(decode(b"ab\xffc"), "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte");
        assert_eq!(decode(b"caf\xe9\n"), "'utf-8' codec can't decode byte 0xe9 in position 3: invalid continuation byte");
        assert_eq!(decode(b"x\xe2\x82\n"), "'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte");
        assert_eq!(decode(b"x\xe2\x82"), "'utf-8' codec can't decode bytes in position 1-2: unexpected end of data");
        assert_eq!(decode(b"x\xc3"), "'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data");
        assert_eq!(decode(b"\x80"), "'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte");
        assert_eq!(decode(b"\xc0\xaf"), "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte");
        assert_eq!(decode(b"\xed\xa0\x80"), "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte");
    }
}
