//! The installed-workflow registry `.specify/workflows/workflow-registry.json`
//! (spec §10): read fail-closed, written atomically in the reference's format
//! (indent 2, ASCII-escaped, no trailing newline, 0600 when new, mode kept otherwise).

use std::path::{Path, PathBuf};

use baton_expr::json::{self, DumpOptions};
use baton_expr::{Map, Value};

use crate::fsx::{self, AtomicMode};

/// The registry's file name.
pub const REGISTRY_FILE: &str = "workflow-registry.json";

/// A registry that cannot be read (printed as `Failed to read workflow registry: …`)
/// or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RegistryError(pub String);

/// The registry document (other top-level keys are kept).
#[derive(Debug, Clone)]
pub struct Registry {
    path: PathBuf,
    workflows_dir: PathBuf,
    data: Map,
}

/// `datetime.now(timezone.utc).isoformat()` of `now`.
pub use baton_state::isoformat as iso_utc;

fn has_symlinked_parent(project_root: &Path) -> bool {
    let mut current = project_root.to_path_buf();
    for part in [".specify", "workflows"] {
        current.push(part);
        if std::fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink()) {
            return true;
        }
    }
    false
}

impl Registry {
    /// Opens the registry of `project_root` (absent file: empty registry).
    ///
    /// # Errors
    /// The reference's fail-closed messages.
    pub fn open(project_root: &Path) -> Result<Self, RegistryError> {
        let workflows_dir = project_root.join(".specify").join("workflows");
        let path = workflows_dir.join(REGISTRY_FILE);
        let mut data = Map::new();
        data.insert("schema_version".into(), Value::Str("1.0".into()));
        data.insert("workflows".into(), Value::Map(Map::new()));
        if has_symlinked_parent(project_root) || std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(RegistryError(format!(
                "Refusing to read workflow registry at {}: a parent directory or the registry file itself is a symlink",
                path.display()
            )));
        }
        if !path.exists() {
            return Ok(Registry { path, workflows_dir, data });
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| RegistryError(format!("Failed to read workflow registry at {}: {}", path.display(), crate::net::io_message(&e))))?;
        let corrupted = |why: String| RegistryError(format!("Workflow registry at {} is corrupted: {why}", path.display()));
        let text = String::from_utf8(bytes).map_err(|e| corrupted(format!("'utf-8' codec can't decode bytes: {e}")))?;
        let value = json::loads(&text).map_err(|e| corrupted(e.to_string()))?;
        let Value::Map(map) = value else { return Err(corrupted("top-level value must be an object".into())) };
        if !matches!(map.get("workflows"), Some(Value::Map(_))) {
            return Err(corrupted("'workflows' must be an object".into()));
        }
        Ok(Registry { path, workflows_dir, data: map })
    }

    /// The registry file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn workflows(&self) -> &Map {
        match self.data.get("workflows") {
            Some(Value::Map(m)) => m,
            _ => unreachable_empty(),
        }
    }

    fn workflows_mut(&mut self) -> &mut Map {
        if !matches!(self.data.get("workflows"), Some(Value::Map(_))) {
            self.data.insert("workflows".into(), Value::Map(Map::new()));
        }
        match self.data.get_mut("workflows") {
            Some(Value::Map(m)) => m,
            _ => unreachable!("inserted above"),
        }
    }

    /// The raw entry of `id` (any JSON value), if registered.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.workflows().get(id)
    }

    /// Every entry in registry order.
    pub fn entries(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.workflows().iter()
    }

    /// Whether `id` is registered.
    pub fn contains(&self, id: &str) -> bool {
        self.workflows().contains_key(id)
    }

    /// Adds or replaces `id` wholesale with `metadata`, keeping `installed_at` of an
    /// existing object entry and setting `updated_at`; writes the file.
    ///
    /// # Errors
    /// A write failure (the in-memory registry is rolled back).
    pub fn add(&mut self, id: &str, mut metadata: Map, now: jiff::Timestamp) -> Result<(), RegistryError> {
        let previous = self.workflows().get(id).cloned();
        let stamp = iso_utc(now);
        let installed_at = match &previous {
            Some(Value::Map(m)) => m.get("installed_at").cloned().unwrap_or_else(|| Value::Str(stamp.clone())),
            _ => Value::Str(stamp.clone()),
        };
        metadata.insert("installed_at".into(), installed_at);
        metadata.insert("updated_at".into(), Value::Str(stamp));
        self.workflows_mut().insert(id.to_owned(), Value::Map(metadata));
        if let Err(e) = self.save() {
            match previous {
                Some(v) => {
                    self.workflows_mut().insert(id.to_owned(), v);
                }
                None => {
                    self.workflows_mut().shift_remove(id);
                }
            }
            return Err(e);
        }
        Ok(())
    }

    /// Removes `id`; `Ok(false)` when it was not registered.
    ///
    /// # Errors
    /// A write failure (the entry is put back in memory).
    pub fn remove(&mut self, id: &str) -> Result<bool, RegistryError> {
        let Some(index) = self.workflows().get_index_of(id) else { return Ok(false) };
        let removed = self.workflows_mut().shift_remove(id);
        if let Err(e) = self.save() {
            if let Some(v) = removed {
                self.workflows_mut().shift_insert(index, id.to_owned(), v);
            }
            return Err(e);
        }
        Ok(true)
    }

    /// The file text: `json.dumps(data, indent=2)` (no trailing newline).
    pub fn to_text(&self) -> String {
        json::dumps(&Value::Map(self.data.clone()), &DumpOptions { indent: Some(2), ..DumpOptions::default() }).unwrap_or_default()
    }

    /// Writes the registry atomically (refusing symlinked parents).
    ///
    /// # Errors
    /// [`RegistryError`].
    pub fn save(&self) -> Result<(), RegistryError> {
        let root = self.workflows_dir.parent().and_then(Path::parent).unwrap_or(Path::new("."));
        if has_symlinked_parent(root) || std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(RegistryError("Refusing to write workflow registry through a symlinked path.".into()));
        }
        std::fs::create_dir_all(&self.workflows_dir).map_err(|e| RegistryError(crate::net::io_message(&e)))?;
        fsx::write_atomic(&self.path, self.to_text().as_bytes(), AtomicMode::KeepOr0600).map_err(|e| RegistryError(crate::net::io_message(&e)))
    }
}

fn unreachable_empty() -> &'static Map {
    static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

/// Whether a registry entry is enabled (`enabled` absent or truthy).
pub fn is_enabled(entry: &Map) -> bool {
    entry.get("enabled").is_none_or(Value::truthy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn t(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn format_and_semantics() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".specify")).unwrap();
        let mut r = Registry::open(dir.path()).unwrap();
        let mut m = Map::new();
        m.insert("name".into(), Value::Str("Héllo ✓".into()));
        r.add("hello", m.clone(), t("2026-01-02T03:04:05.5Z")).unwrap();
        let text = std::fs::read_to_string(r.path()).unwrap();
        assert_eq!(
            text,
            "{\n  \"schema_version\": \"1.0\",\n  \"workflows\": {\n    \"hello\": {\n      \"name\": \"H\\u00e9llo \\u2713\",\n      \"installed_at\": \"2026-01-02T03:04:05.500000+00:00\",\n      \"updated_at\": \"2026-01-02T03:04:05.500000+00:00\"\n    }\n  }\n}"
        );
        assert_eq!(std::fs::metadata(r.path()).unwrap().permissions().mode() & 0o777, 0o600);
        let mut r = Registry::open(dir.path()).unwrap();
        r.add("hello", m, t("2026-01-03T00:00:00Z")).unwrap();
        let Some(Value::Map(e)) = r.get("hello") else { panic!() };
        assert_eq!(e.get("installed_at").unwrap().py_str(), "2026-01-02T03:04:05.500000+00:00");
        assert_eq!(e.get("updated_at").unwrap().py_str(), "2026-01-03T00:00:00+00:00");
        assert!(r.remove("hello").unwrap());
        assert!(!r.remove("hello").unwrap());
    }

    #[test]
    fn fails_closed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".specify/workflows")).unwrap();
        let p = dir.path().join(".specify/workflows/workflow-registry.json");
        for (text, want) in [
            ("{\"schema_version\": \"1.0\", \"workflows\": []}", "'workflows' must be an object"),
            ("[1]", "top-level value must be an object"),
            ("{bad", "is corrupted: Expecting property name enclosed in double quotes"),
        ] {
            std::fs::write(&p, text).unwrap();
            let e = Registry::open(dir.path()).unwrap_err();
            assert!(e.0.contains(want), "{e}");
        }
        std::fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", &p).unwrap();
        assert!(Registry::open(dir.path()).unwrap_err().0.contains("a parent directory or the registry file itself is a symlink"));
    }
}
