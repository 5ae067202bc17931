//! Workflow distribution: catalogs, install sources, the installed-workflow registry,
//! enable/disable, updates, overlays and custom step packages.
//!
//! Building blocks shared by workflow and step catalogs (reuse them, do not copy):
//! * [`url`] — the two URL rule sets and the redirect rule (spec §6.1);
//! * [`archive`] — safe zip / tar.gz extraction (spec §8).

pub mod archive;
pub mod ids;
pub mod overlay;
pub mod url;
