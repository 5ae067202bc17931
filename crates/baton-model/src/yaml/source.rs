//! Positions in the source text: yaml-rust2 reports character indexes; PyYAML marks
//! some nodes elsewhere than yaml-rust2 does (at an anchor or tag before the node, at
//! the `|` of a block scalar, right after the `:` of an empty value). This module maps
//! between the two and finds the PyYAML position by looking at the text around a node.

use super::Span;

/// A position: byte offset plus the 1-based line and 0-based character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) byte: usize,
    pub(crate) line: usize,
    pub(crate) col: usize,
}

impl Pos {
    pub(crate) fn span(self) -> Span {
        Span {
            line: u32::try_from(self.line).unwrap_or(u32::MAX),
            col: u32::try_from(self.col + 1).unwrap_or(u32::MAX),
        }
    }
}

/// The source text with a cursor that converts character indexes to byte offsets in
/// amortised constant time (events arrive in nearly increasing order).
pub(crate) struct Source<'a> {
    pub(crate) text: &'a str,
    ascii: bool,
    cursor_char: usize,
    cursor_byte: usize,
}

impl<'a> Source<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Source { text, ascii: text.is_ascii(), cursor_char: 0, cursor_byte: 0 }
    }

    /// Byte offset of the character with index `index` (clamped to the text's end).
    pub(crate) fn byte_of_char(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        let bytes = self.text.as_bytes();
        while self.cursor_char < index && self.cursor_byte < bytes.len() {
            self.cursor_byte += 1;
            while self.cursor_byte < bytes.len() && (bytes[self.cursor_byte] & 0xC0) == 0x80 {
                self.cursor_byte += 1;
            }
            self.cursor_char += 1;
        }
        while self.cursor_char > index && self.cursor_byte > 0 {
            self.cursor_byte -= 1;
            while self.cursor_byte > 0 && (bytes[self.cursor_byte] & 0xC0) == 0x80 {
                self.cursor_byte -= 1;
            }
            self.cursor_char -= 1;
        }
        self.cursor_byte
    }

    /// The position of a yaml-rust2 marker.
    pub(crate) fn pos(&mut self, index: usize, line: usize, col: usize) -> Pos {
        Pos { byte: self.byte_of_char(index), line: line.max(1), col }
    }

    pub(crate) fn char_at(&self, byte: usize) -> Option<char> {
        self.text.get(byte..).and_then(|s| s.chars().next())
    }

    fn char_before(&self, byte: usize) -> Option<char> {
        self.text.get(..byte).and_then(|s| s.chars().next_back())
    }

    /// Moves `pos` back by one character.
    fn back(&self, pos: Pos) -> Option<(Pos, char)> {
        let c = self.char_before(pos.byte)?;
        let byte = pos.byte - c.len_utf8();
        if c == '\n' {
            // Column of the previous line's end: count its characters.
            let line_start = self.text[..byte].rfind('\n').map_or(0, |i| i + 1);
            let col = self.text[line_start..byte].chars().count();
            Some((Pos { byte, line: pos.line.saturating_sub(1).max(1), col }, c))
        } else {
            Some((Pos { byte, line: pos.line, col: pos.col.saturating_sub(1) }, c))
        }
    }

    /// Where the code of the line holding `pos` ends, ignoring a trailing comment:
    /// returns `pos` moved back over a comment that contains it (rough quote tracking).
    fn skip_comment_back(&self, pos: Pos) -> Pos {
        let line_start = self.text[..pos.byte].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.text[line_start..pos.byte];
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        for (i, c) in line.char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if (c == '\'' || c == '"') && " \t[{,:-".contains(previous) => quote = Some(c),
                None if c == '#' && (previous == ' ' || previous == '\t' || i == 0) => {
                    let byte = line_start + i;
                    let col = pos.col.saturating_sub(self.text[byte..pos.byte].chars().count());
                    return Pos { byte, line: pos.line, col };
                }
                None => {}
            }
            previous = c;
        }
        pos
    }

    /// Moves back over whitespace, line breaks and comments.
    fn skip_space_back(&self, mut pos: Pos) -> Pos {
        loop {
            match self.back(pos) {
                Some((p, ' ' | '\t' | '\r')) => pos = p,
                Some((p, '\n')) => pos = self.skip_comment_back(p),
                _ => return pos,
            }
        }
    }

    /// The start of the token that ends at `pos` (stops at whitespace and flow indicators).
    fn token_back(&self, mut pos: Pos) -> Pos {
        while let Some((p, c)) = self.back(pos) {
            if c.is_whitespace() || matches!(c, '[' | '{' | ',') {
                break;
            }
            pos = p;
        }
        pos
    }

    /// Finds the properties (`&anchor`, `!tag`) written before the node content at
    /// `pos`: returns the position of the first property and the anchor's name.
    pub(crate) fn properties_back(&self, pos: Pos, count: usize) -> (Pos, Option<&'a str>) {
        let mut start = pos;
        let mut anchor = None;
        for _ in 0..count {
            let end = self.skip_space_back(start);
            let token = self.token_back(end);
            let text = &self.text[token.byte..end.byte];
            if let Some(name) = text.strip_prefix('&') {
                anchor = Some(name);
            } else if !text.starts_with('!') {
                break;
            }
            start = token;
        }
        (start, anchor)
    }

    /// The last non-blank character before `pos` and whether a line break lies between.
    pub(crate) fn previous_token_char(&self, pos: Pos) -> (Option<char>, bool) {
        let before = &self.text[..pos.byte];
        let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
        (trimmed.chars().next_back(), before[trimmed.len()..].contains('\n'))
    }

    /// For an empty plain scalar reported at `pos` (the next token): the position right
    /// after the indicator that introduced it, as PyYAML marks empty scalars.
    pub(crate) fn empty_scalar_back(&self, pos: Pos) -> Pos {
        if self.char_at(pos.byte) == Some(':') {
            // In flow context yaml-rust2 marks the `:` itself.
            return Pos { byte: pos.byte + 1, line: pos.line, col: pos.col + 1 };
        }
        let end = self.skip_space_back(pos);
        match self.char_before(end.byte) {
            Some(':' | '-' | '?' | ',' | '[' | '{') => end,
            _ => pos,
        }
    }

    /// For an empty item of a block sequence whose `-` is at column `seq_col`: the
    /// position right after that `-`, found on the lines before `pos` (yaml-rust2
    /// reports such an item at the token after it).
    pub(crate) fn empty_item_back(&self, pos: Pos, seq_col: usize) -> Option<Pos> {
        let mut end = self.text[..pos.byte].rfind('\n')?;
        let mut line = pos.line;
        for _ in 0..10_000 {
            line = line.checked_sub(1)?;
            let start = self.text[..end].rfind('\n').map_or(0, |i| i + 1);
            let text = &self.text[start..end];
            let indent = text.bytes().take_while(|b| *b == b' ').count();
            let rest = &text[indent..];
            if rest.starts_with('-') && indent == seq_col {
                return Some(Pos { byte: start + indent + 1, line: line.max(1), col: indent + 1 });
            }
            if !rest.is_empty() && !rest.starts_with('#') && indent < seq_col {
                return None;
            }
            end = start.checked_sub(1)?;
        }
        None
    }

    /// For a block mapping whose first key is at `pos`: the `?` of an explicit key
    /// before it, if there is one.
    pub(crate) fn explicit_key_back(&self, pos: Pos) -> Pos {
        let end = self.skip_space_back(pos);
        match self.back(end) {
            Some((p, '?')) => p,
            _ => pos,
        }
    }

    /// For a block sequence reported at its first item: the `-` before it.
    pub(crate) fn dash_back(&self, pos: Pos) -> Pos {
        if self.char_at(pos.byte) == Some('-') {
            return pos;
        }
        let end = self.skip_space_back(pos);
        match self.back(end) {
            Some((p, '-')) => p,
            _ => pos,
        }
    }

    /// For a block scalar reported at its content: the `|` or `>` indicator.
    pub(crate) fn block_indicator_back(&self, pos: Pos) -> Pos {
        // Walk back line by line (at most a few blank lines) looking for the header.
        let mut line_end = self.text[..pos.byte].rfind('\n');
        let mut line_no = pos.line;
        for _ in 0..64 {
            let Some(end) = line_end else { return pos };
            line_no = line_no.saturating_sub(1).max(1);
            let start = self.text[..end].rfind('\n').map_or(0, |i| i + 1);
            let line = &self.text[start..end];
            for (i, c) in line.char_indices() {
                if (c == '|' || c == '>') && is_block_header_rest(&line[i + 1..]) {
                    let col = line[..i].chars().count();
                    return Pos { byte: start + i, line: line_no, col };
                }
            }
            line_end = start.checked_sub(1);
        }
        pos
    }
}

/// Whether `rest` can follow a block scalar indicator on its header line.
fn is_block_header_rest(rest: &str) -> bool {
    let rest = rest.trim_end_matches('\r');
    let code_end = rest.find(|c: char| !matches!(c, '0'..='9' | '+' | '-')).unwrap_or(rest.len());
    let tail = &rest[code_end..];
    let trimmed = tail.trim_start_matches([' ', '\t']);
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < tail.len())
}
