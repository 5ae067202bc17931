//! Output helpers: the reference's JSON spelling and plain line printing.

use std::io::{self, Write};

use serde::Serialize;

/// Prints `value` as Python's `json.dumps(value, indent=2)` does (non-ASCII escaped as
/// `\uXXXX`), followed by a newline, on stdout.
pub fn print_json<T: Serialize>(value: &T) -> io::Result<()> {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, AsciiPretty::default());
    value.serialize(&mut ser).map_err(io::Error::other)?;
    buf.push(b'\n');
    write_stdout(&buf)
}

/// Like [`print_json`] but on stderr and on one line (`json.dumps(value)`), as the
/// reference prints project errors under `--json`.
pub fn eprint_json_line<T: Serialize>(value: &T) -> io::Result<()> {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, AsciiCompact);
    value.serialize(&mut ser).map_err(io::Error::other)?;
    buf.push(b'\n');
    io::stderr().lock().write_all(&buf)
}

/// Writes bytes to stdout, ignoring a closed pipe.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    match io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints one line on stdout.
#[allow(dead_code)]
pub fn line(text: impl AsRef<str>) -> io::Result<()> {
    write_stdout(format!("{}\n", text.as_ref()).as_bytes())
}

fn write_ascii_escaped<W: ?Sized + Write>(w: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if c.is_ascii() {
            continue;
        }
        w.write_all(&fragment.as_bytes()[start..i])?;
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            write!(w, "\\u{unit:04x}")?;
        }
        start = i + c.len_utf8();
    }
    w.write_all(&fragment.as_bytes()[start..])
}

/// `json.dumps(indent=2)`: pretty with two spaces, `": "`, ASCII only.
#[derive(Default)]
struct AsciiPretty(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for AsciiPretty {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, f: &str) -> io::Result<()> {
        write_ascii_escaped(w, f)
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `json.dumps(value)`: `", "` and `": "` separators, ASCII only.
struct AsciiCompact;

impl serde_json::ser::Formatter for AsciiCompact {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, f: &str) -> io::Result<()> {
        write_ascii_escaped(w, f)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}
