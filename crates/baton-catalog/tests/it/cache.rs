//! The catalog cache: TTL, stale fallback, non-object bodies, symlinked cache dirs.

use std::path::Path;

use baton_catalog::cache::{cache_paths, fetch_catalog, parse_json, WORKFLOW_CACHE};
use baton_catalog::net::{Client, NetConfig};

use crate::server::{Reply, Server};

fn project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join(".specify/workflows")).unwrap();
    d
}

#[test]
fn fresh_cache_means_one_request_and_stale_cache_is_a_fallback() {
    let s = Server::start();
    s.route("/c.json", Reply::ok(r#"{"workflows": {"hello": {"name": "Hello"}}}"#));
    let p = project();
    let c = Client::new(NetConfig::default());
    let url = s.url("/c.json");
    for _ in 0..3 {
        let f = fetch_catalog(&c, p.path(), &WORKFLOW_CACHE, &url, 1000.0, parse_json).unwrap();
        assert!(f.catalog.contains_key("workflows"));
        assert!(f.cache_warning.is_none());
    }
    assert_eq!(s.hits("/c.json"), 1);
    let (data, meta) = cache_paths(&WORKFLOW_CACHE, &url);
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(p.path().join(&data)).unwrap().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(p.path().join(&meta)).unwrap().contains("\"fetched_at\": 1000.0"));
    // Expired: refetched; gone from the server: the stale copy is used.
    s.route("/c.json", Reply::status(404));
    let f = fetch_catalog(&c, p.path(), &WORKFLOW_CACHE, &url, 1000.0 + 7200.0, parse_json).unwrap();
    assert!(f.catalog.contains_key("workflows"));
    assert_eq!(s.hits("/c.json"), 2);
}

#[test]
fn non_object_and_oversized_bodies_fail_the_source() {
    let s = Server::start();
    s.route("/list.json", Reply::ok("[1, 2]"));
    s.route("/bad.json", Reply::ok("{bad json"));
    s.route("/huge.json", Reply::ok(vec![b' '; 9 * 1024 * 1024]));
    let p = project();
    let c = Client::new(NetConfig::default());
    let e = fetch_catalog(&c, p.path(), &WORKFLOW_CACHE, &s.url("/list.json"), 0.0, parse_json).unwrap_err();
    assert!(e.0.ends_with("is not a valid JSON object."), "{e}");
    let e = fetch_catalog(&c, p.path(), &WORKFLOW_CACHE, &s.url("/bad.json"), 0.0, parse_json).unwrap_err();
    assert!(e.0.starts_with("Failed to fetch catalog from"), "{e}");
    let e = fetch_catalog(&c, p.path(), &WORKFLOW_CACHE, &s.url("/huge.json"), 0.0, parse_json).unwrap_err();
    assert!(e.0.contains("'workflow catalog' exceeds maximum size of 8388608 bytes"), "{e}");
}

#[test]
fn symlinked_cache_dir_is_never_written_through() {
    let s = Server::start();
    s.route("/c.json", Reply::ok(r#"{"workflows": {}}"#));
    let p = project();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), p.path().join(".specify/workflows/.cache")).unwrap();
    let c = Client::new(NetConfig::default());
    let f = fetch_catalog(&c, p.path(), &WORKFLOW_CACHE, &s.url("/c.json"), 0.0, parse_json).unwrap();
    let warning = f.cache_warning.unwrap();
    assert!(warning.starts_with(&format!("Could not safely cache workflow catalog {}: ", s.url("/c.json"))), "{warning}");
    assert!(std::fs::read_dir(elsewhere.path()).unwrap().next().is_none());
    assert!(!Path::new(&p.path().join(".specify/workflows/.cache/x")).exists());
}
