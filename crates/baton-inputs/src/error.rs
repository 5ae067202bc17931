//! [`InputError`]: why an input could not be parsed, resolved or coerced.

/// Why an input could not be parsed, resolved or coerced. The `Display` text of every
/// variant except [`InputError::Prompt`] is the reference's message, verbatim (the CLI
/// adds its `Error: ` prefix).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A `-i` argument without `=`.
    #[error("Invalid input format: {raw_repr} (expected key=value)")]
    InvalidFormat {
        /// The argument as given.
        raw: String,
        /// Python `repr()` of `raw`.
        raw_repr: String,
    },
    /// A required input with no provided value and no default.
    #[error("Required input {name_repr} not provided.")]
    Required {
        /// The input's name.
        name: String,
        /// Python `repr()` of `name`.
        name_repr: String,
    },
    /// A `type: string` input given a non-string value.
    #[error("Input {name_repr} expected a string, got {got}.")]
    ExpectedString {
        /// The input's name.
        name: String,
        /// Python `repr()` of `name`.
        name_repr: String,
        /// Python `repr()` of the offending value.
        got: String,
    },
    /// A `type: number` input given a value that is not a finite number.
    #[error("Input {name_repr} expected a number, got {got}.")]
    ExpectedNumber {
        /// The input's name.
        name: String,
        /// Python `repr()` of `name`.
        name_repr: String,
        /// Python `repr()` of the offending value (`inf`/`nan` once parsed as a float).
        got: String,
    },
    /// A `type: boolean` input given something other than a boolean word or a bool.
    #[error("Input {name_repr} expected a boolean, got {got}.")]
    ExpectedBoolean {
        /// The input's name.
        name: String,
        /// Python `repr()` of `name`.
        name_repr: String,
        /// Python `repr()` of the offending value.
        got: String,
    },
    /// The input declares an `enum` that is not a list.
    #[error("Input {name_repr} has invalid 'enum': must be a list, got {type_name}.")]
    InvalidEnum {
        /// The input's name.
        name: String,
        /// Python `repr()` of `name`.
        name_repr: String,
        /// Python type name of the `enum` value (`str`, `int`, `dict`, …).
        type_name: &'static str,
    },
    /// The coerced value is not a member of the input's `enum`.
    #[error("Input {name_repr} value {got} not in allowed values: {allowed}.")]
    NotInEnum {
        /// The input's name.
        name: String,
        /// Python `repr()` of `name`.
        name_repr: String,
        /// Python `repr()` of the coerced value.
        got: String,
        /// Python `repr()` of the `enum` list.
        allowed: String,
    },
    /// The [`Prompter`](crate::Prompter) failed while asking for a missing input.
    #[error("could not prompt for input `{name}`: {source}")]
    Prompt {
        /// The input's name.
        name: String,
        /// What the prompter reported.
        source: std::io::Error,
    },
}

impl InputError {
    /// The input the error is about (`None` for [`InputError::InvalidFormat`]).
    pub fn input_name(&self) -> Option<&str> {
        match self {
            InputError::InvalidFormat { .. } => None,
            InputError::Required { name, .. }
            | InputError::ExpectedString { name, .. }
            | InputError::ExpectedNumber { name, .. }
            | InputError::ExpectedBoolean { name, .. }
            | InputError::InvalidEnum { name, .. }
            | InputError::NotInEnum { name, .. }
            | InputError::Prompt { name, .. } => Some(name),
        }
    }
}
