//! Python's spellings and parsers, as the reference uses them: `repr()` of floats and
//! strings, `int()`/`float()` of text, `str.strip()`, and the character classes its
//! regular expressions and string methods see (`\w`, `\d`, `isspace`, `isprintable`,
//! exact for Python 3.11 / Unicode 14).

use num_bigint::BigInt;

use crate::unicode_tables::{DECIMAL, PRINTABLE, SPACE, WORD};

/// Python's `repr(float)` (also `str(float)`): shortest round-trip digits, exponent form
/// below `1e-4` and from `1e16` on (`1e+16`, `1e-05`), `inf`, `-inf`, `nan`, `-0.0`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits: "1.5e16", "-3e-5", "0e0".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let decpt = exp + 1;
    let body = if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at(1);
        let exp_sign = if exp < 0 { '-' } else { '+' };
        if rest.is_empty() {
            format!("{first}e{exp_sign}{:02}", exp.abs())
        } else {
            format!("{first}.{rest}e{exp_sign}{:02}", exp.abs())
        }
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        format!("{digits}{}.0", "0".repeat((decpt - n) as usize))
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`; backslash,
/// the chosen quote, `\n`, `\r`, `\t` escaped; other non-printable characters as `\xNN`,
/// `\uNNNN` or `\UNNNNNNNN`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one character (exact, from Python 3.11's tables).
pub fn is_printable(c: char) -> bool {
    in_ranges(PRINTABLE, c)
}

/// Python's `str.isspace()` for one character: the Unicode `White_Space` characters
/// plus the ASCII separators `\x1c`..`\x1f`.
pub fn is_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, ' ' | '\t'..='\r' | '\x1c'..='\x1f');
    }
    SPACE.contains(&c)
}

/// Whether Python's `re` matches `c` with `\w` (Unicode letters, digits, numerics, `_`).
pub fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_ranges(WORD, c)
}

/// The value of a Unicode decimal digit (`\d` in Python's `re`: `٣` → 3), if `c` is one.
pub fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    let u = c as u32;
    let i = DECIMAL.partition_point(|&(_, hi)| hi < u);
    match DECIMAL.get(i) {
        Some(&(lo, hi)) if lo <= u && u <= hi => Some((u - lo) % 10),
        _ => None,
    }
}

/// Python's `str.strip()` with no argument (strips [`is_space`] characters).
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

fn in_ranges(table: &[(u32, u32)], c: char) -> bool {
    let u = c as u32;
    let i = table.partition_point(|&(_, hi)| hi < u);
    matches!(table.get(i), Some(&(lo, _)) if lo <= u)
}

/// Python's limit on the number of digits `int(str)` converts (3.11's
/// `sys.get_int_max_str_digits()` default).
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// The `ValueError` message Python gives when `int(str)` meets more than
/// [`INT_MAX_STR_DIGITS`] digits.
pub fn int_limit_message(digits: usize) -> String {
    format!(
        "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion: \
         value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
    )
}

/// Why Python's `int(str)` refuses a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntParseError {
    /// Not an integer literal (`invalid literal for int() with base 10`).
    Invalid,
    /// More digits than [`INT_MAX_STR_DIGITS`]; holds the digit count.
    TooManyDigits(usize),
}

/// Python's `int(text)` (base 10): surrounding whitespace, an optional sign, decimal
/// digits of any script, single underscores between digits, leading zeros allowed.
pub fn parse_int(text: &str) -> Result<BigInt, IntParseError> {
    let s = strip(text);
    let (negative, body) = split_sign(s);
    let digits = ascii_digits(body, false).ok_or(IntParseError::Invalid)?;
    if digits.len() > INT_MAX_STR_DIGITS {
        return Err(IntParseError::TooManyDigits(digits.len()));
    }
    let n = BigInt::parse_bytes(digits.as_bytes(), 10).ok_or(IntParseError::Invalid)?;
    Ok(if negative { -n } else { n })
}

/// Python's `float(text)`: surrounding whitespace, an optional sign, `inf`/`infinity`/
/// `nan` in any case, or decimal digits (any script, single underscores between digits)
/// with an optional fraction and exponent. Correctly rounded; overflow gives `inf`.
pub fn parse_float(text: &str) -> Option<f64> {
    let s = strip(text);
    let (negative, body) = split_sign(s);
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let (mantissa, exponent) = match body.find(['e', 'E']) {
                Some(i) => (&body[..i], Some(&body[i + 1..])),
                None => (body, None),
            };
            let (int_part, frac_part) = match mantissa.split_once('.') {
                Some((i, f)) => (i, Some(f)),
                None => (mantissa, None),
            };
            let mut ascii = String::with_capacity(body.len() + 2);
            ascii.push_str(&ascii_digits(int_part, true)?);
            if let Some(f) = frac_part {
                ascii.push('.');
                ascii.push_str(&ascii_digits(f, true)?);
            }
            if ascii == "." || ascii.is_empty() {
                return None;
            }
            if let Some(e) = exponent {
                let (neg_exp, e_digits) = split_sign(e);
                let e_digits = ascii_digits(e_digits, false)?;
                ascii.push('e');
                if neg_exp {
                    ascii.push('-');
                }
                ascii.push_str(&e_digits);
            }
            ascii.parse::<f64>().ok()?
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else {
        (false, s)
    }
}

/// Decimal digits (any script) with single underscores between digits, as ASCII.
/// `allow_empty` accepts "" (the optional parts of a float).
fn ascii_digits(s: &str, allow_empty: bool) -> Option<String> {
    if s.is_empty() {
        return allow_empty.then(String::new);
    }
    let mut out = String::with_capacity(s.len());
    let mut last_underscore = true; // a leading underscore is refused
    for c in s.chars() {
        if c == '_' {
            if last_underscore {
                return None;
            }
            last_underscore = true;
        } else {
            let d = decimal_value(c)?;
            out.push(char::from(b'0' + d as u8));
            last_underscore = false;
        }
    }
    (!last_underscore).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_python() {
        for (f, s) in [
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0, "1.0"),
            (2.5, "2.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0.0"),
            (1.5e300, "1.5e+300"),
            (123456.789, "123456.789"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ] {
            assert_eq!(float_repr(f), s, "{f:?}");
        }
    }

    #[test]
    fn strings_like_python() {
        assert_eq!(str_repr("a"), "'a'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("'\""), "'\\'\"'");
        assert_eq!(str_repr("a\nb\\"), "'a\\nb\\\\'");
        assert_eq!(str_repr("\x01é"), "'\\x01é'");
    }
}
