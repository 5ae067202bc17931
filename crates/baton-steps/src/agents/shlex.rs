//! Python's `shlex.split(s)` (POSIX mode, no comments), with its two error messages.
//!
//! Written out rather than taken from the `shlex` crate because the reference's
//! splitting differs from a POSIX shell's in ways users can see: inside double quotes a
//! backslash escapes only `"` and `\` (`"\$"` stays `\$`), `#` is an ordinary
//! character, and only space, tab, CR and LF separate words.

use std::fmt;

/// Why the text cannot be split (Python's `ValueError` text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// A quote was opened and never closed.
    NoClosingQuotation,
    /// The text ends in a lone backslash.
    NoEscapedCharacter,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SplitError::NoClosingQuotation => "No closing quotation",
            SplitError::NoEscapedCharacter => "No escaped character",
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Space,
    Word,
    Quote(char),
    /// After a backslash; remembers whether it was inside double quotes.
    Escape {
        in_double: bool,
    },
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Splits `text` into words like Python's `shlex.split(text)`.
pub fn split(text: &str) -> Result<Vec<String>, SplitError> {
    let mut chars = text.chars();
    let mut words = Vec::new();
    loop {
        let mut token = String::new();
        let mut quoted = false;
        let mut state = State::Space;
        loop {
            let next = chars.next();
            match state {
                State::Space => match next {
                    None => break,
                    Some(c) if is_space(c) => continue,
                    Some('\\') => state = State::Escape { in_double: false },
                    Some(q @ ('\'' | '"')) => state = State::Quote(q),
                    Some(c) => {
                        token.push(c);
                        state = State::Word;
                    }
                },
                State::Word => match next {
                    None => break,
                    Some(c) if is_space(c) => break,
                    Some(q @ ('\'' | '"')) => state = State::Quote(q),
                    Some('\\') => state = State::Escape { in_double: false },
                    Some(c) => token.push(c),
                },
                State::Quote(q) => {
                    quoted = true;
                    match next {
                        None => return Err(SplitError::NoClosingQuotation),
                        Some(c) if c == q => state = State::Word,
                        Some('\\') if q == '"' => state = State::Escape { in_double: true },
                        Some(c) => token.push(c),
                    }
                }
                State::Escape { in_double } => {
                    let Some(c) = next else {
                        return Err(SplitError::NoEscapedCharacter);
                    };
                    if in_double && c != '\\' && c != '"' {
                        token.push('\\');
                    }
                    token.push(c);
                    state = if in_double { State::Quote('"') } else { State::Word };
                }
            }
        }
        if token.is_empty() && !quoted {
            return Ok(words);
        }
        words.push(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<String> {
        split(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn words_quotes_and_escapes() {
        assert_eq!(ok("--x1 'two words'"), ["--x1", "two words"]);
        assert_eq!(ok(r#"a"b c"d e"#), ["ab cd", "e"]);
        assert_eq!(ok(r#""\$ \" \\""#), [r#"\$ " \"#]);
        assert_eq!(ok(r"a\ b \x"), ["a b", "x"]);
        assert_eq!(ok("'' \"\""), ["", ""]);
        assert_eq!(ok("  #c \u{a0}x\x0b"), ["#c", "\u{a0}x\x0b"]);
        assert_eq!(ok(""), Vec::<String>::new());
    }

    #[test]
    fn errors() {
        assert_eq!(split("--flag \"unclosed"), Err(SplitError::NoClosingQuotation));
        assert_eq!(split("it's"), Err(SplitError::NoClosingQuotation));
        assert_eq!(split("trailing\\"), Err(SplitError::NoEscapedCharacter));
        assert_eq!(split("\"a\\"), Err(SplitError::NoEscapedCharacter));
    }
}
