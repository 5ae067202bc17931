//! The YAML loader and dumper against tables recorded from PyYAML (`fixtures/yaml/`).

#[path = "yaml/table.rs"]
mod table;
#[path = "yaml/corpus.rs"]
mod corpus;
