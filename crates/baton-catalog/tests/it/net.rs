//! The HTTP client against a loopback server: redirects, limits, auth headers.

use std::collections::BTreeMap;

use baton_catalog::net::{AuthConfig, AuthEntry, Client, NetConfig, NetError, Request};

use crate::server::{Reply, Server};

fn client() -> Client {
    Client::new(NetConfig::default())
}

#[test]
fn plain_get_and_404() {
    let s = Server::start();
    s.route("/a.yml", Reply::ok("hello").header("Content-Type", "text/yaml"));
    let r = client().get(&Request::download(&s.url("/a.yml"))).unwrap();
    assert_eq!(r.content_type.as_deref(), Some("text/yaml"));
    assert_eq!(r.content_length, Some(5));
    assert_eq!(r.read_limited(100, "x").unwrap(), b"hello");
    let e = client().get(&Request::download(&s.url("/missing"))).unwrap_err();
    assert_eq!(e.to_string(), "HTTP Error 404: Not Found");
}

#[test]
fn size_limit() {
    let s = Server::start();
    s.route("/big", Reply::ok(vec![b' '; 2000]));
    let e = client().get(&Request::download(&s.url("/big"))).unwrap().read_limited(1999, "workflow catalog").unwrap_err();
    assert_eq!(e.to_string(), "'workflow catalog' exceeds maximum size of 1999 bytes");
    assert!(client().get(&Request::download(&s.url("/big"))).unwrap().read_limited(2000, "x").is_ok());
}

#[test]
fn redirects_follow_the_rules() {
    let s = Server::start();
    let port = s.base.rsplit(':').next().unwrap().to_owned();
    s.route("/end", Reply::ok("end"));
    s.route("/to-localhost", Reply::redirect(&format!("http://localhost:{port}/end")));
    s.route("/relative", Reply::redirect("/end"));
    s.route("/to-remote-http", Reply::redirect("http://example.com/x"));
    s.route("/to-file", Reply::redirect("file:///etc/passwd"));
    let c = client();
    let r = c.get(&Request::download(&s.url("/to-localhost"))).unwrap();
    assert_eq!(r.final_url, format!("http://localhost:{port}/end"));
    assert_eq!(c.get(&Request::download(&s.url("/relative"))).unwrap().read_limited(10, "x").unwrap(), b"end");
    for path in ["/to-remote-http", "/to-file"] {
        let e = c.get(&Request::download(&s.url(path))).unwrap_err();
        assert_eq!(e, NetError::Url(baton_catalog::net::UNSAFE_REDIRECT.to_owned()), "{path}");
    }
    // A catalog fetch checks every hop with the catalog-source rule too: 127.0.0.2 is
    // loopback for downloads but not a catalog host.
    s.route("/cat-hop", Reply::redirect(&format!("http://127.0.0.2:{port}/end")));
    let e = c.get(&Request::catalog(&s.url("/cat-hop"))).unwrap_err();
    assert!(e.to_string().starts_with("Refusing to fetch catalog from non-HTTPS URL"), "{e}");
    assert_eq!(s.hits("/end"), 2);
}

#[test]
fn redirect_loop_stops() {
    let s = Server::start();
    s.route("/loop", Reply::redirect("/loop"));
    let e = client().get(&Request::download(&s.url("/loop"))).unwrap_err();
    assert!(matches!(e, NetError::Url(_)));
}

#[test]
fn auth_headers_matching_fallthrough_and_stripping() {
    let s = Server::with_handler(Some(std::sync::Arc::new(|req: &crate::server::Seen| {
        match (req.path.as_str(), req.headers.get("authorization").map(String::as_str)) {
            ("/private", Some("Bearer good")) => Reply::ok("secret"),
            ("/private", _) => Reply::status(403),
            ("/public", _) => Reply::ok("public"),
            ("/hop", _) => Reply::redirect("http://localhost:1/none"),
            _ => Reply::status(404),
        }
    })));
    let mut env = BTreeMap::new();
    env.insert("GOOD".to_owned(), "good".to_owned());
    let entry = |token_env: &str| AuthEntry {
        hosts: vec!["127.0.0.1".into()],
        provider: "github".into(),
        auth: "bearer".into(),
        token: None,
        token_env: Some(token_env.into()),
        username: None,
    };
    let auth = AuthConfig { entries: vec![entry("BAD"), entry("GOOD")], env: env.clone() };
    let c = Client::new(NetConfig { auth, ..NetConfig::default() });
    assert_eq!(c.get(&Request::download(&s.url("/private"))).unwrap().read_limited(10, "x").unwrap(), b"secret");
    let with_auth: Vec<_> = s.seen.lock().unwrap().iter().map(|r| r.headers.get("authorization").cloned()).collect();
    // The BAD entry has no token (unset variable) so it is skipped; GOOD is sent.
    assert_eq!(with_auth, vec![Some("Bearer good".to_owned())]);
    // A wrong token: 403 → next entry → unauthenticated → 403.
    env.insert("BAD".to_owned(), "bad".to_owned());
    let auth = AuthConfig { entries: vec![entry("BAD")], env };
    let c = Client::new(NetConfig { auth, ..NetConfig::default() });
    let e = c.get(&Request::download(&s.url("/private"))).unwrap_err();
    assert_eq!(e.to_string(), "HTTP Error 403: Forbidden");
    let last_two: Vec<_> = s.seen.lock().unwrap().iter().rev().take(2).map(|r| r.headers.get("authorization").cloned()).collect();
    assert_eq!(last_two, vec![None, Some("Bearer bad".to_owned())]);
    // Other hosts never receive the header.
    let c = Client::new(NetConfig { auth: AuthConfig { entries: vec![AuthEntry { hosts: vec!["example.com".into()], ..entry("GOOD") }], env: BTreeMap::new() }, ..NetConfig::default() });
    c.get(&Request::download(&s.url("/public"))).unwrap();
    assert_eq!(s.seen.lock().unwrap().last().unwrap().headers.get("authorization"), None);
}

#[test]
fn connection_refused_reads_like_urllib() {
    let e = client().get(&Request::download("http://127.0.0.1:9/x.yml")).unwrap_err();
    assert!(e.to_string().starts_with("<urlopen error"), "{e}");
    assert!(e.to_string().contains("refused"), "{e}");
}

#[test]
fn github_release_asset_resolution_on_a_trusted_enterprise_host() {
    let s = Server::start();
    let host_port = s.base.trim_start_matches("http://").to_owned();
    let asset_url = format!("{}/api/v3/repos/o/r/releases/assets/42", s.base);
    s.route(
        "/api/v3/repos/o/r/releases/tags/v1.0",
        Reply::ok(format!(r#"{{"assets": [{{"name": "wf.zip", "url": "{asset_url}"}}]}}"#)),
    );
    let auth = AuthConfig {
        entries: vec![AuthEntry { hosts: vec!["127.0.0.1".into()], provider: "github".into(), auth: "bearer".into(), token: Some("t".into()), token_env: None, username: None }],
        env: BTreeMap::new(),
    };
    let c = Client::new(NetConfig { auth, ..NetConfig::default() });
    let url = format!("http://{host_port}/o/r/releases/download/v1.0/wf.zip");
    assert_eq!(baton_catalog::net::resolve_github_release_asset(&c, &url), Some(asset_url));
    let other = format!("http://{host_port}/o/r/releases/download/v1.0/missing.zip");
    assert_eq!(baton_catalog::net::resolve_github_release_asset(&c, &other), None);
    assert_eq!(baton_catalog::net::resolve_github_release_asset(&client(), &url), None);
}
