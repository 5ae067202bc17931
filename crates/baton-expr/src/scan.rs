//! Quote- and bracket-aware text scanning, shared by the parser, the template splitter
//! and the condition diagnostics.
//!
//! The reference has no tokenizer: it finds operators by scanning text. A quote (`'` or
//! `"`) opens a string that ends at the next identical character (no escapes); `(`, `[`
//! and `{` share one depth counter that never drops below zero. All the characters
//! involved are ASCII, so byte indexes always fall on character boundaries.

use crate::py;

/// Index of the first occurrence of `token` outside quotes and at bracket depth zero.
pub(crate) fn find_top_level(text: &str, token: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let tok = token.as_bytes();
    let mut quote: Option<u8> = None;
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            continue;
        }
        match b {
            b'\'' | b'"' => quote = Some(b),
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ if depth == 0 && bytes[i..].starts_with(tok) => return Some(i),
            _ => {}
        }
    }
    None
}

/// The first top-level occurrence of each of several tokens (at most 16), found in one
/// scan.
pub(crate) fn find_all_top_level<const N: usize>(text: &str, tokens: [&str; N]) -> [Option<usize>; N] {
    let bytes = text.as_bytes();
    let mut found = [None; N];
    // For each byte, the tokens that start with it and are still unfound (a bit set).
    let mut starting = [0u16; 256];
    for (k, tok) in tokens.iter().enumerate().take(16) {
        if let Some(&first) = tok.as_bytes().first() {
            starting[usize::from(first)] |= 1 << k;
        }
    }
    let mut quote: Option<u8> = None;
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            continue;
        }
        match b {
            b'\'' | b'"' => quote = Some(b),
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ if depth == 0 && starting[usize::from(b)] != 0 => {
                let mut candidates = starting[usize::from(b)];
                while candidates != 0 {
                    let k = candidates.trailing_zeros() as usize;
                    candidates &= candidates - 1;
                    if bytes[i..].starts_with(tokens[k].as_bytes()) {
                        found[k] = Some(i);
                        for entry in starting.iter_mut() {
                            *entry &= !(1 << k);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// `text` split at every top-level occurrence of `token` (each piece scanned afresh).
pub(crate) fn split_top_level<'t>(text: &'t str, token: &str) -> Vec<(usize, &'t str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    while let Some(i) = find_top_level(&text[start..], token) {
        parts.push((start, &text[start..start + i]));
        start += i + token.len();
    }
    parts.push((start, &text[start..]));
    parts
}

/// Whether a quote opened in `text` is never closed.
pub(crate) fn has_unbalanced_quote(text: &str) -> bool {
    let mut quote: Option<u8> = None;
    for &b in text.as_bytes() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None => {}
        }
    }
    quote.is_some()
}

/// Whether `text` is one parenthesised group: it starts with `(` and the matching `)`
/// (quote-aware, counting only parentheses) is its last character.
pub(crate) fn is_wrapped_in_parens(text: &str) -> bool {
    is_one_group(text, b'(', b')', |b| b == b'(', |b| b == b')')
}

/// Whether `text` is one list literal: it starts with `[` and the bracket that brings
/// the shared depth back to zero is its last character.
pub(crate) fn is_single_list_literal(text: &str) -> bool {
    is_one_group(
        text,
        b'[',
        b']',
        |b| matches!(b, b'(' | b'[' | b'{'),
        |b| matches!(b, b')' | b']' | b'}'),
    )
}

fn is_one_group(
    text: &str,
    first: u8,
    last: u8,
    opens: impl Fn(u8) -> bool,
    closes: impl Fn(u8) -> bool,
) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&first) || bytes.last() != Some(&last) {
        return false;
    }
    let mut quote: Option<u8> = None;
    let mut depth = 0i64;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            continue;
        }
        if b == b'\'' || b == b'"' {
            quote = Some(b);
        } else if opens(b) {
            depth += 1;
        } else if closes(b) {
            depth -= 1;
            if depth == 0 {
                return i == bytes.len() - 1;
            }
        }
    }
    false
}

/// Index of the `}}` closing the block whose `{{` starts at `open`: the first `}}`
/// outside quotes, scanning from just after the `{{`.
pub(crate) fn find_block_close(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = open + 2;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'}' && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

/// Whether the stripped template is exactly one `{{ … }}` block: it starts with `{{`,
/// ends with `}}`, its inner text is not blank, and no `}}` outside quotes closes it
/// early.
pub(crate) fn is_single_expression(stripped: &str) -> bool {
    if stripped.len() < 4 || !stripped.starts_with("{{") || !stripped.ends_with("}}") {
        return false;
    }
    let inner = &stripped[2..stripped.len() - 2];
    if py::strip(inner).is_empty() {
        return false;
    }
    // The inner text holds no block-closing `}}`: scanning it as if it followed a `{{`.
    find_block_close_in(inner).is_none()
}

fn find_block_close_in(inner: &str) -> Option<usize> {
    let bytes = inner.as_bytes();
    let mut quote: Option<u8> = None;
    for i in 0..bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'}' && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            None => {}
        }
    }
    None
}

/// How interpolation fails on the first block it cannot close with the quote-aware
/// scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unclosable {
    /// A raw `}}` follows: the truncated body up to it is evaluated. Holds the `{{`
    /// index and the raw `}}` index.
    Evaluated(usize, usize),
    /// No `}}` follows: the rest of the text is kept verbatim. Holds the `{{` index.
    Verbatim(usize),
}

/// Walks the blocks of `text` as interpolation does and reports the first one that
/// cannot be closed, if any.
pub(crate) fn first_unclosable_block(text: &str) -> Option<Unclosable> {
    let mut i = 0;
    loop {
        let open = i + text[i..].find("{{")?;
        match find_block_close(text, open) {
            Some(close) => i = close + 2,
            None => {
                return Some(match text[open + 2..].find("}}") {
                    Some(raw) => Unclosable::Evaluated(open, open + 2 + raw),
                    None => Unclosable::Verbatim(open),
                });
            }
        }
    }
}

/// The reference's whitespace collapse: strip, then turn every run of whitespace
/// outside quotes into one space. Returns the text and, for each of its bytes, the
/// byte offset in `text` it came from (one more entry maps the end).
pub(crate) fn collapse(text: &str) -> (String, Vec<usize>) {
    let stripped = py::strip(text);
    let base = stripped.as_ptr() as usize - text.as_ptr() as usize;
    let mut out = String::with_capacity(stripped.len());
    let mut map = Vec::with_capacity(stripped.len() + 1);
    let mut quote: Option<char> = None;
    let mut pending_space: Option<usize> = None;
    for (i, c) in stripped.char_indices() {
        let at = base + i;
        if let Some(q) = quote {
            push(&mut out, &mut map, c, at);
            if c == q {
                quote = None;
            }
        } else if py::is_space(c) {
            pending_space.get_or_insert(at);
        } else {
            if let Some(space_at) = pending_space.take() {
                push(&mut out, &mut map, ' ', space_at);
            }
            if c == '\'' || c == '"' {
                quote = Some(c);
            }
            push(&mut out, &mut map, c, at);
        }
    }
    map.push(base + stripped.len());
    (out, map)
}

fn push(out: &mut String, map: &mut Vec<usize>, c: char, at: usize) {
    out.push(c);
    for k in 0..c.len_utf8() {
        map.push(at + k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_ignores_quotes_and_brackets() {
        assert_eq!(find_top_level("a == 'x or y' or b", " or "), Some(13));
        assert_eq!(find_top_level("(a or b)", " or "), None);
        assert_eq!(find_top_level("a) or b", " or "), Some(2));
    }

    #[test]
    fn collapse_maps_offsets() {
        let (s, map) = collapse("  a \n\t or  'x  y' ");
        assert_eq!(s, "a or 'x  y'");
        assert_eq!(map[0], 2);
        assert_eq!(map[1], 3);
        assert_eq!(map[2], 7);
        assert_eq!(*map.last().unwrap_or(&0), 17);
    }

    #[test]
    fn single_expression() {
        assert!(is_single_expression("{{ a }}"));
        assert!(!is_single_expression("{{ a }} {{ b }}"));
        assert!(is_single_expression("{{ a | contains('}}') }}"));
        assert!(!is_single_expression("{{ }}"));
        assert!(!is_single_expression("{{}}"));
    }
}
