//! Integration tests of baton-steps.

mod process;
mod agents;
mod steps;

/// `fixtures/agents/` at the workspace root.
fn agents_fixtures_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/agents")
}
