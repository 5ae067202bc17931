//! Integration tests of baton-expr: the data tables of `fixtures/expr/`, the
//! reference re-check, property tests and the JSON module.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod fixtures;
mod json;
mod props;
mod reference;
mod api;
