//! Integration tests of baton-model.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod common;
mod model;
mod oracle;
mod props;
mod schema;
mod validate;
mod yaml;
