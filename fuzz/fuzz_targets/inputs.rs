//! Input declarations and `-i key=value` coercion: the first line is a JSON object of
//! declarations (as the `inputs:` block would give), the other lines `-i` arguments.
#![no_main]

use baton_expr::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let decls = baton_expr::json::loads(first).map(|v| baton_inputs::parse_declarations(&v)).unwrap_or_default();
    let _ = baton_inputs::validate_declarations(baton_expr::json::loads(first).ok().as_ref());
    for line in rest.lines() {
        let Ok((key, value)) = baton_inputs::parse_cli_input(line) else { continue };
        for d in &decls {
            if d.name == key {
                let _ = baton_inputs::coerce(d, &Value::from(value.as_str()));
            }
        }
    }
});
