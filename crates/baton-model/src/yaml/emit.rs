//! Dumping: PyYAML's `SafeRepresenter`, serializer and `Emitter`, reproduced for the
//! options the reference uses (`yaml.safe_dump(data, sort_keys=False[,
//! allow_unicode=True])`: block style, 2-space indent, width 80, no document markers).

use baton_expr::py::float_repr;

use super::binary;
use super::resolve::{self, resolve_plain};
use super::timestamp::Timestamp;
use super::{Node, Yaml};

/// Options of [`dump_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DumpOptions {
    /// Write non-ASCII characters as they are (`allow_unicode=True`); when false they
    /// are escaped in double-quoted scalars, as `yaml.safe_dump` does by default.
    pub allow_unicode: bool,
}

impl Default for DumpOptions {
    /// `allow_unicode: true`, as the reference writes the run folder's `workflow.yml`.
    fn default() -> Self {
        DumpOptions { allow_unicode: true }
    }
}

/// The text `yaml.safe_dump(data, sort_keys=False, allow_unicode=True)` writes for the
/// object PyYAML built for `node` (how the reference writes a run's `workflow.yml`).
///
/// Key order is kept; strings that would read back as another type are quoted (`'1.0'`,
/// `'yes'`, `''`), long scalars are folded at 80 columns as PyYAML folds them, and
/// reading the text back (with [`parse`](super::parse) or PyYAML) gives the same value.
/// PyYAML writes an object that occurs twice (an alias in the source) with `&id001`
/// anchors; the tree here has no shared objects, so such a value is written out twice.
pub fn dump(node: &Node) -> String {
    dump_with(node, DumpOptions::default())
}

/// [`dump`] with options: `dump_with(node, DumpOptions { allow_unicode: false })` is
/// `yaml.safe_dump(data, sort_keys=False)`, which the reference uses for the step
/// lists it keeps in `state.json`.
pub fn dump_with(node: &Node, options: DumpOptions) -> String {
    let mut emitter = Emitter::new(options);
    emitter.document(node);
    emitter.out
}

/// A scalar as the representer hands it to the emitter.
struct Scalar {
    /// The tag PyYAML's emitter would write if needed (`!!str`, `!!binary`, …).
    tag: &'static str,
    text: Vec<char>,
    /// Whether the text written plain reads back as this tag.
    plain_implicit: bool,
    /// Whether the text written quoted reads back as this tag (only strings).
    quoted_implicit: bool,
    /// The representer's requested style (`|` for binary).
    style: Option<char>,
}

fn represent(node: &Node) -> Option<Scalar> {
    let (tag, text, style): (&'static str, String, Option<char>) = match &node.value {
        Yaml::Null => (resolve::TAG_NULL, "null".to_owned(), None),
        Yaml::Bool(b) => (resolve::TAG_BOOL, if *b { "true" } else { "false" }.to_owned(), None),
        Yaml::Int(i) => (resolve::TAG_INT, i.to_string(), None),
        Yaml::Float(f) => (resolve::TAG_FLOAT, float_text(*f), None),
        Yaml::Str(s) => (resolve::TAG_STR, s.clone(), None),
        Yaml::Timestamp(t) => {
            let text = match Timestamp::parse(t) {
                Ok(ts) if ts.time.is_none() => ts.isoformat('T'),
                Ok(ts) => ts.isoformat(' '),
                Err(_) => t.clone(),
            };
            (resolve::TAG_TIMESTAMP, text, None)
        }
        Yaml::Binary(b) => (resolve::TAG_BINARY, binary::encode(b), Some('|')),
        Yaml::Seq(_) | Yaml::Map(_) => return None,
    };
    let plain_implicit = resolve_plain(&text) == tag;
    let quoted_implicit = tag == resolve::TAG_STR;
    Some(Scalar { tag, text: text.chars().collect(), plain_implicit, quoted_implicit, style })
}

/// `SafeRepresenter.represent_float`.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let text = float_repr(f).to_lowercase();
    if !text.contains('.') && text.contains('e') {
        text.replacen('e', ".0e", 1)
    } else {
        text
    }
}

/// The short form of a tag as PyYAML's emitter prints it.
fn short_tag(tag: &str) -> String {
    match tag.strip_prefix(resolve::PREFIX) {
        Some(suffix) => format!("!!{suffix}"),
        None => format!("!<{tag}>"),
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_space_or_break(c: char) -> bool {
    matches!(c, '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `Emitter.analyze_scalar`.
#[derive(Debug, Clone, Copy)]
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_flow_plain: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
    allow_block: bool,
}

fn analyze(text: &[char], allow_unicode: bool) -> Analysis {
    if text.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_flow_plain: false,
            allow_block_plain: true,
            allow_single_quoted: true,
            allow_block: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;

    let starts = |p: &str| text.len() >= 3 && text[..3].iter().copied().eq(p.chars());
    if starts("---") || starts("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let mut followed_by_whitespace = text.len() == 1 || is_space_or_break(text[1]);
    let mut previous_space = false;
    let mut previous_break = false;
    let last = text.len() - 1;
    for (index, &ch) in text.iter().enumerate() {
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                flow_indicators = true;
                block_indicators = true;
            }
            if ch == '?' || ch == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if ch == '-' && followed_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        } else {
            if ",?[]{}".contains(ch) {
                flow_indicators = true;
            }
            if ch == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if ch == '#' && preceded_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        }
        if is_break(ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || (' '..='~').contains(&ch)) {
            let unicode = (ch == '\u{85}'
                || ('\u{A0}'..='\u{D7FF}').contains(&ch)
                || ('\u{E000}'..='\u{FFFD}').contains(&ch)
                || ('\u{10000}'..'\u{10FFFF}').contains(&ch))
                && ch != '\u{FEFF}';
            if !unicode || !allow_unicode {
                special_characters = true;
            }
        }
        if ch == ' ' {
            if index == 0 {
                leading_space = true;
            }
            if index == last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(ch) {
            if index == 0 {
                leading_break = true;
            }
            if index == last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_space_or_break(ch);
        followed_by_whitespace = index + 2 >= text.len() || is_space_or_break(text[index + 2]);
    }
    let mut a = Analysis {
        empty: false,
        multiline: line_breaks,
        allow_flow_plain: true,
        allow_block_plain: true,
        allow_single_quoted: true,
        allow_block: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
    }
    if trailing_space {
        a.allow_block = false;
    }
    if break_space {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
        a.allow_single_quoted = false;
    }
    if space_break || special_characters {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
        a.allow_single_quoted = false;
        a.allow_block = false;
    }
    if line_breaks {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
    }
    if flow_indicators {
        a.allow_flow_plain = false;
    }
    if block_indicators {
        a.allow_block_plain = false;
    }
    a
}

const BEST_INDENT: usize = 2;
const BEST_WIDTH: usize = 80;

/// The state of PyYAML's emitter that matters for block-style output.
struct Emitter {
    out: String,
    allow_unicode: bool,
    indent: Option<usize>,
    indents: Vec<Option<usize>>,
    flow_level: usize,
    column: usize,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    root_context: bool,
    simple_key_context: bool,
    mapping_context: bool,
}

#[derive(Clone, Copy, Default)]
struct Context {
    root: bool,
    mapping: bool,
    simple_key: bool,
}

impl Emitter {
    fn new(options: DumpOptions) -> Self {
        Emitter {
            out: String::new(),
            allow_unicode: options.allow_unicode,
            indent: None,
            indents: Vec::new(),
            flow_level: 0,
            column: 0,
            whitespace: true,
            indention: true,
            open_ended: false,
            root_context: false,
            simple_key_context: false,
            mapping_context: false,
        }
    }

    fn document(&mut self, node: &Node) {
        self.node(node, Context { root: true, ..Context::default() });
        // expect_document_end
        self.write_indent();
        // expect_document_start at STREAM-END
        if self.open_ended {
            self.write_indicator("...", true, false, false);
            self.write_indent();
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        match self.indent {
            None => self.indent = Some(if flow { BEST_INDENT } else { 0 }),
            Some(i) if !indentless => self.indent = Some(i + BEST_INDENT),
            Some(_) => {}
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn node(&mut self, node: &Node, context: Context) {
        self.root_context = context.root;
        self.mapping_context = context.mapping;
        self.simple_key_context = context.simple_key;
        match &node.value {
            Yaml::Seq(items) => {
                if self.flow_level > 0 || items.is_empty() {
                    self.write_indicator("[", true, true, false);
                    self.flow_level += 1;
                    self.increase_indent(true, false);
                    // Only empty collections are written in flow style.
                    self.pop_indent();
                    self.flow_level -= 1;
                    self.write_indicator("]", false, false, false);
                } else {
                    let indentless = self.mapping_context && !self.indention;
                    self.increase_indent(false, indentless);
                    for item in items {
                        self.write_indent();
                        self.write_indicator("-", true, false, true);
                        self.node(item, Context::default());
                    }
                    self.pop_indent();
                }
            }
            Yaml::Map(entries) => {
                if self.flow_level > 0 || entries.is_empty() {
                    self.write_indicator("{", true, true, false);
                    self.flow_level += 1;
                    self.increase_indent(true, false);
                    self.pop_indent();
                    self.flow_level -= 1;
                    self.write_indicator("}", false, false, false);
                } else {
                    self.increase_indent(false, false);
                    for (key, value) in entries {
                        self.write_indent();
                        let value_context = Context { mapping: true, ..Context::default() };
                        if self.check_simple_key(key) {
                            self.node(key, Context { mapping: true, simple_key: true, root: false });
                            self.write_indicator(":", false, false, false);
                        } else {
                            self.write_indicator("?", true, false, true);
                            self.node(key, value_context);
                            self.write_indent();
                            self.write_indicator(":", true, false, true);
                        }
                        self.node(value, value_context);
                    }
                    self.pop_indent();
                }
            }
            _ => {
                if let Some(scalar) = represent(node) {
                    self.scalar(&scalar);
                }
            }
        }
    }

    fn check_simple_key(&self, key: &Node) -> bool {
        match &key.value {
            Yaml::Seq(items) => items.is_empty(),
            Yaml::Map(entries) => entries.is_empty(),
            _ => {
                let Some(scalar) = represent(key) else { return false };
                let analysis = analyze(&scalar.text, self.allow_unicode);
                let length = short_tag(scalar.tag).chars().count() + scalar.text.len();
                length < 128 && !analysis.empty && !analysis.multiline
            }
        }
    }

    fn choose_style(&self, scalar: &Scalar, a: &Analysis) -> Option<char> {
        if scalar.style.is_none()
            && scalar.plain_implicit
            && !(self.simple_key_context && (a.empty || a.multiline))
            && ((self.flow_level > 0 && a.allow_flow_plain)
                || (self.flow_level == 0 && a.allow_block_plain))
        {
            return None;
        }
        if let Some(style @ ('|' | '>')) = scalar.style {
            if self.flow_level == 0 && !self.simple_key_context && a.allow_block {
                return Some(style);
            }
        }
        if (scalar.style.is_none() || scalar.style == Some('\''))
            && a.allow_single_quoted
            && !(self.simple_key_context && a.multiline)
        {
            return Some('\'');
        }
        Some('"')
    }

    fn scalar(&mut self, scalar: &Scalar) {
        let analysis = analyze(&scalar.text, self.allow_unicode);
        let style = self.choose_style(scalar, &analysis);
        // process_tag
        let implicit = match style {
            None => scalar.plain_implicit,
            Some(_) => scalar.quoted_implicit,
        };
        if !implicit {
            self.write_indicator(&short_tag(scalar.tag), true, false, false);
        }
        // expect_scalar
        self.increase_indent(true, false);
        let split = !self.simple_key_context;
        match style {
            Some('"') => self.write_double_quoted(&scalar.text, split),
            Some('\'') => self.write_single_quoted(&scalar.text, split),
            Some('|') => self.write_literal(&scalar.text),
            _ => self.write_plain(&scalar.text, split),
        }
        self.pop_indent();
    }

    // Writers.

    fn write(&mut self, data: &str) {
        self.out.push_str(data);
    }

    fn write_chars(&mut self, data: &[char]) {
        self.out.extend(data.iter());
        self.column += data.len();
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, whitespace: bool, indention: bool) {
        if !self.whitespace && need_whitespace {
            self.out.push(' ');
            self.column += 1;
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
        self.open_ended = false;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break(None);
        }
        if self.column < indent {
            self.whitespace = true;
            for _ in self.column..indent {
                self.out.push(' ');
            }
            self.column = indent;
        }
    }

    fn write_line_break(&mut self, data: Option<char>) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push(data.unwrap_or('\n'));
    }

    fn write_breaks(&mut self, breaks: &[char]) {
        for &br in breaks {
            self.write_line_break(if br == '\n' { None } else { Some(br) });
        }
    }

    fn write_plain(&mut self, text: &[char], split: bool) {
        if self.root_context {
            self.open_ended = true;
        }
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
            self.column += 1;
        }
        self.whitespace = false;
        self.indention = false;
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0, 0);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.write_chars(&text[start..end]);
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    if text[start] == '\n' {
                        self.write_line_break(None);
                    }
                    self.write_breaks(&text[start..end]);
                    self.write_indent();
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                self.write_chars(&text[start..end]);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
    }

    fn write_single_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0, 0);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && split
                        && start != 0
                        && end != text.len()
                    {
                        self.write_indent();
                    } else {
                        self.write_chars(&text[start..end]);
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    if text[start] == '\n' {
                        self.write_line_break(None);
                    }
                    self.write_breaks(&text[start..end]);
                    self.write_indent();
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c) || c == '\'') && start < end {
                self.write_chars(&text[start..end]);
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                self.column += 2;
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("\"", true, false, false);
        let (mut start, mut end) = (0, 0);
        while end <= text.len() {
            let ch = text.get(end).copied();
            let needs_escape = match ch {
                None => true,
                Some(c) => {
                    matches!(c, '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
                        || !((' '..='~').contains(&c)
                            || (self.allow_unicode
                                && (('\u{A0}'..='\u{D7FF}').contains(&c)
                                    || ('\u{E000}'..='\u{FFFD}').contains(&c))))
                }
            };
            if needs_escape {
                if start < end {
                    self.write_chars(&text[start..end]);
                    start = end;
                }
                if let Some(c) = ch {
                    let data = escape(c);
                    self.column += data.chars().count();
                    self.write(&data);
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < text.len()
                && (ch == Some(' ') || start >= end)
                && (self.column as isize) + (end as isize - start as isize) > BEST_WIDTH as isize
                && split
            {
                if start < end {
                    self.write_chars(&text[start..end]);
                    start = end;
                }
                self.write("\\");
                self.column += 1;
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if text.get(start) == Some(&' ') {
                    self.write("\\");
                    self.column += 1;
                }
            }
            end += 1;
        }
        self.write_indicator("\"", false, false, false);
    }

    fn write_literal(&mut self, text: &[char]) {
        let mut hints = String::new();
        if let Some(&first) = text.first() {
            if first == ' ' || is_break(first) {
                hints.push_str(&BEST_INDENT.to_string());
            }
            let last = text[text.len() - 1];
            if !is_break(last) {
                hints.push('-');
            } else if text.len() == 1 || is_break(text[text.len() - 2]) {
                hints.push('+');
            }
        }
        self.write_indicator(&format!("|{hints}"), true, false, false);
        if hints.ends_with('+') {
            self.open_ended = true;
        }
        self.write_line_break(None);
        let mut breaks = true;
        let (mut start, mut end) = (0, 0);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if breaks {
                if !ch.is_some_and(is_break) {
                    self.write_breaks(&text[start..end]);
                    if ch.is_some() {
                        self.write_indent();
                    }
                    start = end;
                }
            } else if ch.is_none_or(is_break) {
                self.out.extend(text[start..end].iter());
                if ch.is_none() {
                    self.write_line_break(None);
                }
                start = end;
            }
            if let Some(c) = ch {
                breaks = is_break(c);
            }
            end += 1;
        }
    }
}

/// A character escaped in a double-quoted scalar.
fn escape(c: char) -> String {
    let short = match c {
        '\0' => Some('0'),
        '\x07' => Some('a'),
        '\x08' => Some('b'),
        '\t' => Some('t'),
        '\n' => Some('n'),
        '\x0B' => Some('v'),
        '\x0C' => Some('f'),
        '\r' => Some('r'),
        '\x1B' => Some('e'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        '\u{85}' => Some('N'),
        '\u{A0}' => Some('_'),
        '\u{2028}' => Some('L'),
        '\u{2029}' => Some('P'),
        _ => None,
    };
    let u = u32::from(c);
    match short {
        Some(s) => format!("\\{s}"),
        None if u <= 0xFF => format!("\\x{u:02X}"),
        None if u <= 0xFFFF => format!("\\u{u:04X}"),
        None => format!("\\U{u:08X}"),
    }
}
