//! The `{{ expression }}` language of Spec Kit workflows (specify-cli 1.2.3).
//!
//! This crate is pure: no I/O, no environment, no printing. It owns [`Value`], the
//! JSON-compatible value type shared by every baton crate that handles workflow data
//! (inputs, step outputs, expression results).

pub mod py;
mod value;

pub use value::{Map, Value};
