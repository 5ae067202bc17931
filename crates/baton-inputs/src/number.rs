//! Python's `int(str)` and `float(str)`: signs, `_` between digits, surrounding
//! whitespace and Unicode decimal digits, exactly as CPython 3.11 accepts them.

use num_bigint::BigInt;

/// CPython 3.11's default `sys.get_int_max_str_digits()`: `int()` refuses decimal
/// strings with more digits than this.
const INT_MAX_STR_DIGITS: usize = 4300;

/// First code point of every run of ten Unicode decimal digits (general category Nd,
/// Unicode 14.0 as in the reference's Python 3.11); each run holds the digits 0..=9.
const DECIMAL_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0,
    0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0,
    0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0,
    0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

/// The decimal value of a Unicode decimal digit.
fn decimal_value(c: char) -> Option<u8> {
    let u = c as u32;
    // The table is sorted: find the last run starting at or below `u`.
    let idx = DECIMAL_ZEROS.partition_point(|&z| z <= u);
    let zero = *DECIMAL_ZEROS.get(idx.checked_sub(1)?)?;
    let d = u - zero;
    u8::try_from(d).ok().filter(|d| *d < 10)
}

/// CPython's first step for both conversions: non-ASCII whitespace becomes a space,
/// non-ASCII decimal digits their ASCII digit, any other non-ASCII character `?`
/// (which no grammar accepts); then ASCII whitespace is trimmed from both ends.
fn to_ascii(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c
            } else if baton_expr::py::is_space(c) {
                ' '
            } else if let Some(d) = decimal_value(c) {
                char::from(b'0' + d)
            } else {
                '?'
            }
        })
        .collect();
    mapped
        .trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r'))
        .to_owned()
}

/// Python's `int(s)` for a `str`; `None` where it raises `ValueError`.
pub fn py_int(s: &str) -> Option<BigInt> {
    let t = to_ascii(s);
    let (negative, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t.as_str()),
    };
    let bytes = body.as_bytes();
    if bytes.is_empty() || !bytes[0].is_ascii_digit() {
        return None;
    }
    let mut digits = String::with_capacity(bytes.len());
    let mut prev_underscore = false;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                digits.push(char::from(b));
                prev_underscore = false;
            }
            b'_' if !prev_underscore => prev_underscore = true,
            _ => return None,
        }
    }
    if prev_underscore || digits.len() > INT_MAX_STR_DIGITS {
        return None;
    }
    let magnitude: BigInt = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// Python's `float(s)` for a `str`; `None` where it raises `ValueError`. Overflow gives
/// an infinity and `nan`/`inf`/`infinity` (any case, signed) are accepted, as in Python.
pub fn py_float(s: &str) -> Option<f64> {
    let t = to_ascii(s);
    let cleaned = if t.contains('_') {
        // An underscore must sit between two ASCII digits.
        let bytes = t.as_bytes();
        let mut out = String::with_capacity(t.len());
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'_' {
                let before = i.checked_sub(1).and_then(|j| bytes.get(j));
                let after = bytes.get(i + 1);
                if !before.is_some_and(u8::is_ascii_digit) || !after.is_some_and(u8::is_ascii_digit)
                {
                    return None;
                }
            } else {
                out.push(char::from(b));
            }
        }
        out
    } else {
        t
    };
    if !valid_float_syntax(&cleaned) {
        return None;
    }
    cleaned.parse::<f64>().ok()
}

/// Python's float grammar: `[sign] (inf | infinity | nan | digits [. digits] [exp])`
/// with at least one mantissa digit; Rust's parser agrees on these, but this check
/// keeps the two from drifting.
fn valid_float_syntax(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return true;
    }
    let b = body.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut mantissa_digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        mantissa_digits += i - frac_start;
    }
    if mantissa_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits_map_through_the_table() {
        assert_eq!(decimal_value('7'), Some(7));
        assert_eq!(decimal_value('\u{0663}'), Some(3));
        assert_eq!(decimal_value('\u{1d7ff}'), Some(9));
        assert_eq!(decimal_value('a'), None);
        assert_eq!(decimal_value('\u{0669}'), Some(9));
        assert_eq!(decimal_value('\u{066a}'), None);
    }
}
