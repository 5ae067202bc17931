//! The workflow definition model of Spec Kit workflows (specify-cli 1.2.3).
//!
//! * [`yaml`] loads YAML exactly as PyYAML (YAML 1.1) does, with a line and column on
//!   every node; it is the only module that knows which YAML libraries are used.
//! * Validation collects every diagnostic, in the reference's order.
//! * The serde types describe the document and generate the JSON Schemas.

pub mod yaml;
