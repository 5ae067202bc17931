//! `baton man`: roff generated from the clap definitions.

use crate::{baton, stdout};

#[test]
fn the_page_names_every_verb() {
    let out = baton(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH baton 1"),
        "{}",
        &page[..page.len().min(300)]
    );
    for verb in [
        "run",
        "resume",
        "status",
        "validate",
        "graph",
        "mcp",
        "completions",
    ] {
        assert!(
            page.contains(&format!("baton\\-{verb}")) || page.contains(&format!("{verb}(1)")),
            "{verb} missing"
        );
    }
    assert!(
        !page.contains("baton\\-man"),
        "the man verb itself is hidden"
    );
}

#[test]
fn out_dir_writes_a_page_per_verb() {
    let dir = tempfile::tempdir().unwrap();
    let out = baton(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::stderr(&out));
    for page in [
        "baton.1",
        "baton-run.1",
        "baton-graph.1",
        "baton-mcp.1",
        "baton-overlay.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
    let graph = std::fs::read_to_string(dir.path().join("baton-graph.1")).unwrap();
    assert!(
        graph.contains("mermaid"),
        "the --format values are documented"
    );
}
