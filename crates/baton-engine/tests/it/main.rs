//! Engine integration tests: real run folders in temporary projects, the built-in steps
//! plus a few test-only step types.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calls;
mod common;
mod flow;
mod interrupt;
mod resume;
