//! What several built-in steps share: reading their configuration the way the
//! reference does (`config.get(key, default)`, `{{ }}` rendering of strings), the
//! `timeout` rule, the environment handed to processes, and Python's text decoding
//! (strict for shell steps, with replacement for captured agents).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::time::Duration;

use baton_expr::{Map, Namespace, Value};
use num_traits::ToPrimitive;

use crate::step::{StepError, StepResult, StepStatus};

/// `repr(config.get('id', '?'))`: how the reference names a step in its messages.
pub(crate) fn id_repr(config: &Map) -> String {
    match config.get("id") {
        Some(id) => id.py_repr(),
        None => "'?'".to_owned(),
    }
}

/// `evaluate_expression(value)` when `value` is a string containing `{{`, else the
/// value itself (the reference's `_resolve`).
pub(crate) fn render_if_template(value: &Value, ns: &dyn Namespace) -> Result<Value, StepError> {
    match value {
        Value::Str(s) if s.contains("{{") => Ok(baton_expr::render(s, ns)?),
        other => Ok(other.clone()),
    }
}

/// `evaluate_expression(value)`: strings are always rendered, anything else kept.
pub(crate) fn render_value(value: &Value, ns: &dyn Namespace) -> Result<Value, StepError> {
    Ok(baton_expr::render_value(value, ns)?)
}

/// A valid `timeout` field: its value as written (for messages) and how long that is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Timeout {
    /// The number as configured (`1`, `0.5`, `300`), printed with Python's `str()`.
    pub value: Value,
    /// The duration; `None` when it is too long to represent (never reached).
    pub duration: Option<Duration>,
}

impl Timeout {
    /// The default of a step type, in whole seconds.
    pub(crate) fn default_secs(secs: u64) -> Timeout {
        Timeout { value: Value::from(secs as i64), duration: Some(Duration::from_secs(secs)) }
    }

    /// The number as the reference prints it (`timed out after 1 seconds`).
    pub(crate) fn display(&self) -> String {
        self.value.py_str()
    }
}

/// The `timeout` field: absent → the default; otherwise a finite number > 0 that is
/// not a bool (an integer too large for a float is refused too, as Python's
/// `math.isfinite` overflows on it). `Err` carries the reference's message
/// `<Label> step '<id>': 'timeout' must be a positive number of seconds, got <repr>.`
pub(crate) fn timeout_field(config: &Map, label: &str, default_secs: u64) -> Result<Timeout, String> {
    let Some(value) = config.get("timeout") else {
        return Ok(Timeout::default_secs(default_secs));
    };
    let seconds = match value {
        Value::Int(i) => i.to_f64(),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    match seconds {
        Some(s) if s.is_finite() && s > 0.0 => Ok(Timeout {
            value: value.clone(),
            duration: Duration::try_from_secs_f64(s).ok(),
        }),
        _ => Err(format!(
            "{label} step {}: 'timeout' must be a positive number of seconds, got {}.",
            id_repr(config),
            value.py_repr()
        )),
    }
}

/// The engine's environment as a process environment.
pub(crate) fn process_env(env: &BTreeMap<String, String>) -> Vec<(OsString, OsString)> {
    env.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))).collect()
}

/// Python's universal newlines: `\r\n` and a lone `\r` become `\n`.
pub(crate) fn universal_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// `bytes.decode('utf-8')` (strict): the text, or Python's `UnicodeDecodeError`
/// message (`'utf-8' codec can't decode byte 0xff in position 2: invalid start byte`).
pub(crate) fn decode_strict(bytes: Vec<u8>) -> Result<String, String> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let bytes = e.as_bytes();
            let err = e.utf8_error();
            let start = err.valid_up_to();
            let (len, reason) = match err.error_len() {
                None => (bytes.len() - start, "unexpected end of data"),
                Some(1) if !(0xC2..=0xF4).contains(&bytes[start]) => (1, "invalid start byte"),
                Some(n) => (n, "invalid continuation byte"),
            };
            Err(if len == 1 {
                format!(
                    "'utf-8' codec can't decode byte 0x{:02x} in position {start}: {reason}",
                    bytes[start]
                )
            } else {
                format!(
                    "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
                    start + len - 1
                )
            })
        }
    }
}

/// A captured agent stream as the reference decodes it: UTF-8 with U+FFFD for each
/// invalid sequence; when the stream is not `complete` (cut at the cap, or the process
/// was stopped) an unfinished sequence at the end is dropped instead of replaced;
/// then universal newlines.
pub(crate) fn decode_lossy(bytes: &[u8], complete: bool) -> String {
    let mut text = String::with_capacity(bytes.len());
    let mut chunks = bytes.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        text.push_str(chunk.valid());
        let invalid = chunk.invalid();
        if invalid.is_empty() {
            continue;
        }
        let last = chunks.peek().is_none();
        // The last chunk's invalid part is an unfinished sequence when it is a valid
        // prefix of one (from_utf8 reports no error length for it).
        let unfinished = last && std::str::from_utf8(invalid).err().is_some_and(|e| e.error_len().is_none());
        if complete || !unfinished {
            text.push('\u{FFFD}');
        }
    }
    universal_newlines(text)
}

/// Python's `str(OSError)`: `[Errno 2] No such file or directory: 'gh'`.
pub(crate) fn os_error_text(err: &std::io::Error, filename: Option<&str>) -> String {
    let Some(code) = err.raw_os_error() else {
        return err.to_string();
    };
    let full = err.to_string();
    let suffix = format!(" (os error {code})");
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    match filename {
        Some(name) => format!("[Errno {code}] {message}: {}", baton_expr::py::str_repr(name)),
        None => format!("[Errno {code}] {message}"),
    }
}

/// A loop's `max_iterations` as its output echoes it: the configured value, or 10 when
/// absent or null (`while` and `do-while`).
pub(crate) fn loop_max_iterations(config: &Map) -> Value {
    match config.get("max_iterations") {
        None | Some(Value::Null) => Value::from(10),
        Some(v) => v.clone(),
    }
}

/// A loop's iteration: its `steps` as the child sequence (none when absent), or the
/// step failed when `steps` is not a list. `label` starts the error (`While step`).
pub(crate) fn loop_body(config: &Map, output: Map, label: &str) -> StepResult {
    match config.get("steps") {
        None => StepResult::with_status(StepStatus::Completed, output),
        Some(Value::List(steps)) => {
            let mut r = StepResult::with_status(StepStatus::Completed, output);
            r.next_steps = steps.clone();
            r
        }
        Some(other) => StepResult::failed(
            output,
            format!("{label} {}: 'steps' must be a list of steps, got {}.", id_repr(config), other.type_name()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decoding_reports_like_python() {
        let cases: [(&[u8], &str); 6] = [
            (b"ok\xff\n", "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"),
            (b"\xe2\x82", "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"),
            (b"a\xe2\x82a", "'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"),
            (b"\xe2a", "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte"),
            (b"\xc0\x80", "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"),
            (b"\xed\xa0\x80", "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"),
        ];
        for (bytes, message) in cases {
            assert_eq!(decode_strict(bytes.to_vec()), Err(message.to_owned()), "{bytes:?}");
        }
        assert_eq!(decode_strict(b"caf\xc3\xa9".to_vec()), Ok("café".to_owned()));
    }

    #[test]
    fn lossy_decoding_drops_an_unfinished_tail_only_when_cut() {
        assert_eq!(decode_lossy(b"a\xe2\x82", false), "a");
        assert_eq!(decode_lossy(b"a\xe2\x82", true), "a\u{FFFD}");
        assert_eq!(decode_lossy(b"a\xffb\r\nc\rd", false), "a\u{FFFD}b\nc\nd");
        assert_eq!(decode_lossy(b"\xe2\x82a", false), "\u{FFFD}a");
    }

    #[test]
    fn timeouts_follow_the_reference_rule() {
        let config = |v: Value| Map::from_iter([("id".to_owned(), Value::from("s")), ("timeout".to_owned(), v)]);
        let ok = timeout_field(&config(Value::Float(0.5)), "Shell", 300).expect("valid");
        assert_eq!((ok.display(), ok.duration), ("0.5".to_owned(), Some(Duration::from_millis(500))));
        assert_eq!(timeout_field(&Map::new(), "Shell", 300).map(|t| t.display()), Ok("300".to_owned()));
        for bad in [Value::Bool(true), Value::from(0), Value::from(-1), Value::Float(f64::NAN), Value::from("5")] {
            let message = timeout_field(&config(bad.clone()), "Shell", 300).expect_err("invalid");
            assert_eq!(
                message,
                format!("Shell step 's': 'timeout' must be a positive number of seconds, got {}.", bad.py_repr())
            );
        }
    }

    #[test]
    fn os_errors_read_like_python() {
        let err = std::io::Error::from_raw_os_error(2);
        assert_eq!(os_error_text(&err, Some("gh")), "[Errno 2] No such file or directory: 'gh'");
    }
}
