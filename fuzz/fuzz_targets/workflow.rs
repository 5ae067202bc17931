//! The workflow loader and validator (PyYAML-compatible YAML, then every diagnostic)
//! on arbitrary bytes, then a dump of whatever loaded.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok((node, diagnostics)) = baton_model::check(&text) {
        let _ = baton_model::error_messages(&diagnostics);
        let _ = baton_model::yaml::dump(&node);
    }
    let _ = baton_model::yaml::parse(&text);
});
