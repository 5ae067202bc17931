//! Durable run state: the reference's on-disk run format (`state.json`, `inputs.json`,
//! `log.jsonl`, `workflow.yml`) plus baton's journal, atomic snapshots, run lock, run ids
//! and run listing. A leaf crate: it knows nothing about workflows, steps or expressions;
//! step records are opaque JSON to it.
