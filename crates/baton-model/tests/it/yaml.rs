//! The YAML loader and dumper against tables recorded from PyYAML (`fixtures/yaml/`).

#[path = "yaml/table.rs"]
mod table;
#[path = "yaml/corpus.rs"]
mod corpus;
#[path = "yaml/limits.rs"]
mod limits;
#[path = "yaml/props.rs"]
mod props;
#[path = "yaml/reference.rs"]
mod reference;
#[path = "yaml/spans.rs"]
mod spans;
#[path = "yaml/api.rs"]
mod api;
