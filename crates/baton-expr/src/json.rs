//! JSON exactly as Python's `json` module reads and writes it.
//!
//! [`loads`] is `json.loads`: it accepts `NaN`, `Infinity`, `-Infinity`, integers of
//! any size (up to Python's 4300-digit limit), keeps the last of duplicated keys at
//! the first one's position, and fails with Python's messages (`Expecting value: line 1
//! column 1 (char 0)`). [`dumps`] is `json.dumps` with the options that matter here.
//! Conversions to and from [`serde_json::Value`] cover the values both can hold.

use std::fmt::Write as _;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::py::{self, float_repr, INT_MAX_STR_DIGITS};
use crate::value::{Map, Value};

/// Deepest nesting [`loads`] accepts (Python stops near 1000 with a `RecursionError`).
pub const MAX_DEPTH: usize = 1000;

/// Why JSON could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Python's `JSONDecodeError`: a message and a position counted in characters.
    #[error("{msg}: line {line} column {column} (char {pos})")]
    Decode {
        /// What was expected or found (`Expecting value`, `Extra data`, …).
        msg: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// 0-based offset, in characters.
        pos: usize,
    },
    /// An integer with more digits than Python converts (a plain `ValueError` there).
    #[error("{}", py::int_limit_message(*.0))]
    IntTooLarge(usize),
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// `nan` or an infinity written with `allow_nan` off.
    #[error("Out of range float values are not JSON compliant")]
    OutOfRangeFloat,
    /// A value serde_json cannot hold (`nan`, an infinity, an integer outside `i64`/`u64`).
    #[error("{0} has no serde_json equivalent")]
    NotRepresentable(String),
}

/// Options of [`dumps`], named after `json.dumps`' parameters. The default is Python's
/// default: `ensure_ascii=True`, no indent, keys in insertion order, `allow_nan=True`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpOptions {
    /// Escape every non-ASCII character as `\uXXXX`.
    pub ensure_ascii: bool,
    /// Pretty-print with this many spaces per level (item separator `,` then).
    pub indent: Option<usize>,
    /// Write mapping keys in sorted order.
    pub sort_keys: bool,
    /// Write `NaN`/`Infinity`/`-Infinity`; when false they are an error.
    pub allow_nan: bool,
}

impl Default for DumpOptions {
    fn default() -> Self {
        DumpOptions { ensure_ascii: true, indent: None, sort_keys: false, allow_nan: true }
    }
}

/// Python's `json.dumps(value, …)` with the given options.
///
/// ```
/// use baton_expr::{json, Value};
/// let v = json::loads(r#"{"b": [1, 2.0], "a": "é"}"#).unwrap();
/// assert_eq!(json::dumps(&v, &Default::default()).unwrap(), r#"{"b": [1, 2.0], "a": "\u00e9"}"#);
/// ```
pub fn dumps(value: &Value, opts: &DumpOptions) -> Result<String, JsonError> {
    let mut out = String::new();
    write_value(&mut out, value, opts, 0)?;
    Ok(out)
}

fn newline(out: &mut String, opts: &DumpOptions, level: usize) {
    if let Some(n) = opts.indent {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', n * level));
    }
}

fn write_value(out: &mut String, value: &Value, opts: &DumpOptions, level: usize) -> Result<(), JsonError> {
    crate::deep(|| write_value_here(out, value, opts, level))
}

fn write_value_here(out: &mut String, value: &Value, opts: &DumpOptions, level: usize) -> Result<(), JsonError> {
    let item_sep = if opts.indent.is_some() { "," } else { ", " };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            if f.is_finite() {
                out.push_str(&float_repr(*f));
            } else if !opts.allow_nan {
                return Err(JsonError::OutOfRangeFloat);
            } else if f.is_nan() {
                out.push_str("NaN");
            } else if *f > 0.0 {
                out.push_str("Infinity");
            } else {
                out.push_str("-Infinity");
            }
        }
        Value::Str(s) => write_string(out, s, opts.ensure_ascii),
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, opts, level + 1);
                write_value(out, item, opts, level + 1)?;
            }
            newline(out, opts, level);
            out.push(']');
        }
        Value::Map(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if opts.sort_keys {
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, opts, level + 1);
                write_string(out, k, opts.ensure_ascii);
                out.push_str(": ");
                write_value(out, v, opts, level + 1)?;
            }
            newline(out, opts, level);
            out.push('}');
        }
    }
    Ok(())
}

/// A JSON string literal as Python writes it.
pub fn write_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ensure_ascii && (c as u32) > 0x7e) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `json.loads(text)`.
///
/// A lone surrogate escape (`"\ud800"`), which Python keeps in its string, becomes
/// U+FFFD: a Rust string cannot hold it.
pub fn loads(text: &str) -> Result<Value, JsonError> {
    let mut p = Decoder { s: text, b: text.as_bytes(), depth: 0 };
    if text.starts_with('\u{feff}') {
        return Err(p.error("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0));
    }
    let start = p.skip_ws(0);
    let (value, end) = match p.value(start)? {
        Some(ok) => ok,
        None => return Err(p.error("Expecting value", start)),
    };
    let end = p.skip_ws(end);
    if end != text.len() {
        return Err(p.error("Extra data", end));
    }
    Ok(value)
}

struct Decoder<'a> {
    s: &'a str,
    b: &'a [u8],
    depth: usize,
}

impl Decoder<'_> {
    /// A decode error at byte `at`, with Python's character-based position.
    fn error(&self, msg: &'static str, at: usize) -> JsonError {
        let before = &self.s[..at];
        let pos = before.chars().count();
        let line = before.matches('\n').count() + 1;
        let column = match before.rfind('\n') {
            Some(nl) => before[nl + 1..].chars().count() + 1,
            None => pos + 1,
        };
        JsonError::Decode { msg, line, column, pos }
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while matches!(self.b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    /// One value at `i`; `None` is Python's `StopIteration` (no value starts here).
    fn value(&mut self, i: usize) -> Result<Option<(Value, usize)>, JsonError> {
        crate::deep(|| self.value_here(i))
    }

    fn value_here(&mut self, i: usize) -> Result<Option<(Value, usize)>, JsonError> {
        let rest = &self.b[i.min(self.b.len())..];
        let lit = |word: &str, v: Value| rest.starts_with(word.as_bytes()).then(|| (v, i + word.len()));
        let found = match rest.first() {
            None => None,
            Some(b'"') => {
                let (s, end) = self.string(i + 1)?;
                Some((Value::Str(s), end))
            }
            Some(b'{') => Some(self.nested(i, true)?),
            Some(b'[') => Some(self.nested(i, false)?),
            Some(b'n') => lit("null", Value::Null),
            Some(b't') => lit("true", Value::Bool(true)),
            Some(b'f') => lit("false", Value::Bool(false)),
            Some(b'N') => lit("NaN", Value::Float(f64::NAN)),
            Some(b'I') => lit("Infinity", Value::Float(f64::INFINITY)),
            Some(b'-') if rest.starts_with(b"-Infinity") => {
                Some((Value::Float(f64::NEG_INFINITY), i + 9))
            }
            Some(_) => self.number(i)?,
        };
        Ok(found)
    }

    fn nested(&mut self, open: usize, object: bool) -> Result<(Value, usize), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        let result = if object { self.object(open + 1) } else { self.array(open + 1) };
        self.depth -= 1;
        result
    }

    fn array(&mut self, mut i: usize) -> Result<(Value, usize), JsonError> {
        let mut items = Vec::new();
        i = self.skip_ws(i);
        if self.b.get(i) == Some(&b']') {
            return Ok((Value::List(items), i + 1));
        }
        loop {
            let Some((v, end)) = self.value(i)? else {
                return Err(self.error("Expecting value", i));
            };
            items.push(v);
            i = self.skip_ws(end);
            match self.b.get(i) {
                Some(b']') => return Ok((Value::List(items), i + 1)),
                Some(b',') => i = self.skip_ws(i + 1),
                _ => return Err(self.error("Expecting ',' delimiter", i)),
            }
        }
    }

    fn object(&mut self, mut i: usize) -> Result<(Value, usize), JsonError> {
        let mut map = Map::new();
        i = self.skip_ws(i);
        if self.b.get(i) == Some(&b'}') {
            return Ok((Value::Map(map), i + 1));
        }
        loop {
            if self.b.get(i) != Some(&b'"') {
                return Err(self.error("Expecting property name enclosed in double quotes", i));
            }
            let (key, end) = self.string(i + 1)?;
            i = self.skip_ws(end);
            if self.b.get(i) != Some(&b':') {
                return Err(self.error("Expecting ':' delimiter", i));
            }
            i = self.skip_ws(i + 1);
            let Some((v, end)) = self.value(i)? else {
                return Err(self.error("Expecting value", i));
            };
            map.insert(key, v);
            i = self.skip_ws(end);
            match self.b.get(i) {
                Some(b'}') => return Ok((Value::Map(map), i + 1)),
                Some(b',') => i = self.skip_ws(i + 1),
                _ => return Err(self.error("Expecting ',' delimiter", i)),
            }
        }
    }

    /// The string whose opening quote is just before `begin`.
    fn string(&self, begin: usize) -> Result<(String, usize), JsonError> {
        let mut out = String::new();
        let mut i = begin;
        loop {
            // Copy the run up to the next quote, backslash or control character.
            let run_end = self.b[i..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .map(|k| i + k);
            let Some(j) = run_end else {
                return Err(self.error("Unterminated string starting at", begin - 1));
            };
            out.push_str(&self.s[i..j]);
            match self.b[j] {
                b'"' => return Ok((out, j + 1)),
                b'\\' => {}
                _ => return Err(self.error("Invalid control character at", j)),
            }
            let Some(&esc) = self.b.get(j + 1) else {
                return Err(self.error("Unterminated string starting at", begin - 1));
            };
            if esc != b'u' {
                out.push(match esc {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return Err(self.error("Invalid \\escape", j)),
                });
                i = j + 2;
                continue;
            }
            // `\uXXXX`: Python needs the four digits and at least one more character.
            let u = j + 1;
            let hex_end = u + 5;
            if hex_end >= self.b.len() {
                return Err(self.error("Invalid \\uXXXX escape", u));
            }
            let Some(mut c) = hex4(&self.b[u + 1..hex_end]) else {
                return Err(self.error("Invalid \\uXXXX escape", u));
            };
            i = hex_end;
            if (0xd800..=0xdbff).contains(&c)
                && hex_end + 6 < self.b.len()
                && self.b[hex_end] == b'\\'
                && self.b[hex_end + 1] == b'u'
            {
                let Some(low) = hex4(&self.b[hex_end + 2..hex_end + 6]) else {
                    return Err(self.error("Invalid \\uXXXX escape", hex_end + 1));
                };
                if (0xdc00..=0xdfff).contains(&low) {
                    c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
                    i = hex_end + 6;
                }
            }
            out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
        }
    }

    fn number(&self, start: usize) -> Result<Option<(Value, usize)>, JsonError> {
        let b = self.b;
        let digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'1'..=b'9') => {
                while digit(i) {
                    i += 1;
                }
            }
            Some(b'0') => i += 1,
            _ => return Ok(None),
        }
        let mut is_float = false;
        if b.get(i) == Some(&b'.') && digit(i + 1) {
            is_float = true;
            i += 1;
            while digit(i) {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut k = i + 1;
            if matches!(b.get(k), Some(b'-' | b'+')) {
                k += 1;
            }
            if digit(k) {
                while digit(k) {
                    k += 1;
                }
                is_float = true;
                i = k;
            }
        }
        let text = &self.s[start..i];
        let value = if is_float {
            Value::Float(text.parse::<f64>().unwrap_or(f64::NAN))
        } else {
            let digits = text.trim_start_matches('-').len();
            if digits > INT_MAX_STR_DIGITS {
                return Err(JsonError::IntTooLarge(digits));
            }
            match BigInt::parse_bytes(text.as_bytes(), 10) {
                Some(n) => Value::Int(n),
                None => return Ok(None),
            }
        };
        Ok(Some((value, i)))
    }
}

fn hex4(digits: &[u8]) -> Option<u32> {
    if digits.len() != 4 {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &d| Some(acc * 16 + char::from(d).to_digit(16)?))
}

impl From<serde_json::Value> for Value {
    /// Numbers become `int` when serde_json holds them as integers, else `float`.
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(BigInt::from(i))
                } else if let Some(u) = n.as_u64() {
                    Value::Int(BigInt::from(u))
                } else {
                    Value::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(s) => Value::Str(s),
            serde_json::Value::Array(items) => Value::List(items.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(map) => {
                Value::Map(map.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

impl TryFrom<&Value> for serde_json::Value {
    type Error = JsonError;

    /// Fails on `nan`, infinities and integers outside `i64`/`u64`.
    fn try_from(v: &Value) -> Result<Self, JsonError> {
        Ok(match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => {
                if let Some(n) = i.to_i64() {
                    n.into()
                } else if let Some(n) = i.to_u64() {
                    n.into()
                } else {
                    return Err(JsonError::NotRepresentable(format!("the integer {i}")));
                }
            }
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .ok_or_else(|| JsonError::NotRepresentable(format!("the float {}", float_repr(*f))))?,
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => serde_json::Value::Array(
                items.iter().map(serde_json::Value::try_from).collect::<Result<_, _>>()?,
            ),
            Value::Map(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), serde_json::Value::try_from(v)?)))
                    .collect::<Result<_, JsonError>>()?,
            ),
        })
    }
}
