//! Templates: a typed single `{{ expression }}`, or text with blocks interpolated
//! (spec §2.2).

use std::ops::Range;

use crate::ast::{parse_body, Expr, Filter, Kind};
use crate::error::ExprError;
use crate::eval::{Evaluator, Namespace};
use crate::py;
use crate::scan;
use crate::value::Value;

/// A parsed template, ready to render any number of times.
///
/// ```
/// use baton_expr::{MapNamespace, Template, Value};
/// let ns = MapNamespace::new().with("item", Value::from(3));
/// let typed = Template::parse("  {{ item }} ");
/// assert_eq!(typed.render(&ns), Ok(Value::from(3)));
/// let text = Template::parse("n={{ item }}{{ missing }}");
/// assert_eq!(text.render(&ns), Ok(Value::from("n=3")));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    kind: TemplateKind,
}

#[derive(Debug, Clone, PartialEq)]
enum TemplateKind {
    /// The whole (stripped) template is one block: its value keeps its type.
    Typed(Expr),
    /// Text and blocks; always renders to a string.
    Interpolated(Vec<Piece>),
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Block(Expr),
}

/// A path an expression reads, with its byte range in the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRef {
    /// The path as written (whitespace collapsed), e.g. `steps.plan.output.stdout`.
    pub path: String,
    /// Byte range of the path in the template.
    pub span: Range<usize>,
}

impl Template {
    /// Parses `text`. Parsing never fails: text the reference rejects is reported when
    /// rendering reaches it, as the reference does.
    pub fn parse(text: &str) -> Template {
        let stripped = py::strip(text);
        if scan::is_single_expression(stripped) {
            let start = stripped.as_ptr() as usize - text.as_ptr() as usize;
            let body = &stripped[2..stripped.len() - 2];
            return Template { kind: TemplateKind::Typed(parse_body(body, start + 2)) };
        }
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < text.len() {
            let Some(open) = text[i..].find("{{").map(|k| i + k) else {
                pieces.push(Piece::Text(text[i..].to_owned()));
                break;
            };
            if open > i {
                pieces.push(Piece::Text(text[i..open].to_owned()));
            }
            let close = match scan::find_block_close(text, open) {
                Some(c) => c,
                None => match text[open + 2..].find("}}") {
                    Some(raw) => open + 2 + raw,
                    None => {
                        pieces.push(Piece::Text(text[open..].to_owned()));
                        break;
                    }
                },
            };
            pieces.push(Piece::Block(parse_body(&text[open + 2..close], open + 2)));
            i = close + 2;
        }
        Template { kind: TemplateKind::Interpolated(pieces) }
    }

    /// Whether the template is one `{{ }}` block, whose value keeps its type.
    pub fn is_typed(&self) -> bool {
        matches!(self.kind, TemplateKind::Typed(_))
    }

    /// Whether the template holds no `{{ }}` block at all (it renders to itself).
    pub fn is_plain_text(&self) -> bool {
        match &self.kind {
            TemplateKind::Typed(_) => false,
            TemplateKind::Interpolated(pieces) => pieces.iter().all(|p| matches!(p, Piece::Text(_))),
        }
    }

    /// Renders against `ns`: the typed value of a single block, else a string with each
    /// block's value in Python `str()` spelling (`None` → empty).
    pub fn render(&self, ns: &dyn Namespace) -> Result<Value, ExprError> {
        let mut ev = Evaluator::new(ns);
        match &self.kind {
            TemplateKind::Typed(expr) => Ok(ev.eval(expr)?.into_owned()),
            TemplateKind::Interpolated(pieces) => {
                let mut out = String::new();
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => out.push_str(t),
                        Piece::Block(expr) => match &*ev.eval(expr)? {
                            Value::Null => {}
                            Value::Str(s) => out.push_str(s),
                            other => out.push_str(&other.py_str()),
                        },
                    }
                }
                Ok(Value::Str(out))
            }
        }
    }

    /// Every path the template's expressions read (operands, filter arguments, list
    /// elements), in order, with byte ranges in the template text.
    pub fn paths(&self) -> Vec<PathRef> {
        let mut out = Vec::new();
        match &self.kind {
            TemplateKind::Typed(expr) => collect_paths(expr, &mut out),
            TemplateKind::Interpolated(pieces) => {
                for piece in pieces {
                    if let Piece::Block(expr) = piece {
                        collect_paths(expr, &mut out);
                    }
                }
            }
        }
        out
    }
}

fn collect_paths(expr: &Expr, out: &mut Vec<PathRef>) {
    crate::deep(|| collect_paths_here(expr, out));
}

fn collect_paths_here(expr: &Expr, out: &mut Vec<PathRef>) {
    match &expr.kind {
        Kind::Literal(_) | Kind::Fail(_) => {}
        Kind::Path(p) => out.push(PathRef { path: p.text.clone(), span: expr.span.clone() }),
        Kind::List(items) => items.iter().for_each(|e| collect_paths(e, out)),
        Kind::Pipe(head, filters) => {
            collect_paths(head, out);
            for Filter { arg, .. } in filters {
                if let Some(a) = arg {
                    collect_paths(a, out);
                }
            }
        }
        Kind::Or(a, b) | Kind::And(a, b) | Kind::Compare(_, a, b) => {
            collect_paths(a, out);
            collect_paths(b, out);
        }
        Kind::Not(a) => collect_paths(a, out),
    }
}
