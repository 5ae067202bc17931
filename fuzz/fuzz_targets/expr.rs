//! The expression language: templates, bare expressions, conditions and the JSON
//! decoder on arbitrary text. Errors are fine; a panic, hang or overflow is a bug.
#![no_main]

use baton_expr::{condition_diagnostics, evaluate, evaluate_condition, render, MapNamespace, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let inputs = baton_expr::json::loads(r#"{"n": 5, "s": "a b", "l": [1, "x", null], "m": {"k": [true]}}"#)
        .unwrap_or(Value::Null);
    let ns = MapNamespace::new().with("inputs", inputs).with("item", Value::from("it"));
    let _ = render(text, &ns);
    let _ = evaluate(text, &ns);
    let _ = evaluate_condition(text, &ns);
    let _ = condition_diagnostics(text);
    if let Ok(v) = baton_expr::json::loads(text) {
        let _ = v.py_repr();
        let _ = v.py_str();
    }
});
