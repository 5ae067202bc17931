//! The project's default integration, read from the text of `.specify/integration.json`
//! as the reference reads it (for the `integration: auto` sentinel).

use baton_expr::{Map, Value};
use num_bigint::BigInt;


/// The newest `integration_state_schema` the reference understands.
const INTEGRATION_STATE_SCHEMA: i64 = 1;

/// The default integration key recorded in a project's `.specify/integration.json`,
/// given the file's text (`None` when the file is absent or unreadable).
///
/// Like the reference: text that is not JSON (Python's `json.loads`, which also takes
/// `NaN`/`Infinity`), not an object, or whose `integration_state_schema` is an integer
/// above 1 gives `None`; otherwise the first non-blank (trimmed) string among
/// `default_integration`, the legacy `integration`, and the entries of
/// `installed_integrations`.
pub fn project_default_integration(integration_json: Option<&str>) -> Option<String> {
    let Value::Map(state) = json_loads(integration_json?)? else {
        return None;
    };
    if let Some(Value::Int(schema)) = state.get("integration_state_schema") {
        if *schema > BigInt::from(INTEGRATION_STATE_SCHEMA) {
            return None;
        }
    }
    let clean = |v: Option<&Value>| match v {
        Some(Value::Str(s)) if !baton_expr::py::strip(s).is_empty() => Some(baton_expr::py::strip(s).to_owned()),
        _ => None,
    };
    clean(state.get("default_integration"))
        .or_else(|| clean(state.get("integration")))
        .or_else(|| match state.get("installed_integrations") {
            Some(Value::List(keys)) => keys.iter().find_map(|k| clean(Some(k))),
            _ => None,
        })
}

/// Deepest nesting accepted (Python raises `RecursionError` somewhere near 1000).
const MAX_DEPTH: usize = 512;

/// Python's `json.loads` of a `str` (strict mode): `None` where it raises. Integers
/// keep arbitrary precision; `NaN`, `Infinity` and `-Infinity` are floats; a repeated
/// key keeps its first position and its last value. A lone surrogate escape becomes
/// U+FFFD (Rust strings cannot hold it).
fn json_loads(text: &str) -> Option<Value> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
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

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::Str),
            b'n' if self.eat("null") => Some(Value::Null),
            b't' if self.eat("true") => Some(Value::Bool(true)),
            b'f' if self.eat("false") => Some(Value::Bool(false)),
            b'N' if self.eat("NaN") => Some(Value::Float(f64::NAN)),
            b'I' if self.eat("Infinity") => Some(Value::Float(f64::INFINITY)),
            b'-' if self.eat("-Infinity") => Some(Value::Float(f64::NEG_INFINITY)),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut map = Map::new();
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(Value::Map(map));
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            map.insert(key, v);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(Value::Map(map));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(Value::List(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(Value::List(items));
                }
                _ => return None,
            }
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') && self.s.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
            is_float = true;
            self.i += 1;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                is_float = true;
                self.digits();
            } else {
                // Python's number pattern stops before a bare `e`; what follows is
                // then "extra data" or a missing delimiter.
                self.i = save;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        if is_float {
            text.parse::<f64>().ok().map(Value::Float)
        } else {
            text.parse::<BigInt>().ok().map(Value::Int)
        }
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        let h = std::str::from_utf8(h).ok()?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(h, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                match self.hex4()? {
                                    lo @ 0xdc00..=0xdfff => {
                                        0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                                    }
                                    _ => {
                                        self.i = save;
                                        hi
                                    }
                                }
                            } else {
                                hi
                            };
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return None,
                _ => out.push(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_like_python() {
        assert!(json_loads("{\"a\": [1, 2.5, NaN, -Infinity, \"\\u00e9\\ud83d\\ude00\"]}").is_some());
        assert_eq!(json_loads("[01]"), None);
        assert_eq!(json_loads("[\"a\tb\"]"), None);
        assert_eq!(json_loads("\u{feff}{}"), None);
        assert_eq!(json_loads("{} x"), None);
        assert_eq!(json_loads("[1,]"), None);
        assert_eq!(json_loads("1e5"), Some(Value::Float(1e5)));
        assert_eq!(json_loads("-0"), Some(Value::Int(BigInt::from(0))));
        assert_eq!(
            json_loads("\"\\ud800x\""),
            Some(Value::Str("\u{fffd}x".to_owned()))
        );
        let deep = "[".repeat(100_000);
        assert_eq!(json_loads(&deep), None);
    }
}
