//! Workflow distribution: catalogs, install sources, the installed-workflow registry,
//! enable/disable, updates, overlays and custom step packages.
//!
//! Building blocks shared by workflow and step catalogs (reuse them, do not copy):
//! * [`url`] — the two URL rule sets and the redirect rule (spec §6.1);
//! * [`net`] — HTTP with redirect checks, size limits, auth.json, GitHub release assets,
//!   SHA-256 (spec §6.1–§6.2);
//! * [`archive`] — safe zip / tar.gz extraction (spec §8).

pub mod archive;
pub mod cache;
pub mod catalog;
pub mod catalog_schema;
pub mod custom_steps;
pub mod fsx;
pub mod ids;
pub mod install;
pub mod installed;
pub mod manage;
pub mod net;
pub mod registry;
pub mod sources;
pub mod overlay;
pub mod step_catalog;
pub mod step_install;
pub mod url;
