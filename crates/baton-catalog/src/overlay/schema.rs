//! The JSON Schema (draft-07) of overlay files and of step packages' `step.yml`,
//! generated from the types below (`cargo xtask schema` writes
//! `schemas/overlay.schema.json` and `schemas/step-package.schema.json`).
//!
//! The schemas serve editors and documentation; loading and validation are done by
//! [`super::manifest`] and [`crate::step_install`] with the reference's messages.

use indexmap::IndexMap;
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

const COMMENT: &str = "Generated from the baton-catalog types by `cargo xtask schema`; do not edit by hand.";

/// An overlay file under `.specify/workflows/overlays/<workflow-id>/`: edits applied
/// to an installed workflow's steps when it is run, resolved or called by id.
#[derive(JsonSchema)]
#[schemars(title = "Spec Kit workflow overlay", rename = "OverlayDocument")]
#[allow(dead_code)]
pub struct OverlayDocument {
    /// The overlay's id: lowercase letters, digits and hyphens; `overlays` is reserved.
    #[schemars(regex(pattern = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"))]
    id: String,
    /// The id of the installed workflow it edits (`overlays`, `runs`, `steps` are
    /// reserved). It must equal the folder the file is stored under.
    #[schemars(regex(pattern = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"))]
    extends: String,
    /// Precedence: the lowest number wins; on a tie the alphabetically last id wins.
    /// Anything that is not an integer of at least 1 counts as 10. `overlay add` stores
    /// its `--priority` (default 10) here.
    priority: Option<Priority>,
    /// `false` skips the overlay when resolving (it is still listed).
    enabled: Option<bool>,
    /// The edits, each anchored on a step id of the base workflow (nested steps under
    /// `then`, `else`, `steps`, `default` and `cases` included; fan-out templates not).
    #[schemars(extend("minItems" = 1))]
    edits: Vec<OverlayEdit>,
}

/// A priority: an integer, or a string Python's `int()` reads.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Priority {
    /// An integer.
    Int(#[schemars(range(min = 1))] i64),
    /// Digits in a string (`"5"`).
    Text(String),
}

/// One edit: the shorthand `<operation>: <anchor>` or the explicit `operation` and
/// `anchor` keys.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum OverlayEdit {
    /// Put `step` right after the anchor.
    InsertAfter {
        /// The anchor step id.
        insert_after: Anchor,
        /// The step to insert.
        step: OverlayStep,
    },
    /// Put `step` right before the anchor.
    InsertBefore {
        /// The anchor step id.
        insert_before: Anchor,
        /// The step to insert.
        step: OverlayStep,
    },
    /// Put `step` in place of the anchor (and its nested steps).
    Replace {
        /// The anchor step id.
        replace: Anchor,
        /// The replacement step.
        step: OverlayStep,
    },
    /// Drop the anchor (and its nested steps).
    Remove {
        /// The anchor step id.
        remove: Anchor,
    },
    /// The explicit form.
    Explicit {
        /// What to do.
        operation: OperationName,
        /// The anchor step id.
        anchor: Anchor,
        /// The step (not allowed with `remove`).
        step: Option<OverlayStep>,
    },
}

/// A base step id.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct Anchor(#[schemars(length(min = 1))] String);

/// The edit operations.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum OperationName {
    /// Insert after the anchor.
    InsertAfter,
    /// Insert before the anchor.
    InsertBefore,
    /// Replace the anchor.
    Replace,
    /// Remove the anchor.
    Remove,
}

/// A workflow step (validated with the composed workflow, not here).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct OverlayStep {
    /// The step id; `:` is reserved for engine-generated nested ids.
    #[schemars(regex(pattern = r"^[^:]+$"))]
    id: String,
    /// The other step fields.
    #[serde(flatten)]
    rest: IndexMap<String, serde_json::Value>,
}

/// A custom step package's `step.yml` (`.specify/workflows/steps/<step-id>/step.yml`).
#[derive(JsonSchema)]
#[schemars(title = "Spec Kit custom step package", rename = "StepPackageDocument")]
#[allow(dead_code)]
pub struct StepPackageDocument {
    /// The step type's metadata.
    step: StepMetadata,
}

/// `step:` of `step.yml`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct StepMetadata {
    /// The `type:` key workflows use; it must equal the step id given to `step add`
    /// and may not be a built-in type.
    #[schemars(length(min = 1))]
    type_key: String,
    /// Display name (the registry falls back to the id).
    name: Option<String>,
    /// Version (a string: quote `"1.0"`; the registry falls back to `0.0.0`).
    version: Option<String>,
    /// Description.
    description: Option<String>,
    /// Author.
    author: Option<String>,
    /// baton's executable form: a program inside the package that runs the step
    /// (`<program> execute`, JSON request on stdin, result JSON on stdout). Without
    /// it, `__init__.py` must define a Spec Kit `StepBase` subclass.
    run: Option<String>,
    /// baton's executable form: also ask the program to `validate` step
    /// configurations.
    validate: Option<bool>,
}

pub(crate) fn finish(mut value: serde_json::Value) -> String {
    baton_model::tidy_generated_schema(&mut value, COMMENT, &[]);
    baton_model::schema_text(&value)
}

/// `schemas/overlay.schema.json`.
pub fn overlay_schema_text() -> String {
    finish(SchemaSettings::draft07().into_generator().into_root_schema_for::<OverlayDocument>().to_value())
}

/// `schemas/step-package.schema.json`.
pub fn step_package_schema_text() -> String {
    finish(SchemaSettings::draft07().into_generator().into_root_schema_for::<StepPackageDocument>().to_value())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn committed_schemas_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
        for (name, text) in [
            ("overlay.schema.json", overlay_schema_text()),
            ("step-package.schema.json", step_package_schema_text()),
        ] {
            let committed = std::fs::read_to_string(root.join(name)).unwrap_or_default();
            assert!(committed == text, "schemas/{name} is stale: run `cargo xtask schema`");
        }
    }

    #[test]
    fn schemas_describe_the_shapes() {
        let overlay: serde_json::Value = serde_json::from_str(&overlay_schema_text()).unwrap();
        assert_eq!(overlay["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(overlay["required"], serde_json::json!(["id", "extends", "edits"]));
        let step: serde_json::Value = serde_json::from_str(&step_package_schema_text()).unwrap();
        assert_eq!(step["required"], serde_json::json!(["step"]));
    }
}
