//! Integration tests of baton-catalog (one test binary).

mod cache;
mod install;
mod net;
mod server;
