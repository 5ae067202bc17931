//! Integration tests of baton-catalog (one test binary).

#![allow(clippy::unwrap_used)]

mod cache;
mod install;
mod net;
mod server;
