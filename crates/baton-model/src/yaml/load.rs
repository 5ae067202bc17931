//! Loading: yaml-rust2 events → a node graph with anchors (PyYAML's composer) → the
//! constructed [`Node`] tree (PyYAML's `SafeConstructor`).

use std::borrow::Cow;
use std::collections::HashMap;

use num_bigint::BigInt;
use num_traits::{FromPrimitive, Zero};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::resolve::{self, PyError, PREFIX};
use super::source::{Pos, Source};
use super::timestamp::{Timestamp, TimestampKey};
use super::{binary, Node, Span, Yaml, YamlError, YamlErrorKind, MAX_ALIAS_NODES, MAX_DEPTH};

/// How deeply `<<` merges may nest inside merged mappings.
const MAX_MERGE_NESTING: usize = 64;

/// A composed node (PyYAML's `yaml.nodes.Node`): tag resolved, not yet constructed.
struct CNode {
    tag: Cow<'static, str>,
    span: Span,
    kind: CKind,
}

enum CKind {
    Scalar(String),
    Seq(Vec<usize>),
    Map(Vec<(usize, usize)>),
}

impl CKind {
    fn id(&self) -> &'static str {
        match self {
            CKind::Scalar(_) => "scalar",
            CKind::Seq(_) => "sequence",
            CKind::Map(_) => "mapping",
        }
    }
}

/// An open collection while composing.
struct Frame {
    node: usize,
    /// Whether the start was a block collection whose position comes from its first
    /// child (yaml-rust2 reports it one character late).
    fix_from_child: bool,
    /// Whether this is a mapping, and a flow mapping (`{…}`).
    is_map: bool,
    flow: bool,
    flow_map: bool,
    property_count: usize,
    /// yaml-rust2 anchor id whose registration waits for the position (0: none).
    pending_anchor: usize,
    children: Vec<usize>,
}

/// Loads one document as `yaml.safe_load` does.
pub(crate) fn load(text: &str) -> Result<Node, YamlError> {
    check_printable(text)?;
    // PyYAML skips a byte order mark at the start of the stream (and does not count it
    // as a column).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_version_directive(text)?;
    if let Some(byte) = super::tabs::first_bad_tab(text) {
        let line = text[..byte].matches('\n').count() + 1;
        let line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..byte].chars().count();
        let span = Pos { byte, line, col }.span();
        return Err(YamlError {
            message: "found character '\\t' that cannot start any token".to_owned(),
            span: Some(span),
            context: Some("while scanning for the next token".to_owned()),
            context_span: Some(span),
            kind: YamlErrorKind::Yaml,
        });
    }
    let mut composer = Composer::new(text);
    let Some(root) = composer.compose()? else {
        return Ok(Node { value: Yaml::Null, span: Span { line: 1, col: 1 } });
    };
    let Composer { nodes, .. } = composer;
    let mut constructor = Constructor::new(nodes);
    constructor.construct(root, 0)
}

/// PyYAML's reader refuses control characters and a few others anywhere in the input.
fn check_printable(text: &str) -> Result<(), YamlError> {
    let bad = |c: char| {
        !matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    };
    let found = if text.is_ascii() {
        text.bytes()
            .position(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
            .map(|i| (i, char::from(text.as_bytes()[i])))
    } else {
        text.char_indices().find(|(_, c)| bad(*c))
    };
    if let Some((byte, c)) = found {
        let position = text[..byte].chars().count();
        let line = text[..byte].matches('\n').count() + 1;
        let line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..byte].chars().count();
        return Err(YamlError {
            message: format!(
                "unacceptable character #x{:04x}: special characters are not allowed",
                u32::from(c)
            ),
            span: Some(Pos { byte, line, col }.span()),
            context: None,
            context_span: None,
            kind: YamlErrorKind::Reader { position },
        });
    }
    Ok(())
}

/// PyYAML accepts `%YAML 1.x` only (yaml-rust2 accepts any version).
fn check_version_directive(text: &str) -> Result<(), YamlError> {
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("%YAML") else { continue };
        let version = rest.trim_start_matches([' ', '\t']);
        let major = version.split('.').next().unwrap_or("");
        if !major.is_empty() && major.chars().all(|c| c.is_ascii_digit()) && major.trim_start_matches('0') != "1" {
            return Err(YamlError {
                message: "found incompatible YAML document (version 1.* is required)".to_owned(),
                span: Some(Pos { byte: 0, line: i + 1, col: 0 }.span()),
                context: None,
                context_span: None,
                kind: YamlErrorKind::Yaml,
            });
        }
    }
    Ok(())
}

struct Composer<'a> {
    parser: Parser<std::str::Chars<'a>>,
    source: Source<'a>,
    nodes: Vec<CNode>,
    /// Where each node starts (parallel to `nodes`).
    positions: Vec<Pos>,
    /// yaml-rust2 anchor id → node.
    anchors: HashMap<usize, usize>,
    /// anchor name → node, for PyYAML's duplicate-anchor error.
    anchor_names: HashMap<String, usize>,
    /// Nodes still open (an alias to one of them makes a recursive structure).
    open: Vec<bool>,
}

impl<'a> Composer<'a> {
    fn new(text: &'a str) -> Self {
        Composer {
            parser: Parser::new_from_str(text),
            source: Source::new(text),
            nodes: Vec::new(),
            positions: Vec::new(),
            anchors: HashMap::new(),
            anchor_names: HashMap::new(),
            open: Vec::new(),
        }
    }

    fn next(&mut self) -> Result<(Event, Pos), YamlError> {
        match self.parser.next_token() {
            Ok((event, marker)) => {
                let pos = self.marker_pos(&marker);
                Ok((event, pos))
            }
            Err(e) => Err(self.scan_error(&e)),
        }
    }

    fn marker_pos(&mut self, marker: &Marker) -> Pos {
        self.source.pos(marker.index(), marker.line(), marker.col())
    }

    /// Composes the single document of the stream; `None` for an empty stream.
    fn compose(&mut self) -> Result<Option<usize>, YamlError> {
        let mut root: Option<usize> = None;
        loop {
            let (event, pos) = self.next()?;
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => return Ok(root),
                Event::DocumentStart => {
                    if let Some(first) = root {
                        return Err(YamlError {
                            message: "but found another document".to_owned(),
                            span: Some(pos.span()),
                            context: Some("expected a single document in the stream".to_owned()),
                            context_span: Some(self.nodes[first].span),
                            kind: YamlErrorKind::Yaml,
                        });
                    }
                    root = Some(self.compose_node()?);
                    self.anchors.clear();
                    self.anchor_names.clear();
                }
                Event::DocumentEnd => {}
                other => {
                    return Err(YamlError::internal(format!("unexpected event {other:?}")));
                }
            }
        }
    }

    fn new_node(&mut self, tag: Cow<'static, str>, pos: Pos, kind: CKind) -> usize {
        self.nodes.push(CNode { tag, span: pos.span(), kind });
        self.positions.push(pos);
        self.open.push(false);
        self.nodes.len() - 1
    }

    /// Registers an anchor; PyYAML refuses a name defined twice in one document.
    fn register_anchor(
        &mut self,
        anchor_id: usize,
        name: Option<&str>,
        node: usize,
        pos: Pos,
    ) -> Result<(), YamlError> {
        if anchor_id == 0 {
            return Ok(());
        }
        self.anchors.insert(anchor_id, node);
        if let Some(name) = name {
            if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
                return Err(YamlError {
                    message: format!(
                        "expected alphabetic or numeric character, but found {}",
                        baton_expr::py::str_repr(&bad.to_string())
                    ),
                    span: Some(pos.span()),
                    context: Some("while scanning an anchor".to_owned()),
                    context_span: Some(pos.span()),
                    kind: YamlErrorKind::Yaml,
                });
            }
            if let Some(&first) = self.anchor_names.get(name) {
                return Err(YamlError {
                    message: "second occurrence".to_owned(),
                    span: Some(pos.span()),
                    context: Some(format!(
                        "found duplicate anchor {}; first occurrence",
                        baton_expr::py::str_repr(name)
                    )),
                    context_span: Some(self.nodes[first].span),
                    kind: YamlErrorKind::Yaml,
                });
            }
            self.anchor_names.insert(name.to_owned(), node);
        }
        Ok(())
    }

    /// Composes one node (and everything inside it) iteratively.
    fn compose_node(&mut self) -> Result<usize, YamlError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let (event, pos) = self.next()?;
            let is_seq = matches!(event, Event::SequenceStart(..));
            let finished = match event {
                Event::Alias(id) => {
                    let Some(&target) = self.anchors.get(&id) else {
                        return Err(YamlError::yaml("found undefined alias", pos));
                    };
                    if self.open[target] {
                        return Err(YamlError {
                            message: "found unconstructable recursive node".to_owned(),
                            span: Some(pos.span()),
                            context: None,
                            context_span: None,
                            kind: YamlErrorKind::Limit,
                        });
                    }
                    target
                }
                Event::Scalar(value, style, anchor_id, tag) => {
                    let plain = matches!(style, TScalarStyle::Plain);
                    let property_count = usize::from(anchor_id != 0) + usize::from(tag.is_some());
                    // PyYAML refuses an empty key written as a bare `:` (yaml-rust2
                    // takes it for a null key), except after an explicit `?`.
                    let key_of = stack.last().filter(|f| f.is_map && f.children.len() % 2 == 0);
                    if let Some(frame) = key_of {
                        if plain
                            && value.is_empty()
                            && property_count == 0
                            && self.source.char_at(pos.byte) == Some(':')
                        {
                            let (previous, new_line) = self.source.previous_token_char(pos);
                            let explicit = previous == Some('?') && (frame.flow_map || new_line);
                            if !explicit {
                                let (context, problem) = if frame.flow_map {
                                    ("while parsing a flow node", "expected the node content, but found ':'")
                                } else {
                                    ("while parsing a block mapping", "expected <block end>, but found ':'")
                                };
                                return Err(YamlError {
                                    message: problem.to_owned(),
                                    span: Some(pos.span()),
                                    context: Some(context.to_owned()),
                                    context_span: Some(self.positions[frame.node].span()),
                                    kind: YamlErrorKind::Yaml,
                                });
                            }
                        }
                    }
                    let mut start = pos;
                    if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
                        start = self.source.block_indicator_back(start);
                    }
                    let mut anchor_name = None;
                    if property_count > 0 {
                        let (p, name) = self.source.properties_back(start, property_count);
                        start = p;
                        anchor_name = name;
                    } else if plain && value.is_empty() {
                        let in_block_seq = stack.last().filter(|f| !f.is_map && !f.flow);
                        let item = in_block_seq.and_then(|f| {
                            let seq_col = self.positions[f.node].col;
                            self.source.empty_item_back(start, seq_col)
                        });
                        start = item.unwrap_or_else(|| self.source.empty_scalar_back(start));
                    }
                    let tag = match full_tag(tag.as_ref()) {
                        None if plain => Cow::Borrowed(resolve::resolve_plain(&value)),
                        None => Cow::Borrowed(resolve::TAG_STR),
                        Some(t) if t == "!" => Cow::Borrowed(resolve::resolve_plain(&value)),
                        Some(t) => Cow::Owned(t),
                    };
                    let node = self.new_node(tag, start, CKind::Scalar(value));
                    self.register_anchor(anchor_id, anchor_name, node, start)?;
                    node
                }
                Event::SequenceStart(anchor_id, tag) | Event::MappingStart(anchor_id, tag) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(YamlError::too_deep(pos));
                    }
                    let flow = matches!(self.source.char_at(pos.byte), Some('[' | '{'));
                    let property_count = usize::from(anchor_id != 0) + usize::from(tag.is_some());
                    let mut start = pos;
                    let mut fix_from_child = false;
                    if !flow {
                        if is_seq {
                            start = self.source.dash_back(start);
                        } else {
                            fix_from_child = true;
                        }
                    }
                    let mut anchor_name = None;
                    if property_count > 0 && !fix_from_child {
                        let (p, name) = self.source.properties_back(start, property_count);
                        start = p;
                        anchor_name = name;
                    }
                    let tag = match full_tag(tag.as_ref()) {
                        Some(t) if t != "!" => Cow::Owned(t),
                        _ if is_seq => Cow::Borrowed(resolve::TAG_SEQ),
                        _ => Cow::Borrowed(resolve::TAG_MAP),
                    };
                    let kind = if is_seq { CKind::Seq(Vec::new()) } else { CKind::Map(Vec::new()) };
                    let node = self.new_node(tag, start, kind);
                    self.open[node] = true;
                    let mut pending_anchor = 0;
                    if fix_from_child {
                        // The anchor's name and the position come with the first key;
                        // aliases inside the mapping must already see the anchor.
                        if anchor_id != 0 {
                            self.anchors.insert(anchor_id, node);
                            pending_anchor = anchor_id;
                        }
                    } else {
                        self.register_anchor(anchor_id, anchor_name, node, start)?;
                    }
                    stack.push(Frame {
                        node,
                        fix_from_child,
                        is_map: !is_seq,
                        flow,
                        flow_map: flow && !is_seq,
                        property_count: if fix_from_child { property_count } else { 0 },
                        pending_anchor,
                        children: Vec::new(),
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = stack.pop() else {
                        return Err(YamlError::internal("unbalanced collection end".to_owned()));
                    };
                    let node = frame.node;
                    self.open[node] = false;
                    match &mut self.nodes[node].kind {
                        CKind::Seq(items) => *items = frame.children,
                        CKind::Map(pairs) => {
                            *pairs = frame.children.chunks(2).filter_map(|c| match c {
                                [k, v] => Some((*k, *v)),
                                _ => None,
                            })
                            .collect();
                        }
                        CKind::Scalar(_) => {}
                    }
                    node
                }
                other => {
                    return Err(YamlError::internal(format!("unexpected event {other:?}")));
                }
            };
            // Attach the finished node to its parent.
            let Some(parent) = stack.last_mut() else {
                return Ok(finished);
            };
            if parent.fix_from_child && parent.children.is_empty() {
                parent.fix_from_child = false;
                let parent_node = parent.node;
                let count = parent.property_count;
                let child_pos = self.source.explicit_key_back(self.positions[finished]);
                let (start, name) = if count > 0 {
                    self.source.properties_back(child_pos, count)
                } else {
                    (child_pos, None)
                };
                self.nodes[parent_node].span = start.span();
                self.positions[parent_node] = start;
                if parent.pending_anchor != 0 {
                    let anchor_id = parent.pending_anchor;
                    parent.pending_anchor = 0;
                    self.register_anchor(anchor_id, name, parent_node, start)?;
                }
            }
            parent.children.push(finished);
        }
    }
}

/// The full tag of an event (`None`: no tag written).
fn full_tag(tag: Option<&Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

impl Composer<'_> {
    /// Converts a yaml-rust2 error into PyYAML's wording where the two correspond.
    fn scan_error(&mut self, error: &ScanError) -> YamlError {
        let pos = self.marker_pos(error.marker());
        let info = error.info();
        if info == "recursion limit exceeded" {
            return YamlError::too_deep(pos);
        }
        let found = self.token_name(pos);
        let (context, problem): (Option<&str>, String) = match info {
            "mapping values are not allowed in this context" => {
                (None, "mapping values are not allowed here".to_owned())
            }
            "block sequence entries are not allowed in this context" => {
                (None, "sequence entries are not allowed here".to_owned())
            }
            "while parsing a block mapping, did not find expected key" => (
                Some("while parsing a block mapping"),
                format!("expected <block end>, but found {found}"),
            ),
            "while parsing a block collection, did not find expected '-' indicator" => (
                Some("while parsing a block collection"),
                format!("expected <block end>, but found {found}"),
            ),
            "while parsing a flow sequence, expected ',' or ']'" => (
                Some("while parsing a flow sequence"),
                format!("expected ',' or ']', but got {found}"),
            ),
            "while parsing a flow mapping, did not find expected ',' or '}'" => (
                Some("while parsing a flow mapping"),
                format!("expected ',' or '}}', but got {found}"),
            ),
            "while parsing a node, did not find expected node content" => (
                Some("while parsing a block node"),
                format!("expected the node content, but found {found}"),
            ),
            // A key cut off before its `:` (a truncated file, a key longer than 1024
            // characters): PyYAML's `while scanning a simple key`.
            "simple key expect ':'" | "simple key expected" => {
                (Some("while scanning a simple key"), "could not find expected ':'".to_owned())
            }
            "did not find expected <document start>" => {
                (None, format!("expected '<document start>', but found {found}"))
            }
            "the handle wasn't declared" => {
                let handle = self.source.text.get(pos.byte..).map_or("", |rest| {
                    let end = rest[1..].find('!').map_or(1, |i| i + 2);
                    &rest[..end.min(rest.len())]
                });
                (
                    Some("while parsing a node"),
                    format!("found undefined tag handle {}", baton_expr::py::str_repr(handle)),
                )
            }
            "while parsing node, found unknown anchor" => {
                let name = self.source.text.get(pos.byte..).map_or("", |rest| {
                    let rest = rest.strip_prefix('*').unwrap_or(rest);
                    let end = rest
                        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
                        .unwrap_or(rest.len());
                    &rest[..end]
                });
                (None, format!("found undefined alias {}", baton_expr::py::str_repr(name)))
            }
            _ => match info.split_once(", ") {
                Some((context, problem)) if context.starts_with("while ") => {
                    (Some(context), problem.to_owned())
                }
                _ => (None, info.to_owned()),
            },
        };
        YamlError {
            message: problem,
            span: Some(pos.span()),
            context: context.map(str::to_owned),
            context_span: None,
            kind: YamlErrorKind::Yaml,
        }
    }

    /// PyYAML's name for the token at `pos` (approximated from the text).
    fn token_name(&self, pos: Pos) -> String {
        let rest = self.source.text.get(pos.byte..).unwrap_or("");
        let mut chars = rest.chars();
        let first = chars.next();
        let second = chars.next();
        let spaced = second.is_none_or(|c| c.is_whitespace());
        let name = match first {
            None => "<stream end>",
            Some('-') if spaced => "-",
            Some('?') if spaced => "?",
            Some(':') if spaced => ":",
            Some('[') => "[",
            Some(']') => "]",
            Some('{') => "{",
            Some('}') => "}",
            Some(',') => ",",
            Some('&') => "<anchor>",
            Some('*') => "<alias>",
            Some('!') => "<tag>",
            Some(_) => "<scalar>",
        };
        format!("'{name}'")
    }
}

/// A Python hash key: equal exactly when Python's `==` holds between dictionary keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PyKey {
    None,
    Int(BigInt),
    Float(u64),
    /// A NaN: equal only to itself (the same composed node, via an alias).
    Nan(usize),
    Str(String),
    Bytes(Vec<u8>),
    Time(TimestampKey),
}

/// The identity PyYAML 6.0.4's merge flattening uses to drop repeated merged keys:
/// `id()` of the key node's value. CPython shares the empty string and one-character
/// Latin-1 strings, so such keys collide even across different nodes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum MergeId {
    Shared(String),
    Node(usize),
}

struct Constructor {
    nodes: Vec<CNode>,
    /// Constructed nodes that an alias (or a merge) may use again.
    cache: HashMap<usize, Built>,
    /// How many times each node was referenced (more than once: cache it).
    refs: Vec<u32>,
    /// Nodes that may be read more than once (inside an aliased node): their text and
    /// children are copied, the others' are moved.
    shared: Vec<bool>,
    /// Nodes built so far, counting every copy.
    built: usize,
    budget: usize,
}

/// What an open collection becomes.
#[derive(Clone, Copy)]
enum Shape {
    Seq,
    Map,
    Set,
    /// `!!omap` (true) or `!!pairs`: a list of (key, value) tuples.
    Pairs(bool),
}

/// A collection being built: its children (keys and values alternate for mappings and
/// pairs) and what is built of them so far.
struct BuildFrame {
    id: usize,
    span: Span,
    shape: Shape,
    children: Vec<usize>,
    next: usize,
    items: Vec<Node>,
    entries: Vec<(Node, Node)>,
    /// Identities of the entries' keys (see [`key_ref`]).
    key_ids: Vec<usize>,
    /// A hash index of the keys, built once a mapping is large.
    index: Option<HashMap<PyKey, usize>>,
    pending_key: Option<(Node, usize)>,
    size: usize,
    height: usize,
}

impl BuildFrame {
    /// The entry whose key Python's dict would take for `key`: a linear scan for small
    /// mappings (no copies), a hash index once the mapping grows.
    fn find_key(&mut self, key: &Node, identity: usize) -> Option<usize> {
        if self.index.is_none() && self.entries.len() >= 16 {
            let mut index = HashMap::with_capacity(self.entries.len() * 2);
            for (i, ((k, _), id)) in self.entries.iter().zip(&self.key_ids).enumerate() {
                if let Some(pk) = py_key(k, *id) {
                    index.entry(pk).or_insert(i);
                }
            }
            self.index = Some(index);
        }
        if let Some(index) = &self.index {
            return py_key(key, identity).and_then(|k| index.get(&k).copied());
        }
        let wanted = key_ref(key, identity)?;
        self.entries
            .iter()
            .zip(&self.key_ids)
            .position(|((k, _), id)| key_ref(k, *id).as_ref() == Some(&wanted))
    }

    /// Takes the child just built (`children[next - 1]`).
    fn accept(&mut self, built: Built, identity: usize) -> Result<(), YamlError> {
        let is_key = (self.next - 1) % 2 == 0;
        match self.shape {
            Shape::Seq => {
                self.size += built.size;
                self.height = self.height.max(built.height + 1);
                self.items.push(built.node);
            }
            Shape::Pairs(_) => {
                self.size += built.size;
                self.height = self.height.max(built.height + 2);
                if is_key {
                    self.items.push(built.node);
                } else if let Some(key) = self.items.pop() {
                    // A Python (key, value) tuple; kept as a two-item list.
                    let span = key.span;
                    self.size += 1;
                    self.items.push(Node { value: Yaml::Seq(vec![key, built.node]), span });
                }
            }
            Shape::Map | Shape::Set => {
                self.size += built.size;
                self.height = self.height.max(built.height + 1);
                if is_key {
                    if key_ref(&built.node, identity).is_none() {
                        return Err(ctor_error(
                            Some(("while constructing a mapping", self.span)),
                            "found unhashable key".to_owned(),
                            built.node.span,
                        ));
                    }
                    self.pending_key = Some((built.node, identity));
                } else if let Some((key, identity)) = self.pending_key.take() {
                    match self.find_key(&key, identity) {
                        Some(i) => self.entries[i].1 = built.node,
                        None => {
                            if let (Some(index), Some(k)) = (self.index.as_mut(), py_key(&key, identity)) {
                                index.insert(k, self.entries.len());
                            }
                            self.entries.push((key, built.node));
                            self.key_ids.push(identity);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone)]
struct Built {
    node: Node,
    size: usize,
    height: usize,
}

fn ctor_error(context: Option<(&str, Span)>, problem: String, span: Span) -> YamlError {
    YamlError {
        message: problem,
        span: Some(span),
        context: context.map(|(c, _)| c.to_owned()),
        context_span: context.map(|(_, s)| s),
        kind: YamlErrorKind::Yaml,
    }
}

fn py_error(e: PyError, span: Span) -> YamlError {
    YamlError { message: e.0, span: Some(span), context: None, context_span: None, kind: YamlErrorKind::Python }
}

impl Constructor {
    fn new(nodes: Vec<CNode>) -> Self {
        let mut refs = vec![0u32; nodes.len()];
        for node in &nodes {
            match &node.kind {
                CKind::Seq(items) => items.iter().for_each(|i| refs[*i] = refs[*i].saturating_add(1)),
                CKind::Map(pairs) => pairs.iter().for_each(|(k, v)| {
                    refs[*k] = refs[*k].saturating_add(1);
                    refs[*v] = refs[*v].saturating_add(1);
                }),
                CKind::Scalar(_) => {}
            }
        }
        let budget = nodes.len().saturating_add(MAX_ALIAS_NODES);
        let mut shared = vec![false; nodes.len()];
        let mut todo: Vec<usize> = (0..nodes.len()).filter(|i| refs[*i] > 1).collect();
        while let Some(id) = todo.pop() {
            if std::mem::replace(&mut shared[id], true) {
                continue;
            }
            match &nodes[id].kind {
                CKind::Seq(items) => todo.extend(items),
                CKind::Map(pairs) => todo.extend(pairs.iter().flat_map(|(k, v)| [*k, *v])),
                CKind::Scalar(_) => {}
            }
        }
        Constructor { nodes, cache: HashMap::new(), refs, shared, built: 0, budget }
    }

    fn construct(&mut self, id: usize, depth: usize) -> Result<Node, YamlError> {
        Ok(self.build(id, depth)?.node)
    }

    fn count(&mut self, size: usize, span: Span) -> Result<(), YamlError> {
        self.built = self.built.saturating_add(size);
        if self.built > self.budget {
            return Err(YamlError {
                message: format!(
                    "aliases expand to too many nodes (more than {MAX_ALIAS_NODES} beyond the document's own)"
                ),
                span: Some(span),
                context: None,
                context_span: None,
                kind: YamlErrorKind::Limit,
            });
        }
        Ok(())
    }

    /// Builds the node `root` (PyYAML's `construct_object`) without recursion: open
    /// collections wait on an explicit stack, so deep documents need no deep stack.
    fn build(&mut self, root: usize, depth: usize) -> Result<Built, YamlError> {
        let mut stack: Vec<BuildFrame> = Vec::new();
        let mut ready = self.start(root, depth, &mut stack)?;
        loop {
            if let Some(built) = ready.take() {
                let Some(top) = stack.last() else { return Ok(built) };
                let child = top.children[top.next - 1];
                let identity = match built.node.value {
                    Yaml::Float(f) if f.is_nan() => self.key_identity(child),
                    _ => child,
                };
                if let Some(top) = stack.last_mut() {
                    top.accept(built, identity)?;
                }
            }
            let Some(top) = stack.last_mut() else {
                return Err(YamlError::internal("constructor stack underflow".to_owned()));
            };
            if top.next < top.children.len() {
                let child = top.children[top.next];
                top.next += 1;
                let child_depth = depth + stack.len();
                ready = self.start(child, child_depth, &mut stack)?;
            } else if let Some(frame) = stack.pop() {
                ready = Some(self.finish(frame)?);
            }
        }
    }

    /// `.nan` is one shared float object in PyYAML, so such keys collide; a NaN from
    /// `!!float nan` is a new object each time (identity = the node).
    fn key_identity(&self, id: usize) -> usize {
        match &self.nodes[id].kind {
            CKind::Scalar(t)
                if t.replace('_', "").to_lowercase().trim_start_matches(['-', '+']) == ".nan" =>
            {
                usize::MAX
            }
            _ => id,
        }
    }

    /// Starts building `id`: a finished value, or a new frame on `stack`.
    fn start(&mut self, id: usize, depth: usize, stack: &mut Vec<BuildFrame>) -> Result<Option<Built>, YamlError> {
        let span = self.nodes[id].span;
        if let Some(cached) = self.cache.get(&id) {
            if depth + cached.height > MAX_DEPTH {
                return Err(YamlError::too_deep_span(span));
            }
            let size = cached.size;
            self.count(size, span)?;
            return Ok(self.cache.get(&id).cloned());
        }
        if depth > MAX_DEPTH {
            return Err(YamlError::too_deep_span(span));
        }
        let shape = match (self.nodes[id].tag.strip_prefix(PREFIX), &self.nodes[id].kind) {
            (Some("seq"), CKind::Seq(_)) => Shape::Seq,
            (Some("map"), CKind::Map(_)) => Shape::Map,
            (Some("set"), CKind::Map(_)) => Shape::Set,
            (Some(kind @ ("omap" | "pairs")), CKind::Seq(_)) => Shape::Pairs(kind == "omap"),
            _ => return self.build_other(id).map(Some),
        };
        let children = match shape {
            Shape::Seq => match &mut self.nodes[id].kind {
                // Used once: nothing reads the node again.
                CKind::Seq(items) if !self.shared[id] => std::mem::take(items),
                CKind::Seq(items) => items.clone(),
                _ => Vec::new(),
            },
            Shape::Map | Shape::Set => {
                self.flatten(id, 0)?;
                match &self.nodes[id].kind {
                    CKind::Map(pairs) => pairs.iter().flat_map(|(k, v)| [*k, *v]).collect(),
                    _ => Vec::new(),
                }
            }
            Shape::Pairs(omap) => self.pairs_children(id, omap, span)?,
        };
        stack.push(BuildFrame {
            id,
            span,
            shape,
            children,
            next: 0,
            items: Vec::new(),
            entries: Vec::new(),
            key_ids: Vec::new(),
            index: None,
            pending_key: None,
            size: 1,
            height: 1,
        });
        Ok(None)
    }

    /// The keys and values of a `!!omap`/`!!pairs` sequence of one-pair mappings.
    fn pairs_children(&self, id: usize, omap: bool, span: Span) -> Result<Vec<usize>, YamlError> {
        let context = if omap { "while constructing an ordered map" } else { "while constructing pairs" };
        let CKind::Seq(items) = &self.nodes[id].kind else { return Ok(Vec::new()) };
        let mut children = Vec::with_capacity(items.len() * 2);
        for item in items {
            let item_span = self.nodes[*item].span;
            match &self.nodes[*item].kind {
                CKind::Map(pairs) if pairs.len() == 1 => children.extend([pairs[0].0, pairs[0].1]),
                CKind::Map(pairs) => {
                    return Err(ctor_error(
                        Some((context, span)),
                        format!("expected a single mapping item, but found {} items", pairs.len()),
                        item_span,
                    ));
                }
                other => {
                    return Err(ctor_error(
                        Some((context, span)),
                        format!("expected a mapping of length 1, but found {}", other.id()),
                        item_span,
                    ));
                }
            }
        }
        Ok(children)
    }

    fn finish(&mut self, frame: BuildFrame) -> Result<Built, YamlError> {
        let span = frame.span;
        self.count(1, span)?;
        let value = match frame.shape {
            Shape::Seq | Shape::Pairs(_) => Yaml::Seq(frame.items),
            Shape::Map => Yaml::Map(frame.entries),
            // A Python set; kept as a mapping to null (see `Yaml`'s docs).
            Shape::Set => Yaml::Map(
                frame
                    .entries
                    .into_iter()
                    .map(|(k, v)| (k, Node { value: Yaml::Null, span: v.span }))
                    .collect(),
            ),
        };
        let built = Built { node: Node { value, span }, size: frame.size, height: frame.height };
        if self.refs[frame.id] > 1 {
            self.cache.insert(frame.id, built.clone());
        }
        Ok(built)
    }

    fn scalar_value(&self, id: usize) -> Result<&str, YamlError> {
        let node = &self.nodes[id];
        match &node.kind {
            CKind::Scalar(v) => Ok(v),
            CKind::Map(pairs) => {
                // SafeConstructor.construct_scalar: a mapping with a `=` key stands for
                // that key's value.
                for (k, v) in pairs {
                    if self.nodes[*k].tag == resolve::TAG_VALUE {
                        return self.scalar_value(*v);
                    }
                }
                Err(ctor_error(None, format!("expected a scalar node, but found {}", node.kind.id()), node.span))
            }
            CKind::Seq(_) => Err(ctor_error(
                None,
                format!("expected a scalar node, but found {}", node.kind.id()),
                node.span,
            )),
        }
    }

    fn leaf(&mut self, value: Yaml, span: Span) -> Result<Built, YamlError> {
        self.count(1, span)?;
        Ok(Built { node: Node { value, span }, size: 1, height: 1 })
    }

    /// Scalars, and the errors for collections under a tag that does not fit them.
    fn build_other(&mut self, id: usize) -> Result<Built, YamlError> {
        let span = self.nodes[id].span;
        let tag = self.nodes[id].tag.clone();
        let suffix = tag.strip_prefix(PREFIX);
        let found = self.nodes[id].kind.id();
        match suffix {
            Some("null") => {
                self.scalar_value(id)?;
                self.leaf(Yaml::Null, span)
            }
            Some("bool") => {
                let b = resolve::construct_bool(self.scalar_value(id)?).map_err(|e| py_error(e, span))?;
                self.leaf(Yaml::Bool(b), span)
            }
            Some("int") => {
                let i = resolve::construct_int(self.scalar_value(id)?).map_err(|e| py_error(e, span))?;
                self.leaf(Yaml::Int(i), span)
            }
            Some("float") => {
                let f = resolve::construct_float(self.scalar_value(id)?).map_err(|e| py_error(e, span))?;
                self.leaf(Yaml::Float(f), span)
            }
            Some("str") => {
                let s = match &mut self.nodes[id].kind {
                    // Used once: move the text instead of copying it.
                    CKind::Scalar(text) if !self.shared[id] => std::mem::take(text),
                    _ => self.scalar_value(id)?.to_owned(),
                };
                self.leaf(Yaml::Str(s), span)
            }
            Some("binary") => {
                let text = self.scalar_value(id)?;
                if let Some((i, c)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
                    return Err(ctor_error(
                        None,
                        format!(
                            "failed to convert base64 data into ascii: 'ascii' codec can't encode \
                             character {} in position {i}: ordinal not in range(128)",
                            python_char_repr(c)
                        ),
                        span,
                    ));
                }
                let bytes = binary::decode(text.as_bytes()).map_err(|e| {
                    ctor_error(None, format!("failed to decode base64 data: {e}"), span)
                })?;
                self.leaf(Yaml::Binary(bytes), span)
            }
            Some("timestamp") => {
                let CKind::Scalar(text) = &self.nodes[id].kind else {
                    return Err(py_error(
                        PyError("expected string or bytes-like object, got 'list'".to_owned()),
                        span,
                    ));
                };
                let text = text.clone();
                Timestamp::parse(&text).map_err(|e| py_error(PyError(e), span))?;
                self.leaf(Yaml::Timestamp(text), span)
            }
            Some("seq") => Err(ctor_error(None, format!("expected a sequence node, but found {found}"), span)),
            Some("map" | "set") => Err(ctor_error(None, format!("expected a mapping node, but found {found}"), span)),
            Some(kind @ ("omap" | "pairs")) => {
                let context = if kind == "omap" { "while constructing an ordered map" } else { "while constructing pairs" };
                Err(ctor_error(Some((context, span)), format!("expected a sequence, but found {found}"), span))
            }
            _ => Err(ctor_error(
                None,
                format!(
                    "could not determine a constructor for the tag {}",
                    baton_expr::py::str_repr(&tag)
                ),
                span,
            )),
        }
    }

    /// `SafeConstructor.flatten_mapping` (PyYAML 6.0.4), mutating the graph in place as
    /// PyYAML does.
    fn flatten(&mut self, id: usize, level: usize) -> Result<(), YamlError> {
        if level > MAX_MERGE_NESTING {
            return Err(YamlError {
                message: format!("merge keys nest too deeply (more than {MAX_MERGE_NESTING} levels)"),
                span: Some(self.nodes[id].span),
                context: None,
                context_span: None,
                kind: YamlErrorKind::Limit,
            });
        }
        let span = self.nodes[id].span;
        let CKind::Map(pairs) = &self.nodes[id].kind else { return Ok(()) };
        if !pairs.iter().any(|(k, _)| {
            let t = &self.nodes[*k].tag;
            t == resolve::TAG_MERGE || t == resolve::TAG_VALUE
        }) {
            return Ok(());
        }
        let mut pairs = pairs.clone();
        let mut merge: Vec<(usize, usize)> = Vec::new();
        let mut seen: std::collections::HashSet<MergeId> = std::collections::HashSet::new();
        let mut index = 0;
        while index < pairs.len() {
            let (k, v) = pairs[index];
            if self.nodes[k].tag == resolve::TAG_MERGE {
                pairs.remove(index);
                let sources: Vec<usize> = match &self.nodes[v].kind {
                    CKind::Map(_) => vec![v],
                    CKind::Seq(items) => {
                        let items = items.clone();
                        for item in &items {
                            if !matches!(self.nodes[*item].kind, CKind::Map(_)) {
                                let found = self.nodes[*item].kind.id();
                                return Err(ctor_error(
                                    Some(("while constructing a mapping", span)),
                                    format!("expected a mapping for merging, but found {found}"),
                                    self.nodes[*item].span,
                                ));
                            }
                        }
                        items
                    }
                    CKind::Scalar(_) => {
                        return Err(ctor_error(
                            Some(("while constructing a mapping", span)),
                            "expected a mapping or list of mappings for merging, but found scalar".to_owned(),
                            self.nodes[v].span,
                        ));
                    }
                };
                for source in sources {
                    self.flatten(source, level + 1)?;
                    if let CKind::Map(sub) = &self.nodes[source].kind {
                        for &(sk, sv) in sub {
                            if seen.insert(self.merge_id(sk)) {
                                merge.push((sk, sv));
                            }
                        }
                    }
                }
            } else {
                if self.nodes[k].tag == resolve::TAG_VALUE {
                    self.nodes[k].tag = Cow::Borrowed(resolve::TAG_STR);
                }
                index += 1;
            }
        }
        if !merge.is_empty() {
            for (k, v) in &merge {
                self.refs[*k] = self.refs[*k].saturating_add(1);
                self.refs[*v] = self.refs[*v].saturating_add(1);
            }
            merge.extend(pairs);
            pairs = merge;
        }
        self.nodes[id].kind = CKind::Map(pairs);
        Ok(())
    }

    fn merge_id(&self, key: usize) -> MergeId {
        if let CKind::Scalar(text) = &self.nodes[key].kind {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (None, _) => return MergeId::Shared(String::new()),
                (Some(c), None) if u32::from(c) < 0x100 => return MergeId::Shared(text.clone()),
                _ => {}
            }
        }
        MergeId::Node(key)
    }
}

/// A borrowed [`PyKey`]: compares as Python compares dictionary keys.
#[derive(Debug, PartialEq)]
enum KeyRef<'a> {
    None,
    Int(Cow<'a, BigInt>),
    Float(u64),
    Nan(usize),
    Str(&'a str),
    Bytes(&'a [u8]),
    Time(TimestampKey),
}

/// The comparison key of a constructed mapping key, `None` when Python cannot hash it.
fn key_ref(node: &Node, id: usize) -> Option<KeyRef<'_>> {
    Some(match &node.value {
        Yaml::Str(s) => KeyRef::Str(s),
        Yaml::Null => KeyRef::None,
        Yaml::Bool(b) => KeyRef::Int(Cow::Owned(BigInt::from(u8::from(*b)))),
        Yaml::Int(i) => KeyRef::Int(Cow::Borrowed(i)),
        Yaml::Float(f) if f.is_nan() => KeyRef::Nan(id),
        Yaml::Float(f) if f.is_finite() && f.fract() == 0.0 => {
            KeyRef::Int(Cow::Owned(BigInt::from_f64(*f).unwrap_or_else(BigInt::zero)))
        }
        Yaml::Float(f) => KeyRef::Float(f.to_bits()),
        Yaml::Binary(b) => KeyRef::Bytes(b),
        Yaml::Timestamp(t) => KeyRef::Time(Timestamp::parse(t).ok()?.key()),
        Yaml::Seq(_) | Yaml::Map(_) => return None,
    })
}

/// The hash key of a constructed mapping key, `None` when Python cannot hash it.
fn py_key(node: &Node, id: usize) -> Option<PyKey> {
    Some(match &node.value {
        Yaml::Null => PyKey::None,
        Yaml::Bool(b) => PyKey::Int(BigInt::from(u8::from(*b))),
        Yaml::Int(i) => PyKey::Int(i.clone()),
        Yaml::Float(f) if f.is_nan() => PyKey::Nan(id),
        Yaml::Float(f) if f.is_finite() && f.fract() == 0.0 => {
            PyKey::Int(BigInt::from_f64(*f).unwrap_or_else(BigInt::zero))
        }
        Yaml::Float(f) => PyKey::Float(f.to_bits()),
        Yaml::Str(s) => PyKey::Str(s.clone()),
        Yaml::Binary(b) => PyKey::Bytes(b.clone()),
        Yaml::Timestamp(t) => PyKey::Time(Timestamp::parse(t).ok()?.key()),
        Yaml::Seq(_) | Yaml::Map(_) => return None,
    })
}

/// Python's `repr()` of one character, as in `UnicodeEncodeError` messages.
fn python_char_repr(c: char) -> String {
    let u = u32::from(c);
    if u < 0x100 {
        format!("'\\x{u:02x}'")
    } else if u < 0x10000 {
        format!("'\\u{u:04x}'")
    } else {
        format!("'\\U{u:08x}'")
    }
}
