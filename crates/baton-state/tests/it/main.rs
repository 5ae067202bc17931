//! baton-state integration tests (one binary; see the `mod` lines).

mod common;
mod crash;
mod extra_keys;
mod invalid_states;
mod journal;
mod listing;
mod lock;
mod reference_runs;
mod serialize;
mod store;
