//! The syntax tree of one expression body, and the parser that builds it.
//!
//! The reference evaluates by splitting text, trying its rules in a fixed order (spec
//! §2.3). Which rule applies depends only on the text, never on values, so the same
//! splitting can run once, ahead of evaluation, and produce a tree. Mistakes the
//! reference reports only when it reaches them (a malformed filter, an ambiguous filter
//! chain) become [`Kind::Fail`] nodes and [`FilterKind::Invalid`] filters that raise
//! their error when evaluated, so evaluation order and short-circuiting stay the
//! reference's.

use std::ops::Range;

use num_bigint::BigInt;

use crate::error::ExprError;
use crate::py;
use crate::scan::{self, find_top_level, split_top_level};
use crate::value::Value;

/// Deepest nesting the parser builds; deeper text becomes a [`ExprError::TooDeep`] node.
pub(crate) const MAX_DEPTH: usize = 1000;

/// One node, with the byte range of its text in the string it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub(crate) kind: Kind,
    pub(crate) span: Range<usize>,
}

/// What a node is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// A string, number, boolean or null literal.
    Literal(Value),
    /// `[a, b, …]`.
    List(Vec<Expr>),
    /// A dotted path resolved against the namespace.
    Path(Path),
    /// `head | f | g`.
    Pipe(Box<Expr>, Vec<Filter>),
    /// `a or b` (always a bool).
    Or(Box<Expr>, Box<Expr>),
    /// `a and b` (always a bool).
    And(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `a <op> b`.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Text the reference refuses when it reaches it.
    Fail(ExprError),
}

/// Comparison and membership operators, in the order the reference tries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Ne,
    Eq,
    Ge,
    Le,
    Gt,
    Lt,
    NotIn,
    In,
}

impl CmpOp {
    pub(crate) const ALL: [(CmpOp, &'static str); 8] = [
        (CmpOp::Ne, "!="),
        (CmpOp::Eq, "=="),
        (CmpOp::Ge, ">="),
        (CmpOp::Le, "<="),
        (CmpOp::Gt, ">"),
        (CmpOp::Lt, "<"),
        (CmpOp::NotIn, " not in "),
        (CmpOp::In, " in "),
    ];
}

/// A dotted path: its text (as the reference's validation probe records it) and its
/// segments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    pub(crate) text: String,
    pub(crate) segments: Vec<Segment>,
}

/// One `.`-separated piece of a path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    /// A key, used verbatim.
    Key(String),
    /// `key[N]`: a key, then an index into the list found there.
    Index(String, Index),
}

/// The `N` of `key[N]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Index {
    Int(BigInt),
    /// More digits than Python's `int()` converts (it raises when the path reaches it).
    TooLong(usize),
}

/// One filter of a chain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter {
    pub(crate) kind: FilterKind,
    /// The argument of `name(arg)`, evaluated before the filter applies (even for a
    /// filter that then turns out to be unknown).
    pub(crate) arg: Option<Expr>,
}

/// The filters of spec §2.7.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FilterKind {
    Default,
    Join,
    Map,
    Contains,
    Split,
    FromJson,
    Upper,
    Lower,
    Length,
    ToJson,
    /// A segment the reference rejects; raised after the argument (if any) is evaluated.
    Invalid(ExprError),
}

const REGISTERED: [&str; 10] = [
    "default",
    "join",
    "map",
    "contains",
    "from_json",
    "upper",
    "lower",
    "split",
    "length",
    "to_json",
];

/// Parses one expression body (the text between `{{` and `}}`). Spans are byte ranges
/// in `body`, shifted by `offset`.
pub(crate) fn parse_body(body: &str, offset: usize) -> Expr {
    let (text, map) = scan::collapse(body);
    let parser = Parser { text: &text, map: &map, offset };
    parser.parse(0, text.len(), 0)
}

struct Parser<'p> {
    /// The collapsed body.
    text: &'p str,
    /// Collapsed byte → original byte.
    map: &'p [usize],
    offset: usize,
}

impl Parser<'_> {
    fn span(&self, lo: usize, hi: usize) -> Range<usize> {
        let start = self.map[lo];
        let end = if hi > lo { self.map[hi - 1] + 1 } else { start };
        // A mapped end can land inside a multi-byte whitespace character only for a
        // collapsed space, which never ends a stripped slice; keep the range valid anyway.
        self.offset + start..self.offset + end.max(start)
    }

    fn node(&self, kind: Kind, lo: usize, hi: usize) -> Expr {
        Expr { kind, span: self.span(lo, hi) }
    }

    /// Strips `[lo, hi)` of Python whitespace.
    fn strip(&self, lo: usize, hi: usize) -> (usize, usize) {
        let slice = &self.text[lo..hi];
        let stripped = py::strip(slice);
        let start = lo + (stripped.as_ptr() as usize - slice.as_ptr() as usize);
        (start, start + stripped.len())
    }

    fn parse(&self, lo: usize, hi: usize, depth: usize) -> Expr {
        crate::deep(|| self.parse_here(lo, hi, depth))
    }

    fn parse_here(&self, lo: usize, hi: usize, depth: usize) -> Expr {
        let (lo, hi) = self.strip(lo, hi);
        if depth > MAX_DEPTH {
            return self.node(Kind::Fail(ExprError::TooDeep(MAX_DEPTH)), lo, hi);
        }
        let expr = &self.text[lo..hi];
        let bytes = expr.as_bytes();
        let d = depth + 1;

        // 1. A string literal: the opening quote's next occurrence is the last character.
        if let Some(&q @ (b'\'' | b'"')) = bytes.first() {
            if expr[1..].find(q as char).map(|i| i + 1) == Some(expr.len() - 1) {
                let s = expr[1..expr.len() - 1].to_owned();
                return self.node(Kind::Literal(Value::Str(s)), lo, hi);
            }
        }
        // 2. A parenthesised group.
        if scan::is_wrapped_in_parens(expr) {
            let mut inner = self.parse(lo + 1, hi - 1, d);
            inner.span = self.span(lo, hi);
            return inner;
        }
        // 3-7 split at top-level tokens; one scan finds them all.
        let [pipe, or, and, ne, eq, ge, le, gt, lt, not_in, in_] = scan::find_all_top_level(
            expr,
            ["|", " or ", " and ", "!=", "==", ">=", "<=", ">", "<", " not in ", " in "],
        );
        // 3. A filter chain.
        if pipe.is_some() {
            return self.parse_pipe(lo, hi, d);
        }
        // 4-5. `or`, then `and`, at their first top-level occurrence.
        for (found, len, make) in [
            (or, 4, Kind::Or as fn(Box<Expr>, Box<Expr>) -> Kind),
            (and, 5, Kind::And as fn(Box<Expr>, Box<Expr>) -> Kind),
        ] {
            if let Some(i) = found {
                let left = self.parse(lo, lo + i, d);
                let right = self.parse(lo + i + len, hi, d);
                return self.node(make(Box::new(left), Box::new(right)), lo, hi);
            }
        }
        // 6. `not ` prefix.
        if expr.starts_with("not ") {
            let inner = self.parse(lo + 4, hi, d);
            return self.node(Kind::Not(Box::new(inner)), lo, hi);
        }
        // 7. Comparisons: the first operator of the list found anywhere, split there.
        let cmp = [ne, eq, ge, le, gt, lt, not_in, in_];
        for ((op, token), found) in CmpOp::ALL.into_iter().zip(cmp) {
            if let Some(i) = found {
                let left = self.parse(lo, lo + i, d);
                let right = self.parse(lo + i + token.len(), hi, d);
                return self.node(Kind::Compare(op, Box::new(left), Box::new(right)), lo, hi);
            }
        }
        // 8. Numbers: `float()` when the text holds a dot, else `int()`.
        if expr.contains('.') {
            if let Some(f) = py::parse_float(expr) {
                return self.node(Kind::Literal(Value::Float(f)), lo, hi);
            }
        } else if let Ok(i) = py::parse_int(expr) {
            return self.node(Kind::Literal(Value::Int(i)), lo, hi);
        }
        // 9. Booleans and null, in any case.
        let literal = if expr.eq_ignore_ascii_case("true") {
            Some(Value::Bool(true))
        } else if expr.eq_ignore_ascii_case("false") {
            Some(Value::Bool(false))
        } else if expr.eq_ignore_ascii_case("none") || expr.eq_ignore_ascii_case("null") {
            Some(Value::Null)
        } else {
            None
        };
        if let Some(v) = literal {
            return self.node(Kind::Literal(v), lo, hi);
        }
        // 10. A list literal.
        if scan::is_single_list_literal(expr) {
            let (ilo, ihi) = self.strip(lo + 1, hi - 1);
            let mut items = Vec::new();
            if ilo < ihi {
                for (start, piece) in split_top_level(&self.text[ilo..ihi], ",") {
                    if !py::strip(piece).is_empty() {
                        items.push(self.parse(ilo + start, ilo + start + piece.len(), d));
                    }
                }
            }
            return self.node(Kind::List(items), lo, hi);
        }
        // 11. A path.
        self.node(Kind::Path(parse_path(expr)), lo, hi)
    }

    fn parse_pipe(&self, lo: usize, hi: usize, d: usize) -> Expr {
        let expr = &self.text[lo..hi];
        let segments = split_top_level(expr, "|");
        let (head_start, head_raw) = segments[0];
        let head = py::strip(head_raw);
        let op = if head.starts_with("not ") {
            Some("not")
        } else {
            ["!=", "==", ">=", "<=", ">", "<", " not in ", " in ", " or ", " and "]
                .into_iter()
                .find(|op| find_top_level(head, op).is_some())
                .map(str::trim)
        };
        if let Some(op) = op {
            let err = ExprError::AmbiguousFilterPrecedence {
                expr: expr.to_owned(),
                filter: py::strip(segments[1].1).to_owned(),
                head: head.to_owned(),
                op: op.to_owned(),
            };
            return self.node(Kind::Fail(err), lo, hi);
        }
        let head = self.parse(lo + head_start, lo + head_start + head_raw.len(), d);
        let filters = segments[1..]
            .iter()
            .map(|&(start, seg)| {
                let (slo, shi) = self.strip(lo + start, lo + start + seg.len());
                self.parse_filter(slo, shi, d)
            })
            .collect();
        self.node(Kind::Pipe(Box::new(head), filters), lo, hi)
    }

    fn parse_filter(&self, lo: usize, hi: usize, d: usize) -> Filter {
        let seg = &self.text[lo..hi];
        let word_len: usize = seg.chars().take_while(|&c| py::is_word(c)).map(char::len_utf8).sum();
        let leading = &seg[..word_len];
        let invalid = |e| Filter { kind: FilterKind::Invalid(e), arg: None };
        let zero_arg = match leading {
            "from_json" => Some(FilterKind::FromJson),
            "upper" => Some(FilterKind::Upper),
            "lower" => Some(FilterKind::Lower),
            "length" => Some(FilterKind::Length),
            "to_json" => Some(FilterKind::ToJson),
            _ => None,
        };
        if let Some(kind) = zero_arg {
            if seg != leading {
                return invalid(ExprError::TrailingTokens {
                    name: leading.to_owned(),
                    segment: seg.to_owned(),
                });
            }
            return Filter { kind, arg: None };
        }
        // `name(arg)` with one argument (no top-level comma) and no newline in it.
        let call = (word_len > 0
            && seg[word_len..].starts_with('(')
            && seg.ends_with(')')
            && seg.len() > word_len + 2)
            .then(|| &seg[word_len + 1..seg.len() - 1])
            .filter(|arg| !arg.contains('\n') && find_top_level(arg, ",").is_none());
        let mut arg = None;
        if call.is_some() {
            let arg_expr = self.parse(lo + word_len + 1, hi - 1, d);
            let kind = match leading {
                "default" => Some(FilterKind::Default),
                "join" => Some(FilterKind::Join),
                "map" => Some(FilterKind::Map),
                "contains" => Some(FilterKind::Contains),
                "split" => Some(FilterKind::Split),
                _ => None,
            };
            if let Some(kind) = kind {
                return Filter { kind, arg: Some(arg_expr) };
            }
            arg = Some(arg_expr);
        } else if seg == "default" {
            return Filter { kind: FilterKind::Default, arg: None };
        }
        let name = if word_len > 0 { leading } else { seg };
        let err = if REGISTERED.contains(&name) {
            ExprError::UnsupportedForm { name: name.to_owned(), segment: seg.to_owned() }
        } else {
            ExprError::UnknownFilter { name: name.to_owned(), segment: seg.to_owned() }
        };
        Filter { kind: FilterKind::Invalid(err), arg }
    }
}

/// Splits a path on every `.` (no quote awareness, as the reference does).
fn parse_path(text: &str) -> Path {
    let segments = text
        .split('.')
        .map(|part| match indexed_segment(part) {
            Some((key, index)) => Segment::Index(key.to_owned(), index),
            None => Segment::Key(part.to_owned()),
        })
        .collect();
    Path { text: text.to_owned(), segments }
}

/// Matches `^([\w-]+)\[(-?\d+)\]$` (Python semantics: `$` also matches before a final
/// newline).
pub(crate) fn indexed_segment(part: &str) -> Option<(&str, Index)> {
    let part = part.strip_suffix('\n').unwrap_or(part);
    let body = part.strip_suffix(']')?;
    let open = body.find('[')?;
    let (key, index) = (&body[..open], &body[open + 1..]);
    if key.is_empty() || !key.chars().all(|c| c == '-' || py::is_word(c)) {
        return None;
    }
    let digits = index.strip_prefix('-').unwrap_or(index);
    if digits.is_empty() || !digits.chars().all(|c| py::decimal_value(c).is_some()) {
        return None;
    }
    let index = match py::parse_int(index) {
        Ok(n) => Index::Int(n),
        Err(py::IntParseError::TooManyDigits(n)) => Index::TooLong(n),
        Err(py::IntParseError::Invalid) => return None,
    };
    Some((key, index))
}

/// Matches `^[\w-]+$` (the final newline allowance of `$` included).
pub(crate) fn is_plain_segment(part: &str) -> bool {
    let part = part.strip_suffix('\n').unwrap_or(part);
    !part.is_empty() && part.chars().all(|c| c == '-' || py::is_word(c))
}
