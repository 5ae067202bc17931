//! YAML loading with PyYAML's (YAML 1.1) semantics and node positions.

use num_bigint::BigInt;

/// A position in a source document: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Span {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// A YAML node with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The resolved value.
    pub value: Yaml,
    /// Where the node starts in the source.
    pub span: Span,
}

/// A YAML value as PyYAML constructs it (YAML 1.1 resolution of plain scalars).
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
