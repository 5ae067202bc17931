//! Evaluation of a parsed body against a [`Namespace`].

use std::borrow::Cow;
use std::cmp::Ordering;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use crate::ast::{CmpOp, Expr, Filter, Index, Kind, Path, Segment};
use crate::error::ExprError;
use crate::filters;
use crate::py;
use crate::value::{Map, Value};

/// The names an expression can resolve: the roots of its paths.
///
/// The reference's namespace has five roots, always present: `inputs` (`{}` when
/// empty), `steps` (`{}` when empty), `item` (`None` outside a fan-out), `fan_in` (`{}`
/// outside a fan-in's `output`) and `context` (`{"run_id": …, "workflow_dir": …}`, each
/// `""` when unknown; see [`context_value`](crate::context_value)). A root the namespace
/// does not know resolves to `None`, as any unknown name does.
pub trait Namespace {
    /// The value of the root `name` (`inputs`, `steps`, …), if there is one.
    fn root(&self, name: &str) -> Option<&Value>;
}

/// A [`Namespace`] held in a [`Map`] of roots; handy for tests and small callers.
///
/// ```
/// use baton_expr::{MapNamespace, Value};
/// let ns = MapNamespace::new().with("item", Value::from("x"));
/// assert_eq!(baton_expr::evaluate("item", &ns), Ok(Value::from("x")));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapNamespace {
    roots: Map,
}

impl MapNamespace {
    /// An empty namespace (every name resolves to `None`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A namespace with the roots in `roots`.
    pub fn from_map(roots: Map) -> Self {
        MapNamespace { roots }
    }

    /// This namespace with the root `name` set to `value`.
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.roots.insert(name.to_owned(), value);
        self
    }

    /// Sets the root `name` to `value`.
    pub fn insert(&mut self, name: &str, value: Value) {
        self.roots.insert(name.to_owned(), value);
    }
}

impl Namespace for MapNamespace {
    fn root(&self, name: &str) -> Option<&Value> {
        self.roots.get(name)
    }
}

/// How the evaluator runs.
pub(crate) enum Mode {
    /// Ordinary evaluation.
    Normal,
    /// The reference's validation probe: `and`/`or` evaluate both sides; with `leaves`,
    /// every path reached is recorded and a failing filter yields `{}` instead of an error.
    Probe { leaves: Option<Vec<String>> },
}

pub(crate) struct Evaluator<'n> {
    pub(crate) ns: &'n dyn Namespace,
    pub(crate) mode: Mode,
}

type Res<'n> = Result<Cow<'n, Value>, ExprError>;

impl<'n> Evaluator<'n> {
    pub(crate) fn new(ns: &'n dyn Namespace) -> Self {
        Evaluator { ns, mode: Mode::Normal }
    }

    fn probing(&self) -> bool {
        matches!(self.mode, Mode::Probe { .. })
    }

    pub(crate) fn eval(&mut self, expr: &Expr) -> Res<'n> {
        crate::deep(|| self.eval_here(expr))
    }

    fn eval_here(&mut self, expr: &Expr) -> Res<'n> {
        match &expr.kind {
            Kind::Literal(v) => Ok(Cow::Owned(v.clone())),
            Kind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(item)?.into_owned());
                }
                Ok(Cow::Owned(Value::List(out)))
            }
            Kind::Path(path) => {
                if let Mode::Probe { leaves: Some(leaves) } = &mut self.mode {
                    leaves.push(path.text.clone());
                }
                resolve(self.ns, path).map(|v| v.map_or(Cow::Owned(Value::Null), Cow::Borrowed))
            }
            Kind::Pipe(head, chain) => {
                let mut value = self.eval(head)?;
                for filter in chain {
                    value = match self.apply(value, filter) {
                        Ok(v) => v,
                        Err(_) if matches!(self.mode, Mode::Probe { leaves: Some(_) }) => {
                            Cow::Owned(Value::Map(Map::new()))
                        }
                        Err(e) => return Err(e),
                    };
                }
                Ok(value)
            }
            Kind::Or(left, right) => {
                let l = self.eval(left)?.truthy();
                if l && !self.probing() {
                    return Ok(Cow::Owned(Value::Bool(true)));
                }
                let r = self.eval(right)?.truthy();
                Ok(Cow::Owned(Value::Bool(l || r)))
            }
            Kind::And(left, right) => {
                let l = self.eval(left)?.truthy();
                if !l && !self.probing() {
                    return Ok(Cow::Owned(Value::Bool(false)));
                }
                let r = self.eval(right)?.truthy();
                Ok(Cow::Owned(Value::Bool(l && r)))
            }
            Kind::Not(inner) => Ok(Cow::Owned(Value::Bool(!self.eval(inner)?.truthy()))),
            Kind::Compare(op, left, right) => {
                let l = self.eval(left)?;
                let r = self.eval(right)?;
                Ok(Cow::Owned(Value::Bool(compare(*op, &l, &r))))
            }
            Kind::Fail(e) => Err(e.clone()),
        }
    }

    fn apply(&mut self, value: Cow<'n, Value>, filter: &Filter) -> Res<'n> {
        let arg = match &filter.arg {
            Some(a) => Some(self.eval(a)?),
            None => None,
        };
        filters::apply(&filter.kind, value, arg.as_deref())
    }
}

/// Walks a path from the namespace. `Ok(None)` is Python's `None`.
fn resolve<'n>(ns: &'n dyn Namespace, path: &Path) -> Result<Option<&'n Value>, ExprError> {
    let mut current: Option<&'n Value> = None; // None = the namespace itself
    for (i, segment) in path.segments.iter().enumerate() {
        let next = match segment {
            Segment::Index(key, index) => {
                let index = match index {
                    Index::Int(n) => n,
                    Index::TooLong(digits) => return Err(ExprError::IntTooLarge(*digits)),
                };
                let list = match (i, current) {
                    (0, _) => ns.root(key),
                    (_, Some(Value::Map(m))) => m.get(key),
                    _ => return Ok(None),
                };
                match list {
                    Some(Value::List(items)) => match list_index(items.len(), index) {
                        Some(k) => items.get(k),
                        None => return Ok(None),
                    },
                    _ => return Ok(None),
                }
            }
            Segment::Key(key) => match (i, current) {
                (0, _) => ns.root(key),
                (_, Some(Value::Map(m))) => m.get(key),
                _ => return Ok(None),
            },
        };
        match next {
            None | Some(Value::Null) => return Ok(None),
            Some(v) => current = Some(v),
        }
    }
    Ok(current)
}

/// `-len <= index < len` → the position it designates.
fn list_index(len: usize, index: &BigInt) -> Option<usize> {
    let len_big = BigInt::from(len);
    if index.is_negative() {
        let back = -index;
        (back <= len_big).then(|| len - back.to_usize().unwrap_or(len))
    } else {
        (index < &len_big).then(|| index.to_usize()).flatten()
    }
}

/// The comparison and membership operators, with the reference's coercions.
pub(crate) fn compare(op: CmpOp, l: &Value, r: &Value) -> bool {
    match op {
        CmpOp::Eq => l.py_eq(r),
        CmpOp::Ne => !l.py_eq(r),
        CmpOp::In => r.py_contains(l).unwrap_or(false),
        CmpOp::NotIn => !r.py_contains(l).unwrap_or(false),
        CmpOp::Gt | CmpOp::Lt | CmpOp::Ge | CmpOp::Le => {
            let (cl, cr) = (coerce_number(l), coerce_number(r));
            let ord = if is_number(&cl) && is_number(&cr) {
                cl.py_partial_cmp(&cr)
            } else {
                l.py_partial_cmp(r)
            };
            match (op, ord) {
                (_, None) => false,
                (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
                (CmpOp::Lt, Some(o)) => o == Ordering::Less,
                (CmpOp::Ge, Some(o)) => o != Ordering::Less,
                (_, Some(o)) => o != Ordering::Greater,
            }
        }
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Bool(_) | Value::Int(_) | Value::Float(_))
}

/// A numeric string as the number it spells (`float()` when it holds a dot, else
/// `int()`); anything else unchanged.
fn coerce_number(v: &Value) -> Cow<'_, Value> {
    if let Value::Str(s) = v {
        let parsed = if s.contains('.') {
            py::parse_float(s).map(Value::Float)
        } else {
            py::parse_int(s).ok().map(Value::Int)
        };
        if let Some(n) = parsed {
            return Cow::Owned(n);
        }
    }
    Cow::Borrowed(v)
}
