//! Workflow catalogs (spec §5): fetching the active stack, merging it (the lowest
//! priority number wins a conflicting id), `search`, and release history (`info
//! --versions`, `add --version`).
//!
//! Catalog JSON is handled as [`baton_expr::Value`] (Python's `json` semantics: key
//! order kept, the last duplicate key wins).

use std::path::Path;
use std::str::FromStr;

use baton_expr::{Map, Value};
use indexmap::IndexMap;

use crate::cache::{self, WORKFLOW_CACHE};
use crate::net::Client;
use crate::sources::{self, CatalogSource, StackInputs, WORKFLOW_STACK};

/// The merged catalog: winning entries by id, in first-seen order starting from the
/// highest priority number (the order `search` prints).
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// Entries annotated with `_catalog_name` and `_install_allowed`.
    pub workflows: IndexMap<String, Map>,
    /// Per-source problems (a failed source; a cache that could not be written). The
    /// reference is silent about failed sources; baton reports them (DESIGN §1.5).
    pub warnings: Vec<String>,
}

/// A catalog command failed; the message is printed as `Error: <msg>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CatalogError(pub String);

/// Everything a catalog lookup needs from the outside world.
#[derive(Debug, Clone, Copy)]
pub struct CatalogInputs<'a> {
    /// The stack inputs (project root, home, env override).
    pub stack: StackInputs<'a>,
    /// The HTTP client.
    pub client: &'a Client,
    /// Now, in Unix seconds (for the cache TTL).
    pub now: f64,
}

/// Fetches every source of the active workflow stack and merges them.
///
/// # Errors
/// A stack error, or `All configured catalogs failed to fetch.`
pub fn load_merged(inputs: &CatalogInputs<'_>) -> Result<Merged, CatalogError> {
    let stack = sources::active_sources(&WORKFLOW_STACK, &inputs.stack).map_err(|e| CatalogError(e.0))?;
    merge(inputs.client, inputs.stack.project_root, &stack, inputs.now)
}

/// Merges `stack` (sorted by priority) fetched through the cache.
///
/// # Errors
/// `All configured catalogs failed to fetch.` when every source fails.
pub fn merge(client: &Client, root: &Path, stack: &[CatalogSource], now: f64) -> Result<Merged, CatalogError> {
    let mut merged = Merged::default();
    let mut failures = 0;
    for source in stack.iter().rev() {
        let fetched = match cache::fetch_catalog(client, root, &WORKFLOW_CACHE, &source.url, now, cache::parse_json) {
            Ok(f) => f,
            Err(e) => {
                failures += 1;
                merged.warnings.push(format!("catalog '{}' could not be loaded and was skipped: {e}", source.name));
                continue;
            }
        };
        if let Some(w) = fetched.cache_warning {
            merged.warnings.push(w);
        }
        let annotate = |mut entry: Map| {
            entry.insert("_catalog_name".into(), Value::Str(source.name.clone()));
            entry.insert("_install_allowed".into(), Value::Bool(source.install_allowed));
            entry
        };
        match fetched.catalog.get("workflows") {
            Some(Value::Map(items)) => {
                for (id, item) in items {
                    if let Value::Map(entry) = item {
                        merged.workflows.insert(id.clone(), annotate(entry.clone()));
                    }
                }
            }
            Some(Value::List(items)) => {
                for item in items {
                    if let Value::Map(entry) = item {
                        let id = match entry.get("id") {
                            Some(v) if v.truthy() => v.py_str(),
                            _ => continue,
                        };
                        merged.workflows.insert(id, annotate(entry.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    if !stack.is_empty() && failures == stack.len() {
        return Err(CatalogError("All configured catalogs failed to fetch.".into()));
    }
    Ok(merged)
}

/// `search [QUERY] [--tag T] [--author A]`: every given filter must match.
pub fn search<'m>(merged: &'m Merged, query: Option<&str>, tag: Option<&str>, author: Option<&str>) -> Vec<(&'m str, &'m Map)> {
    let lower = |s: &str| s.to_lowercase();
    merged
        .workflows
        .iter()
        .filter(|(id, entry)| {
            if let Some(q) = query.filter(|q| !q.is_empty()) {
                let field = |k: &str| match entry.get(k) {
                    Some(v) if v.truthy() => v.py_str(),
                    _ => String::new(),
                };
                let id_text = match entry.get("id") {
                    Some(v) if v.truthy() => v.py_str(),
                    Some(_) => String::new(),
                    None => (*id).clone(),
                };
                let text = format!("{} {} {}", field("name"), field("description"), id_text);
                if !lower(&text).contains(&lower(q)) {
                    return false;
                }
            }
            if let Some(t) = tag.filter(|t| !t.is_empty()) {
                let tags = match entry.get("tags") {
                    Some(Value::List(items)) => items.iter().filter_map(Value::as_str).map(lower).collect::<Vec<_>>(),
                    _ => Vec::new(),
                };
                if !tags.contains(&lower(t)) {
                    return false;
                }
            }
            if let Some(a) = author.filter(|a| !a.is_empty()) {
                match entry.get("author").and_then(Value::as_str) {
                    Some(w) if lower(w) == lower(a) => {}
                    _ => return false,
                }
            }
            true
        })
        .map(|(id, entry)| (id.as_str(), entry))
        .collect()
}

/// `\d+\.\d+\.\d+` as a full match.
pub fn is_xyz(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// A PEP 440 version, `None` when invalid.
pub fn pep440(v: &str) -> Option<pep440_rs::Version> {
    pep440_rs::Version::from_str(v.trim()).ok()
}

const RESERVED_RELEASE_FIELDS: [&str; 5] = ["id", "version", "releases", "_catalog_name", "_install_allowed"];
const CURRENT_ONLY_FIELDS: [&str; 6] = ["version", "url", "sha256", "requires", "bundled", "releases"];

fn sha256_field_ok(v: &str) -> bool {
    let value = if v.len() >= 7 && v[..7].eq_ignore_ascii_case("sha256:") { &v[7..] } else { v };
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The entry's `releases`, validated (spec §5 "Release history").
///
/// # Errors
/// The reference's message for the first violation.
pub fn validated_releases(id: &str, entry: &Map) -> Result<Vec<(String, Map)>, CatalogError> {
    let Some(releases) = entry.get("releases") else { return Ok(Vec::new()) };
    let wid = entry.get("id").map_or_else(|| "<unknown>".to_owned(), Value::py_str);
    let wid = if entry.contains_key("id") { wid } else { id.to_owned() };
    let fail = |m: String| Err(CatalogError(m));
    let Value::Map(releases) = releases else { return fail(format!("Workflow '{wid}' has an invalid releases mapping.")) };
    let current = match entry.get("version") {
        Some(Value::Str(s)) if !s.trim().is_empty() => s.clone(),
        _ => return fail(format!("Workflow '{wid}' has releases but no current version.")),
    };
    let Some(current_v) = pep440(&current).filter(|_| is_xyz(&current)) else {
        return fail(format!("Workflow '{wid}' has an invalid current version '{current}'."));
    };
    let mut seen = vec![current_v];
    let mut out = Vec::new();
    for (version, record) in releases {
        if version.trim().is_empty() {
            return fail(format!("Workflow '{wid}' has an invalid release version key."));
        }
        let Some(v) = pep440(version).filter(|_| is_xyz(version)) else {
            return fail(format!("Workflow '{wid}' has invalid release version '{version}'."));
        };
        if seen.contains(&v) {
            return fail(format!("Workflow '{wid}' repeats release version '{version}'."));
        }
        seen.push(v);
        let Value::Map(record) = record else { return fail(format!("Workflow '{wid}' release '{version}' must be an object.")) };
        if RESERVED_RELEASE_FIELDS.iter().any(|k| record.contains_key(*k)) {
            return fail(format!("Workflow '{wid}' release '{version}' contains reserved fields."));
        }
        let url = match record.get("url") {
            Some(Value::Str(u)) if !u.trim().is_empty() => u,
            _ => return fail(format!("Workflow '{wid}' release '{version}' needs a url.")),
        };
        if !crate::url::is_https_or_loopback_http(url) {
            return fail(format!("Workflow '{wid}' release '{version}' has an invalid URL."));
        }
        match record.get("sha256") {
            Some(Value::Str(s)) if sha256_field_ok(s) => {}
            _ => return fail(format!("Workflow '{wid}' release '{version}' needs a SHA-256 digest.")),
        }
        if record.get("requires").is_some_and(|r| !matches!(r, Value::Map(_))) {
            return fail(format!("Workflow '{wid}' release '{version}' has invalid requires."));
        }
        out.push((version.clone(), record.clone()));
    }
    Ok(out)
}

/// The current entry or the release that `version` selects (PEP 440 equality);
/// `None` when nothing matches.
///
/// # Errors
/// A release-history violation.
pub fn select_release(id: &str, entry: &Map, version: Option<&str>) -> Result<Option<Map>, CatalogError> {
    let releases = validated_releases(id, entry)?;
    Ok(select_from(entry, releases, &CURRENT_ONLY_FIELDS, version))
}

/// The release selection shared by workflow and step catalogs: the entry itself when
/// no `version` is asked or it names the current version (exactly, or PEP 440-equal),
/// else the first of the validated `releases` that is PEP 440-equal, merged over the
/// entry without its `current_only` fields; `None` when nothing matches.
pub(crate) fn select_from(
    entry: &Map,
    releases: Vec<(String, Map)>,
    current_only: &[&str],
    version: Option<&str>,
) -> Option<Map> {
    let current = entry.get("version");
    let Some(version) = version else { return Some(entry.clone()) };
    if current.and_then(Value::as_str) == Some(version) {
        return Some(entry.clone());
    }
    let requested = pep440(version)?;
    if let Some(Value::Str(c)) = current {
        if pep440(c).is_some_and(|c| c == requested) {
            return Some(entry.clone());
        }
    }
    for (advertised, record) in releases {
        if pep440(&advertised).is_some_and(|a| a == requested) {
            let mut effective: Map = entry
                .iter()
                .filter(|(k, _)| !current_only.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, v) in record {
                effective.insert(k, v);
            }
            effective.insert("version".into(), Value::Str(advertised));
            return Some(effective);
        }
    }
    None
}

/// Current version first, then release keys newest first.
///
/// # Errors
/// A release-history violation.
pub fn available_versions(id: &str, entry: &Map) -> Result<Vec<String>, CatalogError> {
    let releases = validated_releases(id, entry)?;
    let Some(Value::Str(current)) = entry.get("version").filter(|v| v.truthy()) else { return Ok(Vec::new()) };
    let mut keys: Vec<(pep440_rs::Version, String)> = releases.into_iter().filter_map(|(k, _)| pep440(&k).map(|v| (v, k))).collect();
    keys.sort_by(|a, b| b.0.cmp(&a.0));
    let mut out = vec![current.clone()];
    out.extend(keys.into_iter().map(|(_, k)| k));
    Ok(out)
}

/// Whether the winning source allows installs (`_install_allowed`, default true).
pub fn install_allowed(entry: &Map) -> bool {
    entry.get("_install_allowed").is_none_or(Value::truthy)
}

/// A display string of a catalog value (`str()`), `None` when absent.
pub fn field_str(entry: &Map, key: &str) -> Option<String> {
    entry.get(key).map(Value::py_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: &str) -> Map {
        match baton_expr::json::loads(json).unwrap() {
            Value::Map(m) => m,
            _ => unreachable!(),
        }
    }

    const SHA: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn versions_and_selection() {
        let e = entry(&format!(
            r#"{{"version": "1.1.0", "url": "http://127.0.0.1:1/c.yml", "name": "H", "releases": {{
                "1.0.0": {{"url": "http://127.0.0.1:1/1.yml", "sha256": "{SHA}"}},
                "0.9.0": {{"url": "http://127.0.0.1:1/0.yml", "sha256": "sha256:{SHA}", "requires": {{"speckit_version": ">=1"}}}}}}}}"#
        ));
        assert_eq!(available_versions("h", &e).unwrap(), ["1.1.0", "1.0.0", "0.9.0"]);
        let cur = select_release("h", &e, Some("1.1")).unwrap().unwrap();
        assert_eq!(cur.get("url").unwrap().py_str(), "http://127.0.0.1:1/c.yml");
        let old = select_release("h", &e, Some("1.0.0")).unwrap().unwrap();
        assert_eq!(old.get("url").unwrap().py_str(), "http://127.0.0.1:1/1.yml");
        assert_eq!(old.get("version").unwrap().py_str(), "1.0.0");
        assert_eq!(old.get("name").unwrap().py_str(), "H");
        assert!(select_release("h", &e, Some("2.0.0")).unwrap().is_none());
        assert!(select_release("h", &e, Some("notaversion")).unwrap().is_none());
    }

    #[test]
    fn release_violations() {
        for (json, msg) in [
            (r#"{"version": "1.0.0", "releases": []}"#.to_owned(), "has an invalid releases mapping."),
            (r#"{"releases": {}}"#.to_owned(), "has releases but no current version."),
            (r#"{"version": "1.0", "releases": {}}"#.to_owned(), "has an invalid current version '1.0'."),
            (r#"{"version": "1.0.0", "releases": {"0.1.0": {"url": "https://x/y"}}}"#.to_owned(), "Workflow 'b' release '0.1.0' needs a SHA-256 digest."),
            (format!(r#"{{"version": "1.0.0", "releases": {{"1.0.0": {{"url": "https://x/y", "sha256": "{SHA}"}}}}}}"#), "repeats release version '1.0.0'."),
            (format!(r#"{{"version": "1.0.0", "releases": {{"0.1.0": {{"url": "http://example.com/y", "sha256": "{SHA}"}}}}}}"#), "has an invalid URL."),
            (format!(r#"{{"version": "1.0.0", "releases": {{"0.1.0": {{"id": "x", "url": "https://x/y", "sha256": "{SHA}"}}}}}}"#), "contains reserved fields."),
        ] {
            let e = available_versions("b", &entry(&json)).unwrap_err();
            assert!(e.0.contains(msg), "{json}: {e}");
        }
    }

    #[test]
    fn search_filters() {
        let mut merged = Merged::default();
        merged.workflows.insert("hello".into(), entry(r#"{"name": "Hello WF", "description": "Says hello", "tags": ["demo", "Greeting"], "author": "alice"}"#));
        merged.workflows.insert("other".into(), entry(r#"{"name": "Other Thing", "tags": "greeting", "author": "Bob"}"#));
        let ids = |v: Vec<(&str, &Map)>| v.into_iter().map(|(i, _)| i.to_owned()).collect::<Vec<_>>();
        assert_eq!(ids(search(&merged, None, Some("GREETING"), None)), ["hello"]);
        assert_eq!(ids(search(&merged, None, Some("greet"), None)), Vec::<String>::new());
        assert_eq!(ids(search(&merged, None, None, Some("BOB"))), ["other"]);
        assert_eq!(ids(search(&merged, Some("HELLO"), None, None)), ["hello"]);
        assert_eq!(ids(search(&merged, Some("hello"), None, Some("bob"))), Vec::<String>::new());
        assert_eq!(ids(search(&merged, Some(""), None, None)), ["hello", "other"]);
    }
}
