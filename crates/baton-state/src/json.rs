//! [`Json`]: a lossless JSON value for the run files, written exactly as Python's `json`
//! module writes it.
//!
//! Numbers keep their text (`1e-05`, a 300-digit integer), objects keep their key order and
//! a repeated key keeps the last value at the first key's position, as Python's `dict`
//! does. [`Json::to_python_indented`] is `json.dumps(v, indent=2, ensure_ascii=False)`,
//! [`Json::to_python_line`] is `json.dumps(v, ensure_ascii=False)`.

use indexmap::IndexMap;
use std::fmt::Write as _;

/// A JSON object: keys in insertion order.
pub type JsonObject = IndexMap<String, Json>;

/// A JSON value whose numbers keep their spelling.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null` (Python `None`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(JsonNumber),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, in key order.
    Object(JsonObject),
}

/// A JSON number as text: an integer of any size, a float in Python's spelling, or
/// Python's `NaN` / `Infinity` / `-Infinity`. Parsing respells floats as Python's
/// `json.dumps(json.loads(text))` would (`1e300` → `1e+300`, `1E2` → `100.0`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JsonNumber(String);

impl JsonNumber {
    /// Validates `text` as a number token (JSON grammar, or `NaN`/`Infinity`/`-Infinity`),
    /// respelled the Python way.
    pub fn from_text(text: &str) -> Option<JsonNumber> {
        let mut p = Parser { s: text.as_bytes(), i: 0, depth: 0 };
        match p.number() {
            Ok(n) if p.i == text.len() => Some(n),
            _ => None,
        }
    }

    /// An integer.
    pub fn from_i64(i: i64) -> JsonNumber {
        JsonNumber(i.to_string())
    }

    /// An unsigned integer.
    pub fn from_u64(i: u64) -> JsonNumber {
        JsonNumber(i.to_string())
    }

    /// A float, spelled as Python's `json` writes it (`repr`, `NaN`, `Infinity`).
    pub fn from_f64(f: f64) -> JsonNumber {
        if f.is_nan() {
            JsonNumber("NaN".into())
        } else if f.is_infinite() {
            JsonNumber(if f > 0.0 { "Infinity" } else { "-Infinity" }.into())
        } else {
            JsonNumber(float_repr(f))
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is an integer (no fraction, no exponent): Python reads it as `int`.
    pub fn is_integer(&self) -> bool {
        self.0.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    }

    /// The value as `i64` when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        if self.is_integer() {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The value as `u64` when it is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        if self.is_integer() {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The value as a float (integers converted; `NaN`/`Infinity` understood).
    pub fn as_f64(&self) -> f64 {
        match self.0.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            t => t.parse().unwrap_or(f64::NAN),
        }
    }
}

impl std::fmt::Display for JsonNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Python's `repr(float)` for a finite float: shortest round-trip digits, exponent form
/// when the decimal exponent is below -4 or above 15 (`1e-05`, `1e+16`), `.0` on integral
/// values.
pub fn float_repr(f: f64) -> String {
    // `{:e}` yields the shortest round-trip digits, e.g. "1.5e16", "-3e-5", "0e0".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let point = exp + 1; // digits are 0.d1d2... x 10^point
    let body = if point <= -4 || point > 16 {
        let (first, rest) = digits.split_at(1);
        let es = if exp < 0 { '-' } else { '+' };
        if rest.is_empty() {
            format!("{first}e{es}{:02}", exp.abs())
        } else {
            format!("{first}.{rest}e{es}{:02}", exp.abs())
        }
    } else if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point >= n {
        format!("{digits}{}.0", "0".repeat((point - n) as usize))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// Why a text is not JSON: a message and the byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// What went wrong.
    pub message: &'static str,
    /// Byte offset in the text.
    pub offset: usize,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for JsonError {}

/// Deepest nesting accepted (Python's own recursion limit stops near 1000).
const MAX_DEPTH: usize = 512;

impl Json {
    /// Parses one JSON document as Python's `json.loads` does (strict: no control
    /// characters inside strings; `NaN`/`Infinity` accepted; surrounding whitespace
    /// allowed). A lone surrogate escape (`\ud800`) becomes U+FFFD.
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut p = Parser { s: text.as_bytes(), i: 0, depth: 0 };
        p.ws();
        let v = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(p.err("extra data"));
        }
        Ok(v)
    }

    /// Python's type name of the value (`NoneType`, `bool`, `int`, `float`, `str`, `list`,
    /// `dict`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "NoneType",
            Json::Bool(_) => "bool",
            Json::Number(n) if n.is_integer() => "int",
            Json::Number(_) => "float",
            Json::String(_) => "str",
            Json::Array(_) => "list",
            Json::Object(_) => "dict",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&JsonObject> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&Vec<Json>> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// `json.dumps(self, indent=2, ensure_ascii=False)` (no trailing newline).
    pub fn to_python_indented(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Style::Indented, 0);
        out
    }


    /// `json.dumps(self, ensure_ascii=False)`: one line, separators `", "` and `": "`.
    pub fn to_python_line(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Style::Spaced, 0);
        out
    }

    /// Compact one-line form (separators `,` and `:`), used for the journal.
    pub fn to_compact(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Style::Compact, 0);
        out
    }

    /// Python's `==` on the values `json.loads` gives: numbers compare by value (and
    /// `true == 1`), objects ignore key order.
    pub fn py_eq(&self, other: &Json) -> bool {
        match (self, other) {
            (Json::Null, Json::Null) => true,
            (Json::String(a), Json::String(b)) => a == b,
            (Json::Array(a), Json::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y))
            }
            (Json::Object(a), Json::Object(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.py_eq(w)))
            }
            (a, b) => match (a.numeric(), b.numeric()) {
                (Some(x), Some(y)) => x.eq(&y),
                _ => false,
            },
        }
    }

    fn numeric(&self) -> Option<Numeric<'_>> {
        match self {
            Json::Bool(b) => Some(Numeric::Int(if *b { "1" } else { "0" })),
            Json::Number(n) if n.is_integer() => Some(Numeric::Int(n.as_str())),
            Json::Number(n) => Some(Numeric::Float(n.as_f64())),
            _ => None,
        }
    }
}

enum Numeric<'a> {
    Int(&'a str),
    Float(f64),
}

impl Numeric<'_> {
    fn eq(&self, other: &Numeric<'_>) -> bool {
        match (self, other) {
            (Numeric::Int(a), Numeric::Int(b)) => normalize_int(a) == normalize_int(b),
            (Numeric::Float(a), Numeric::Float(b)) => a == b,
            (Numeric::Int(i), Numeric::Float(f)) | (Numeric::Float(f), Numeric::Int(i)) => {
                f.is_finite()
                    && f.fract() == 0.0
                    && i.parse::<f64>().is_ok_and(|x| x == *f)
                    && (f.abs() < 9.0e15 || normalize_int(i) == normalize_int(&format!("{f:.0}")))
            }
        }
    }
}

fn normalize_int(s: &str) -> String {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        "0".into()
    } else if neg {
        format!("-{digits}")
    } else {
        digits.into()
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}
impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::String(s.into())
    }
}
impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::String(s)
    }
}
impl From<i64> for Json {
    fn from(i: i64) -> Json {
        Json::Number(JsonNumber::from_i64(i))
    }
}
impl From<u64> for Json {
    fn from(i: u64) -> Json {
        Json::Number(JsonNumber::from_u64(i))
    }
}
impl From<f64> for Json {
    fn from(f: f64) -> Json {
        Json::Number(JsonNumber::from_f64(f))
    }
}
impl From<Option<String>> for Json {
    fn from(s: Option<String>) -> Json {
        s.map_or(Json::Null, Json::String)
    }
}
impl From<JsonObject> for Json {
    fn from(o: JsonObject) -> Json {
        Json::Object(o)
    }
}
impl From<Vec<Json>> for Json {
    fn from(a: Vec<Json>) -> Json {
        Json::Array(a)
    }
}

impl From<serde_json::Value> for Json {
    /// Converts a `serde_json` value (its numbers respelled the Python way: `1e-5` becomes
    /// `1e-05`).
    fn from(v: serde_json::Value) -> Json {
        match v {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(b),
            serde_json::Value::Number(n) => Json::Number(if let Some(i) = n.as_i64() {
                JsonNumber::from_i64(i)
            } else if let Some(u) = n.as_u64() {
                JsonNumber::from_u64(u)
            } else {
                JsonNumber::from_f64(n.as_f64().unwrap_or(f64::NAN))
            }),
            serde_json::Value::String(s) => Json::String(s),
            serde_json::Value::Array(a) => Json::Array(a.into_iter().map(Json::from).collect()),
            serde_json::Value::Object(o) => {
                Json::Object(o.into_iter().map(|(k, v)| (k, Json::from(v))).collect())
            }
        }
    }
}

impl From<&Json> for serde_json::Value {
    /// Converts to a `serde_json` value; integers beyond 64 bits and `NaN`/`Infinity`
    /// become floats or `null` (serde_json cannot hold them).
    fn from(v: &Json) -> serde_json::Value {
        match v {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => {
                if let Some(i) = n.as_i64() {
                    i.into()
                } else if let Some(u) = n.as_u64() {
                    u.into()
                } else {
                    serde_json::Number::from_f64(n.as_f64())
                        .map_or(serde_json::Value::Null, serde_json::Value::Number)
                }
            }
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(a) => serde_json::Value::Array(a.iter().map(Into::into).collect()),
            Json::Object(o) => serde_json::Value::Object(
                o.iter().map(|(k, v)| (k.clone(), v.into())).collect(),
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// writing: one writer for `String`s and for files (streamed from borrowed data)

/// Where JSON text goes: a `String`, or a file through [`IoOut`].
pub(crate) trait Out {
    /// Appends `s`.
    fn put(&mut self, s: &str);
}

impl Out for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// An [`Out`] over an [`std::io::Write`] that keeps the first error (later writes are
/// skipped) and hashes what it wrote (the journal's snapshot hash), so a snapshot streams
/// to its file without an intermediate `String`.
pub(crate) struct IoOut<W: std::io::Write> {
    inner: W,
    error: Option<std::io::Error>,
    hash: u64,
}

impl<W: std::io::Write> IoOut<W> {
    pub(crate) fn new(inner: W) -> IoOut<W> {
        IoOut { inner, error: None, hash: crate::journal::FNV_OFFSET }
    }

    /// The writer, the first error, and the FNV-1a hash of every byte written.
    pub(crate) fn finish(self) -> (W, Option<std::io::Error>, u64) {
        (self.inner, self.error, self.hash)
    }
}

impl<W: std::io::Write> Out for IoOut<W> {
    fn put(&mut self, s: &str) {
        if self.error.is_some() {
            return;
        }
        self.hash = crate::journal::fnv1a(self.hash, s.as_bytes());
        if let Err(e) = self.inner.write_all(s.as_bytes()) {
            self.error = Some(e);
        }
    }
}

/// The three spellings Python's `json` module gives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Style {
    /// `indent=2`: a newline and indentation before each item.
    Indented,
    /// The default separators `", "` and `": "`.
    Spaced,
    /// Separators `,` and `:` (the journal).
    Compact,
}

fn newline<O: Out + ?Sized>(out: &mut O, level: usize) {
    const SPACES: &str = "                                                                ";
    out.put("\n");
    let mut n = level * 2;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.put(&SPACES[..k]);
        n -= k;
    }
}

/// An object being written: `{`, then members, then [`Obj::close`].
pub(crate) struct Obj<'o, O: Out + ?Sized> {
    out: &'o mut O,
    style: Style,
    level: usize,
    first: bool,
}

impl<'o, O: Out + ?Sized> Obj<'o, O> {
    /// Writes `{` at nesting `level`.
    pub(crate) fn open(out: &'o mut O, style: Style, level: usize) -> Obj<'o, O> {
        out.put("{");
        Obj { out, style, level, first: true }
    }

    /// Writes the separator and `"key": `, and returns where (and at which level) the
    /// value goes.
    pub(crate) fn key(&mut self, key: &str) -> (&mut O, Style, usize) {
        if !self.first {
            self.out.put(if self.style == Style::Spaced { ", " } else { "," });
        }
        self.first = false;
        if self.style == Style::Indented {
            newline(self.out, self.level + 1);
        }
        write_str(self.out, key);
        self.out.put(if self.style == Style::Compact { ":" } else { ": " });
        (self.out, self.style, self.level + 1)
    }

    /// A member whose value is a [`Json`].
    pub(crate) fn json(&mut self, key: &str, v: &Json) {
        let (out, style, level) = self.key(key);
        write_value(out, v, style, level);
    }

    /// A member whose value is a string.
    pub(crate) fn str(&mut self, key: &str, v: &str) {
        let (out, _, _) = self.key(key);
        write_str(out, v);
    }

    /// A member whose value is a string or `null`.
    pub(crate) fn opt_str(&mut self, key: &str, v: Option<&str>) {
        let (out, _, _) = self.key(key);
        match v {
            Some(s) => write_str(out, s),
            None => out.put("null"),
        }
    }

    /// A member whose value is an object.
    pub(crate) fn object(&mut self, key: &str, o: &JsonObject) {
        let (out, style, level) = self.key(key);
        write_object(out, o, style, level);
    }

    /// A member whose value is raw JSON text (a number, `true`, `null`).
    pub(crate) fn raw(&mut self, key: &str, text: &str) {
        let (out, _, _) = self.key(key);
        out.put(text);
    }

    /// Writes `}` (an empty object is `{}`).
    pub(crate) fn close(self) {
        if !self.first && self.style == Style::Indented {
            newline(self.out, self.level);
        }
        self.out.put("}");
    }
}

/// An array being written: `[`, then items, then [`Arr::close`].
pub(crate) struct Arr<'o, O: Out + ?Sized> {
    out: &'o mut O,
    style: Style,
    level: usize,
    first: bool,
}

impl<'o, O: Out + ?Sized> Arr<'o, O> {
    /// Writes `[` at nesting `level`.
    pub(crate) fn open(out: &'o mut O, style: Style, level: usize) -> Arr<'o, O> {
        out.put("[");
        Arr { out, style, level, first: true }
    }

    /// Writes the separator and returns where (and at which level) the item goes.
    pub(crate) fn item(&mut self) -> (&mut O, Style, usize) {
        if !self.first {
            self.out.put(if self.style == Style::Spaced { ", " } else { "," });
        }
        self.first = false;
        if self.style == Style::Indented {
            newline(self.out, self.level + 1);
        }
        (self.out, self.style, self.level + 1)
    }

    /// Writes `]` (an empty array is `[]`).
    pub(crate) fn close(self) {
        if !self.first && self.style == Style::Indented {
            newline(self.out, self.level);
        }
        self.out.put("]");
    }
}

/// Writes an object's members in order.
pub(crate) fn write_object<O: Out + ?Sized>(out: &mut O, o: &JsonObject, style: Style, level: usize) {
    let mut obj = Obj::open(out, style, level);
    for (k, v) in o {
        obj.json(k, v);
    }
    obj.close();
}

/// Writes `v` in `style`, nested at `level`.
pub(crate) fn write_value<O: Out + ?Sized>(out: &mut O, v: &Json, style: Style, level: usize) {
    match v {
        Json::Null => out.put("null"),
        Json::Bool(true) => out.put("true"),
        Json::Bool(false) => out.put("false"),
        Json::Number(n) => out.put(n.as_str()),
        Json::String(s) => write_str(out, s),
        Json::Array(a) => {
            let mut arr = Arr::open(out, style, level);
            for item in a {
                let (o, style, level) = arr.item();
                write_value(o, item, style, level);
            }
            arr.close();
        }
        Json::Object(o) => write_object(out, o, style, level),
    }
}

/// A JSON string literal as Python writes it with `ensure_ascii=False`.
pub(crate) fn write_str<O: Out + ?Sized>(out: &mut O, s: &str) {
    out.put("\"");
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Every byte matched above is ASCII, so `i` is a char boundary.
        out.put(&s[start..i]);
        if escaped.is_empty() {
            let mut buf = String::with_capacity(6);
            let _ = write!(buf, "\\u{:04x}", b);
            out.put(&buf);
        } else {
            out.put(escaped);
        }
        start = i + 1;
    }
    out.put(&s[start..]);
    out.put("\"");
}

// ---------------------------------------------------------------------------------------
// parsing

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, message: &'static str) -> JsonError {
        JsonError { message, offset: self.i }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Json, JsonError> {
        match self.s.get(self.i) {
            None => Err(self.err("expecting value")),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'n') if self.eat("null") => Ok(Json::Null),
            Some(b't') if self.eat("true") => Ok(Json::Bool(true)),
            Some(b'f') if self.eat("false") => Ok(Json::Bool(false)),
            Some(b'-' | b'0'..=b'9' | b'N' | b'I') => Ok(Json::Number(self.number()?)),
            Some(_) => Err(self.err("expecting value")),
        }
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(self.err("nesting too deep"))
        } else {
            Ok(())
        }
    }

    fn object(&mut self) -> Result<Json, JsonError> {
        self.enter()?;
        self.i += 1;
        let mut map = JsonObject::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Json::Object(map));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.err("expecting property name enclosed in double quotes"));
            }
            let key = self.string()?;
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return Err(self.err("expecting ':' delimiter"));
            }
            self.i += 1;
            self.ws();
            let v = self.value()?;
            // Python's dict: a repeated key keeps its first position, takes the last value.
            map.insert(key, v);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Json::Object(map));
                }
                _ => return Err(self.err("expecting ',' delimiter")),
            }
        }
    }

    fn array(&mut self) -> Result<Json, JsonError> {
        self.enter()?;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.err("expecting ',' delimiter")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self.s.get(self.i..self.i + 4).ok_or_else(|| self.err("invalid \\uXXXX escape"))?;
        let h = std::str::from_utf8(h).map_err(|_| self.err("invalid \\uXXXX escape"))?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.err("invalid \\uXXXX escape"));
        }
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("invalid \\uXXXX escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a &str, so any run of bytes between ASCII delimiters is UTF-8.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("invalid UTF-8"))?);
            match self.s.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let e = *self.s.get(self.i).ok_or_else(|| self.err("unterminated string"))?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.i = save;
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.err("invalid \\escape"));
                        }
                    }
                }
                Some(_) => return Err(self.err("invalid control character")),
            }
        }
    }

    fn number(&mut self) -> Result<JsonNumber, JsonError> {
        let start = self.i;
        for lit in ["NaN", "Infinity", "-Infinity"] {
            if self.eat(lit) {
                return Ok(JsonNumber(lit.into()));
            }
        }
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("expecting value")),
        }
        if self.s.get(self.i) == Some(&b'.') && self.s.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
            self.digits();
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            let save = self.i;
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.digits();
            } else {
                self.i = save;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("invalid number"))?;
        // Python reads a fraction or exponent as a float and writes it back as its repr;
        // an integer keeps its digits (`-0` is `0`).
        let n = JsonNumber(text.into());
        Ok(if !n.is_integer() {
            JsonNumber::from_f64(n.as_f64())
        } else if text == "-0" {
            JsonNumber("0".into())
        } else {
            n
        })
    }

    fn digits(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_spelling() {
        for (f, s) in [
            (1e-5, "1e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (2.5, "2.5"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (123456789.125, "123456789.125"),
            (1.5e300, "1.5e+300"),
        ] {
            assert_eq!(float_repr(f), s);
        }
    }

    #[test]
    fn round_trips_python_text() {
        let text = "{\n  \"a\": [\n    1,\n    1e-05,\n    {}\n  ],\n  \"b\": \"\\u0001\\\"\\u00e9\",\n  \"c\": []\n}";
        let v = Json::parse(text).unwrap_or(Json::Null);
        assert_eq!(v.to_python_indented(), text.replace("\\u00e9", "é"));
        assert_eq!(v.to_python_line(), "{\"a\": [1, 1e-05, {}], \"b\": \"\\u0001\\\"é\", \"c\": []}");
    }

    #[test]
    fn duplicate_key_keeps_first_position() {
        let v = Json::parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap_or(Json::Null);
        assert_eq!(v.to_compact(), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn rejects() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\u{1}\"", "1 2", "tru", "-"] {
            assert!(Json::parse(bad).is_err(), "{bad:?}");
        }
    }
}
