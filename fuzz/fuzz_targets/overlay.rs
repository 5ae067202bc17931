//! Overlay files: arbitrary bytes split at `\0` into a base `workflow.yml` and up to
//! three overlay files. They go through baton-catalog's loader and composer twice: in
//! memory (`yaml::parse` → `validate_manifest` → `compose`) and from disk in a project
//! (`overlay::resolve`: storage checks, decoding, manifest validation, `extends`,
//! duplicate ids, merge order, anchors). Whatever composes is validated and dumped.
//! A clean error is fine; a panic is a bug.
#![no_main]

use std::sync::OnceLock;

use baton_catalog::overlay::compose::{compose, OverlayInput};
use baton_catalog::overlay::manifest::validate_manifest;
use libfuzzer_sys::fuzz_target;

/// One project folder per fuzzing process.
fn project() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")))
}

fn check_composed(definition: &baton_model::yaml::Node) {
    let _ = baton_model::validate(definition, &baton_model::NoCustomSteps);
    let _ = baton_model::yaml::dump(definition);
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(5, |b| *b == 0);
    let base = parts.next().unwrap_or_default();
    let overlays: Vec<&[u8]> = parts.take(3).collect();

    // In memory.
    let base_text = String::from_utf8_lossy(base);
    let parsed_base = baton_model::yaml::parse(&base_text);
    let manifests: Vec<_> = overlays
        .iter()
        .filter_map(|bytes| baton_model::yaml::parse(&String::from_utf8_lossy(bytes)).ok())
        .filter_map(|doc| validate_manifest(&doc).ok())
        .collect();
    if let Ok(base) = &parsed_base {
        let sources: Vec<String> = manifests.iter().map(|m| format!("project:{}", m.id)).collect();
        let inputs: Vec<OverlayInput<'_>> =
            manifests.iter().zip(&sources).map(|(overlay, source)| OverlayInput { overlay, source }).collect();
        if let Ok(done) = compose(base, &inputs) {
            check_composed(&done.definition);
        }
    }

    // From disk, as `run <id>` and `resolve` load them.
    let root = project().path();
    let workflows = root.join(".specify/workflows");
    let dir = workflows.join("overlays/w");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(workflows.join("w"));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(workflows.join("w/workflow.yml"), base);
    for (i, bytes) in overlays.iter().enumerate() {
        let _ = std::fs::write(dir.join(format!("o{i}.yml")), bytes);
    }
    if let Ok(resolved) = baton_catalog::overlay::resolve(root, "w") {
        check_composed(&resolved.definition);
    }
});
