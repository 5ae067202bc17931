//! `step add <id>` from the catalog and `step add <id> --from URL` (ecosystem.md
//! §18.2 "Source modes"): downloads go through [`crate::net`] with the download
//! redirect rule, archives through [`crate::archive`], and the materialised package
//! through [`crate::step_install::install_package`].

use std::fs;
use std::path::{Path, PathBuf};

use baton_expr::{Map, Value};

use crate::archive::{self, ArchiveFormat, Limits};
use crate::net::{self, Client, Request};
use crate::step_install::{self, Error, Source, MAX_PACKAGE_BYTES, MAX_PACKAGE_ENTRIES};
use crate::url;

use super::{install_allowed, load_merged, step_info, validate_checksums, Inputs};

/// Why a catalog install stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogInstallError {
    /// Printed as `Error: <it>` (notes first as warnings).
    #[error("{0}")]
    Install(Error),
    /// The winning source is discovery-only: the CLI prints `Warning: Step type '<id>'
    /// is from a discovery-only catalog` and `Direct installation is not enabled for
    /// this catalog source.` (exit 1, no `Error:` line).
    #[error("Step type '{0}' is from a discovery-only catalog")]
    DiscoveryOnly(String),
}

impl From<Error> for CatalogInstallError {
    fn from(e: Error) -> Self {
        CatalogInstallError::Install(e)
    }
}

fn err(message: impl Into<String>) -> Error {
    Error::new(message)
}

/// A fresh private temporary folder under `temp_dir` (removed on drop).
struct TempDir(PathBuf);

impl TempDir {
    fn new(temp_dir: &Path, prefix: &str) -> std::io::Result<Self> {
        use std::os::unix::fs::DirBuilderExt;
        let path = temp_dir.join(format!("{prefix}{}", crate::fsx::random_suffix(8)));
        fs::DirBuilder::new().mode(0o700).create(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// GETs one package file (rule (b) on the URL, the download redirect rule, the final
/// URL checked again, at most 50 MiB).
fn safe_fetch(client: &Client, url: &str) -> Result<Vec<u8>, String> {
    if !url::is_https_or_loopback_http(url) {
        return Err(format!("Refusing to fetch from non-HTTPS URL: {url}"));
    }
    let response = client.get(&Request::download(url)).map_err(|e| e.to_string())?;
    if !url::is_https_or_loopback_http(&response.final_url) {
        return Err(format!("Redirect to non-HTTPS URL: {}", response.final_url));
    }
    response.read_limited(net::MAX_DOWNLOAD_BYTES, "step package response").map_err(|e| e.to_string())
}

/// Whether an `extra_files` key aliases `step.yml` or `__init__.py`.
fn is_required_file(rel: &str) -> bool {
    let normalized = rel.replace('\\', "/");
    let parts: Vec<&str> = normalized.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    !normalized.starts_with('/')
        && parts.len() == 1 && matches!(parts[0].to_lowercase().as_str(), "step.yml" | "__init__.py")
}

/// What `step add <id>` asks of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct CatalogRequest<'a> {
    /// The step id.
    pub step_id: &'a str,
    /// `--version`.
    pub version: Option<&'a str>,
    /// `--force`.
    pub force: bool,
}

/// `step add <id> [--version V] [--force]` from the step catalog. `warn` receives the
/// reference's `Warning:` lines (stdout); `notice` receives baton's own (sources that
/// failed to load, caches that could not be written; stderr). Returns the registry
/// entry.
///
/// # Errors
/// [`CatalogInstallError`] with the reference's messages.
pub fn install_from_catalog(
    inputs: &Inputs<'_>,
    temp_dir: &Path,
    request: &CatalogRequest<'_>,
    now: jiff::Timestamp,
    warn: &mut dyn FnMut(String),
    notice: &mut dyn FnMut(String),
) -> Result<Map, CatalogInstallError> {
    let CatalogRequest { step_id, version, force } = *request;
    let root = inputs.stack.project_root;
    let merged = load_merged(inputs).map_err(|e| err(e.0))?;
    for w in &merged.warnings {
        notice(w.clone());
    }
    let info = step_info(&merged, step_id, version).map_err(|e| err(e.0))?;
    let Some(info) = info else {
        return Err(match version {
            Some(v) => err(format!("Step type '{step_id}' version '{v}' not found in the winning catalog")),
            None => err(format!("Step type '{step_id}' not found in catalog")),
        }
        .into());
    };
    if !install_allowed(&info) {
        return Err(CatalogInstallError::DiscoveryOnly(step_id.to_owned()));
    }
    validate_checksums(&info, step_id, version.is_some()).map_err(|e| err(e.0))?;
    let checksums = match info.get("sha256") {
        Some(Value::Map(m)) => Some(m.clone()),
        _ => None,
    };
    step_install::check_installable(root, step_id, force)?;

    let malformed_yml = || err(format!("Catalog entry for '{step_id}' has a malformed step.yml URL; expected a non-empty string"));
    let declared = info.get("step_yml_url").filter(|v| !matches!(v, Value::Null));
    if declared.is_some_and(|v| !matches!(v, Value::Str(_))) {
        return Err(malformed_yml().into());
    }
    let step_yml_url = match declared.filter(|v| v.truthy()).or_else(|| info.get("url")) {
        None | Some(Value::Null) => return Err(err(format!("Catalog entry for '{step_id}' has no URL")).into()),
        Some(Value::Str(s)) if s.trim().is_empty() => {
            return Err(err(format!("Catalog entry for '{step_id}' has no URL")).into());
        }
        Some(Value::Str(s)) => s.clone(),
        Some(_) => return Err(malformed_yml().into()),
    };
    let init_url = match info.get("init_url") {
        None | Some(Value::Null) => None,
        Some(Value::Str(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(_) => {
            return Err(err(format!(
                "Catalog entry for '{step_id}' has a malformed __init__.py URL; expected a non-empty string"
            ))
            .into());
        }
    };
    let init_url = match init_url {
        Some(u) => u,
        None => match step_yml_url.strip_suffix("step.yml") {
            Some(prefix) => format!("{prefix}__init__.py"),
            None => {
                return Err(err(format!(
                    "Cannot derive __init__.py URL from '{step_yml_url}'. Catalog entry should provide 'init_url' or a 'url' ending in 'step.yml'."
                ))
                .into());
            }
        },
    };
    let extra_files: Map = match info.get("extra_files") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => {
            warn("Catalog entry 'extra_files' is not a mapping; additional package files will not be downloaded.".into());
            Map::new()
        }
    };
    let count = 2 + extra_files.keys().filter(|k| !is_required_file(k)).count();
    if count > MAX_PACKAGE_ENTRIES {
        return Err(err(format!(
            "Step package declares {count} files, exceeding the {MAX_PACKAGE_ENTRIES}-entry limit (files and directories combined)"
        ))
        .into());
    }
    let fetch_checked = |url: &str, name: &str| -> Result<Vec<u8>, String> {
        let content = safe_fetch(inputs.client, url)?;
        if let Some(sums) = &checksums {
            let want = sums.get(name).and_then(Value::as_str).unwrap_or_default().to_lowercase();
            if net::sha256_hex(&content) != want {
                return Err(format!("SHA-256 checksum mismatch for '{name}'"));
            }
        }
        Ok(content)
    };
    let tmp = TempDir::new(temp_dir, "speckit-step-package-")
        .map_err(|e| err(format!("Failed to create temporary step package directory: {}", net::io_message(&e))))?;
    let package_dir = tmp.0.clone();
    let step_yml = fetch_checked(&step_yml_url, "step.yml").map_err(|e| err(format!("Failed to download step files: {e}")))?;
    let init_py = fetch_checked(&init_url, "__init__.py").map_err(|e| err(format!("Failed to download step files: {e}")))?;
    let mut total = (step_yml.len() + init_py.len()) as u64;
    let too_big = || err(format!("Step package exceeds the {MAX_PACKAGE_BYTES}-byte total size limit"));
    if total > MAX_PACKAGE_BYTES {
        return Err(too_big().into());
    }
    fs::write(package_dir.join("step.yml"), &step_yml)
        .and_then(|()| fs::write(package_dir.join("__init__.py"), &init_py))
        .map_err(|e| err(format!("Failed to write step files to staging directory: {}", net::io_message(&e))))?;
    for (rel, file_url) in &extra_files {
        if rel.trim().is_empty() {
            return Err(err("Catalog entry 'extra_files' contains an empty or non-string path key").into());
        }
        if is_required_file(rel) {
            continue;
        }
        // Python's `Path(rel).parts`: empty and `.` segments collapse.
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        if parts.is_empty() || parts.contains(&"..") {
            return Err(err(format!("extra_files path '{rel}' is not a valid relative file path")).into());
        }
        let Value::Str(file_url) = file_url else {
            return Err(err(format!("extra_files entry '{rel}' has an empty or non-string URL")).into());
        };
        if file_url.trim().is_empty() {
            return Err(err(format!("extra_files entry '{rel}' has an empty or non-string URL")).into());
        }
        let dest = package_dir.join(parts.join("/"));
        if rel.starts_with('/') {
            return Err(err(format!("extra_files path '{rel}' is outside the step package directory")).into());
        }
        let content = fetch_checked(file_url, rel).map_err(|e| err(format!("Failed to download extra file '{rel}': {e}")))?;
        total += content.len() as u64;
        if total > MAX_PACKAGE_BYTES {
            return Err(too_big().into());
        }
        dest.parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::write(&dest, &content))
            .map_err(|e| err(format!("Failed to write extra file '{rel}': {}", net::io_message(&e))))?;
    }
    if version.is_some() || info.contains_key("releases") {
        let meta = step_install::validate_package(&package_dir, step_id)?;
        let declared = meta.get("version");
        let catalog_version = info.get("version");
        let matches = match (declared.and_then(|d| d.as_str()), catalog_version.and_then(Value::as_str)) {
            (Some(d), Some(c)) => {
                matches!((crate::catalog::pep440(d), crate::catalog::pep440(c)), (Some(a), Some(b)) if a == b)
            }
            _ => false,
        };
        if !matches {
            return Err(err(format!(
                "step.yml version ({}) does not match catalog version ({})",
                declared.map_or_else(|| "None".to_owned(), |d| d.py_repr()),
                catalog_version.map_or_else(|| "None".to_owned(), Value::py_repr)
            ))
            .into());
        }
    }
    let catalog_name = info.get("_catalog_name").map(Value::py_str).unwrap_or_default();
    let entry = step_install::install_package(
        root,
        step_id,
        &package_dir,
        &Source::Catalog { name: catalog_name, metadata: info },
        force,
        now,
    )?;
    Ok(entry)
}

/// The checks of `step add <id> --from URL` before the trust prompt: the URL shape
/// and rule (b), then the install preflight.
///
/// # Errors
/// `Invalid URL: <url>`, `URL must use HTTPS for security. HTTP is only allowed for
/// loopback URLs.`, and the preflight's refusals.
pub fn check_from_url(project_root: &Path, step_id: &str, from_url: &str, force: bool) -> Result<(), Error> {
    let split = url::split(from_url).map_err(|_| err(format!("Invalid URL: {from_url}")))?;
    let host = split.hostname();
    split.port().map_err(|_| err(format!("Invalid URL: {from_url}")))?;
    if host.is_none_or(|h| h.is_empty()) {
        return Err(err(format!("Invalid URL: {from_url}")));
    }
    if !url::is_https_or_loopback_http(from_url) {
        return Err(err("URL must use HTTPS for security. HTTP is only allowed for loopback URLs."));
    }
    step_install::check_installable(project_root, step_id, force)?;
    Ok(())
}

/// `step add <id> --from URL` after the prompt was accepted: downloads the archive
/// (format declarations of the URL, the final URL and the Content-Type must agree),
/// extracts it safely, finds the package root and installs it with `source: url`.
///
/// # Errors
/// The reference's messages; unexpected failures read `Failed to install step from
/// URL: …`.
pub fn install_from_url(
    client: &Client,
    project_root: &Path,
    temp_dir: &Path,
    step_id: &str,
    from_url: &str,
    force: bool,
    now: jiff::Timestamp,
) -> Result<Map, Error> {
    let wrap = |e: String| err(format!("Failed to install step from URL: {e}"));
    let (download_url, accept) = match net::resolve_github_release_asset(client, from_url) {
        Some(u) => (u, Some("application/octet-stream".to_owned())),
        None => (from_url.to_owned(), None),
    };
    let mut request = Request::download(&download_url);
    request.accept = accept;
    let response = client.get(&request).map_err(|e| wrap(e.to_string()))?;
    let final_url = response.final_url.clone();
    if !url::is_https_or_loopback_http(&final_url) {
        return Err(err(format!("URL redirected to non-HTTPS: {final_url}")));
    }
    let content_type = response.content_type.clone();
    let declarations: Vec<(&str, String, Option<ArchiveFormat>)> = vec![
        ("requested URL", from_url.to_owned(), url::archive_format_from_name(from_url)),
        ("final URL", final_url.clone(), url::archive_format_from_name(&final_url)),
        ("Content-Type", content_type.clone().unwrap_or_default(), archive::format_from_content_type(content_type.as_deref())),
    ];
    let recognized: Vec<_> = declarations.iter().filter(|d| d.2.is_some()).collect();
    if let Some(first) = recognized.first() {
        if recognized.iter().any(|d| d.2 != first.2) {
            let details: Vec<String> = recognized
                .iter()
                .map(|(label, _, f)| format!("{label} declares {}", f.map_or("", ArchiveFormat::label)))
                .collect();
            return Err(err(format!("Archive format mismatch: {}", details.join(", "))));
        }
    }
    let bytes = response.read_limited(net::MAX_DOWNLOAD_BYTES, "step archive download").map_err(|e| wrap(e.to_string()))?;
    let tmp = TempDir::new(temp_dir, "speckit-step-archive-")
        .map_err(|e| err(format!("Failed to create temporary step archive directory: {}", net::io_message(&e))))?;
    let suffix = recognized.first().and_then(|d| d.2).map_or(".archive", ArchiveFormat::suffix);
    let archive_path = tmp.0.join(format!("download{suffix}"));
    fs::write(&archive_path, &bytes).map_err(|e| wrap(net::io_message(&e)))?;
    let extracted = tmp.0.join("extracted");
    fs::create_dir(&extracted).map_err(|e| wrap(net::io_message(&e)))?;
    let source_name = recognized.first().map_or("", |d| d.1.as_str());
    archive::extract(&archive_path, &extracted, source_name, content_type.as_deref(), &Limits::default())
        .map_err(|e| wrap(e.0))?;
    let package = step_install::package_root(&extracted)?;
    step_install::install_package(project_root, step_id, &package, &Source::Url, force, now)
}
