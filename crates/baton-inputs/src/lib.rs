//! Workflow inputs: declarations (`inputs:` block) resolved to typed values.
//!
//! Coercion of CLI strings and YAML defaults, `enum`, `required`/`default`, and the
//! `integration: auto` sentinel, exactly as the reference. The caller passes every value
//! in (provided inputs, the project's `integration.json` text); prompting for a missing
//! input is a trait the CLI implements. This crate never reads the environment or stdin.
