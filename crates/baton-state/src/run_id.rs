//! Run ids (§1.2 of the engine spec): validation before any path is built, generation,
//! and the `SPECKIT_WORKFLOW_RUN_ID` override.

use crate::error::{Error, Result};
use std::fmt;

/// A run id that matches `^[a-zA-Z0-9][a-zA-Z0-9_-]*$`, so it is a safe path component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(String);

impl RunId {
    /// Validates `id` (the reference's regex and error text).
    pub fn new(id: &str) -> Result<RunId> {
        let mut bytes = id.bytes();
        let ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(RunId(id.to_owned()))
        } else {
            Err(Error::InvalidRunId(id.to_owned()))
        }
    }

    /// The id made of four random bytes: eight lowercase hex digits, like the first eight
    /// characters of the reference's UUID4.
    pub fn from_random_bytes(bytes: [u8; 4]) -> RunId {
        RunId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A fresh random id (eight lowercase hex digits) from the operating system's RNG.
    pub fn generate() -> Result<RunId> {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        Ok(RunId::from_random_bytes(bytes))
    }

    /// The id for a new run: the override (the caller reads `SPECKIT_WORKFLOW_RUN_ID`;
    /// surrounding whitespace is trimmed and an empty value ignored), else `generate()`.
    /// The override is validated like any id.
    pub fn resolve(override_value: Option<&str>, generate: impl FnOnce() -> Result<RunId>) -> Result<RunId> {
        match override_value.map(str::trim) {
            Some(v) if !v.is_empty() => RunId::new(v),
            _ => generate(),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RunId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        for ok in ["a", "0", "nightly_build-7", "A-b_C"] {
            assert!(RunId::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "_a", "../escape", "a/b", "a b", "é", "a\n"] {
            assert!(RunId::new(bad).is_err(), "{bad}");
        }
        let e = RunId::new("../escape").err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(e, "Invalid run_id '../escape': must be alphanumeric with hyphens/underscores only (and must start with an alphanumeric character).");
    }

    #[test]
    fn resolve() {
        let gen = || Ok(RunId::from_random_bytes([0x20, 0x13, 0x16, 0xef]));
        assert_eq!(RunId::resolve(None, gen).ok().map(|r| r.0), Some("201316ef".into()));
        assert_eq!(RunId::resolve(Some("   "), gen).ok().map(|r| r.0), Some("201316ef".into()));
        assert_eq!(RunId::resolve(Some("  padded-id "), gen).ok().map(|r| r.0), Some("padded-id".into()));
        assert!(RunId::resolve(Some("../x"), gen).is_err());
    }
}
