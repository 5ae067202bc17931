//! [`InputDecl`]: one entry of a workflow's `inputs:` block, as the engine reads it.

use baton_expr::Value;

/// The declared `type` of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum InputType {
    /// `type: string`, or no `type` key: the value must already be a string.
    String,
    /// `type: number`: integers and floats, parsed from strings.
    Number,
    /// `type: boolean`: bools, or the words true/1/yes and false/0/no.
    Boolean,
    /// Any other `type` value, including `null` and unknown names. Validation reports
    /// unknown names; at run time the reference coerces nothing for them (only `enum`
    /// is checked), and so does this crate.
    Unchecked(Value),
}

impl InputType {
    pub(crate) fn from_decl(ty: Option<&Value>) -> Self {
        match ty {
            None => InputType::String,
            Some(Value::Str(s)) if s == "string" => InputType::String,
            Some(Value::Str(s)) if s == "number" => InputType::Number,
            Some(Value::Str(s)) if s == "boolean" => InputType::Boolean,
            Some(other) => InputType::Unchecked(other.clone()),
        }
    }

    /// The type's name as a workflow spells it (`string`, `number`, `boolean`), or
    /// `None` for [`InputType::Unchecked`].
    pub fn name(&self) -> Option<&'static str> {
        match self {
            InputType::String => Some("string"),
            InputType::Number => Some("number"),
            InputType::Boolean => Some("boolean"),
            InputType::Unchecked(_) => None,
        }
    }
}

/// The declared `enum` of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum EnumValues {
    /// A list: the coerced value must equal (Python `==`) one of its members.
    List(Vec<Value>),
    /// Anything else but `null`: every coercion of this input fails with the
    /// reference's "must be a list" error.
    NotAList(Value),
}

/// One declared input, in the shape the engine uses at run time. Built by
/// [`parse_declarations`]; the fields are public so callers can build one directly.
#[derive(Debug, Clone, PartialEq)]
pub struct InputDecl {
    /// The key under `inputs:`.
    pub name: String,
    /// The declared `type` (`string` when absent).
    pub ty: InputType,
    /// `required`, by Python truthiness (`required: "no"` counts as true, as in the
    /// reference).
    pub required: bool,
    /// `default`, when the key is present (even as `null`, which then fails coercion).
    pub default: Option<Value>,
    /// `enum`, unless absent or `null`.
    pub enum_values: Option<EnumValues>,
    /// `description`, when it is a string (for prompts only; the reference ignores it).
    pub description: Option<String>,
}

impl InputDecl {
    /// Builds the declaration for `name` from its definition mapping (`None` when the
    /// definition is not a mapping: the engine then skips the input).
    pub fn from_definition(name: &str, definition: &Value) -> Option<Self> {
        let Value::Map(def) = definition else {
            return None;
        };
        let enum_values = match def.get("enum") {
            None | Some(Value::Null) => None,
            Some(Value::List(items)) => Some(EnumValues::List(items.clone())),
            Some(other) => Some(EnumValues::NotAList(other.clone())),
        };
        Some(InputDecl {
            name: name.to_owned(),
            ty: InputType::from_decl(def.get("type")),
            required: def.get("required").is_some_and(Value::truthy),
            default: def.get("default").cloned(),
            enum_values,
            description: match def.get("description") {
                Some(Value::Str(s)) => Some(s.clone()),
                _ => None,
            },
        })
    }
}

/// The declarations of an `inputs:` block, in declaration order, as the engine reads
/// them at run time: a block that is not a mapping declares nothing and a definition
/// that is not a mapping is skipped (validation reports both beforehand).
pub fn parse_declarations(inputs: &Value) -> Vec<InputDecl> {
    match inputs {
        Value::Map(map) => map
            .iter()
            .filter_map(|(name, def)| InputDecl::from_definition(name, def))
            .collect(),
        _ => Vec::new(),
    }
}
