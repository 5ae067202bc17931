//! Agent dispatch: the oracle-filled table, a re-check against the reference, real runs
//! of fake agents, and properties.

#[path = "agents_oracle.rs"]
mod oracle;
#[path = "agents_props.rs"]
mod props;
#[path = "agents_run.rs"]
mod run;
#[path = "agents_table.rs"]
mod table;

use std::path::PathBuf;

/// `fixtures/agents/` at the workspace root.
fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/agents")
}
