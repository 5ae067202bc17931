//! Integration tests of baton-catalog (one test binary).

mod cache;
mod net;
mod server;
