//! The step-type catalog (ecosystem.md §17): the source stack
//! (`SPECKIT_STEP_CATALOG_URL`, `step-catalogs.yml`, defaults), fetching with the
//! cache under `.specify/workflows/steps/.cache/`, the step catalog JSON (duplicate
//! keys anywhere are an error, list-form ids trimmed and unique per source), merging
//! (the lowest priority number wins), `search`, `info`, release history and checksum
//! rules. [`install`] downloads and installs catalog entries and `--from` archives.
//!
//! The stack, the HTTP client, URL rules and the cache file layout are the shared
//! building blocks of [`crate::sources`], [`crate::net`], [`crate::url`] and
//! [`crate::cache`]; only what differs for step catalogs lives here.

pub mod install;

use std::collections::HashSet;
use std::path::Path;

use baton_expr::json::{self, DumpOptions};
use baton_expr::py::str_repr;
use baton_expr::{Map, Value};
use indexmap::IndexMap;

use crate::cache::{cache_paths, STEP_CACHE, TTL_SECS};
use crate::catalog::pep440;
use crate::net::{self, Client, Request};
use crate::sources::{self, AddOutcome, CatalogSource, StackInputs, STEP_STACK};

/// A step catalog command failed; `Display` is printed as `Error: <it>` (exit 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Error(pub String);

fn fail<T>(message: impl Into<String>) -> Result<T, Error> {
    Err(Error(message.into()))
}

/// Everything a step catalog lookup needs from the outside world.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The stack inputs; `env_override` is `SPECKIT_STEP_CATALOG_URL`.
    pub stack: StackInputs<'a>,
    /// The HTTP client.
    pub client: &'a Client,
    /// Now, in Unix seconds (for the cache TTL).
    pub now: f64,
}

/// The active step catalog sources, sorted by priority.
///
/// # Errors
/// An invalid env URL or a malformed config file.
pub fn active_sources(stack: &StackInputs<'_>) -> Result<Vec<CatalogSource>, Error> {
    sources::active_sources(&STEP_STACK, stack).map_err(|e| Error(e.0))
}

/// `step catalog add <url> [--name N]` (writes the project's `step-catalogs.yml`).
///
/// # Errors
/// The reference's messages.
pub fn add_source(project_root: &Path, url: &str, name: Option<&str>) -> Result<AddOutcome, Error> {
    sources::add_source(&STEP_STACK, project_root, url, name).map_err(|e| Error(e.0))
}

/// `step catalog remove <index>`; returns the removed source's name.
///
/// # Errors
/// The reference's messages (`No step catalog config file found.` without a project
/// file).
pub fn remove_source(project_root: &Path, env_override: Option<&str>, index: i64) -> Result<String, Error> {
    sources::remove_source(&STEP_STACK, project_root, env_override, index).map_err(|e| {
        if e.0 == "No catalog config file found." {
            Error("No step catalog config file found.".into())
        } else {
            Error(e.0)
        }
    })
}

/// The first duplicate key of the first JSON object (in closing order, as Python's
/// `object_pairs_hook` meets them) that repeats a key. `text` must be valid JSON.
pub fn first_duplicate_key(text: &str) -> Option<String> {
    enum Frame {
        Object { keys: HashSet<Vec<u16>>, expecting_key: bool, dup: Option<Vec<u16>> },
        Array,
    }
    let chars: Vec<char> = text.chars().collect();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' => stack.push(Frame::Object { keys: HashSet::new(), expecting_key: true, dup: None }),
            '[' => stack.push(Frame::Array),
            '}' | ']' => {
                if let Some(Frame::Object { dup: Some(key), .. }) = stack.pop() {
                    return Some(String::from_utf16_lossy(&key));
                }
            }
            ',' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = true;
                }
            }
            '"' => {
                let (decoded, end) = decode_string(&chars, i + 1);
                i = end;
                if let Some(Frame::Object { keys, expecting_key, dup }) = stack.last_mut() {
                    if *expecting_key {
                        *expecting_key = false;
                        if !keys.insert(decoded.clone()) && dup.is_none() {
                            *dup = Some(decoded);
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Decodes a JSON string starting after its opening quote; returns the UTF-16 code
/// units and the index of the closing quote.
fn decode_string(chars: &[char], mut i: usize) -> (Vec<u16>, usize) {
    let mut out = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '"' => return (out, i),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                match chars[i] {
                    'u' => {
                        let hex: String = chars.iter().skip(i + 1).take(4).collect();
                        if let Ok(unit) = u16::from_str_radix(&hex, 16) {
                            out.push(unit);
                        }
                        i += 4;
                    }
                    'n' => out.push(u16::from(b'\n')),
                    't' => out.push(u16::from(b'\t')),
                    'r' => out.push(u16::from(b'\r')),
                    'b' => out.push(0x08),
                    'f' => out.push(0x0c),
                    c => {
                        let mut buf = [0u16; 2];
                        out.extend_from_slice(c.encode_utf16(&mut buf));
                    }
                }
            }
            c => {
                let mut buf = [0u16; 2];
                out.extend_from_slice(c.encode_utf16(&mut buf));
            }
        }
        i += 1;
    }
    (out, i)
}

/// How one step catalog text parses.
enum Parsed {
    Ok(Value),
    /// `Duplicate field '<k>' in step catalog.`: fatal for the whole command.
    Duplicate(String),
    Invalid(String),
}

fn parse_step_catalog(text: &str) -> Parsed {
    match json::loads(text) {
        Err(e) => Parsed::Invalid(e.to_string()),
        Ok(value) => match first_duplicate_key(text) {
            Some(key) => Parsed::Duplicate(format!("Duplicate field '{key}' in step catalog.")),
            None => Parsed::Ok(value),
        },
    }
}

/// Why one source could not be fetched.
enum FetchFailure {
    /// Propagates (a duplicate key).
    Fatal(String),
    /// Skips the source.
    Failed(String),
}

fn read_cached(root: &Path, rel: &Path) -> Result<Option<Map>, FetchFailure> {
    let Ok(bytes) = crate::fsx::confined_read(root, rel) else { return Ok(None) };
    let Ok(text) = String::from_utf8(bytes) else { return Ok(None) };
    match parse_step_catalog(&text) {
        Parsed::Ok(Value::Map(m)) => Ok(Some(m)),
        Parsed::Duplicate(msg) => Err(FetchFailure::Fatal(msg)),
        _ => Ok(None),
    }
}

fn cache_is_fresh(root: &Path, meta: &Path, now: f64) -> bool {
    let Ok(bytes) = crate::fsx::confined_read(root, meta) else { return false };
    let Ok(Value::Map(meta)) = String::from_utf8(bytes).map_err(|_| ()).and_then(|t| json::loads(&t).map_err(|_| ())) else {
        return false;
    };
    let fetched_at = match meta.get("fetched_at") {
        None => 0.0,
        Some(Value::Int(i)) => num_traits::ToPrimitive::to_f64(i).unwrap_or(f64::NAN),
        Some(Value::Float(f)) => *f,
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        Some(Value::Str(s)) => match baton_expr::py::parse_float(s) {
            Some(f) => f,
            None => return false,
        },
        Some(_) => return false,
    };
    now - fetched_at < TTL_SECS
}

/// Fetches one step catalog source through the cache; `warnings` receives a cache
/// write failure.
fn fetch_source(inputs: &Inputs<'_>, url: &str, warnings: &mut Vec<String>) -> Result<Map, FetchFailure> {
    let root = inputs.stack.project_root;
    let (data_rel, meta_rel) = cache_paths(&STEP_CACHE, url);
    if cache_is_fresh(root, &meta_rel, inputs.now) {
        if let Some(cached) = read_cached(root, &data_rel)? {
            return Ok(cached);
        }
    }
    let fetched = inputs
        .client
        .get(&Request::catalog(url))
        .and_then(|r| r.read_limited(net::MAX_CATALOG_BYTES, STEP_CACHE.label))
        .map_err(|e| e.to_string())
        .and_then(|bytes| String::from_utf8(bytes).map_err(|e| crate::overlay::io::decode_error(&e)));
    let parsed = match fetched {
        Ok(text) => parse_step_catalog(&text),
        Err(e) => Parsed::Invalid(e),
    };
    let data = match parsed {
        Parsed::Ok(v) => v,
        Parsed::Duplicate(msg) => return Err(FetchFailure::Fatal(msg)),
        Parsed::Invalid(err) => {
            if let Some(cached) = read_cached(root, &data_rel)? {
                return Ok(cached);
            }
            return Err(FetchFailure::Failed(format!("Failed to fetch catalog from {url}: {err}")));
        }
    };
    let Value::Map(catalog) = data else {
        return Err(FetchFailure::Failed(format!("Catalog from {url} is not a valid JSON object.")));
    };
    let mut meta = Map::new();
    meta.insert("url".into(), Value::Str(url.to_owned()));
    meta.insert("fetched_at".into(), Value::Float(inputs.now));
    let write = |rel: &Path, value: &Value, opts: &DumpOptions| -> std::io::Result<()> {
        let text = json::dumps(value, opts).map_err(std::io::Error::other)?;
        crate::fsx::confined_write(root, rel, text.as_bytes())
    };
    let pretty = DumpOptions { indent: Some(2), ..DumpOptions::default() };
    if let Err(e) = write(&data_rel, &Value::Map(catalog.clone()), &pretty)
        .and_then(|()| write(&meta_rel, &Value::Map(meta), &DumpOptions::default()))
    {
        warnings.push(format!("Could not safely cache step catalog {url}: {}", net::io_message(&e)));
    }
    Ok(catalog)
}

/// The merged step catalog.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// Winning entries by id (annotated with `_catalog_name` and `_install_allowed`), in
    /// first-seen order starting from the highest priority number.
    pub steps: IndexMap<String, Map>,
    /// Sources that failed (baton reports them; the reference is silent) and caches
    /// that could not be written.
    pub warnings: Vec<String>,
}

/// Fetches every source of the active step stack and merges them.
///
/// # Errors
/// A stack error, a duplicate JSON key in any source, a duplicate list-form id in
/// one source, or `All configured step catalogs failed to fetch.`
pub fn load_merged(inputs: &Inputs<'_>) -> Result<Merged, Error> {
    let stack = active_sources(&inputs.stack)?;
    let mut merged = Merged::default();
    let mut failures = 0;
    for source in stack.iter().rev() {
        let data = match fetch_source(inputs, &source.url, &mut merged.warnings) {
            Ok(d) => d,
            Err(FetchFailure::Fatal(msg)) => return fail(msg),
            Err(FetchFailure::Failed(msg)) => {
                failures += 1;
                merged.warnings.push(format!("step catalog '{}' could not be loaded and was skipped: {msg}", source.name));
                continue;
            }
        };
        let annotate = |mut entry: Map| {
            entry.insert("_catalog_name".into(), Value::Str(source.name.clone()));
            entry.insert("_install_allowed".into(), Value::Bool(source.install_allowed));
            entry
        };
        match data.get("steps") {
            None => {}
            Some(Value::Map(items)) => {
                for (id, item) in items {
                    if let Value::Map(entry) = item {
                        merged.steps.insert(id.clone(), annotate(entry.clone()));
                    }
                }
            }
            Some(Value::List(items)) => {
                let mut seen = HashSet::new();
                for item in items {
                    let Value::Map(entry) = item else { continue };
                    let id = match entry.get("id") {
                        None | Some(Value::Null) => continue,
                        Some(raw) => baton_expr::py::strip(&raw.py_str()).to_owned(),
                    };
                    if id.is_empty() {
                        continue;
                    }
                    if !seen.insert(id.clone()) {
                        return fail(format!("Duplicate step ID '{id}' in catalog '{}'.", source.name));
                    }
                    let mut entry = entry.clone();
                    entry.insert("id".into(), Value::Str(id.clone()));
                    merged.steps.insert(id, annotate(entry));
                }
            }
            Some(_) => {}
        }
    }
    if !stack.is_empty() && failures == stack.len() {
        return fail("All configured step catalogs failed to fetch.");
    }
    Ok(merged)
}

/// `step search [QUERY]`: every entry's releases are validated (one bad entry fails
/// the search); the query matches a substring of name, description and id,
/// case-insensitively. Entries get their `id` filled in.
///
/// # Errors
/// A release-history violation.
pub fn search(merged: &Merged, query: Option<&str>) -> Result<Vec<Map>, Error> {
    let mut out = Vec::new();
    for (id, entry) in &merged.steps {
        available_versions(entry, id)?;
        let mut entry = entry.clone();
        if !entry.contains_key("id") {
            entry.insert("id".into(), Value::Str(id.clone()));
        }
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            let part = |k: &str| entry.get(k).filter(|v| v.truthy()).map(Value::py_str).unwrap_or_default();
            let text = format!("{} {} {}", part("name"), part("description"), part("id")).to_lowercase();
            if !text.contains(&q.to_lowercase()) {
                continue;
            }
        }
        out.push(entry);
    }
    Ok(out)
}

/// The winning entry of `step_id` (or its release `version`), `id` filled in; `None`
/// when the catalog has no such step or release.
///
/// # Errors
/// A release-history violation.
pub fn step_info(merged: &Merged, step_id: &str, version: Option<&str>) -> Result<Option<Map>, Error> {
    let Some(entry) = merged.steps.get(step_id) else { return Ok(None) };
    let mut entry = entry.clone();
    if !entry.contains_key("id") {
        entry.insert("id".into(), Value::Str(step_id.to_owned()));
    }
    select_release(&entry, step_id, version)
}

fn is_digest(v: &Value) -> bool {
    matches!(v, Value::Str(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn bad_extra_path(path: &str) -> bool {
    path.trim().is_empty()
        || path.contains('\\')
        || path.split('/').any(|p| matches!(p, "" | "." | ".."))
        || path.starts_with('/')
        || matches!(path.to_lowercase().as_str(), "step.yml" | "__init__.py")
}

/// The checksum rule: `sha256` must map exactly `step.yml`, `__init__.py` and every
/// `extra_files` path to 64 hex digits. Skipped when `sha256` is absent and not
/// `required`.
///
/// # Errors
/// `Step '<id>' has invalid extra_files.` or `Step '<id>' needs SHA-256 digests for
/// exactly ['__init__.py', 'step.yml'].`
pub fn validate_checksums(entry: &Map, step_id: &str, required: bool) -> Result<(), Error> {
    let hashes = entry.get("sha256").filter(|v| !matches!(v, Value::Null));
    if hashes.is_none() && !required {
        return Ok(());
    }
    let empty = Map::new();
    let files = match entry.get("extra_files") {
        None => &empty,
        Some(Value::Map(m)) => m,
        Some(_) => return fail(format!("Step '{step_id}' has invalid extra_files.")),
    };
    if files.iter().any(|(path, url)| bad_extra_path(path) || !matches!(url, Value::Str(u) if !u.trim().is_empty())) {
        return fail(format!("Step '{step_id}' has invalid extra_files."));
    }
    let mut expected: Vec<&str> = vec!["step.yml", "__init__.py"];
    for path in files.keys() {
        if !expected.contains(&path.as_str()) {
            expected.push(path);
        }
    }
    expected.sort_unstable();
    let ok = match hashes {
        Some(Value::Map(h)) => {
            h.len() == expected.len() && expected.iter().all(|k| h.contains_key(*k)) && h.values().all(is_digest)
        }
        _ => false,
    };
    if !ok {
        let list: Vec<String> = expected.iter().map(|k| str_repr(k)).collect();
        return fail(format!("Step '{step_id}' needs SHA-256 digests for exactly [{}].", list.join(", ")));
    }
    Ok(())
}

/// Fields of the current entry that a selected release does not inherit.
const CURRENT_ONLY: [&str; 9] =
    ["version", "url", "step_yml_url", "init_url", "extra_files", "sha256", "requires", "provides", "releases"];

/// The entry's `releases`, validated; empty when there are none.
///
/// # Errors
/// The reference's message for the first violation.
pub fn validated_releases(entry: &Map, step_id: &str) -> Result<Vec<(String, Map)>, Error> {
    let Some(releases) = entry.get("releases") else { return Ok(Vec::new()) };
    let Value::Map(releases) = releases else { return fail(format!("Step '{step_id}' has an invalid releases mapping.")) };
    if entry.get("id").is_some_and(|v| v.as_str() != Some(step_id)) {
        return fail(format!("Step '{step_id}' has a mismatched catalog ID."));
    }
    let current = match entry.get("version") {
        Some(Value::Str(s)) if !s.trim().is_empty() => s,
        _ => return fail(format!("Step '{step_id}' has releases but no current version.")),
    };
    let Some(current_v) = pep440(current) else {
        return fail(format!("Step '{step_id}' has invalid current version '{current}'."));
    };
    let mut seen = vec![current_v];
    let mut out = Vec::new();
    for (version, record) in releases {
        if version.trim().is_empty() {
            return fail(format!("Step '{step_id}' has an invalid release version key."));
        }
        let Some(v) = pep440(version) else {
            return fail(format!("Step '{step_id}' has invalid release version '{version}'."));
        };
        if seen.contains(&v) {
            return fail(format!("Step '{step_id}' repeats release version '{version}'."));
        }
        seen.push(v);
        let Value::Map(record) = record else {
            return fail(format!("Step '{step_id}' release '{version}' must be an object."));
        };
        if ["id", "version", "releases", "_catalog_name", "_install_allowed"].iter().any(|k| record.contains_key(*k)) {
            return fail(format!("Step '{step_id}' release '{version}' contains reserved fields."));
        }
        let url = if record.contains_key("step_yml_url") { record.get("step_yml_url") } else { record.get("url") };
        let conflicting = record.contains_key("url")
            && record.contains_key("step_yml_url")
            && record.get("url") != record.get("step_yml_url");
        let url = match url {
            Some(Value::Str(u)) if !u.trim().is_empty() && !conflicting => u,
            _ => return fail(format!("Step '{step_id}' release '{version}' needs a step.yml URL.")),
        };
        let init_ok = match record.get("init_url") {
            None | Some(Value::Null) => url.ends_with("step.yml"),
            Some(Value::Str(s)) => !s.trim().is_empty(),
            Some(_) => false,
        };
        if !init_ok {
            return fail(format!("Step '{step_id}' release '{version}' needs an __init__.py URL."));
        }
        for field in ["requires", "provides"] {
            if record.get(field).is_some_and(|v| !matches!(v, Value::Map(_))) {
                return fail(format!("Step '{step_id}' release '{version}' has invalid {field}."));
            }
        }
        validate_checksums(record, step_id, true)?;
        out.push((version.clone(), record.clone()));
    }
    Ok(out)
}

/// The current entry, or the release `version` selects (PEP 440 equality; the
/// current version spelled exactly always matches); `None` when nothing matches.
///
/// # Errors
/// A release-history violation.
pub fn select_release(entry: &Map, step_id: &str, version: Option<&str>) -> Result<Option<Map>, Error> {
    let releases = validated_releases(entry, step_id)?;
    Ok(crate::catalog::select_from(entry, releases, &CURRENT_ONLY, version))
}

/// The current version, then the release keys newest first (PEP 440 order).
///
/// # Errors
/// A release-history violation.
pub fn available_versions(entry: &Map, step_id: &str) -> Result<Vec<String>, Error> {
    let releases = validated_releases(entry, step_id)?;
    let current = match entry.get("version") {
        Some(Value::Str(s)) if !s.is_empty() => s.clone(),
        _ => return Ok(Vec::new()),
    };
    let mut keys: Vec<(pep440_rs::Version, String)> =
        releases.into_iter().filter_map(|(k, _)| pep440(&k).map(|v| (v, k))).collect();
    keys.sort_by(|a, b| b.0.cmp(&a.0));
    let mut out = vec![current];
    out.extend(keys.into_iter().map(|(_, k)| k));
    Ok(out)
}

/// Whether the winning source allows installs (`_install_allowed`, default true).
pub fn install_allowed(entry: &Map) -> bool {
    entry.get("_install_allowed").is_none_or(Value::truthy)
}

#[cfg(test)]
mod tests;
