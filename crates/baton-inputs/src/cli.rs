//! `-i/--input KEY=VALUE` arguments.

use baton_expr::{Map, Value};

use crate::InputError;

/// Splits one `-i` argument at its first `=`, trimming whitespace (Python's
/// `str.strip()`) around the key and the value. An argument without `=` gives the
/// reference's "Invalid input format" error.
pub fn parse_cli_input(raw: &str) -> Result<(String, String), InputError> {
    match raw.split_once('=') {
        Some((key, value)) => Ok((baton_expr::py::strip(key).to_owned(), baton_expr::py::strip(value).to_owned())),
        None => Err(InputError::InvalidFormat {
            raw: raw.to_owned(),
            raw_repr: baton_expr::py::str_repr(raw),
        }),
    }
}

/// All `-i` arguments as the provided-inputs map: string values, a repeated key keeps
/// its first position and its last value. Fails on the first argument without `=`.
pub fn parse_cli_inputs<'a, I>(raws: I) -> Result<Map, InputError>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut map = Map::new();
    for raw in raws {
        let (key, value) = parse_cli_input(raw)?;
        map.insert(key, Value::Str(value));
    }
    Ok(map)
}
