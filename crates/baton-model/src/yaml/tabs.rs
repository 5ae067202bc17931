//! PyYAML's scanner skips only spaces between tokens: a tab anywhere outside a
//! comment, a quoted scalar or the content of a block scalar is an error there
//! ("found character '\t' that cannot start any token"), while yaml-rust2 (YAML 1.2)
//! accepts tabs as separators in several places. This pass finds the first such tab
//! with a small lexer that only tells comments, quoted scalars and block scalars apart.

/// The byte offset of the first tab PyYAML refuses, if any.
pub(crate) fn first_bad_tab(text: &str) -> Option<usize> {
    if !text.contains('\t') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    // The last character that was not a space or tab on the current line (None: none).
    let mut last_token_char: Option<u8> = None;
    let mut line_start = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                i += 1;
                line_start = i;
                last_token_char = None;
                continue;
            }
            b'\t' => return Some(i),
            b' ' | b'\r' => {}
            b'#' if i == line_start || matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' if at_token_start(bytes, i, last_token_char) => {
                i = skip_quoted(bytes, i);
                last_token_char = Some(c);
                continue;
            }
            b'|' | b'>' if at_token_start(bytes, i, last_token_char) && is_header(&text[i + 1..]) => {
                // The header line: a tab there is refused too.
                let header_end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                if let Some(t) = text[i..header_end].find('\t') {
                    let comment = text[i..header_end].find(" #").unwrap_or(usize::MAX);
                    if t < comment {
                        return Some(i + t);
                    }
                }
                let parent_indent = text[line_start..].bytes().take_while(|b| *b == b' ').count();
                i = skip_block_content(text, header_end, parent_indent);
                line_start = i;
                last_token_char = None;
                continue;
            }
            _ => last_token_char = Some(c),
        }
        i += 1;
    }
    None
}

/// Whether a quote or block indicator at `i` starts a token (rather than sitting
/// inside a plain scalar).
fn at_token_start(bytes: &[u8], i: usize, last_token_char: Option<u8>) -> bool {
    let previous_is_space = i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'[' | b'{' | b',');
    previous_is_space
        && match last_token_char {
            None => true,
            Some(c) => matches!(c, b':' | b'-' | b'?' | b'[' | b'{' | b',')
                || property_before(bytes, i),
        }
}

/// Whether the word before `i` (on the same line) is an anchor or a tag.
fn property_before(bytes: &[u8], i: usize) -> bool {
    let mut end = i;
    while end > 0 && bytes[end - 1] == b' ' {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && !matches!(bytes[start - 1], b' ' | b'\t' | b'\n') {
        start -= 1;
    }
    matches!(bytes.get(start), Some(b'&' | b'!'))
}

fn is_header(rest: &str) -> bool {
    let line = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let code_end = line.find(|c: char| !matches!(c, '0'..='9' | '+' | '-')).unwrap_or(line.len());
    let tail = line[code_end..].trim_start_matches([' ', '\t']);
    tail.is_empty() || tail.starts_with('#')
}

/// The byte after the closing quote of the quoted scalar starting at `start`.
fn skip_quoted(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The start of the first line after a block scalar's content (`from` is the end of
/// its header line): blank lines and lines indented deeper than the parent belong
/// to it; a tab in the indentation of a content line is left for the main scan.
fn skip_block_content(text: &str, from: usize, parent_indent: usize) -> usize {
    let mut i = from;
    let mut content_indent: Option<usize> = None;
    while i < text.len() {
        // `i` is at a line break: look at the next line.
        let line_start = i + 1;
        if line_start > text.len() {
            return text.len();
        }
        let line_end = text[line_start..].find('\n').map_or(text.len(), |n| line_start + n);
        let line = text[line_start..line_end].trim_end_matches('\r');
        let spaces = line.bytes().take_while(|b| *b == b' ').count();
        let blank = spaces == line.len();
        if !blank {
            let needed = *content_indent.get_or_insert(spaces);
            if spaces < needed || spaces <= parent_indent {
                return line_start;
            }
        }
        i = line_end;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::first_bad_tab;

    #[test]
    fn tabs_like_pyyaml() {
        for (text, bad) in [
            ("a: 1", None),
            ("\ta: 1", Some(0)),
            ("a: b\t", Some(4)),
            ("a: 1\t# c", Some(4)),
            ("a: \"x\n\ty\"", None),
            ("a: 'x\ty'", None),
            ("a: |\n  x\ty\n", None),
            ("a: |\n\tx", Some(5)),
            ("a: 1 # x\ty", None),
            ("a: it's\tx", Some(7)),
            ("- |\n  x\n\t- y", Some(8)),
        ] {
            assert_eq!(first_bad_tab(text), bad, "{text:?}");
        }
    }
}
