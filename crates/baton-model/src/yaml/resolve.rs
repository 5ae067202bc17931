//! YAML 1.1 resolution of plain scalars and the scalar constructors of PyYAML's
//! `SafeLoader` (bool, int, float), including the Python `int()`/`float()` parsing
//! they rely on.

use std::sync::LazyLock;

use num_bigint::BigInt;
use num_traits::Zero;
use regex::Regex;

use baton_expr::py::str_repr;

/// The standard tag prefix (`!!`).
pub(crate) const PREFIX: &str = "tag:yaml.org,2002:";

pub(crate) const TAG_NULL: &str = "tag:yaml.org,2002:null";
pub(crate) const TAG_BOOL: &str = "tag:yaml.org,2002:bool";
pub(crate) const TAG_INT: &str = "tag:yaml.org,2002:int";
pub(crate) const TAG_FLOAT: &str = "tag:yaml.org,2002:float";
pub(crate) const TAG_STR: &str = "tag:yaml.org,2002:str";
pub(crate) const TAG_BINARY: &str = "tag:yaml.org,2002:binary";
pub(crate) const TAG_TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
pub(crate) const TAG_MERGE: &str = "tag:yaml.org,2002:merge";
pub(crate) const TAG_VALUE: &str = "tag:yaml.org,2002:value";
pub(crate) const TAG_YAML: &str = "tag:yaml.org,2002:yaml";
pub(crate) const TAG_SEQ: &str = "tag:yaml.org,2002:seq";
pub(crate) const TAG_MAP: &str = "tag:yaml.org,2002:map";

fn re(pattern: &str) -> Regex {
    // The patterns below are constants; a failure here is a programming error caught by
    // every test run.
    #[allow(clippy::unwrap_used)]
    Regex::new(pattern).unwrap()
}

static BOOL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
});
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
});
static INT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")
});
static NULL: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:~|null|Null|NULL|)$"));
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$")
});

/// The tag PyYAML's resolver gives a plain (untagged) scalar: the implicit resolvers
/// registered for its first character, in registration order (bool, float, int, merge,
/// null, timestamp, value, yaml), else `str`.
pub(crate) fn resolve_plain(value: &str) -> &'static str {
    let first = value.chars().next();
    let candidates: &[(&'static str, &LazyLock<Regex>)] = match first {
        None => &[(TAG_NULL, &NULL)],
        Some('y' | 'Y' | 't' | 'T' | 'f' | 'F' | 'o' | 'O') => &[(TAG_BOOL, &BOOL)],
        Some('n' | 'N') => &[(TAG_BOOL, &BOOL), (TAG_NULL, &NULL)],
        Some('~') => &[(TAG_NULL, &NULL)],
        Some('-' | '+') => &[(TAG_FLOAT, &FLOAT), (TAG_INT, &INT)],
        Some('.') => &[(TAG_FLOAT, &FLOAT)],
        Some('0'..='9') => &[(TAG_FLOAT, &FLOAT), (TAG_INT, &INT), (TAG_TIMESTAMP, &TIMESTAMP)],
        Some('<') => return if value == "<<" { TAG_MERGE } else { TAG_STR },
        Some('=') => return if value == "=" { TAG_VALUE } else { TAG_STR },
        Some('!' | '&' | '*') => {
            return if value.chars().count() == 1 { TAG_YAML } else { TAG_STR };
        }
        Some(_) => return TAG_STR,
    };
    for (tag, regex) in candidates {
        if regex.is_match(value) {
            return tag;
        }
    }
    TAG_STR
}

/// A Python-level failure of a scalar constructor: PyYAML lets these escape as plain
/// exceptions (`ValueError`, `KeyError`, …), not as `YAMLError`.
#[derive(Debug)]
pub(crate) struct PyError(pub(crate) String);

/// `SafeConstructor.construct_yaml_bool`.
pub(crate) fn construct_bool(value: &str) -> Result<bool, PyError> {
    match value.to_lowercase().as_str() {
        "yes" | "true" | "on" => Ok(true),
        "no" | "false" | "off" => Ok(false),
        // PyYAML looks the text up in a dict: a `KeyError` whose text is the key's repr.
        _ => Err(PyError(str_repr(&value.to_lowercase()))),
    }
}

/// `SafeConstructor.construct_yaml_int`.
pub(crate) fn construct_int(value: &str) -> Result<BigInt, PyError> {
    let value: String = value.chars().filter(|c| *c != '_').collect();
    let mut rest = value.as_str();
    let negative = rest.starts_with('-');
    if rest.starts_with('-') || rest.starts_with('+') {
        rest = &rest[1..];
    } else if rest.is_empty() {
        return Err(PyError("string index out of range".to_owned()));
    }
    let magnitude = if rest == "0" {
        BigInt::zero()
    } else if let Some(digits) = rest.strip_prefix("0b") {
        python_int(digits, 2)?
    } else if let Some(digits) = rest.strip_prefix("0x") {
        python_int(digits, 16)?
    } else if rest.starts_with('0') {
        python_int(rest, 8)?
    } else if rest.contains(':') {
        let mut total = BigInt::zero();
        for part in rest.split(':') {
            total = total * 60 + python_int(part, 10)?;
        }
        total
    } else {
        python_int(rest, 10)?
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// Python's `int(text, base)` for bases 2, 8, 10 and 16: surrounding whitespace, a sign,
/// the base's prefix (`0b`, `0o`, `0x`) and single underscores between digits.
pub(crate) fn python_int(text: &str, base: u32) -> Result<BigInt, PyError> {
    let error = || PyError(format!("invalid literal for int() with base {base}: {}", str_repr(text)));
    let trimmed = text.trim_matches(is_python_space);
    let (negative, body) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let prefix = match base {
        2 => Some("0b"),
        8 => Some("0o"),
        16 => Some("0x"),
        _ => None,
    };
    let mut digits = body;
    let mut after_prefix = false;
    if let Some(p) = prefix {
        if digits.len() >= 2 && digits[..2].eq_ignore_ascii_case(p) {
            digits = &digits[2..];
            after_prefix = true;
        }
    }
    // Underscores: only single ones between digits (or right after a prefix).
    let mut clean = String::with_capacity(digits.len());
    let mut previous_underscore = !after_prefix;
    for c in digits.chars() {
        if c == '_' {
            if previous_underscore {
                return Err(error());
            }
            previous_underscore = true;
        } else {
            if !c.is_digit(base) {
                return Err(error());
            }
            clean.push(c);
            previous_underscore = false;
        }
    }
    if clean.is_empty() || previous_underscore {
        return Err(error());
    }
    let magnitude = BigInt::parse_bytes(clean.as_bytes(), base).ok_or_else(error)?;
    Ok(if negative { -magnitude } else { magnitude })
}

fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `SafeConstructor.construct_yaml_float`.
pub(crate) fn construct_float(value: &str) -> Result<f64, PyError> {
    let value: String = value.chars().filter(|c| *c != '_').collect::<String>().to_lowercase();
    let mut rest = value.as_str();
    let sign = if rest.starts_with('-') { -1.0 } else { 1.0 };
    if rest.starts_with('-') || rest.starts_with('+') {
        rest = &rest[1..];
    } else if rest.is_empty() {
        return Err(PyError("string index out of range".to_owned()));
    }
    if rest == ".inf" {
        Ok(sign * f64::INFINITY)
    } else if rest == ".nan" {
        Ok(f64::NAN)
    } else if rest.contains(':') {
        let parts = rest.split(':').map(python_float).collect::<Result<Vec<_>, _>>()?;
        let mut base = 1.0;
        let mut total = 0.0;
        for digit in parts.iter().rev() {
            total += digit * base;
            base *= 60.0;
        }
        Ok(sign * total)
    } else {
        Ok(sign * python_float(rest)?)
    }
}

static PY_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[-+]?(?:(?:[0-9](?:_?[0-9])*)?\.?[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*\.(?:[eE][-+]?[0-9](?:_?[0-9])*)?|(?i:inf|infinity|nan))$")
});

/// Python's `float(text)`.
pub(crate) fn python_float(text: &str) -> Result<f64, PyError> {
    let error = || PyError(format!("could not convert string to float: {}", str_repr(text)));
    let trimmed = text.trim_matches(is_python_space);
    if !PY_FLOAT.is_match(trimmed) {
        return Err(error());
    }
    let clean: String = trimmed.chars().filter(|c| *c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let (negative, body) = match lower.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, lower.strip_prefix('+').unwrap_or(&lower)),
    };
    let magnitude = match body {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => body.parse::<f64>().map_err(|_| error())?,
    };
    Ok(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_pyyaml() {
        for (text, tag) in [
            ("yes", TAG_BOOL),
            ("nO", TAG_STR),
            ("NO", TAG_BOOL),
            ("null", TAG_NULL),
            ("", TAG_NULL),
            ("1.0", TAG_FLOAT),
            ("1e3", TAG_STR),
            ("1.0e+3", TAG_FLOAT),
            ("0777", TAG_INT),
            ("08", TAG_STR),
            ("1:30", TAG_INT),
            ("1:30.5", TAG_FLOAT),
            ("2024-01-01", TAG_TIMESTAMP),
            ("<<", TAG_MERGE),
            ("=", TAG_VALUE),
            ("0o17", TAG_STR),
        ] {
            assert_eq!(resolve_plain(text), tag, "{text}");
        }
    }

    #[test]
    fn ints_and_floats() {
        assert_eq!(construct_int("0777").ok(), Some(BigInt::from(511)));
        assert_eq!(construct_int("-0x_1F").ok(), Some(BigInt::from(-31)));
        assert_eq!(construct_int("190:20:30").ok(), Some(BigInt::from(685_230)));
        assert!(construct_int("0b_").is_err());
        assert_eq!(construct_float("1:30.5").ok(), Some(90.5));
        assert_eq!(construct_float("-.INF").ok(), Some(f64::NEG_INFINITY));
        assert_eq!(construct_float("1.e+3").ok(), Some(1000.0));
        assert_eq!(python_float(" 1_0.5 ").ok(), Some(10.5));
        assert!(python_float("1e").is_err());
    }
}
