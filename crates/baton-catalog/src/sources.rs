//! The catalog source stack (spec §4): `SPECKIT_*_CATALOG_URL`, the project and user
//! `*-catalogs.yml` files, then the built-in defaults. The first layer that yields
//! entries wins; layers are never merged. `catalog add` / `catalog remove` edit the
//! project file.
//!
//! Reuse (step catalogs): the same functions with [`STEP_STACK`] instead of
//! [`WORKFLOW_STACK`]; the reference's step catalog stack differs only in file names,
//! the env variable, the default URLs and descriptions.

use std::path::{Path, PathBuf};

use baton_model::yaml::{self, Node, Span, Yaml};
use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::url::check_catalog_source_url;

/// One built-in default source.
#[derive(Debug, Clone, Copy)]
pub struct DefaultSource {
    /// Its name.
    pub name: &'static str,
    /// Its URL.
    pub url: &'static str,
    /// Its priority.
    pub priority: i64,
    /// Whether installs are allowed from it.
    pub install_allowed: bool,
    /// Its description.
    pub description: &'static str,
}

/// Which stack: workflow catalogs or step catalogs.
#[derive(Debug, Clone, Copy)]
pub struct StackKind {
    /// The override variable (`SPECKIT_WORKFLOW_CATALOG_URL`).
    pub env_var: &'static str,
    /// The config file name under `.specify/` and `~/.specify/`.
    pub file_name: &'static str,
    /// The built-in defaults.
    pub defaults: &'static [DefaultSource],
}

/// The workflow catalog stack.
pub const WORKFLOW_STACK: StackKind = StackKind {
    env_var: "SPECKIT_WORKFLOW_CATALOG_URL",
    file_name: "workflow-catalogs.yml",
    defaults: &[
        DefaultSource {
            name: "default",
            url: "https://raw.githubusercontent.com/github/spec-kit/main/workflows/catalog.json",
            priority: 1,
            install_allowed: true,
            description: "Official workflows",
        },
        DefaultSource {
            name: "community",
            url: "https://raw.githubusercontent.com/github/spec-kit/main/workflows/catalog.community.json",
            priority: 2,
            install_allowed: false,
            description: "Community-contributed workflows (discovery only)",
        },
    ],
};

/// The step-type catalog stack.
pub const STEP_STACK: StackKind = StackKind {
    env_var: "SPECKIT_STEP_CATALOG_URL",
    file_name: "step-catalogs.yml",
    defaults: &[
        DefaultSource {
            name: "default",
            url: "https://raw.githubusercontent.com/github/spec-kit/main/workflows/step-catalog.json",
            priority: 1,
            install_allowed: true,
            description: "Official step types",
        },
        DefaultSource {
            name: "community",
            url: "https://raw.githubusercontent.com/github/spec-kit/main/workflows/step-catalog.community.json",
            priority: 2,
            install_allowed: false,
            description: "Community-contributed step types (discovery only)",
        },
    ],
};

/// One source of the active stack.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CatalogSource {
    /// Its name (`env-override`, `catalog-2`, …).
    pub name: String,
    /// Its URL (trimmed).
    pub url: String,
    /// Its priority (lower wins).
    pub priority: i64,
    /// Whether installs are allowed from it.
    pub install_allowed: bool,
    /// Its description.
    pub description: String,
}

/// Where the stack comes from: the values the CLI reads from the environment.
#[derive(Debug, Clone, Copy)]
pub struct StackInputs<'a> {
    /// The project root (holding `.specify/`).
    pub project_root: &'a Path,
    /// The home directory, for the user layer (`None`: no user layer).
    pub home: Option<&'a Path>,
    /// The override variable's value, as set (trimmed here; empty = unset).
    pub env_override: Option<&'a str>,
}

/// A stack or config error; the message is the reference's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

fn fail<T>(message: impl Into<String>) -> Result<T, SourceError> {
    Err(SourceError(message.into()))
}

/// The project config file of a stack.
pub fn project_config_path(kind: &StackKind, project_root: &Path) -> PathBuf {
    project_root.join(".specify").join(kind.file_name)
}

/// The active sources, sorted by priority (stable).
///
/// # Errors
/// An invalid env URL, a malformed config file, or a bad URL in it.
pub fn active_sources(kind: &StackKind, inputs: &StackInputs<'_>) -> Result<Vec<CatalogSource>, SourceError> {
    if let Some(env_url) = inputs.env_override.map(str::trim).filter(|u| !u.is_empty()) {
        check_catalog_source_url(env_url).map_err(|p| SourceError(p.config_message(env_url)))?;
        return Ok(vec![CatalogSource {
            name: "env-override".into(),
            url: env_url.to_owned(),
            priority: 1,
            install_allowed: true,
            description: format!("From {}", kind.env_var),
        }]);
    }
    if let Some(entries) = load_config(&project_config_path(kind, inputs.project_root))? {
        return Ok(entries);
    }
    if let Some(home) = inputs.home {
        if let Some(entries) = load_config(&home.join(".specify").join(kind.file_name))? {
            return Ok(entries);
        }
    }
    Ok(kind
        .defaults
        .iter()
        .map(|d| CatalogSource {
            name: d.name.into(),
            url: d.url.into(),
            priority: d.priority,
            install_allowed: d.install_allowed,
            description: d.description.into(),
        })
        .collect())
}

/// Reads one config layer; `None` when it yields nothing.
fn load_config(path: &Path) -> Result<Option<Vec<CatalogSource>>, SourceError> {
    if !path.exists() {
        return Ok(None);
    }
    let doc = read_yaml(path).map_err(|e| SourceError(format!("Failed to read catalog config {}: {e}", path.display())))?;
    Ok(parse_config(&doc, path)?.map(|v| v.into_iter().map(|(_, s)| s).collect()))
}

/// Reads and parses a YAML file (`yaml.safe_load(path.read_text())`).
fn read_yaml(path: &Path) -> Result<Node, String> {
    let bytes = std::fs::read(path).map_err(|e| crate::net::io_message(&e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("'utf-8' codec can't decode byte 0x{:02x} in position {at}: invalid start byte", e.as_bytes().get(at).copied().unwrap_or(0))
    })?;
    yaml::parse(&text).map_err(|e| e.render("<unicode string>"))
}

fn py_str(node: &Node) -> String {
    node.to_value().py_str()
}

fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key)
}

/// Python's `int(x)` for a priority value; `None` where Python raises.
fn py_int(node: &Node) -> Option<i64> {
    let clamp = |b: &BigInt| b.to_i64().unwrap_or(if b.sign() == num_bigint::Sign::Minus { i64::MIN } else { i64::MAX });
    match &node.value {
        Yaml::Int(i) => Some(clamp(i)),
        Yaml::Float(f) if f.is_finite() => Some(f.trunc() as i64),
        Yaml::Str(s) => {
            let t = baton_expr::py::strip(s);
            let (neg, digits) = match t.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, t.strip_prefix('+').unwrap_or(t)),
            };
            let valid = !digits.is_empty()
                && !digits.starts_with('_')
                && !digits.ends_with('_')
                && !digits.contains("__")
                && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
            if !valid {
                return None;
            }
            let clean: String = digits.chars().filter(|c| *c != '_').collect();
            let value: BigInt = clean.parse().ok()?;
            Some(clamp(&if neg { -value } else { value }))
        }
        _ => None,
    }
}

/// Validates and orders a config document's sources, keeping each one's YAML position.
fn parse_config(doc: &Node, path: &Path) -> Result<Option<Vec<(usize, CatalogSource)>>, SourceError> {
    if matches!(doc.value, Yaml::Null) {
        return Ok(None);
    }
    if doc.as_map().is_none() {
        return fail(format!("Invalid catalog config: expected a mapping, got {}", doc.type_name()));
    }
    let catalogs = match get(doc, "catalogs") {
        None => return Ok(None),
        Some(n) if matches!(n.value, Yaml::Null) => return Ok(None),
        Some(n) => n,
    };
    let Some(items) = catalogs.as_seq() else {
        return fail(format!("Invalid catalog config: 'catalogs' must be a list, got {}", catalogs.type_name()));
    };
    if items.is_empty() {
        return Ok(None);
    }
    let mut entries = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        if item.as_map().is_none() {
            return fail(format!("Invalid catalog entry at index {idx}: expected a mapping, got {}", item.type_name()));
        }
        let url = get(item, "url").map(py_str).unwrap_or_default().trim().to_owned();
        if url.is_empty() {
            continue;
        }
        check_catalog_source_url(&url).map_err(|p| SourceError(p.config_message(&url)))?;
        let label = || get(item, "name").map_or_else(|| (idx + 1).to_string(), py_str);
        let priority = match get(item, "priority") {
            None => (idx + 1) as i64,
            Some(raw) => match (&raw.value, py_int(raw)) {
                (Yaml::Bool(_), _) | (_, None) => {
                    return fail(format!(
                        "Invalid priority for catalog '{}': expected integer, got {}",
                        label(),
                        raw.py_repr()
                    ))
                }
                (_, Some(p)) => p,
            },
        };
        let install_allowed = match get(item, "install_allowed") {
            None => false,
            Some(Node { value: Yaml::Str(s), .. }) => matches!(baton_expr::py::strip(s).to_lowercase().as_str(), "true" | "yes" | "1"),
            Some(other) => other.to_value().truthy(),
        };
        entries.push((
            idx,
            CatalogSource {
                url,
                name: get(item, "name").map_or_else(|| format!("catalog-{}", idx + 1), py_str),
                priority,
                install_allowed,
                description: get(item, "description").map(py_str).unwrap_or_default(),
            },
        ));
    }
    entries.sort_by_key(|(_, e)| e.priority);
    if entries.is_empty() {
        return fail(format!("Catalog config {} contains {} entries but none have valid URLs.", path.display(), items.len()));
    }
    Ok(Some(entries))
}

/// What `catalog add` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddOutcome {
    /// A new entry was written.
    Added,
    /// The URL was already configured under that name.
    Unchanged,
}

fn node(value: Yaml) -> Node {
    Node { value, span: Span::default() }
}

fn key(k: &str) -> Node {
    node(Yaml::Str(k.to_owned()))
}

/// `catalog add <url> [--name N]`: appends an installable entry to the **project**
/// file (block style; other top-level keys kept; comments lost).
///
/// # Errors
/// The reference's messages (URL rule, malformed file, duplicate URL, write failure).
pub fn add_source(kind: &StackKind, project_root: &Path, url: &str, name: Option<&str>) -> Result<AddOutcome, SourceError> {
    let url = url.trim();
    check_catalog_source_url(url).map_err(|p| SourceError(p.config_message(url)))?;
    let path = project_config_path(kind, project_root);
    let wanted_name = name.map(|n| baton_expr::py::strip(n).to_owned()).unwrap_or_default();
    let mut doc = if path.exists() {
        let raw = read_yaml(&path).map_err(|e| SourceError(format!("Catalog config file is unreadable or malformed: {e}")))?;
        match raw.value {
            Yaml::Null => node(Yaml::Map(vec![(key("catalogs"), node(Yaml::Seq(Vec::new())))])),
            Yaml::Map(_) => raw,
            _ => return fail("Catalog config file is corrupted (expected a mapping)."),
        }
    } else {
        node(Yaml::Map(vec![(key("catalogs"), node(Yaml::Seq(Vec::new())))]))
    };
    let Yaml::Map(pairs) = &mut doc.value else { return fail("Catalog config file is corrupted (expected a mapping).") };
    let pos = match pairs.iter().position(|(k, _)| k.as_str() == Some("catalogs")) {
        Some(p) => p,
        None => {
            pairs.push((key("catalogs"), node(Yaml::Seq(Vec::new()))));
            pairs.len() - 1
        }
    };
    let Yaml::Seq(items) = &mut pairs[pos].1.value else { return fail("Catalog config 'catalogs' must be a list.") };
    for (idx, item) in items.iter().enumerate() {
        if item.as_map().is_some() && item.get("url").map(py_str).unwrap_or_default().trim() == url {
            let existing = match item.get("name") {
                Some(n) if n.to_value().truthy() => py_str(n),
                _ => format!("catalog-{}", idx + 1),
            };
            if wanted_name.is_empty() || existing.trim() == wanted_name {
                load_config(&path)?;
                return Ok(AddOutcome::Unchanged);
            }
            return fail(format!("Catalog URL already configured: {url}"));
        }
    }
    let max_priority = items
        .iter()
        .filter(|i| i.as_map().is_some())
        .map(|i| i.get("priority").and_then(|p| if matches!(p.value, Yaml::Bool(b) if b) { Some(1) } else if matches!(p.value, Yaml::Bool(_)) { Some(0) } else { py_int(p) }).unwrap_or(0))
        .max()
        .unwrap_or(0);
    let entry_name = if wanted_name.is_empty() { format!("catalog-{}", items.len() + 1) } else { wanted_name };
    items.push(node(Yaml::Map(vec![
        (key("name"), node(Yaml::Str(entry_name))),
        (key("url"), node(Yaml::Str(url.to_owned()))),
        (key("priority"), node(Yaml::Int(BigInt::from(max_priority.saturating_add(1))))),
        (key("install_allowed"), node(Yaml::Bool(true))),
        (key("description"), node(Yaml::Str(String::new()))),
    ])));
    write_config(&path, &doc)?;
    Ok(AddOutcome::Added)
}

fn write_config(path: &Path, doc: &Node) -> Result<(), SourceError> {
    let text = yaml::dump(doc);
    let result = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(path, text));
    result.map_err(|e| SourceError(format!("Failed to write catalog config {}: {}", path.display(), crate::net::io_message(&e))))
}

/// `catalog remove <index>`: removes the entry at `index` of the priority-sorted
/// project sources; returns its name.
///
/// # Errors
/// The reference's messages (env override active, no file, out of range, …).
pub fn remove_source(kind: &StackKind, project_root: &Path, env_override: Option<&str>, index: i64) -> Result<String, SourceError> {
    if env_override.is_some_and(|v| !v.trim().is_empty()) {
        return fail(format!(
            "The active catalog comes from {}. Unset that variable to remove a project catalog source.",
            kind.env_var
        ));
    }
    let path = project_config_path(kind, project_root);
    if !path.exists() {
        return fail("No catalog config file found.");
    }
    let mut doc = read_yaml(&path).map_err(|e| SourceError(format!("Catalog config file is unreadable or malformed: {e}")))?;
    let entries = parse_config(&doc, &path)?.unwrap_or_default();
    if index < 0 || index as usize >= entries.len() {
        return fail(format!("Catalog index {index} out of range (0-{}).", entries.len() as i64 - 1));
    }
    let (source_index, entry) = entries[index as usize].clone();
    if let Yaml::Map(pairs) = &mut doc.value {
        if let Some((_, catalogs)) = pairs.iter_mut().find(|(k, _)| k.as_str() == Some("catalogs")) {
            if let Yaml::Seq(items) = &mut catalogs.value {
                items.remove(source_index);
            }
        }
    }
    write_config(&path, &doc)?;
    Ok(entry.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(config: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".specify")).unwrap();
        if let Some(text) = config {
            std::fs::write(dir.path().join(".specify/workflow-catalogs.yml"), text).unwrap();
        }
        dir
    }

    fn stack(dir: &Path, env: Option<&str>) -> Result<Vec<CatalogSource>, SourceError> {
        active_sources(&WORKFLOW_STACK, &StackInputs { project_root: dir, home: None, env_override: env })
    }

    #[test]
    fn defaults_and_env() {
        let p = project(None);
        let s = stack(p.path(), None).unwrap();
        assert_eq!((s[0].name.as_str(), s[0].install_allowed, s[1].name.as_str(), s[1].install_allowed), ("default", true, "community", false));
        let s = stack(p.path(), Some("  https://e.example/c.json ")).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].url, "https://e.example/c.json");
        assert_eq!(s[0].description, "From SPECKIT_WORKFLOW_CATALOG_URL");
        assert_eq!(stack(p.path(), Some("http://example.com/c.json")).unwrap_err().0, "Catalog URL must use HTTPS (got http://). HTTP is only allowed for localhost.");
    }

    #[test]
    fn config_errors_table() {
        for (text, want) in [
            ("- a\n", "Invalid catalog config: expected a mapping, got list"),
            ("catalogs: {}\n", "Invalid catalog config: 'catalogs' must be a list, got dict"),
            ("catalogs: 5\n", "Invalid catalog config: 'catalogs' must be a list, got int"),
            ("catalogs: [5]\n", "Invalid catalog entry at index 0: expected a mapping, got int"),
            ("catalogs:\n- url: https://a/c.json\n  priority: true\n", "Invalid priority for catalog '1': expected integer, got True"),
            ("catalogs:\n- url: https://a/c.json\n  name: x\n  priority: abc\n", "Invalid priority for catalog 'x': expected integer, got 'abc'"),
            ("catalogs:\n- name: a\n- name: b\n", "contains 2 entries but none have valid URLs."),
            ("catalogs: [\n", "Failed to read catalog config"),
        ] {
            let p = project(Some(text));
            let e = stack(p.path(), None).unwrap_err();
            assert!(e.0.contains(want), "{text:?}: {e}");
        }
        for text in ["", "catalogs:\n", "catalogs: []\n", "other: 1\n"] {
            let p = project(Some(text));
            assert_eq!(stack(p.path(), None).unwrap()[0].name, "default", "{text:?}");
        }
        let p = project(Some("catalogs:\n- url: https://a/c.json\n  priority: \"7\"\n"));
        let s = stack(p.path(), None).unwrap();
        assert_eq!((s[0].name.as_str(), s[0].priority, s[0].install_allowed), ("catalog-1", 7, false));
    }

    #[test]
    fn add_and_remove() {
        let p = project(Some("extra: keepme\ncatalogs:\n- name: first\n  url: https://a.example/c.json\n  priority: 7\n"));
        assert_eq!(add_source(&WORKFLOW_STACK, p.path(), "https://b.example.com/c.json", None).unwrap(), AddOutcome::Added);
        let text = std::fs::read_to_string(p.path().join(".specify/workflow-catalogs.yml")).unwrap();
        assert_eq!(
            text,
            "extra: keepme\ncatalogs:\n- name: first\n  url: https://a.example/c.json\n  priority: 7\n- name: catalog-2\n  url: https://b.example.com/c.json\n  priority: 8\n  install_allowed: true\n  description: ''\n"
        );
        assert_eq!(add_source(&WORKFLOW_STACK, p.path(), " https://b.example.com/c.json ", None).unwrap(), AddOutcome::Unchanged);
        assert_eq!(
            add_source(&WORKFLOW_STACK, p.path(), "https://b.example.com/c.json", Some("other")).unwrap_err().0,
            "Catalog URL already configured: https://b.example.com/c.json"
        );
        assert_eq!(remove_source(&WORKFLOW_STACK, p.path(), None, 5).unwrap_err().0, "Catalog index 5 out of range (0-1).");
        assert_eq!(remove_source(&WORKFLOW_STACK, p.path(), None, 1).unwrap(), "catalog-2");
        assert_eq!(remove_source(&WORKFLOW_STACK, p.path(), None, 0).unwrap(), "first");
        let text = std::fs::read_to_string(p.path().join(".specify/workflow-catalogs.yml")).unwrap();
        assert_eq!(text, "extra: keepme\ncatalogs: []\n");
        assert_eq!(remove_source(&WORKFLOW_STACK, p.path(), None, 0).unwrap_err().0, "Catalog index 0 out of range (0--1).");
        assert!(remove_source(&WORKFLOW_STACK, p.path(), Some("https://x"), 0).unwrap_err().0.starts_with("The active catalog comes from SPECKIT_WORKFLOW_CATALOG_URL."));
    }
}
