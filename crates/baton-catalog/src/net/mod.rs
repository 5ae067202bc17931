//! HTTP fetching with the reference's security rules (spec §6.1(c,d), §6.2).
//!
//! * [`Client::get`] follows redirects itself, one hop at a time, checking each hop
//!   with the rule of the [`Purpose`] (downloads: rule (c); catalog sources: rule (a)
//!   plus rule (c)) before following it, and checking the final URL again;
//! * credentials come from `~/.specify/auth.json` ([`auth::AuthConfig`]): matching
//!   entries are tried in order, a 401/403 moves on to the next, then unauthenticated;
//!   `Authorization` is dropped on a hop that leaves the entry's hosts or downgrades
//!   from https;
//! * [`Response::read_limited`] streams the body under a byte limit;
//! * [`resolve_github_release_asset`] turns a GitHub release-download URL into its REST
//!   asset URL (fetched with `Accept: application/octet-stream`);
//! * [`sha256_hex`], [`normalize_sha256`], [`digest_matches`] for integrity checks.
//!
//! Reuse (step catalogs): build one [`Client`] per command with
//! `Client::new(NetConfig { auth, timeout, user_agent })`, fetch catalog JSON with
//! `client.get(url, &Request::catalog(url))?.read_limited(MAX_CATALOG_BYTES, "step catalog")`
//! and files with `Request::download(url)`.
//!
//! Errors display as Python's `urllib` errors do (`HTTP Error 404: Not Found`,
//! `<urlopen error [Errno 111] Connection refused>`), since the reference embeds
//! them in its messages.

pub mod auth;

use std::io::Read;
use std::time::Duration;

use sha2::{Digest, Sha256};

pub use auth::{AuthConfig, AuthConfigError, AuthEntry};

/// Catalog JSON limit (workflow and step catalogs).
pub const MAX_CATALOG_BYTES: u64 = 8 * 1024 * 1024;
/// Archive or generic download limit.
pub const MAX_DOWNLOAD_BYTES: u64 = 50 * 1024 * 1024;
/// Workflow YAML limit.
pub const MAX_WORKFLOW_YAML_BYTES: u64 = 5 * 1024 * 1024;
/// Release metadata (GitHub asset lookup) limit.
pub const MAX_METADATA_BYTES: u64 = 5 * 1024 * 1024;
/// How many redirects are followed (as urllib).
pub const MAX_REDIRECTS: usize = 10;

/// The refusal message of the download paths for an unsafe redirect.
pub const UNSAFE_REDIRECT: &str =
    "redirect target must use HTTPS without entering a local target; loopback HTTP may only redirect from another loopback URL";

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// An HTTP status ≥ 400 (after the auth fallthrough).
    #[error("HTTP Error {code}: {reason}")]
    Http {
        /// The status code.
        code: u16,
        /// The reason phrase.
        reason: String,
    },
    /// A connection-level failure or a refused redirect, as `urllib.error.URLError`.
    #[error("<urlopen error {0}>")]
    Url(String),
    /// A catalog-source rule refusal (a hop or the final URL), already worded.
    #[error("{0}")]
    Refused(String),
    /// The body exceeded its limit: `'<label>' exceeds maximum size of <n> bytes`.
    #[error("'{label}' exceeds maximum size of {max} bytes")]
    TooLarge {
        /// What was read.
        label: String,
        /// The limit.
        max: u64,
    },
    /// Reading the body failed.
    #[error("{0}")]
    Read(String),
}

/// What a request is for, which decides the redirect rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A workflow/step/archive download: rule (c) on each hop.
    Download,
    /// A catalog fetch: rule (a) on the URL and on each hop, plus rule (c).
    CatalogSource,
}

/// One GET.
#[derive(Debug, Clone)]
pub struct Request {
    /// The URL.
    pub url: String,
    /// The `Accept` header, if any.
    pub accept: Option<String>,
    /// Which redirect rule applies.
    pub purpose: Purpose,
}

impl Request {
    /// A download of `url`.
    pub fn download(url: &str) -> Self {
        Request { url: url.to_owned(), accept: None, purpose: Purpose::Download }
    }

    /// A catalog fetch of `url`.
    pub fn catalog(url: &str) -> Self {
        Request { url: url.to_owned(), accept: None, purpose: Purpose::CatalogSource }
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Credentials (empty: no `Authorization` is ever sent).
    pub auth: AuthConfig,
    /// Per-request timeout (the reference uses 30 s).
    pub timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig { auth: AuthConfig::default(), timeout: Duration::from_secs(30), user_agent: "baton".to_owned() }
    }
}

/// An HTTP client (rustls; no proxy; redirects followed by hand).
pub struct Client {
    agent: ureq::Agent,
    config: NetConfig,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("config", &self.config).finish_non_exhaustive()
    }
}

/// A successful response whose body has not been read yet.
pub struct Response {
    /// The URL after redirects.
    pub final_url: String,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Content-Length` header, when it is a number.
    pub content_length: Option<u64>,
    body: Box<dyn Read + Send>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("final_url", &self.final_url)
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl Response {
    /// Reads the whole body, failing once it exceeds `max` bytes.
    ///
    /// # Errors
    /// [`NetError::TooLarge`] (`'<label>' exceeds maximum size of <max> bytes`) or
    /// [`NetError::Read`].
    pub fn read_limited(self, max: u64, label: &str) -> Result<Vec<u8>, NetError> {
        read_limited(self.body, max).map_err(|e| match e {
            LimitError::TooLarge => NetError::TooLarge { label: label.to_owned(), max },
            LimitError::Io(e) => NetError::Read(e),
        })
    }

    /// The body as a reader (for callers with their own limit handling).
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        self.body
    }
}

/// Why [`read_limited`] stopped.
#[derive(Debug)]
pub enum LimitError {
    /// More than the limit.
    TooLarge,
    /// A read error (message).
    Io(String),
}

/// Reads `reader` to the end, refusing more than `max` bytes.
///
/// # Errors
/// [`LimitError`].
pub fn read_limited(mut reader: impl Read, max: u64) -> Result<Vec<u8>, LimitError> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LimitError::Io(io_message(&e))),
        };
        if (out.len() + n) as u64 > max {
            return Err(LimitError::TooLarge);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Python's `[Errno N] strerror` spelling of an OS error.
pub fn io_message(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
            format!("[Errno {code}] {text}")
        }
        None => e.to_string(),
    }
}

fn ureq_error_message(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => io_message(io),
        ureq::Error::HostNotFound => "[Errno -2] Name or service not known".to_owned(),
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::ConnectionFailed => "[Errno 111] Connection refused".to_owned(),
        other => other.to_string(),
    }
}

/// Resolves a `Location` against the URL it came from (as `urljoin`).
pub fn join_url(base: &str, location: &str) -> String {
    let location = location.trim();
    if let Ok(split) = crate::url::split(location) {
        if !split.scheme.is_empty() {
            return location.to_owned();
        }
    }
    let Ok(base_split) = crate::url::split(base) else { return location.to_owned() };
    if location.starts_with("//") {
        return format!("{}:{location}", base_split.scheme);
    }
    let origin = format!("{}://{}", base_split.scheme, base_split.netloc);
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    if location.starts_with('?') {
        return format!("{origin}{}{location}", base_split.path);
    }
    let dir = match base_split.path.rfind('/') {
        Some(i) => &base_split.path[..=i],
        None => "/",
    };
    let mut segments: Vec<&str> = Vec::new();
    let joined = format!("{dir}{location}");
    let (path, rest) = match joined.find(['?', '#']) {
        Some(i) => (joined[..i].to_owned(), joined[i..].to_owned()),
        None => (joined.clone(), String::new()),
    };
    let parts: Vec<&str> = path.split('/').collect();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "." => {
                if i == last {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                if i == last {
                    segments.push("");
                }
            }
            p => segments.push(p),
        }
    }
    format!("{origin}{}{rest}", segments.join("/"))
}

impl Client {
    /// A client with `config`.
    pub fn new(config: NetConfig) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(config.timeout))
            .user_agent(config.user_agent.as_str())
            .build()
            .into();
        Client { agent, config }
    }

    /// The auth configuration.
    pub fn auth(&self) -> &AuthConfig {
        &self.config.auth
    }

    /// GET with auth fallthrough and checked redirects; statuses ≥ 400 are errors.
    ///
    /// # Errors
    /// [`NetError`].
    pub fn get(&self, request: &Request) -> Result<Response, NetError> {
        if request.purpose == Purpose::CatalogSource {
            check_catalog_hop(&request.url)?;
        }
        let entries = self.config.auth.entries_for(&request.url);
        for entry in entries {
            let Some(header) = self.config.auth.header_for(entry) else { continue };
            match self.attempt(request, Some((header, entry.hosts.clone()))) {
                Err(NetError::Http { code: 401 | 403, .. }) => continue,
                other => return other,
            }
        }
        self.attempt(request, None)
    }

    fn attempt(&self, request: &Request, mut auth: Option<(String, Vec<String>)>) -> Result<Response, NetError> {
        let mut url = request.url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let mut call = self.agent.get(&url);
            if let Some(accept) = &request.accept {
                call = call.header("Accept", accept);
            }
            if let Some((header, _)) = &auth {
                call = call.header("Authorization", header);
            }
            let response = call.call().map_err(|e| NetError::Url(ureq_error_message(&e)))?;
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let Some(location) = response.headers().get("location").and_then(|v| v.to_str().ok()) else {
                    return Err(NetError::Http { code: status, reason: reason(status) });
                };
                let next = join_url(&url, location);
                if crate::url::split(&next).and_then(|s| s.port().map(|_| ())).is_err() {
                    return Err(NetError::Url(format!("malformed redirect URL: {next}")));
                }
                if request.purpose == Purpose::CatalogSource {
                    check_catalog_hop(&next)?;
                }
                if !crate::url::is_safe_download_redirect(&url, &next) {
                    return Err(NetError::Url(match request.purpose {
                        Purpose::Download => UNSAFE_REDIRECT.to_owned(),
                        Purpose::CatalogSource => format!(
                            "unsafe redirect to {next}: target must use HTTPS with a hostname, must not enter a local target from a remote host, and may use HTTP only within loopback (for example localhost, 127.0.0.1, ::1)"
                        ),
                    }));
                }
                if let Some((_, hosts)) = &auth {
                    let old_https = crate::url::split(&url).is_ok_and(|s| s.scheme == "https");
                    let new = crate::url::split(&next).ok();
                    let downgrade = old_https && new.as_ref().is_some_and(|s| s.scheme != "https");
                    let host = new.and_then(|s| s.hostname()).unwrap_or_default();
                    if downgrade || !hosts.iter().any(|p| auth::host_matches(&host, p)) {
                        auth = None;
                    }
                }
                url = next;
                continue;
            }
            if status >= 400 {
                return Err(NetError::Http { code: status, reason: reason(status) });
            }
            if request.purpose == Purpose::CatalogSource {
                check_catalog_hop(&url)?;
            }
            let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let content_type = header("content-type");
            let content_length = header("content-length").and_then(|v| v.trim().parse().ok());
            let body = response.into_body().into_reader();
            return Ok(Response { final_url: url, content_type, content_length, body: Box::new(body) });
        }
        Err(NetError::Url("too many redirects".to_owned()))
    }
}

fn check_catalog_hop(url: &str) -> Result<(), NetError> {
    crate::url::check_catalog_source_url(url).map_err(|p| NetError::Refused(p.fetch_message(url)))
}

fn reason(status: u16) -> String {
    http_reason(status).to_owned()
}

/// The standard reason phrase of a status.
fn http_reason(status: u16) -> &'static str {
    match status {
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A declared digest without its optional `sha256:` prefix (case-insensitive),
/// lowercased; `None` unless it is exactly 64 hex characters.
pub fn normalize_sha256(declared: &str) -> Option<String> {
    let trimmed = declared.trim();
    let value = if trimmed.len() >= 7 && trimmed[..7].eq_ignore_ascii_case("sha256:") { &trimmed[7..] } else { trimmed };
    (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| value.to_ascii_lowercase())
}

/// Constant-time comparison of a normalized digest with the digest of `bytes`.
pub fn digest_matches(expected_hex: &str, bytes: &[u8]) -> bool {
    let actual = sha256_hex(bytes);
    let (a, b) = (actual.as_bytes(), expected_hex.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const GITHUB_HOSTS: [&str; 4] = ["raw.githubusercontent.com", "github.com", "api.github.com", "codeload.github.com"];

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode_all(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Resolves a GitHub release browser-download URL
/// (`https://github.com/<o>/<r>/releases/download/<tag>/<asset>`, or the same on a
/// GitHub Enterprise host trusted under a `github` provider in auth.json) to the REST
/// API asset URL, by reading `…/releases/tags/<tag>`. `None` when the URL is not such
/// a URL or the lookup fails (the caller then downloads the original URL).
pub fn resolve_github_release_asset(client: &Client, download_url: &str) -> Option<String> {
    let split = crate::url::split(download_url).ok()?;
    let host = split.hostname()?;
    let port = split.port().ok()?;
    let trusted = client.auth().github_hosts();
    let parts: Vec<String> = split.path.trim_matches('/').split('/').map(percent_decode).collect();
    let is_asset_path = |segs: &[String]| segs.len() >= 6 && segs[0] == "repos" && segs[3] == "releases" && segs[4] == "assets";
    if host == "api.github.com" && is_asset_path(&parts) {
        return Some(download_url.to_owned());
    }
    if parts.len() >= 2 && parts[0] == "api" && parts[1] == "v3" && is_asset_path(&parts[2..]) {
        return Some(download_url.to_owned());
    }
    if split.scheme != "http" && split.scheme != "https" {
        return None;
    }
    let is_ghes = !GITHUB_HOSTS.contains(&host.as_str())
        && !host.ends_with(".ghe.com")
        && trusted.iter().any(|p| auth::host_matches(&host, p));
    let (api_base, asset_prefix): (String, Vec<&str>) = if host == "github.com" {
        ("https://api.github.com".to_owned(), vec!["", "repos"])
    } else if is_ghes {
        let authority_host = if host.contains(':') { format!("[{host}]") } else { host.clone() };
        let authority = match port {
            Some(p) => format!("{authority_host}:{p}"),
            None => authority_host,
        };
        (format!("{}://{authority}/api/v3", split.scheme), vec!["", "api", "v3", "repos"])
    } else {
        return None;
    };
    if parts.len() < 6 || parts[2] != "releases" || parts[3] != "download" {
        return None;
    }
    let (owner, repo) = (&parts[0], &parts[1]);
    let tag = parts[4..parts.len() - 1].join("/");
    let asset_name = parts.last()?;
    let release_url = format!("{api_base}/repos/{owner}/{repo}/releases/tags/{}", percent_encode_all(&tag));
    let mut request = Request::download(&release_url);
    request.accept = Some("application/vnd.github+json".to_owned());
    let body = client.get(&request).ok()?.read_limited(MAX_METADATA_BYTES, "GitHub release metadata").ok()?;
    let meta: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let assets = meta.get("assets")?.as_array()?;
    let asset = assets.iter().find(|a| a.get("name").and_then(|n| n.as_str()) == Some(asset_name.as_str()))?;
    let asset_url = asset.get("url")?.as_str()?;
    // The asset URL must be this release's API asset endpoint on the same origin.
    let a = crate::url::split(asset_url).ok()?;
    let b = crate::url::split(&api_base).ok()?;
    let default_port = |s: &crate::url::SplitUrl| if s.scheme == "https" { 443 } else { 80 };
    let origin_a = (a.scheme.clone(), a.hostname()?, a.port().ok()?.unwrap_or(default_port(&a)));
    let origin_b = (b.scheme.clone(), b.hostname()?, b.port().ok()?.unwrap_or(default_port(&b)));
    if origin_a != origin_b || a.has_userinfo() || !a.query.is_empty() || !a.fragment.is_empty() {
        return None;
    }
    let segs: Vec<&str> = a.path.split('/').collect();
    let n = asset_prefix.len();
    let ok = segs.len() == n + 5
        && segs[..n] == asset_prefix[..]
        && percent_decode(segs[n]).to_lowercase() == owner.to_lowercase()
        && percent_decode(segs[n + 1]).to_lowercase() == repo.to_lowercase()
        && segs[n + 2] == "releases"
        && segs[n + 3] == "assets"
        && !segs[n + 4].is_empty()
        && segs[n + 4].bytes().all(|c| c.is_ascii_digit());
    ok.then(|| asset_url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests() {
        let d = sha256_hex(b"abc");
        assert_eq!(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(normalize_sha256(&format!("SHA256:{}", d.to_uppercase())), Some(d.clone()));
        assert_eq!(normalize_sha256(""), None);
        assert_eq!(normalize_sha256("abc"), None);
        assert!(digest_matches(&d, b"abc"));
        assert!(!digest_matches(&d, b"abd"));
    }

    #[test]
    fn joins() {
        assert_eq!(join_url("http://h:1/a/b.yml", "/x.yml"), "http://h:1/x.yml");
        assert_eq!(join_url("http://h:1/a/b.yml", "c.yml"), "http://h:1/a/c.yml");
        assert_eq!(join_url("http://h:1/a/b.yml", "../c.yml"), "http://h:1/c.yml");
        assert_eq!(join_url("http://h:1/a/b.yml", "https://e.com/z"), "https://e.com/z");
        assert_eq!(join_url("https://h/a", "//g/z"), "https://g/z");
    }
}
