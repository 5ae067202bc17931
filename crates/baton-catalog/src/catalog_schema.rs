//! The JSON Schemas (draft-07) of catalog documents, generated from the types below
//! (`cargo xtask schema` writes `schemas/catalog.schema.json` and
//! `schemas/step-catalog.schema.json`). They document what catalog authors publish
//! (ecosystem.md §5, §17.2); reading catalogs is [`crate::catalog`] and
//! [`crate::step_catalog`], with the reference's lenient rules and messages.

#![allow(dead_code)]

use indexmap::IndexMap;
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

/// A workflow catalog: what `baton search`, `info` and `add <id>` read.
#[derive(JsonSchema)]
#[schemars(title = "Spec Kit workflow catalog", rename = "WorkflowCatalog")]
struct WorkflowCatalog {
    /// Informational; not read.
    schema_version: Option<String>,
    /// Informational; not read.
    updated_at: Option<String>,
    /// Informational; not read.
    catalog_url: Option<String>,
    /// The workflows: a mapping keyed by id, or a list of entries with an `id`.
    workflows: Entries<WorkflowEntry>,
}

/// A step-type catalog: what `baton step search`, `step info` and `step add <id>` read.
/// Unlike workflow catalogs, a duplicated JSON key anywhere is an error.
#[derive(JsonSchema)]
#[schemars(title = "Spec Kit step catalog", rename = "StepCatalog")]
struct StepCatalog {
    /// The step types: a mapping keyed by id, or a list of entries with an `id`.
    steps: Entries<StepEntry>,
}

/// Entries keyed by id, or listed with their id.
#[derive(JsonSchema)]
#[serde(untagged)]
enum Entries<T> {
    /// `{"<id>": {…}}`; entries that are not objects are ignored.
    ById(IndexMap<String, T>),
    /// `[{"id": "<id>", …}]`; entries without a truthy `id` are skipped.
    Listed(Vec<T>),
}

/// One workflow of a catalog (its current release, plus older ones under `releases`).
#[derive(JsonSchema)]
struct WorkflowEntry {
    /// The workflow id (filled from the key in the mapping form).
    id: Option<String>,
    /// Shown by `search`; the id when absent.
    name: Option<String>,
    /// Shown by `search` and `info`.
    description: Option<String>,
    /// Matched by `search --author`.
    author: Option<String>,
    /// The current release, `X.Y.Z` (required once `releases` is used).
    #[schemars(regex(pattern = r"^\d+\.\d+\.\d+$"))]
    version: Option<String>,
    /// Where the release is downloaded: a `workflow.yml`, `.zip`, `.tar.gz` or `.tgz`
    /// (https, or http on loopback).
    url: Option<String>,
    /// The SHA-256 of the download, optionally prefixed `sha256:`.
    #[schemars(regex(pattern = r"^(sha256:)?[0-9a-fA-F]{64}$"))]
    sha256: Option<String>,
    /// Matched by `search --tag`.
    tags: Option<Vec<String>>,
    /// Compared with the workflow's own `requires` when `--version` is used.
    requires: Option<serde_json::Map<String, serde_json::Value>>,
    /// Older (or other) releases by `X.Y.Z` version; each overlays the current entry.
    releases: Option<IndexMap<String, WorkflowRelease>>,
    /// Informational.
    repository: Option<String>,
    /// Informational.
    license: Option<String>,
    /// Informational.
    documentation: Option<String>,
    /// Informational.
    changelog: Option<String>,
}

/// One release of a workflow.
#[derive(JsonSchema)]
struct WorkflowRelease {
    /// The download (same rules as the entry's `url`).
    url: String,
    /// The SHA-256 of the download (required for releases).
    #[schemars(regex(pattern = r"^(sha256:)?[0-9a-fA-F]{64}$"))]
    sha256: String,
    /// Requirements of this release.
    requires: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One step type of a step catalog.
#[derive(JsonSchema)]
struct StepEntry {
    /// The step type key; must equal the mapping key when both are given.
    id: Option<String>,
    /// Display name.
    name: Option<String>,
    /// Shown by `step search`.
    description: Option<String>,
    /// Shown by `step info`.
    author: Option<String>,
    /// The current version.
    version: Option<String>,
    /// The package's `step.yml` (preferred over `url` when both are present).
    step_yml_url: Option<String>,
    /// The package's `step.yml` (must equal `step_yml_url` when both are present).
    url: Option<String>,
    /// The package's `__init__.py`; by default the `step.yml` URL with its last part
    /// replaced.
    init_url: Option<String>,
    /// More package files: relative path → URL.
    extra_files: Option<IndexMap<String, String>>,
    /// SHA-256 digests (64 hex digits) of exactly `step.yml`, `__init__.py` and every
    /// `extra_files` path.
    sha256: Option<IndexMap<String, Digest>>,
    /// Requirements (an object).
    requires: Option<serde_json::Map<String, serde_json::Value>>,
    /// What the step type provides (an object).
    provides: Option<serde_json::Map<String, serde_json::Value>>,
    /// Releases by PEP 440 version, each with its own URLs and digests.
    releases: Option<IndexMap<String, serde_json::Map<String, serde_json::Value>>>,
}

/// A SHA-256 digest: 64 hex digits, no prefix.
#[derive(JsonSchema)]
struct Digest(#[schemars(regex(pattern = r"^[0-9a-fA-F]{64}$"))] String);

/// `schemas/catalog.schema.json`.
pub fn catalog_schema_text() -> String {
    crate::overlay::schema::finish(
        SchemaSettings::draft07().into_generator().into_root_schema_for::<WorkflowCatalog>().to_value(),
    )
}

/// `schemas/step-catalog.schema.json`.
pub fn step_catalog_schema_text() -> String {
    crate::overlay::schema::finish(
        SchemaSettings::draft07().into_generator().into_root_schema_for::<StepCatalog>().to_value(),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn committed_catalog_schemas_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
        for (name, text) in
            [("catalog.schema.json", catalog_schema_text()), ("step-catalog.schema.json", step_catalog_schema_text())]
        {
            let committed = std::fs::read_to_string(root.join(name)).unwrap_or_default();
            assert!(committed == text, "schemas/{name} is stale: run `cargo xtask schema`");
        }
    }

    /// Well-formed catalogs pass the schemas; malformed releases and digests do not.
    #[test]
    fn catalog_documents_validate() {
        let schema: serde_json::Value = serde_json::from_str(&catalog_schema_text()).unwrap();
        let validator = jsonschema::draft7::new(&schema).unwrap();
        let good = serde_json::json!({"workflows": {"hello": {"name": "Hello", "version": "1.0.0",
            "url": "https://example.org/hello.yml", "tags": ["demo"],
            "releases": {"0.9.0": {"url": "https://example.org/0.9.yml", "sha256": "a".repeat(64)}}}}});
        assert!(validator.is_valid(&good));
        let bad = serde_json::json!({"workflows": {"hello": {"releases": {"0.9.0": {"url": "x"}}}}});
        assert!(!validator.is_valid(&bad));
        let steps: serde_json::Value = serde_json::from_str(&step_catalog_schema_text()).unwrap();
        let validator = jsonschema::draft7::new(&steps).unwrap();
        assert!(validator.is_valid(&serde_json::json!({"steps": [{"id": "x", "sha256": {"step.yml": "b".repeat(64)}}]})));
        assert!(!validator.is_valid(&serde_json::json!({"steps": {"x": {"sha256": {"step.yml": "nothex"}}}})));
    }
}
