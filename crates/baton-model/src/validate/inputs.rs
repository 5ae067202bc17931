//! Rule 7: the `inputs:` block, checked by baton-inputs (the same coercion as at run
//! time), located here.

use baton_expr::py::str_repr;
use baton_inputs::{validate_declarations, DeclField, InputDiagnostic};

use super::py::{entries, get, repr};
use super::Out;
use crate::codes;
use crate::yaml::{Node, Span, Yaml};

/// Reports rule-7 errors for the `inputs` value (`None` when the key is absent).
///
/// baton-inputs sees JSON-like values, which have no dates or bytes; where an input's
/// `type`, `enum` or `default` holds one, the value handed over carries a stand-in
/// string and the message is put back into the reference's words.
pub(super) fn validate_inputs(block: Option<&Node>, out: &mut Out) {
    let Some(block) = block else { return };
    let mut value = block.to_value();
    let mut fixes: Vec<Fix<'_>> = Vec::new();
    if let (Some(fields), baton_expr::Value::Map(map)) = (entries(block), &mut value) {
        for (key, def) in fields {
            let name = json_key(key);
            if let (Some(_), Some(baton_expr::Value::Map(decl))) = (entries(def), map.get_mut(&name)) {
                fixes.push(Fix::prepare(&name, def, decl, fixes.len()));
            }
        }
    }
    let diags = validate_declarations(Some(&value));
    let names: Vec<Option<String>> = {
        let mut names: Vec<Option<String>> = diags.iter().map(|d| d.input.clone()).collect();
        names.dedup();
        names
    };
    let mut emitted_own: Vec<String> = Vec::new();
    let emit_own = |name: &str, out: &mut Out, emitted: &mut Vec<String>| {
        if emitted.iter().any(|n| n == name) {
            return;
        }
        emitted.push(name.to_owned());
        if let Some(fix) = fixes.iter().find(|f| f.name == name) {
            if let Some((span, message)) = fix.default_error(block) {
                out.error(codes::INPUT_DEFAULT, message, Some(span));
            }
        }
    };
    // Inputs in declaration order: baton-inputs' diagnostics, then the default check
    // baton-model made itself (a date or bytes default), as the reference orders them.
    let order: Vec<String> = entries(block)
        .unwrap_or(&[])
        .iter()
        .map(|(k, _)| json_key(k))
        .collect();
    for diag in diags.iter().filter(|d| d.input.is_none()) {
        let (code, span, message) = locate(block, diag);
        out.error(code, message, Some(span));
    }
    for name in &order {
        if !names.iter().any(|n| n.as_deref() == Some(name.as_str())) {
            emit_own(name, out, &mut emitted_own);
            continue;
        }
        for diag in diags.iter().filter(|d| d.input.as_deref() == Some(name.as_str())) {
            let (code, span, mut message) = locate(block, diag);
            if let Some(fix) = fixes.iter().find(|f| f.name == *name) {
                message = fix.apply(diag.field, message);
            }
            out.error(code, message, Some(span));
        }
        emit_own(name, out, &mut emitted_own);
    }
}

/// Whether PyYAML builds a date/datetime or bytes for the node (values JSON lacks).
fn is_special(node: &Node) -> bool {
    matches!(node.value, Yaml::Timestamp(_) | Yaml::Binary(_))
}

/// Whether the JSON-like value of the node is not the Python object itself: it holds a
/// date, bytes, or a mapping key that is not a string.
fn is_unfaithful(node: &Node) -> bool {
    match &node.value {
        Yaml::Timestamp(_) | Yaml::Binary(_) => true,
        Yaml::Seq(items) => items.iter().any(is_unfaithful),
        Yaml::Map(entries) => {
            entries.iter().any(|(k, v)| !matches!(k.value, Yaml::Str(_)) || is_unfaithful(v))
        }
        _ => false,
    }
}

/// How one input's declaration was adjusted for baton-inputs, and how to undo it in
/// the messages.
struct Fix<'a> {
    name: String,
    /// `(repr of a stand-in string, the reference's repr of the original)`.
    reprs: Vec<(String, String)>,
    /// The type name of an `enum` that is a date or bytes.
    enum_type: Option<&'static str>,
    /// A `default` holding a date, bytes or a non-string key, checked here instead.
    default: Option<&'a Node>,
    def: &'a Node,
}

impl<'a> Fix<'a> {
    fn prepare(name: &str, def: &'a Node, decl: &mut baton_expr::Map, serial: usize) -> Self {
        let mut fix =
            Fix { name: name.to_owned(), reprs: Vec::new(), enum_type: None, default: None, def };
        let stand_in = |original: &Node, reprs: &mut Vec<(String, String)>| {
            let text = format!("\u{1}baton-{serial}-{}\u{1}", reprs.len());
            reprs.push((str_repr(&text), repr(original)));
            baton_expr::Value::Str(text)
        };
        if let Some(ty) = get(def, "type").filter(|t| is_unfaithful(t)) {
            decl.insert("type".to_owned(), stand_in(ty, &mut fix.reprs));
        }
        if let Some(en) = get(def, "enum") {
            if is_special(en) {
                fix.enum_type = Some(en.type_name());
                decl.insert("enum".to_owned(), baton_expr::Value::Str(String::new()));
            } else if let (Some(items), Some(baton_expr::Value::List(values))) =
                (en.as_seq(), decl.get_mut("enum"))
            {
                for (item, value) in items.iter().zip(values.iter_mut()) {
                    if is_unfaithful(item) {
                        *value = stand_in(item, &mut fix.reprs);
                    }
                }
            }
        }
        if let Some(default) = get(def, "default").filter(|d| is_unfaithful(d)) {
            fix.default = Some(default);
            decl.shift_remove("default");
        }
        fix
    }

    /// The message with the original values' reprs put back.
    fn apply(&self, field: Option<DeclField>, mut message: String) -> String {
        for (stand_in, original) in &self.reprs {
            message = message.replace(stand_in, original);
        }
        if let (Some(DeclField::Enum), Some(type_name)) = (field, self.enum_type) {
            if let Some(head) = message.strip_suffix("got str.") {
                message = format!("{head}got {type_name}.");
            }
        }
        message
    }

    /// The reference's verdict on a default holding a date, bytes or a non-string key:
    /// never a string, number or boolean; with any other `type`, only an `enum` can
    /// refuse it.
    fn default_error(&self, block: &Node) -> Option<(Span, String)> {
        let default = self.default?;
        let key = entries(block)?.iter().find(|(k, _)| json_key(k) == self.name).map(|(k, _)| k)?;
        let name = repr(key);
        let ty = match get(self.def, "type") {
            None => Some("string"),
            Some(t) => t.as_str().filter(|s| ["string", "number", "boolean"].contains(s)),
        };
        let reason = match ty {
            Some(ty) => format!("Input {name} expected a {ty}, got {}.", repr(default)),
            None => {
                let en = get(self.def, "enum")?;
                let items = en.as_seq()?;
                if items.iter().any(|i| i.value_eq(default)) {
                    return None;
                }
                format!("Input {name} value {} not in allowed values: {}.", repr(default), repr(en))
            }
        };
        Some((default.span, format!("Input {name} has invalid default: {reason}")))
    }
}

/// The code, position and final message of one rule-7 diagnostic.
fn locate(block: &Node, diag: &InputDiagnostic) -> (&'static str, Span, String) {
    let code = match (&diag.input, diag.field) {
        (None, _) => codes::INPUTS_NOT_MAPPING,
        (Some(_), None) => codes::INPUT_NOT_MAPPING,
        (Some(_), Some(DeclField::Type)) => codes::INPUT_TYPE,
        (Some(_), Some(DeclField::Enum)) => codes::INPUT_ENUM,
        (Some(_), Some(_)) => codes::INPUT_DEFAULT,
    };
    let Some(name) = &diag.input else {
        return (code, block.span, diag.message.clone());
    };
    // The input's entry: its key as JSON writes it (non-string YAML keys were turned
    // into strings for baton-inputs).
    let entry = entries(block).and_then(|es| {
        es.iter().rev().find(|(k, _)| json_key(k) == *name)
    });
    let Some((key, def)) = entry else {
        return (code, block.span, diag.message.clone());
    };
    let span = match diag.field {
        None => def.span,
        Some(DeclField::Type) => get(def, "type").map_or(def.span, |n| n.span),
        Some(DeclField::Enum) => get(def, "enum").map_or(def.span, |n| n.span),
        Some(_) => get(def, "default").map_or(def.span, |n| n.span),
    };
    // The reference names a non-string input by its Python repr (`Input 2`), where
    // baton-inputs, given JSON-style string keys, says `Input '2'`.
    let message = if matches!(key.value, Yaml::Str(_)) {
        diag.message.clone()
    } else {
        diag.message.replace(&format!("Input {}", str_repr(name)), &format!("Input {}", repr(key)))
    };
    (code, span, message)
}

/// The text `json.dumps` writes for a mapping key (how [`Node::to_value`] names it).
fn json_key(key: &Node) -> String {
    match &key.value {
        Yaml::Str(s) => s.clone(),
        Yaml::Bool(true) => "true".to_owned(),
        Yaml::Bool(false) => "false".to_owned(),
        Yaml::Null => "null".to_owned(),
        Yaml::Int(i) => i.to_string(),
        Yaml::Float(f) if f.is_nan() => "NaN".to_owned(),
        Yaml::Float(f) if f.is_infinite() && *f > 0.0 => "Infinity".to_owned(),
        Yaml::Float(f) if f.is_infinite() => "-Infinity".to_owned(),
        Yaml::Float(f) => baton_expr::py::float_repr(*f),
        _ => match key.to_value() {
            baton_expr::Value::Str(s) => s,
            _ => key.py_repr(),
        },
    }
}
