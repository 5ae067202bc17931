//! The step registry `.specify/workflows/steps/step-registry.json` (ecosystem.md
//! §18.2): `{"schema_version": "1.0", "steps": {<id>: {…}}}`, indent 2. Reads fail
//! soft (anything unusable reads as an empty registry); writes are atomic and refuse
//! symlinked paths.

use std::path::{Path, PathBuf};

use baton_expr::json::{self, DumpOptions};
use baton_expr::{Map, Value};

use crate::fsx::{self, AtomicMode};
use crate::registry::iso_utc;

use super::Error;

/// The registry's file name.
pub const REGISTRY_FILE: &str = "step-registry.json";

/// Whether `.specify`, `.specify/workflows` or `.specify/workflows/steps` is a symlink.
pub(crate) fn has_symlinked_parent(project_root: &Path) -> bool {
    let mut current = project_root.to_path_buf();
    [".specify", "workflows", "steps"].iter().any(|part| {
        current.push(part);
        std::fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink())
    })
}

/// The installed custom step types.
#[derive(Debug, Clone)]
pub struct StepRegistry {
    project_root: PathBuf,
    path: PathBuf,
    data: Map,
}

fn default_data() -> Map {
    let mut data = Map::new();
    data.insert("schema_version".into(), Value::Str("1.0".into()));
    data.insert("steps".into(), Value::Map(Map::new()));
    data
}

impl StepRegistry {
    /// Reads the registry of `project_root`. A symlinked parent or file, an unreadable
    /// or invalid file and a non-object top level all read as an empty registry; a
    /// non-object `steps` reads as `{}`.
    pub fn open(project_root: &Path) -> Self {
        let path = project_root.join(".specify/workflows/steps").join(REGISTRY_FILE);
        let data = Self::read(project_root, &path).unwrap_or_else(default_data);
        StepRegistry { project_root: project_root.to_path_buf(), path, data }
    }

    fn read(project_root: &Path, path: &Path) -> Option<Map> {
        if has_symlinked_parent(project_root) || std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return None;
        }
        let text = String::from_utf8(std::fs::read(path).ok()?).ok()?;
        let Value::Map(mut data) = json::loads(&text).ok()? else { return None };
        if !matches!(data.get("steps"), Some(Value::Map(_))) {
            data.insert("steps".into(), Value::Map(Map::new()));
        }
        Some(data)
    }

    /// The registry file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn steps(&self) -> &Map {
        match self.data.get("steps") {
            Some(Value::Map(m)) => m,
            _ => empty(),
        }
    }

    fn steps_mut(&mut self) -> &mut Map {
        if !matches!(self.data.get("steps"), Some(Value::Map(_))) {
            self.data.insert("steps".into(), Value::Map(Map::new()));
        }
        match self.data.get_mut("steps") {
            Some(Value::Map(m)) => m,
            _ => unreachable!("inserted above"),
        }
    }

    /// The entry of `id` (any JSON value), if registered.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.steps().get(id)
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.steps().iter()
    }

    /// Whether `id` is registered.
    pub fn is_installed(&self, id: &str) -> bool {
        self.steps().contains_key(id)
    }

    /// Writes the registry: `json.dumps(data, indent=2)`, atomically.
    ///
    /// # Errors
    /// `Refusing to write step registry through a symlinked path.` or
    /// `Failed to write step registry at <path>: …`.
    pub fn save(&self) -> Result<(), Error> {
        if has_symlinked_parent(&self.project_root)
            || std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Err(Error::new("Refusing to write step registry through a symlinked path."));
        }
        let text = json::dumps(&Value::Map(self.data.clone()), &DumpOptions { indent: Some(2), ..DumpOptions::default() })
            .map_err(|e| Error::new(format!("Failed to write step registry at {}: {e}", self.path.display())))?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .and_then(|()| fsx::write_atomic(&self.path, text.as_bytes(), AtomicMode::KeepOr0600))
            .map_err(|e| {
                Error::new(format!("Failed to write step registry at {}: {}", self.path.display(), crate::net::io_message(&e)))
            })
    }

    /// Adds or replaces `id` with `metadata`, keeping `installed_at` of an existing
    /// object entry and setting `updated_at` to `now`; writes the file (rolled back in
    /// memory on failure).
    ///
    /// # Errors
    /// As [`save`](Self::save).
    pub fn add(&mut self, id: &str, mut metadata: Map, now: jiff::Timestamp) -> Result<(), Error> {
        let previous = self.steps().get(id).cloned();
        let stamp = iso_utc(now);
        let installed_at = match &previous {
            Some(Value::Map(m)) => m.get("installed_at").cloned().unwrap_or_else(|| Value::Str(stamp.clone())),
            _ => Value::Str(stamp.clone()),
        };
        metadata.insert("installed_at".into(), installed_at);
        metadata.insert("updated_at".into(), Value::Str(stamp));
        self.steps_mut().insert(id.to_owned(), Value::Map(metadata));
        if let Err(e) = self.save() {
            match previous {
                Some(v) => {
                    self.steps_mut().insert(id.to_owned(), v);
                }
                None => {
                    self.steps_mut().shift_remove(id);
                }
            }
            return Err(e);
        }
        Ok(())
    }

    /// Removes `id` and writes the file; `Ok(None)` when it was not registered,
    /// otherwise the removed entry.
    ///
    /// # Errors
    /// As [`save`](Self::save) (the entry is put back in memory).
    pub fn remove(&mut self, id: &str) -> Result<Option<Value>, Error> {
        let Some(index) = self.steps().get_index_of(id) else { return Ok(None) };
        let removed = self.steps_mut().shift_remove(id);
        if let Err(e) = self.save() {
            if let Some(v) = removed {
                self.steps_mut().shift_insert(index, id.to_owned(), v);
            }
            return Err(e);
        }
        Ok(removed)
    }

    /// Puts an entry back verbatim (no timestamps touched) and writes the file.
    ///
    /// # Errors
    /// As [`save`](Self::save).
    pub fn restore(&mut self, id: &str, entry: Value) -> Result<(), Error> {
        self.steps_mut().insert(id.to_owned(), entry);
        self.save()
    }
}

fn empty() -> &'static Map {
    static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn soft_reads_and_format() {
        let dir = tempfile::tempdir().unwrap();
        let steps = dir.path().join(".specify/workflows/steps");
        std::fs::create_dir_all(&steps).unwrap();
        let file = steps.join(REGISTRY_FILE);
        for bad in ["{bad", "[1]", "\u{feff}{}"] {
            std::fs::write(&file, bad).unwrap();
            assert!(!StepRegistry::open(dir.path()).is_installed("x"));
        }
        std::fs::write(&file, r#"{"schema_version": "1.0", "steps": [], "extra": 1}"#).unwrap();
        let mut r = StepRegistry::open(dir.path());
        let mut m = Map::new();
        m.insert("name".into(), Value::Str("Ünï".into()));
        r.add("x", m, "2026-01-02T03:04:05Z".parse().unwrap()).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            "{\n  \"schema_version\": \"1.0\",\n  \"steps\": {\n    \"x\": {\n      \"name\": \"\\u00dcn\\u00ef\",\n      \"installed_at\": \"2026-01-02T03:04:05+00:00\",\n      \"updated_at\": \"2026-01-02T03:04:05+00:00\"\n    }\n  },\n  \"extra\": 1\n}"
        );
        let mut r = StepRegistry::open(dir.path());
        r.add("x", Map::new(), "2027-01-01T00:00:00.25Z".parse().unwrap()).unwrap();
        let entry = r.get("x").unwrap().clone();
        let Value::Map(entry) = entry else { panic!() };
        assert_eq!(entry.get("installed_at"), Some(&Value::Str("2026-01-02T03:04:05+00:00".into())));
        assert_eq!(entry.get("updated_at"), Some(&Value::Str("2027-01-01T00:00:00.250000+00:00".into())));
        assert!(r.remove("x").unwrap().is_some());
        assert!(r.remove("x").unwrap().is_none());
    }
}
