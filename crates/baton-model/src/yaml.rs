//! YAML loading with PyYAML's (YAML 1.1) semantics and node positions, and dumping as
//! PyYAML's `yaml.safe_dump` writes.
//!
//! The reference reads workflow files with `yaml.safe_load` and writes the run folder's
//! `workflow.yml` copy with `yaml.safe_dump(data, sort_keys=False, allow_unicode=True)`.
//! [`parse`] gives the value `safe_load` builds, with the line and column of every node;
//! [`dump`] writes the text `safe_dump` writes.
//!
//! The syntax is read by yaml-rust2's event parser (YAML 1.2 syntax, which agrees with
//! PyYAML's YAML 1.1 scanner on practically every document; it is the only YAML
//! library this module uses for reading). Everything after the syntax is done here, as
//! PyYAML does it: composing anchors and aliases, resolving plain scalars with the YAML
//! 1.1 rules (`yes`/`on` are booleans, `0777` is octal, `1:30` is 90, `1e3` is a
//! string but `1.0e+3` a float, dates are timestamps), merge keys, explicit tags, and
//! Python dict semantics for repeated keys.
//!
//! ```
//! use baton_model::yaml::{dump, parse, Yaml};
//!
//! let node = parse("on: yes\nversion: 1.0\nwhen: 2024-01-01\n")?;
//! assert_eq!(node.py_repr(), "{True: True, 'version': 1.0, 'when': datetime.date(2024, 1, 1)}");
//! let first_key = &node.as_map().unwrap()[0].0;
//! assert_eq!((first_key.span.line, first_key.span.col), (1, 1));
//! assert!(matches!(node.get("version").map(|n| &n.value), Some(Yaml::Float(_))));
//! assert_eq!(dump(&node), "true: true\nversion: 1.0\nwhen: 2024-01-01\n");
//! # Ok::<(), baton_model::yaml::YamlError>(())
//! ```
//!
//! Limits the reference does not have (it crashes or exhausts memory instead): nesting
//! deeper than [`MAX_DEPTH`] levels and aliases that expand to more than
//! [`MAX_ALIAS_NODES`] nodes beyond the document's own are refused with an error of
//! kind [`YamlErrorKind::Limit`].

mod binary;
mod convert;
mod emit;
mod load;
mod resolve;
mod source;
mod tabs;
mod timestamp;

use num_bigint::BigInt;

pub use emit::{dump, dump_with, DumpOptions};

/// The deepest nesting of collections [`parse`] accepts (aliases included).
pub const MAX_DEPTH: usize = 512;

/// How many nodes aliases (and merge keys) may add to a document beyond the nodes
/// written in it; a "billion laughs" document goes far beyond.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// A position in a source document: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Span {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// A YAML node with the position where it starts.
///
/// The position is where PyYAML's node starts: at the first property (`&anchor`,
/// `!tag`) when there is one, at the `|`/`>` of a block scalar, right after the `:` or
/// `-` of an empty value, at the first key of a block mapping. A node reached through
/// an alias keeps the position of the anchored node (PyYAML shares the object).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The resolved value.
    pub value: Yaml,
    /// Where the node starts in the source.
    pub span: Span,
}

/// A YAML value as PyYAML constructs it (YAML 1.1 resolution of plain scalars).
///
/// Two rare constructs are approximated: `!!set` (a Python `set`) is kept as a mapping
/// whose values are null, and `!!omap`/`!!pairs` (a list of `(key, value)` tuples) as a
/// list of two-item lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// `null`, `~`, empty.
    Null,
    /// `true/false/yes/no/on/off` in any of PyYAML's spellings.
    Bool(bool),
    /// Integers, including `0o`/`0x`/`0b`, legacy octal `0777`, `1_000`, base-60 `1:30`.
    Int(BigInt),
    /// Floats, including `.inf`, `.nan`, `1_000.5`, base-60.
    Float(f64),
    /// Strings.
    Str(String),
    /// `!!timestamp` values (dates and datetimes), kept as their source text.
    Timestamp(String),
    /// `!!binary` values.
    Binary(Vec<u8>),
    /// Sequences.
    Seq(Vec<Node>),
    /// Mappings in document order; a duplicated key keeps the last value at the first
    /// key's position (as a Python dict does). Keys may be any hashable scalar.
    Map(Vec<(Node, Node)>),
}

/// What kind of failure a [`YamlError`] is, which decides how the reference reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum YamlErrorKind {
    /// PyYAML raises a `yaml.YAMLError` (scanner, parser, composer or constructor
    /// error): the reference prints `Invalid YAML in <path>: <`[`YamlError::render`]`>`.
    Yaml,
    /// PyYAML's reader refuses a character (`yaml.reader.ReaderError`, also a
    /// `YAMLError`); it names the character's position in the text.
    Reader {
        /// 0-based index of the character in the text.
        position: usize,
    },
    /// A plain Python exception escapes PyYAML (`ValueError` for `2024-02-30`, …): the
    /// reference prints only the message.
    Python,
    /// Input refused by baton's own limits (nesting depth, alias expansion, recursive
    /// aliases), where the reference crashes or exhausts memory.
    Limit,
}

/// A document that cannot be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.render("<unicode string>"))]
pub struct YamlError {
    /// The problem, worded as PyYAML words it where practical
    /// (`mapping values are not allowed here`).
    pub message: String,
    /// Where the problem is.
    pub span: Option<Span>,
    /// What was being read, as PyYAML says it (`while parsing a block mapping`).
    pub context: Option<String>,
    /// Where the context starts.
    pub context_span: Option<Span>,
    /// How the reference reports this kind of error.
    pub kind: YamlErrorKind,
}

impl YamlError {
    /// The text of PyYAML's exception for a document read from a file called `name`
    /// (the reference's `Invalid YAML in <path>: ` goes before it): context, problem and
    /// their `in "<name>", line L, column C` marks; for other kinds just the message.
    /// `Display` renders with the name `<unicode string>`, as for a string source
    /// (PyYAML would add a source snippet there; baton does not).
    pub fn render(&self, name: &str) -> String {
        let mark = |span: Span| format!("  in \"{name}\", line {}, column {}", span.line, span.col);
        match self.kind {
            YamlErrorKind::Reader { position } => {
                format!("{}\n  in \"{name}\", position {position}", self.message)
            }
            YamlErrorKind::Python | YamlErrorKind::Limit => self.message.clone(),
            YamlErrorKind::Yaml => {
                let mut lines = Vec::new();
                if let Some(context) = &self.context {
                    lines.push(context.clone());
                }
                if let Some(cs) = self.context_span {
                    if self.span != Some(cs) {
                        lines.push(mark(cs));
                    }
                }
                lines.push(self.message.clone());
                if let Some(span) = self.span {
                    lines.push(mark(span));
                }
                lines.join("\n")
            }
        }
    }

    /// Whether PyYAML raises this as a `yaml.YAMLError` (the reference then prefixes
    /// `Invalid YAML in <path>: `).
    pub fn is_yaml_error(&self) -> bool {
        matches!(self.kind, YamlErrorKind::Yaml | YamlErrorKind::Reader { .. })
    }

    fn yaml(message: &str, pos: source::Pos) -> Self {
        YamlError {
            message: message.to_owned(),
            span: Some(pos.span()),
            context: None,
            context_span: None,
            kind: YamlErrorKind::Yaml,
        }
    }

    fn too_deep(pos: source::Pos) -> Self {
        Self::too_deep_span(pos.span())
    }

    fn too_deep_span(span: Span) -> Self {
        YamlError {
            message: format!("document nesting is too deep (more than {MAX_DEPTH} levels)"),
            span: Some(span),
            context: None,
            context_span: None,
            kind: YamlErrorKind::Limit,
        }
    }

    fn internal(message: String) -> Self {
        YamlError { message, span: None, context: None, context_span: None, kind: YamlErrorKind::Yaml }
    }
}

/// Loads one YAML document exactly as `yaml.safe_load` does, with positions.
///
/// An empty document (or one holding only comments) is `Yaml::Null`; a stream of two
/// or more documents is refused as PyYAML refuses it.
///
/// # Errors
/// A [`YamlError`] for text PyYAML refuses (its message worded as PyYAML's where
/// practical), for values Python refuses (`2024-02-30`), and for baton's limits.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    load::load(text)
}
