//! Integration tests of baton-steps.

mod process;
mod agents;
mod steps;
