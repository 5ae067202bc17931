//! Maintainer tasks. Run with `cargo xtask <task>`.

fn main() -> anyhow::Result<()> {
    Ok(())
}
