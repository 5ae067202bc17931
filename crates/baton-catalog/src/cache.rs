//! Catalog fetching with the per-URL cache (spec §6.3).
//!
//! [`fetch_catalog`] returns a source's catalog object: from a fresh cache (age under
//! [`TTL_SECS`]) without any request, else from the network (then cached, atomically
//! and without following any symlink below the project root), else — when the fetch
//! fails — from a stale cache that holds an object. A successful fetch of a non-object
//! fails the source without falling back to the cache.
//!
//! Reuse (step catalogs): `fetch_catalog(client, root, &STEP_CACHE, url, now, parse)`
//! where `parse` may refuse duplicate keys.

use std::path::{Path, PathBuf};

use baton_expr::json::{self, DumpOptions};
use baton_expr::{Map, Value};

use crate::net::{self, Client, Request};

/// Cache lifetime in seconds.
pub const TTL_SECS: f64 = 3600.0;

/// Where and under which names a kind of catalog is cached.
#[derive(Debug, Clone, Copy)]
pub struct CacheSpec {
    /// The cache folder, relative to the project root.
    pub dir: &'static str,
    /// The file name prefix (`workflow-catalog`).
    pub prefix: &'static str,
    /// The label in size-limit and cache warnings (`workflow catalog`).
    pub label: &'static str,
}

/// Workflow catalog cache.
pub const WORKFLOW_CACHE: CacheSpec =
    CacheSpec { dir: ".specify/workflows/.cache", prefix: "workflow-catalog", label: "workflow catalog" };

/// Step catalog cache.
pub const STEP_CACHE: CacheSpec =
    CacheSpec { dir: ".specify/workflows/steps/.cache", prefix: "step-catalog", label: "step catalog" };

/// A source that could not be loaded; the message is the reference's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// A fetched catalog, and a warning when it could not be cached.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The catalog object.
    pub catalog: Map,
    /// `Could not safely cache workflow catalog <url>: <err>`, when writing failed.
    pub cache_warning: Option<String>,
}

/// The cache data and meta paths (relative to the root) of `url`.
pub fn cache_paths(spec: &CacheSpec, url: &str) -> (PathBuf, PathBuf) {
    let h16 = &net::sha256_hex(url.as_bytes())[..16];
    let dir = Path::new(spec.dir);
    (dir.join(format!("{}-{h16}.json", spec.prefix)), dir.join(format!("{}-{h16}-meta.json", spec.prefix)))
}

fn read_cached(root: &Path, rel: &Path) -> Option<Value> {
    let bytes = crate::fsx::confined_read(root, rel).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    json::loads(&text).ok()
}

fn is_fresh(root: &Path, meta: &Path, now: f64) -> bool {
    let Some(Value::Map(meta)) = read_cached(root, meta) else { return false };
    let fetched_at = match meta.get("fetched_at") {
        None => 0.0,
        Some(Value::Int(i)) => num_traits::ToPrimitive::to_f64(i).unwrap_or(f64::NAN),
        Some(Value::Float(f)) => *f,
        Some(Value::Str(s)) => match baton_expr::py::parse_float(s) {
            Some(f) => f,
            None => return false,
        },
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        Some(_) => return false,
    };
    now - fetched_at < TTL_SECS
}

/// A JSON parser for catalog bodies (Python's `json.loads` of UTF-8 text by default).
pub type ParseFn = fn(&str) -> Result<Value, String>;

/// `json.loads`, last duplicate key winning.
pub fn parse_json(text: &str) -> Result<Value, String> {
    json::loads(text).map_err(|e| e.to_string())
}

/// Fetches one catalog source (see the module docs). `now` is Unix seconds.
///
/// # Errors
/// `Failed to fetch catalog from <url>: <err>` or `Catalog from <url> is not a valid
/// JSON object.`
pub fn fetch_catalog(client: &Client, root: &Path, spec: &CacheSpec, url: &str, now: f64, parse: ParseFn) -> Result<Fetched, FetchError> {
    let (data_rel, meta_rel) = cache_paths(spec, url);
    if is_fresh(root, &meta_rel, now) {
        if let Some(Value::Map(cached)) = read_cached(root, &data_rel) {
            return Ok(Fetched { catalog: cached, cache_warning: None });
        }
    }
    let fetched = client
        .get(&Request::catalog(url))
        .and_then(|r| r.read_limited(net::MAX_CATALOG_BYTES, spec.label))
        .map_err(|e| e.to_string())
        .and_then(|bytes| String::from_utf8(bytes).map_err(|e| format!("'utf-8' codec can't decode byte: {e}")))
        .and_then(|text| parse(&text));
    let data = match fetched {
        Ok(data) => data,
        Err(err) => {
            if let Some(Value::Map(cached)) = read_cached(root, &data_rel) {
                return Ok(Fetched { catalog: cached, cache_warning: None });
            }
            return Err(FetchError(format!("Failed to fetch catalog from {url}: {err}")));
        }
    };
    let Value::Map(catalog) = data else {
        return Err(FetchError(format!("Catalog from {url} is not a valid JSON object.")));
    };
    let mut meta = Map::new();
    meta.insert("url".into(), Value::Str(url.to_owned()));
    meta.insert("fetched_at".into(), Value::Float(now));
    let pretty = DumpOptions { indent: Some(2), ..DumpOptions::default() };
    let write = |rel: &Path, value: &Value, opts: &DumpOptions| -> std::io::Result<()> {
        let text = json::dumps(value, opts).map_err(std::io::Error::other)?;
        crate::fsx::confined_write(root, rel, text.as_bytes())
    };
    let result = write(&data_rel, &Value::Map(catalog.clone()), &pretty)
        .and_then(|()| write(&meta_rel, &Value::Map(meta), &DumpOptions::default()));
    let cache_warning = result.err().map(|e| format!("Could not safely cache {} {url}: {}", spec.label, net::io_message(&e)));
    Ok(Fetched { catalog, cache_warning })
}
